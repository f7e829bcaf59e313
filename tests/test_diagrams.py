"""lib.diagrams: 장마다의 설명 그림이 그려지고, 그린 것이 말하려는 수를 담고 있는지."""

import matplotlib.pyplot as plt
import pytest
import torch

from lib import diagrams


def test_chapter1_figures_draw():
    ax = diagrams.receptive_field_diagram(depth=3, kernel_size=3)
    field_row = [p for p in ax.patches if p.get_y() == 0]
    assert len(field_row) == 7  # 1 + 3·2
    plt.close(ax.figure)
    ax = diagrams.patch_figure(torch.rand(3, 10, 12), 5, [(0, 0), (5, 6)])
    assert ax.images[0].get_array().shape[:2] == (14, 16)  # 사방 2픽셀 채움
    plt.close(ax.figure)


def test_block_groups_numbers_blocks_row_major():
    expected = [[0, 0, 1, 1, 2], [0, 0, 1, 1, 2], [3, 3, 4, 4, 5]]
    assert diagrams.block_groups(3, 5, 2).tolist() == expected


def test_number_grid_flow_draws_grids_and_arrows():
    grid = dict(values=torch.arange(4.0).reshape(2, 2), groups=diagrams.block_groups(2, 2, 1),
                marked=torch.eye(2, dtype=torch.bool).numpy(), title="입력")
    figure = diagrams.number_grid_flow([[grid, "화살표", dict(values=torch.zeros(4, 4))], [grid]])
    assert len(figure.axes) == 4  # 첫 줄: 격자, 화살표, 격자 / 둘째 줄: 격자
    assert [t.get_text() for t in figure.axes[0].texts] == ["0", "1", "2", "3"]
    assert len(figure.axes[0].patches) == 2  # 표시한 두 칸의 굵은 테두리
    plt.close(figure)


def test_pool_unpool_pairing_draws():
    ax = diagrams.pool_unpool_pairing(depth=2)
    assert len(ax.patches) >= 5  # 특성 맵 막대 2·2+1 개
    plt.close(ax.figure)


@pytest.mark.parametrize("skip", [True, False])
def test_unet_diagram_draws_one_box_per_feature_map(skip):
    """그림 smoke test: 수축 depth+1 개, 확장 depth 개, 출력 1 개의 상자와, 스킵이면 depth 개의 스킵 화살표."""
    ax = diagrams.unet_diagram(depth=3, base_channels=8, size=64, skip_connections=skip)
    assert len(ax.patches) == (3 + 1) + 3 + 1
    assert sum("concat" in t.get_text() for t in ax.texts) == (3 if skip else 0)
    plt.close(ax.figure)
