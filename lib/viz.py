"""그림 그리기: 한글 글꼴, 이미지 격자, 마스크 색칠·겹치기, 곡선 그래프.

``import lib.viz`` 만으로 한글 글꼴(NanumGothic)이 설정됩니다. 글꼴 파일은 ``koreanize-matplotlib``
패키지에 들어 있는 것을 직접 등록합니다: 그 모듈을 import 하면 ``distutils`` 가 필요한데,
Colab 의 Python 3.12 에는 ``distutils`` 가 없기 때문입니다.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import font_manager, ticker
from matplotlib.patches import Patch

from . import config
from .data import CLASS_NAMES

# 클래스 색 (Okabe–Ito 팔레트: 색각 이상이 있어도 구분됩니다). 번호 = 클래스 번호.
PALETTE = np.array(
    [
        [0.20, 0.20, 0.20],  # 0 배경: 짙은 회색
        [0.90, 0.62, 0.00],  # 1 원: 주황
        [0.34, 0.71, 0.91],  # 2 사각형: 하늘색
        [0.00, 0.62, 0.45],  # 3 삼각형: 초록
        [0.94, 0.89, 0.26],  # 4 노랑
        [0.00, 0.45, 0.70],  # 5 파랑
        [0.84, 0.37, 0.00],  # 6 주홍
        [0.80, 0.47, 0.65],  # 7 자주
    ]
)
KOREAN_FONT = "NanumGothic"


def _korean_font_files() -> list[Path]:
    """koreanize-matplotlib 패키지가 담고 있는 NanumGothic 글꼴 파일들 (모듈은 실행하지 않습니다)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        return []
    return sorted(Path(next(iter(spec.submodule_search_locations)), "fonts").glob("NanumGothic*.ttf"))


def use_korean_font(strict: bool | None = None) -> str:
    """matplotlib 에 한글 글꼴을 등록하고 기본 글꼴로 삼습니다.

    Args:
        strict: True 면 "Glyph ... missing from font" 경고를 오류로 바꿉니다 (글자가 네모로 깨진 그림이
            조용히 지나가지 않도록). 기본값은 fast 프로필(테스트·CI)일 때 True.
    Returns:
        설정한 글꼴 이름.
    """
    files = _korean_font_files()
    if not files:
        raise RuntimeError(
            "한글 글꼴 파일을 찾지 못했습니다. `pip install koreanize-matplotlib` 으로 NanumGothic 을 설치하세요."
        )
    for file in files:
        font_manager.fontManager.addfont(str(file))
    matplotlib.rcParams["font.family"] = KOREAN_FONT
    matplotlib.rcParams["axes.unicode_minus"] = False  # NanumGothic 에는 유니코드 마이너스(−)가 없습니다
    matplotlib.rcParams["figure.dpi"] = 90  # 노트북 용량(장마다 3 MB 이하)을 지키는 해상도
    matplotlib.rcParams["savefig.dpi"] = 90
    if config.is_fast() if strict is None else strict:
        warnings.filterwarnings("error", message=r"Glyph .* missing from font")
        mathtext_log = logging.getLogger("matplotlib.mathtext")  # 수식 글꼴의 빠진 글자는 경고가 아니라 로그로 옴
        if not any(isinstance(f, _RaiseOnMissingGlyph) for f in mathtext_log.filters):
            mathtext_log.addFilter(_RaiseOnMissingGlyph())
    return KOREAN_FONT


class _RaiseOnMissingGlyph(logging.Filter):
    """matplotlib 수식(mathtext)이 "does not have a glyph" 를 기록하면 오류로 바꿉니다."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "does not have a glyph" in record.getMessage():
            raise UserWarning(record.getMessage())
        return True


use_korean_font()


# --------------------------------------------------------------------------------------
# 텐서 → 그림 배열
# --------------------------------------------------------------------------------------
def to_numpy_image(image) -> np.ndarray:
    """(C, H, W) 또는 (1, C, H, W) 텐서, (H, W) 배열을 imshow 용 (H, W, 3) 또는 (H, W) 배열로."""
    if isinstance(image, torch.Tensor):
        image = image.detach().float().cpu()
        if image.ndim == 4:
            if image.shape[0] != 1:
                raise ValueError(f"이미지 한 장이 필요합니다 (받은 배치 크기: {image.shape[0]})")
            image = image[0]
        if image.ndim == 3:
            image = image.permute(1, 2, 0)
            if image.shape[-1] == 1:
                image = image[..., 0]
        image = image.numpy()
    return np.asarray(image)


def colorize_mask(mask, palette: np.ndarray = PALETTE) -> np.ndarray:
    """클래스 번호 지도 (H, W) 를 팔레트 색의 (H, W, 3) RGB 배열로 바꿉니다."""
    mask = np.asarray(mask.cpu() if isinstance(mask, torch.Tensor) else mask)
    if mask.ndim != 2:
        raise ValueError(f"마스크는 (H, W) 2차원이어야 합니다 (받은 모양: {mask.shape})")
    if mask.min() < 0 or mask.max() >= len(palette):
        raise ValueError(f"클래스 번호는 0 ~ {len(palette) - 1} 이어야 합니다 (받은 범위: {mask.min()}~{mask.max()})")
    return palette[mask]


def overlay_mask(image, mask, alpha: float = 0.5, palette: np.ndarray = PALETTE) -> np.ndarray:
    """이미지 위에 마스크 색을 ``alpha`` 만큼 섞은 (H, W, 3) 배열. 배경(0)은 색을 덧씌우지 않습니다."""
    rgb = to_numpy_image(image)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=-1)
    mask = np.asarray(mask.cpu() if isinstance(mask, torch.Tensor) else mask)
    colors = colorize_mask(mask, palette)
    weight = np.where(mask[..., None] > 0, alpha, 0.0)
    return np.clip((1 - weight) * rgb + weight * colors, 0, 1)


def add_class_legend(fig, class_names=CLASS_NAMES, palette: np.ndarray = PALETTE, **kwargs):
    """그림 아래에 클래스 색 범례를 붙입니다."""
    handles = [Patch(facecolor=palette[i], edgecolor="k", label=f"{i}: {name}") for i, name in enumerate(class_names)]
    per_row = max(1, min(len(handles), int(fig.get_figwidth() / 1.1)))  # 항목 하나에 약 1.1인치
    options = dict(loc="outside lower center", ncol=per_row, frameon=False, fontsize=9)
    return fig.legend(handles=handles, **{**options, **kwargs})


# --------------------------------------------------------------------------------------
# 격자 그림
# --------------------------------------------------------------------------------------
def image_grid(rows, titles=None, row_labels=None, size: float = 2.0, suptitle: str | None = None, cmap="gray"):
    """이미지들의 격자를 그립니다.

    Args:
        rows: 행들의 목록, 각 행은 이미지들의 목록 (텐서 (C, H, W) 또는 배열). 한 행만 그릴 때는 이미지 목록.
        titles: 첫 행 위에 쓸 열 제목 (또는 각 칸의 제목을 담은 같은 모양의 목록).
        row_labels: 각 행 왼쪽에 쓸 이름.
    Returns:
        matplotlib Figure
    """
    if len(rows) and not isinstance(rows[0], (list, tuple)):
        rows = [rows]
    n_rows, n_cols = len(rows), max(len(r) for r in rows)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(size * n_cols, size * n_rows + (0.4 if suptitle else 0)),
                             squeeze=False, layout="constrained")
    for r, row in enumerate(rows):
        for c in range(n_cols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c >= len(row):
                ax.axis("off")
                continue
            ax.imshow(to_numpy_image(row[c]), cmap=cmap, interpolation="nearest")
            title = _cell_title(titles, r, c)
            if title:
                ax.set_title(title, fontsize=10)
        if row_labels is not None:
            axes[r, 0].set_ylabel(row_labels[r], fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _cell_title(titles, r: int, c: int):
    """열 제목 목록이면 첫 행에만, 행별 목록이면 그 칸의 제목을 돌려줍니다."""
    if titles is None:
        return None
    if isinstance(titles[0], (list, tuple)):
        return titles[r][c] if c < len(titles[r]) else None
    return titles[c] if r == 0 and c < len(titles) else None


def segmentation_grid(images, masks: dict, class_names=CLASS_NAMES, size: float = 2.0, suptitle=None):
    """이미지와 여러 마스크(정답, 예측...)를 나란히: 행 = 표본, 열 = 이미지 + ``masks`` 의 각 항목.

    Args:
        images: (N, 3, H, W) 텐서.
        masks: ``{"정답": (N, H, W), "예측": (N, H, W), ...}`` 열 이름 → 클래스 번호 지도.
    """
    rows = [[images[i]] + [colorize_mask(m[i]) for m in masks.values()] for i in range(len(images))]
    fig = image_grid(rows, titles=["이미지", *masks.keys()], size=size, suptitle=suptitle)
    add_class_legend(fig, class_names)
    return fig


def line_plot(x, series: dict, xlabel: str, ylabel: str, title: str | None = None, logx=False, logy=False,
              ax=None, marker="o"):
    """여러 곡선을 한 축에: ``series`` 는 {범례 이름: y 값 목록} 또는 {범례 이름: (x 값 목록, y 값 목록)}.

    로그 축의 눈금은 ``0.01`` 처럼 일반 숫자로 씁니다 (수식 눈금 ``10^{-2}`` 의 마이너스 기호가 한글 글꼴에 없음).
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.6))
    for name, ys in series.items():
        xs, ys = ys if isinstance(ys, tuple) else (x, ys)
        ax.plot(xs, ys, marker=marker, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    if logx:
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(plain)
    if logy:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(plain)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    ax.figure.tight_layout()
    return ax


# ---- 1장: 패치와 수용 영역 ----
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


# ---- 2장: 숫자 격자 (업샘플링에서 어느 값이 어디로 갔는지) ----
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


# ---- 1장·3장: 혼동 행렬 ----
def confusion_matrix_figure(matrix: torch.Tensor, class_names=CLASS_NAMES, ax=None, title: str | None = None):
    """혼동 행렬을 행(정답 클래스)마다 비율로 정규화해 색과 숫자로 그립니다."""
    counts = np.asarray(matrix, dtype=float)
    rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(1.1 * len(class_names) + 1.2, 1.0 * len(class_names) + 0.6))
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for t in range(len(class_names)):
        for p in range(len(class_names)):
            ax.text(p, t, f"{rates[t, p]:.2f}", ha="center", va="center", fontsize=9,
                    color="white" if rates[t, p] > 0.6 else "black")
    ax.set_xticks(range(len(class_names)), class_names)
    ax.set_yticks(range(len(class_names)), class_names)
    ax.set_xlabel("예측 클래스")
    ax.set_ylabel("정답 클래스")
    ax.set_title(title or "혼동 행렬 (행마다 정규화)", fontsize=10)
    return ax


# ---- 4장: U-Net 의 U 모양 ----
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
