"""lib.widgets: 커널 없이도 탐색기가 만들어지고, 값을 바꾸면 다시 그리며, 정적 그림이 그려지는지.

2장이 lib.viz 에 덧붙인 숫자 격자 그림도 여기서 한 번씩 그려 봅니다."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from lib import upsampling, viz, widgets  # noqa: E402


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


# ---- 2장이 lib.viz 에 덧붙인 숫자 격자 그림 ----
def test_block_groups_numbers_blocks_row_major():
    expected = [[0, 0, 1, 1, 2], [0, 0, 1, 1, 2], [3, 3, 4, 4, 5]]
    assert viz.block_groups(3, 5, 2).tolist() == expected


def test_number_grid_flow_draws_grids_and_arrows():
    grid = dict(values=torch.arange(4.0).reshape(2, 2), groups=viz.block_groups(2, 2, 1),
                marked=torch.eye(2, dtype=torch.bool).numpy(), title="입력")
    figure = viz.number_grid_flow([[grid, "화살표", dict(values=torch.zeros(4, 4))], [grid]])
    assert len(figure.axes) == 4  # 첫 줄: 격자, 화살표, 격자 / 둘째 줄: 격자
    assert [t.get_text() for t in figure.axes[0].texts] == ["0", "1", "2", "3"]
    assert len(figure.axes[0].patches) == 2  # 표시한 두 칸의 굵은 테두리
    plt.close(figure)


def test_pool_unpool_pairing_draws():
    ax = viz.pool_unpool_pairing(depth=2)
    assert len(ax.patches) >= 5  # 특성 맵 막대 2·2+1 개
    plt.close(ax.figure)
