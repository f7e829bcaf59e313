"""lib.widgets: 커널 없이도 탐색기가 만들어지고, 값을 바꾸면 다시 그리며, 정적 그림이 그려지는지."""

import matplotlib.pyplot as plt
import pytest
import torch

from lib import upsampling, widgets


def test_explorer_renders_again_when_a_control_changes():
    calls = []

    def render(a, b):
        calls.append((a, b))
        return plt.figure()

    box = widgets.explorer(render, {"a": ("가", [1, 2]), "b": ("나", [("셋", 3), ("넷", 4)])})
    dropdowns = box.children[0].children
    assert calls == [(1, 3)]  # 만들 때 한 번
    dropdowns[1].value = 4
    assert calls[-1] == (1, 4)


def test_explorer_needs_controls():
    with pytest.raises(ValueError):
        widgets.explorer(lambda: plt.figure(), {})


def test_upsampling_explorer_builds_without_a_kernel():
    images = {"무작위": torch.rand(1, 3, 24, 24), "흑백": torch.rand(1, 1, 12, 18)}
    box = widgets.upsampling_explorer(images, kernel_sizes=(2, 3))
    method, kernel, name = box.children[0].children
    assert [v for _, v in method.options] == list(upsampling.METHODS)
    for value in upsampling.METHODS:  # 방법마다 한 번씩 다시 그리기
        method.value = value
    name.value = "흑백"
    kernel.value = 3


def test_upsampling_overview_draws_a_grid():
    figure = widgets.upsampling_overview(torch.rand(1, 3, 16, 20), kernel_sizes=(2, 4))
    assert len(figure.axes) == 2 * (1 + len(upsampling.METHODS))
    plt.close(figure)


def test_roundtrip_figure_crops_to_the_kernel_size():
    figure = widgets.roundtrip_figure(torch.rand(1, 3, 13, 10), "bilinear", 4)
    assert len(figure.axes) == 4
    assert figure.axes[2].images[0].get_array().shape[:2] == (12, 8)
    plt.close(figure)
