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
    for i in range(h):
        for j in range(w):
            ax.text(j + 0.5, i + 0.5, fmt.format(values[i, j]), ha="center", va="center", fontsize=10)
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


def number_grid_flow(rows: list[list], cell: float = 0.42, suptitle: str | None = None):
    """숫자 격자들을 왼쪽에서 오른쪽으로 늘어놓고, 사이에 설명 붙은 화살표를 그립니다.

    Args:
        rows: 행들의 목록. 각 행은 ``[격자, "화살표 글", 격자, ...]`` 처럼 격자와 글이 번갈아 나옵니다.
            격자는 ``number_grid`` 의 인자를 담은 사전 (``values`` 필수, ``groups``/``marked``/``title`` 선택).
        cell: 숫자 한 칸의 크기 (인치).
    Returns:
        matplotlib Figure
    """
    arrow_width = 2.6  # 화살표 칸의 너비 (숫자 칸 단위)
    widths = [[np.shape(p["values"])[1] if isinstance(p, dict) else arrow_width for p in row] for row in rows]
    heights = [max(np.shape(p["values"])[0] for p in row if isinstance(p, dict)) + 1.2 for row in rows]
    fig = plt.figure(figsize=(cell * max(sum(w) + 0.5 * len(w) for w in widths), cell * sum(heights) + 0.3))
    subfigs = np.atleast_1d(fig.subfigures(len(rows), 1, height_ratios=heights))
    for subfig, row, row_widths in zip(subfigs, rows, widths):
        axes = subfig.subplots(1, len(row), width_ratios=row_widths)
        for ax, item in zip(np.atleast_1d(axes), row):
            if isinstance(item, dict):
                number_grid(ax, **item)
                continue
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
def unet_diagram(depth: int = 3, base_channels: int = 8, size: int = 64, num_classes: int = 4,
                 skip_connections: bool = True, ax=None):
    """U-Net 을 U 자로 그립니다: 왼쪽은 수축 경로, 오른쪽은 확장 경로, 같은 높이끼리 이어 붙이는 스킵.

    상자 하나가 한 단계의 특성 맵이고, 상자 아래에 채널 수 C 와 해상도를 씁니다.

    Args:
        depth: 해상도를 절반으로 줄이는 횟수.
        base_channels: 첫 단계의 채널 수 (단계 k 는 ``base_channels · 2**k``).
        size: 입력 한 변 (해상도 표기용).
        num_classes: 출력 채널 수.
        skip_connections: False 면 스킵 화살표를 그리지 않습니다.
    Returns:
        matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(1.25 * (2 * depth + 3), 0.95 * (depth + 2)))

    def box(x: float, level: int, channels: int, color) -> None:
        width = 0.25 + 0.12 * np.log2(channels)  # 채널이 많을수록 넓게
        y = depth - level
        ax.add_patch(plt.Rectangle((x - width / 2, y - 0.3), width, 0.6, facecolor=color, edgecolor="0.3"))
        side = size // 2**level
        ax.text(x, y - 0.36, f"C={channels}, {side}×{side}", ha="center", va="top", fontsize=8)

    def arrow(start, end, label: str, color="0.3", ls="-") -> None:
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color=color, ls=ls))
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.08, label, ha="center", va="bottom",
                fontsize=7, color=color)

    for level in range(depth + 1):
        channels = base_channels * 2**level
        box(level, level, channels, GROUP_COLORS[level % len(GROUP_COLORS)])  # 수축 경로
        if level < depth:
            box(2 * depth - level, level, channels, GROUP_COLORS[level % len(GROUP_COLORS)])  # 확장 경로
            arrow((level + 0.15, depth - level - 0.3), (level + 0.85, depth - level - 0.7), "Down")
            arrow((2 * depth - level - 0.85, depth - level - 0.7), (2 * depth - level - 0.15, depth - level - 0.3),
                  "Up")
            if skip_connections:
                arrow((level + 0.45, depth - level + 0.12), (2 * depth - level - 0.45, depth - level + 0.12),
                      "이어 붙이기 (concat)", color=PALETTE[5], ls="--")
    arrow((2 * depth + 0.4, depth), (2 * depth + 1.1, depth), "1×1 합성곱")
    box(2 * depth + 1.5, 0, num_classes, "white")
    ax.set_xlim(-0.7, 2 * depth + 2.1)
    ax.set_ylim(-0.8, depth + 0.6)
    ax.axis("off")
    return ax
