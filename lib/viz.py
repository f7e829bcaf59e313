"""그림 그리기 (어느 장에서나 쓰는 것): 한글 글꼴, 이미지 격자, 마스크 색칠·겹치기, 곡선 그래프, 혼동 행렬.

장마다의 설명 그림(수용 영역, 숫자 격자, U 모양 등)은 ``lib.diagrams`` 에 있습니다.

``import lib.viz`` 는 아무 설정도 바꾸지 않습니다. 장의 첫 코드 셀이 ``viz.setup()`` 을 한 번 불러 한글 글꼴
(NanumGothic)과 그림 해상도를 정합니다. 글꼴 파일은 ``koreanize-matplotlib`` 패키지에 들어 있는 것을 직접
등록합니다: 그 모듈을 import 하면 ``distutils`` 가 필요한데, Colab 의 Python 3.12 에는 ``distutils`` 가 없기 때문입니다.
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


def setup(strict: bool | None = None) -> str:
    """matplotlib 에 한글 글꼴을 등록해 기본 글꼴로 삼고, 그림 해상도를 정합니다 (장의 첫 코드 셀에서 한 번).

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


def plain_log_ticks(axis) -> None:
    """로그 축의 눈금을 ``0.01`` 처럼 일반 숫자로 씁니다 (수식 눈금 ``10^{-2}`` 의 '−' 가 한글 글꼴에 없음)."""
    axis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


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
    if logx:
        ax.set_xscale("log")
        plain_log_ticks(ax.xaxis)
    if logy:
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend()
    ax.figure.tight_layout()
    return ax


# --------------------------------------------------------------------------------------
# 혼동 행렬
# --------------------------------------------------------------------------------------
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
