"""lib.viz: 한글 글꼴(빠진 글자가 있으면 오류), 설정 호출 전에는 아무것도 바꾸지 않음, 마스크 색칠, 격자 그림."""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from lib import viz


def test_korean_text_renders_without_missing_glyphs():
    viz.setup(strict=True)
    fig, ax = plt.subplots()
    ax.set_title("세그멘테이션 — 픽셀마다 클래스")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()
    plt.close(fig)


def test_missing_glyph_is_an_error():
    viz.setup(strict=True)
    fig, ax = plt.subplots()
    ax.set_title("\U0001F600")  # NanumGothic 에 없는 글자(이모지)
    with pytest.raises(UserWarning, match="missing from font"):
        fig.canvas.draw()
    plt.close(fig)


def test_missing_glyph_in_math_text_is_an_error():
    """로그 축의 기본 눈금(10^{-1})은 수식 마이너스를 쓰는데 NanumGothic 에는 없습니다."""
    viz.setup(strict=True)
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


def test_confusion_matrix_figure_normalises_rows():
    ax = viz.confusion_matrix_figure(torch.tensor([[3, 1], [0, 0]]), ["가", "나"])
    assert [t.get_text() for t in ax.texts] == ["0.75", "0.25", "0.00", "0.00"]
    plt.close(ax.figure)


def test_importing_viz_changes_no_global_state():
    """import 만으로는 matplotlib 설정이 바뀌지 않고, setup() 이 바꿉니다 (새 파이썬 프로세스에서 확인)."""
    import subprocess
    import sys

    code = ("import matplotlib; before = dict(matplotlib.rcParams); import lib.viz as v; "
            "changed = [k for k in before if before[k] != matplotlib.rcParams[k]]; print(len(changed)); "
            "v.setup(); print(matplotlib.rcParams['font.family'][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "0" and out[1] == "NanumGothic"


def test_plain_log_ticks_write_plain_numbers():
    fig, ax = plt.subplots()
    ax.plot([1, 1000], [0.001, 1])
    ax.set_yscale("log")
    viz.plain_log_ticks(ax.yaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert "0.01" in labels and not any("10^" in t or "$" in t for t in labels)
    plt.close(fig)
