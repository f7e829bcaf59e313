"""lib.viz: 한글 글꼴(빠진 글자가 있으면 오류), 마스크 색칠, 격자 그림."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from lib import viz


def test_korean_text_renders_without_missing_glyphs():
    viz.use_korean_font(strict=True)
    fig, ax = plt.subplots()
    ax.set_title("세그멘테이션 — 픽셀마다 클래스")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)


def test_missing_glyph_is_an_error():
    viz.use_korean_font(strict=True)
    fig, ax = plt.subplots()
    ax.set_title("\U0001F600")  # NanumGothic 에 없는 글자(이모지)
    with pytest.raises(UserWarning, match="missing from font"):
        fig.canvas.draw()
    plt.close(fig)


def test_missing_glyph_in_math_text_is_an_error():
    """로그 축의 기본 눈금(10^{-1})은 수식 마이너스를 쓰는데 NanumGothic 에는 없습니다."""
    viz.use_korean_font(strict=True)
    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.01, 1])
    ax.set_yscale("log")
    with pytest.raises(UserWarning, match="does not have a glyph"):
        fig.canvas.draw()
    plt.close(fig)
    ax = viz.line_plot([1, 2], {"가": [0.01, 1]}, "x", "y", logx=True, logy=True)  # 일반 숫자 눈금: 문제없음
    ax.figure.canvas.draw()
    plt.close(ax.figure)


def test_colorize_and_overlay():
    mask = torch.tensor([[0, 1], [2, 3]])
    rgb = viz.colorize_mask(mask)
    assert rgb.shape == (2, 2, 3) and np.allclose(rgb[1, 1], viz.PALETTE[3])
    image = torch.zeros(3, 2, 2)
    over = viz.overlay_mask(image, mask, alpha=0.5)
    assert np.allclose(over[0, 0], 0) and np.allclose(over[0, 1], 0.5 * viz.PALETTE[1])
    with pytest.raises(ValueError, match="클래스 번호"):
        viz.colorize_mask(torch.tensor([[9]]))


def test_grids_draw():
    images = torch.rand(2, 3, 8, 8)
    masks = torch.randint(0, 4, (2, 8, 8))
    fig = viz.segmentation_grid(images, {"정답": masks, "예측": masks})
    assert len(fig.axes) == 6
    fig.canvas.draw()
    plt.close(fig)
    fig = viz.image_grid([images[0], images[1][0]], titles=["컬러", "흑백"])
    assert len(fig.axes) == 2
    plt.close(fig)
    ax = viz.line_plot([1, 2], {"가": [1, 2]}, "x", "y", logy=True)
    assert ax.get_yscale() == "log"
    plt.close(ax.figure)


def test_chapter1_figures_draw():
    ax = viz.receptive_field_diagram(depth=3, kernel_size=3)
    field_row = [p for p in ax.patches if p.get_y() == 0]
    assert len(field_row) == 7  # 1 + 3·2
    plt.close(ax.figure)
    ax = viz.patch_figure(torch.rand(3, 10, 12), 5, [(0, 0), (5, 6)])
    assert ax.images[0].get_array().shape[:2] == (14, 16)  # 사방 2픽셀 채움
    plt.close(ax.figure)


def test_confusion_matrix_figure_normalises_rows():
    ax = viz.confusion_matrix_figure(torch.tensor([[3, 1], [0, 0]]), ["가", "나"])
    assert [t.get_text() for t in ax.texts] == ["0.75", "0.25", "0.00", "0.00"]
    plt.close(ax.figure)
