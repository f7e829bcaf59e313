"""장마다의 설명 그림: 계산이 어떻게 흐르는지를 그립니다 (일반 그림은 ``lib.viz``).

- 1장: ``receptive_field_diagram`` (수용 영역), ``patch_figure`` (0 채움과 패치).
- 2·3장: ``number_grid``, ``number_grid_flow`` (어느 값이 어디로 가는지 숫자 격자로), ``block_groups``,
  ``pool_unpool_pairing`` (SegNet 식 짝짓기).
- 4장: ``unet_diagram`` (U 모양).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch

from .viz import PALETTE, to_numpy_image


# --------------------------------------------------------------------------------------
# 1장: 패치와 수용 영역
# --------------------------------------------------------------------------------------
def receptive_field_diagram(depth: int, kernel_size: int = 3, ax=None):
    """1차원으로 그린 수용 영역: 맨 위 출력 한 칸이 층을 내려갈수록 얼마나 넓은 입력을 보는지.

    패딩 없는 스트라이드 1 합성곱 ``depth`` 개 (커널 ``kernel_size``) 를 아래(입력)에서 위(출력)로 쌓습니다.
    """
    field = 1 + depth * (kernel_size - 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(11, 0.45 * field + 2), 0.45 * (depth + 1) + 0.8))
    for level in range(depth + 1):  # level 0 = 입력, level depth = 출력
        width = field - level * (kernel_size - 1)  # 이 층에서 출력 한 칸이 의존하는 칸 수
        offset = level * (kernel_size - 1) / 2
        for i in range(field):
            used = offset <= i < offset + width
            ax.add_patch(plt.Rectangle((i, level), 0.9, 0.8, facecolor=PALETTE[1] if used else "0.92",
                                       edgecolor="0.4", lw=0.6))
        name = "입력" if level == 0 else ("출력" if level == depth else f"{level}층")
        ax.text(-0.5, level + 0.4, f"{name}: {width}칸", ha="right", va="center", fontsize=9)
    ax.set_xlim(-4.5, field + 0.2)
    ax.set_ylim(-0.2, depth + 1)
    ax.axis("off")
    ax.set_title(f"{kernel_size}×{kernel_size} 합성곱 {depth}층의 수용 영역 = 1 + {depth}·({kernel_size}-1) = {field}")
    return ax


def patch_figure(image, patch_size: int, pixels: list[tuple[int, int]], ax=None):
    """0 으로 채운 이미지 위에 픽셀마다의 p×p 패치를 상자로 그립니다 (가장자리 픽셀의 패치는 채운 영역을 덮음).

    Args:
        image: (3, H, W) 또는 (1, 3, H, W) 텐서.
        pixels: 표시할 픽셀 좌표 (행, 열) 목록.
    """
    picture = to_numpy_image(image)
    half = patch_size // 2
    padded = np.pad(picture, ((half, half), (half, half), (0, 0)))
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(padded, interpolation="nearest")
    h, w = picture.shape[:2]
    ax.add_patch(plt.Rectangle((half - 0.5, half - 0.5), w, h, fill=False, edgecolor="white", lw=1.5, ls="--"))
    for k, (i, j) in enumerate(pixels):
        color = PALETTE[1 + k % (len(PALETTE) - 1)]
        ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), patch_size, patch_size, fill=False, edgecolor=color, lw=2))
        ax.plot(j + half, i + half, "s", color=color, markersize=4)
    ax.set_title(f"0 채움 {half}픽셀 + {patch_size}×{patch_size} 패치", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


# --------------------------------------------------------------------------------------
# 2·3장: 숫자 격자 (업샘플링에서 어느 값이 어디로 갔는지)
# --------------------------------------------------------------------------------------
GROUP_COLORS = 0.55 + 0.45 * PALETTE[1:]  # 입력 값마다 하나씩: 팔레트를 옅게 (숫자가 잘 보이도록)


def block_groups(height: int, width: int, kernel_size: int) -> np.ndarray:
    """(height, width) 격자의 칸마다 그 칸이 속한 k×k 블록 번호 (행 우선). 색으로 블록을 구분할 때 씁니다."""
    rows, cols = np.mgrid[0:height, 0:width] // kernel_size
    return rows * -(-width // kernel_size) + cols


def number_grid(ax, values, groups=None, marked=None, title: str | None = None, fmt: str = "{:g}"):
    """2차원 숫자 배열을 칸마다 숫자가 적힌 격자로 그립니다.

    Args:
        values: (H, W) 숫자 배열 또는 텐서.
        groups: (H, W) 정수 배열. 칸의 색 = 번호의 색 (같은 번호 = 같은 입력 값에서 옴), 음수면 흰 칸.
        marked: (H, W) bool 배열. True 인 칸은 굵은 테두리 (저장된 최댓값 위치).
    """
    values = np.asarray(values.detach().cpu() if isinstance(values, torch.Tensor) else values)
    h, w = values.shape
    colors = np.ones((h, w, 3))
    if groups is not None:
        groups = np.asarray(groups)
        colors[groups >= 0] = GROUP_COLORS[groups[groups >= 0] % len(GROUP_COLORS)]
    ax.imshow(colors, extent=(0, w, h, 0))
    texts = [[fmt.format(values[i, j]) for j in range(w)] for i in range(h)]
    longest = max(len(t) for row in texts for t in row)
    fontsize = 10 if longest <= 3 else 8 if longest <= 4 else 7  # 긴 숫자도 칸 테두리에 닿지 않게
    for i in range(h):
        for j in range(w):
            ax.text(j + 0.5, i + 0.5, texts[i][j], ha="center", va="center", fontsize=fontsize)
    ax.hlines(range(h + 1), 0, w, color="0.35", lw=0.8)
    ax.vlines(range(w + 1), 0, h, color="0.35", lw=0.8)
    for i, j in zip(*np.nonzero(marked)) if marked is not None else ():
        ax.add_patch(plt.Rectangle((j + 0.06, i + 0.06), 0.88, 0.88, fill=False, edgecolor="k", lw=2.2))
    ax.set_xlim(-0.05, w + 0.05)
    ax.set_ylim(h + 0.05, -0.05)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


SYMBOLS = ("+", "=", "×")  # number_grid_flow 에서 화살표 대신 그대로 쓰는 연산 기호


def number_grid_flow(rows: list[list], cell: float = 0.42, suptitle: str | None = None):
    """숫자 격자들을 왼쪽에서 오른쪽으로 늘어놓고, 사이에 설명 붙은 화살표를 그립니다.

    Args:
        rows: 행들의 목록. 각 행은 ``[격자, "화살표 글", 격자, ...]`` 처럼 격자와 글이 번갈아 나옵니다.
            글이 ``SYMBOLS`` 의 기호 하나(``"+"``, ``"="``, ``"×"``)면 화살표 없이 기호만 그립니다.
            격자는 ``number_grid`` 의 인자를 담은 사전 (``values`` 필수, ``groups``/``marked``/``title`` 선택).
        cell: 숫자 한 칸의 크기 (인치).
    Returns:
        matplotlib Figure
    """
    arrow_width = 2.6  # 화살표 칸의 너비 (숫자 칸 단위)
    widths = [[np.shape(p["values"])[1] if isinstance(p, dict) else 1.0 if p in SYMBOLS else arrow_width
               for p in row] for row in rows]
    heights = [max(np.shape(p["values"])[0] for p in row if isinstance(p, dict)) + 1.2 for row in rows]
    fig = plt.figure(figsize=(cell * max(sum(w) + 0.5 * len(w) for w in widths), cell * sum(heights) + 0.3))
    subfigs = np.atleast_1d(fig.subfigures(len(rows), 1, height_ratios=heights))
    for subfig, row, row_widths in zip(subfigs, rows, widths):
        axes = subfig.subplots(1, len(row), width_ratios=row_widths)
        for ax, item in zip(np.atleast_1d(axes), row):
            if isinstance(item, dict):
                number_grid(ax, **item)
                continue
            if item in SYMBOLS:  # 연산 기호: 화살표 없이 기호만 (값이 흐르는 방향이 아니라 식의 일부)
                ax.text(0.5, 0.5, item, ha="center", va="center", fontsize=16, transform=ax.transAxes)
            else:
                ax.annotate("", xy=(0.95, 0.5), xytext=(0.05, 0.5), xycoords="axes fraction",
                            arrowprops=dict(arrowstyle="-|>", lw=1.5, color="0.3"))
                ax.text(0.5, 0.62, item, ha="center", va="bottom", fontsize=9, transform=ax.transAxes)
            ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def pool_unpool_pairing(depth: int = 3, ax=None):
    """SegNet 식 짝짓기: 인코더의 i번째 최대 풀링이 저장한 위치를 디코더의 i번째 최대 언풀링이 씁니다.

    특성 맵을 높이가 해상도에 비례하는 막대로, 위치(indices) 전달을 점선 화살표로 그립니다.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(2.1 * depth + 2.4, 3.2))
    total = 2 * depth + 1
    for slot in range(total):  # 0..depth-1 인코더, depth 가운데, depth+1.. 디코더
        level = min(slot, total - 1 - slot)  # 몇 번 줄였는가
        height = 2.4 / 2**level
        ax.add_patch(plt.Rectangle((slot * 1.1, 1.5 - height / 2), 0.55, height, facecolor=GROUP_COLORS[level],
                                   edgecolor="0.3"))
        ax.text(slot * 1.1 + 0.27, 1.5 - height / 2 - 0.12, f"1/{2**level}", ha="center", va="top", fontsize=8)
        if slot < total - 1:
            down = slot < depth
            ax.annotate("", xy=(slot * 1.1 + 1.08, 1.5), xytext=(slot * 1.1 + 0.58, 1.5),
                        arrowprops=dict(arrowstyle="-|>", color="0.3"))
            ax.text(slot * 1.1 + 0.83, 1.58, "풀링" if down else "언풀링", ha="center", fontsize=7)
    for i in range(depth):  # 인코더 i번째 풀링 → 디코더의 짝 (같은 해상도로 돌아오는 언풀링)
        start, end = i * 1.1 + 0.83, (total - 2 - i) * 1.1 + 0.83
        y = 2.85 + 0.25 * (depth - 1 - i)
        ax.plot([start, start, end], [1.8, y, y], ls="--", color=PALETTE[5], lw=1.2)
        ax.annotate("", xy=(end, 1.8), xytext=(end, y), arrowprops=dict(arrowstyle="-|>", color=PALETTE[5], ls="--"))
    ax.text((total - 1) * 0.55 + 0.27, 2.95 + 0.25 * (depth - 1), "최댓값 위치 (indices)", ha="center",
            va="bottom", fontsize=9, color=PALETTE[5])
    ax.set_xlim(-0.2, total * 1.1)
    ax.set_ylim(-0.1, 3.4 + 0.25 * depth)
    ax.axis("off")
    ax.set_title("인코더의 풀링과 디코더의 언풀링을 짝지어 위치를 넘겨줍니다", fontsize=10)
    return ax


# --------------------------------------------------------------------------------------
# 4장: U-Net 의 U 모양
# --------------------------------------------------------------------------------------
UNET_ARROWS = {  # 화살표 종류 → (색, 선 모양, 범례 글). 화살표에는 글을 붙이지 않고 범례로 설명합니다.
    "conv": ("0.15", "-", "3×3 합성곱 두 번 (ConvBlock)"),
    "down": (PALETTE[6], "-", "Down: 2×2 스트라이드 2 합성곱 + 3×3 합성곱 (H ½, C ×2)"),
    "up": (PALETTE[3], "-", r"Up: 2×2 업-합성곱 (H ×2, 채널 $2C \rightarrow C$)"),
    "skip": ("0.45", "--", "스킵: 수축 경로의 같은 해상도 특성 맵을 복사"),
    "head": (PALETTE[5], "-", r"1×1 합성곱 (채널 $C \rightarrow$ 클래스 수 $K$)"),
}
SKIP_WORDS = {"concat": "이어 붙이기", "add": "더하기", "none": "스킵 없음"}


def unet_diagram(depth: int = 3, base_channels: int = 8, size: int = 64, num_classes: int = 4,
                 skip: str = "concat", ax=None, dpi: int = 150):
    """``lib.models.UNet`` 을 U 자로 그립니다: 왼쪽 수축 경로, 오른쪽 확장 경로, 같은 높이끼리의 스킵.

    상자 하나가 특성 맵 하나이고 (너비 ∝ log 채널, 높이 ∝ 해상도), 옆에 ``C×H×W`` 를 씁니다. 확장 경로의 단계마다
    업-합성곱 출력(C)과 스킵(C)을 **이어 붙인** 2C 상자(``C+C``)를 그리고, 3×3 합성곱 두 번이 그것을 C 로
    줄입니다. 화살표에는 글을 붙이지 않고(글이 화살표를 가리지 않도록) 종류를 그림 아래 범례로 설명합니다.

    Args:
        depth: 해상도를 절반으로 줄이는 횟수.
        base_channels: 첫 단계의 채널 수 (단계 k 는 ``base_channels · 2**k``).
        size: 입력 한 변 (해상도 표기용).
        num_classes: 출력 채널 수 K.
        skip: ``"concat"``, ``"add"``, ``"none"`` (``UNet`` 과 같은 뜻).
        ax: 그릴 축. None 이면 ``dpi`` 의 새 그림을 만듭니다 (책의 글자가 또렷하도록 150 dpi).
    Returns:
        matplotlib Axes
    """
    if skip not in SKIP_WORDS:
        raise ValueError(f"skip 은 {list(SKIP_WORDS)} 중 하나여야 합니다 (받은 값: {skip!r})")
    step, rise, gap = 1.7, 1.45, 0.95  # 수축 경로의 가로 간격, 단계 사이 높이, 이어 붙인 상자 → 결과 상자 간격
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 1.05 * depth + 2.4), dpi=dpi)
    colors = GROUP_COLORS
    font = 9

    def box(x: float, level: int, channels: int, color, hatch=None) -> tuple[float, float, float, float]:
        """가운데 (x, 높이 level) 에 상자를 그리고 (왼, 오른, 아래, 위) 를 돌려줍니다."""
        width = 0.16 + 0.07 * np.log2(max(channels, 1))
        height = 0.3 + 0.6 * 2.0**-level
        y = -level * rise
        ax.add_patch(plt.Rectangle((x - width / 2, y - height / 2), width, height, facecolor=color,
                                   edgecolor="0.25", lw=0.8, hatch=hatch))
        return x - width / 2, x + width / 2, y - height / 2, y + height / 2

    def arrow(start, end, kind: str) -> None:
        color, style, _ = UNET_ARROWS[kind]
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color=color, ls=style, lw=1.3,
                                                              shrinkA=1, shrinkB=1, mutation_scale=9))

    def label(x: float, y: float, text: str, ha: str = "center", va: str = "center") -> None:
        ax.text(x, y, text, ha=ha, va=va, fontsize=font, color="0.1")

    def shape(channels: int, level: int) -> str:
        side = -(-size // 2**level)
        return f"{channels}×{side}×{side}"

    widths = [base_channels * 2**k for k in range(depth + 1)]
    # 입력과 수축 경로: 단계 k 의 상자는 (k·step, −k·rise), 글은 상자 왼쪽
    inp = box(-1.6, 0, 3, "white")
    label(-1.6, inp[3] + 0.05, f"입력\n{shape(3, 0)}", va="bottom")
    encoder = []
    for k, channels in enumerate(widths):
        edges = box(k * step, k, channels, colors[k % len(colors)])
        if k == 0:  # 왼쪽에는 입력에서 오는 화살표가 있으므로 위에
            label(k * step, edges[3] + 0.05, shape(channels, k), va="bottom")
        else:
            label(edges[0] - 0.08, -k * rise, shape(channels, k), ha="right")
        encoder.append(edges)
    arrow((inp[1], 0), (encoder[0][0], 0), "conv")
    for k in range(depth):
        arrow((encoder[k][1], encoder[k][2]), (encoder[k + 1][0], encoder[k + 1][3]), "down")
    # 확장 경로: 바닥에서 한 단계씩 오른쪽 위로. 단계 k 에는 [스킵 | 업-합성곱] 상자와 ConvBlock 결과 상자
    below = encoder[depth]
    bottom_x = depth * step
    for k in range(depth - 1, -1, -1):
        channels, y = widths[k], -k * rise
        x = bottom_x + (depth - k) * (step - gap) + (depth - 1 - k) * gap + gap
        if skip == "concat":  # 두 C 상자를 붙여 2C: 왼쪽 = 복사한 스킵(빗금), 오른쪽 = 업-합성곱 출력
            half = 0.16 + 0.07 * np.log2(channels)
            left = box(x - half / 2, k, channels, colors[k % len(colors)], hatch="///")
            right = box(x + half / 2, k, channels, "white")
            merged = (left[0], right[1], left[2], left[3])
            label(x, merged[3] + 0.05, f"{channels}+{channels}", va="bottom")
        else:
            merged = box(x, k, channels, "white")
            label(x, merged[3] + 0.05, f"{channels}" + (" (더함)" if skip == "add" else ""), va="bottom")
        arrow((below[1], below[3]), (merged[0], merged[2]), "up")
        if skip != "none":
            arrow((encoder[k][1], y), (merged[0], y), "skip")
        result = box(x + gap + 0.2, k, channels, colors[k % len(colors)])
        arrow((merged[1], y), (result[0], y), "conv")
        if k > 0:
            label(result[1] + 0.08, y, shape(channels, k), ha="left")
        else:
            label((result[0] + result[1]) / 2, result[2] - 0.05, shape(channels, k), va="top")
        below = result
    out = box(below[1] + 1.0, 0, num_classes, "white")
    arrow((below[1], 0), (out[0], 0), "head")
    label(out[1] + 0.08, 0, f"출력\n{shape(num_classes, 0)}", ha="left")
    merged_channels = "2C" if skip == "concat" else "C"
    notes = {"conv": rf": 확장 경로에서는 ${merged_channels} \rightarrow C$",
             "skip": {"concat": "해 이어 붙이기", "add": "해 더하기"}.get(skip, "")}
    handles = [plt.Line2D([], [], color=c, ls=ls, lw=1.5, label=text + notes.get(key, ""))
               for key, (c, ls, text) in UNET_ARROWS.items() if key != "skip" or skip != "none"]
    if skip == "concat":
        handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="0.25", hatch="///",
                                     label="C+C: 복사한 스킵(빗금)과 업-합성곱 출력을 이어 붙인 2C 채널"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=1, fontsize=font - 0.5,
              frameon=False, handlelength=2.2, columnspacing=1.2)
    ax.set_xlim(inp[0] - 1.1, out[1] + 1.2)
    ax.set_ylim(-depth * rise - 0.55, 0.95)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"UNet(3, {num_classes}, base_channels={base_channels}, depth={depth}, skip={skip!r}) — "
                 f"{SKIP_WORDS[skip]}", fontsize=font + 1)
    return ax


# --------------------------------------------------------------------------------------
# 1장: 세그멘테이션의 세 가지 (시맨틱, 인스턴스, 파놉틱)
# --------------------------------------------------------------------------------------
def segmentation_kinds(image, semantic, instances, class_names, size: float = 2.6):
    """한 장면의 세 가지 답을 나란히: 시맨틱(클래스), 인스턴스(물체마다 번호), 파놉틱(클래스 + 번호).

    Args:
        image: (3, H, W) 이미지.
        semantic: (H, W) 클래스 번호 (0 = 배경).
        instances: (H, W) 물체 번호 (0 = 물체 아님, 1 부터 물체마다 하나).
        class_names: 클래스 이름들.
    Returns:
        matplotlib Figure
    """
    semantic, instances = np.asarray(semantic), np.asarray(instances)
    fig, axes = plt.subplots(1, 4, figsize=(4 * size, size + 0.6), layout="constrained")
    axes[0].imshow(to_numpy_image(image))
    axes[1].imshow(PALETTE[semantic])
    shades = np.vstack([[0.15, 0.15, 0.15], plt.get_cmap("tab10")(np.arange(10))[:, :3]])
    axes[2].imshow(shades[instances % len(shades) * (instances > 0)])
    axes[3].imshow(PALETTE[semantic])
    axes[3].contour(instances, levels=np.arange(0.5, instances.max() + 1), colors="white", linewidths=1.2)
    for k in range(1, instances.max() + 1):
        rows, cols = np.nonzero(instances == k)
        if len(rows) == 0:
            continue
        name = class_names[np.bincount(semantic[rows, cols]).argmax()]
        axes[2].text(cols.mean(), rows.mean(), str(k), ha="center", va="center", color="white", fontsize=10)
        axes[3].text(cols.mean(), rows.mean(), f"{name} {k}", ha="center", va="center", color="black", fontsize=8,
                     bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    titles = ["이미지", "시맨틱: 픽셀마다 클래스", "인스턴스: 물체마다 번호", "파놉틱: 클래스 + 번호"]
    for ax, title in zip(axes, titles):
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


# --------------------------------------------------------------------------------------
# 2장: 보간의 격자 (align_corners)
# --------------------------------------------------------------------------------------
def interpolation_grids(in_size: int = 4, factor: int = 2, ax=None):
    """1차원 보간에서 입력 칸과 출력 칸의 중심이 어디에 놓이는지, ``align_corners`` 두 가지로 그립니다.

    가로축은 입력 픽셀 단위의 좌표입니다. 입력 칸 i 는 [i, i+1) 구간이고 중심은 i + 0.5 입니다.

    - ``align_corners=False`` (반 픽셀 중심): 출력 칸도 같은 구간 [0, in_size) 를 ``factor`` 배 잘게 나눈 칸이고,
      출력 칸 o 의 중심은 입력 좌표로 (o + 0.5) / factor.
    - ``align_corners=True``: 양 끝 출력 칸의 중심을 양 끝 입력 칸의 중심에 맞추고 그 사이를 고르게 나눕니다.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 2.6))
    out_size = in_size * factor
    rows = {
        "입력 칸의 중심": (2.0, np.arange(in_size) + 0.5),
        "출력: align_corners=False": (1.0, (np.arange(out_size) + 0.5) / factor),
        "출력: align_corners=True": (0.0, 0.5 + np.arange(out_size) * (in_size - 1) / (out_size - 1)),
    }
    for y in (2.0, 1.0, 0.0):
        ax.hlines(y, 0, in_size, color="0.75", lw=1)
    for i in range(in_size + 1):
        ax.vlines(i, -0.25, 2.25, color="0.85", lw=0.8, zorder=0)
    for k, (label, (y, centers)) in enumerate(rows.items()):
        ax.plot(centers, np.full_like(centers, y), "o", color=PALETTE[1 + k], markersize=7 if k == 0 else 5)
        ax.text(-0.15, y, label, ha="right", va="center", fontsize=9)
    ax.set_xlim(-3.3, in_size + 0.1)
    ax.set_ylim(-0.5, 2.5)
    ax.set_yticks([])
    ax.set_xticks(range(in_size + 1))
    ax.set_xlabel("입력 픽셀 단위의 좌표 (세로선 = 입력 칸의 경계)")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_title(f"{in_size}칸을 {out_size}칸으로 키울 때 출력 칸의 중심", fontsize=10)
    return ax
