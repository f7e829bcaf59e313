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


@pytest.mark.parametrize("skip", ["concat", "add", "none"])
def test_unet_diagram_draws_every_feature_map_and_the_concatenation(skip):
    """상자: 입력 1, 수축 depth+1, 확장 단계마다 합친 상자(이어 붙이면 C 상자 두 개)와 결과 1, 출력 1.

    이어 붙이기면 단계마다 "C+C" 글이 있고, 스킵 화살표(점선)는 스킵을 쓸 때만 depth 개입니다.
    """
    depth = 3
    ax = diagrams.unet_diagram(depth=depth, base_channels=8, size=64, skip=skip)
    merged = 2 if skip == "concat" else 1
    assert len(ax.patches) == 1 + (depth + 1) + depth * (merged + 1) + 1
    labels = [t.get_text() for t in ax.texts]
    assert [t for t in labels if "+" in t] == (["32+32", "16+16", "8+8"] if skip == "concat" else [])
    assert any("입력\n3×64×64" in t for t in labels) and any("4×64×64" in t for t in labels)
    dashed = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None
              and a.arrow_patch.get_linestyle() == "--"]
    assert len(dashed) == (0 if skip == "none" else depth)
    plt.close(ax.figure)


def test_unet_diagram_rejects_an_unknown_skip():
    with pytest.raises(ValueError, match="skip"):
        diagrams.unet_diagram(skip="sum")


def crossings(ax):
    """그린 글 상자끼리 겹치거나, 글 상자를 화살표 선이 지나가는 곳의 목록 (화면 좌표로 잽니다)."""
    from matplotlib.patches import FancyArrowPatch
    from matplotlib.path import Path
    from matplotlib.text import Annotation

    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text().strip() and not isinstance(t, Annotation)]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    arrows = [a.arrow_patch for a in ax.texts if isinstance(a, Annotation) and a.arrow_patch is not None]
    arrows += [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    found = []
    for i, (name, bbox) in enumerate(boxes):
        found += [(name, other) for other, other_box in boxes[i + 1:] if bbox.overlaps(other_box)]
        for arrow in arrows:
            path = arrow.get_path().transformed(arrow.get_transform())  # 화면 좌표의 선과 화살촉
            pieces = [Path(line) for line in path.to_polygons(closed_only=False)]
            if any(piece.intersects_bbox(bbox, filled=False) for piece in pieces):
                found.append((name, "화살표"))
    return found


@pytest.mark.parametrize("skip", ["concat", "add", "none"])
def test_unet_diagram_has_no_label_on_an_arrow_and_is_sharp(skip):
    ax = diagrams.unet_diagram(depth=3, base_channels=8, size=64, skip=skip)
    assert ax.figure.dpi >= 150
    assert min(t.get_fontsize() for t in ax.texts if t.get_text()) >= 8
    assert crossings(ax) == []
    plt.close(ax.figure)


def test_crossing_check_finds_a_label_on_an_arrow():
    """검사 자체의 검사: 화살표 한가운데에 일부러 글을 놓으면 찾아냅니다."""
    _, ax = plt.subplots()
    ax.annotate("", xy=(1, 0.5), xytext=(0, 0.5), arrowprops=dict(arrowstyle="-|>"))
    ax.text(0.5, 0.5, "가운데", ha="center", va="center")
    ax.set_xlim(0, 1)
    assert crossings(ax) == [("가운데", "화살표")]
    plt.close(ax.figure)


def test_segmentation_kinds_labels_every_instance():
    semantic = torch.zeros(8, 8, dtype=torch.long)
    instances = torch.zeros(8, 8, dtype=torch.long)
    semantic[1:3, 1:3], instances[1:3, 1:3] = 1, 1
    semantic[5:7, 5:7], instances[5:7, 5:7] = 1, 2  # 같은 클래스의 두 번째 물체
    fig = diagrams.segmentation_kinds(torch.rand(3, 8, 8), semantic, instances, ["배경", "원"])
    labels = [t.get_text() for t in fig.axes[3].texts]
    assert labels == ["원 1", "원 2"] and [t.get_text() for t in fig.axes[2].texts] == ["1", "2"]
    plt.close(fig)


def test_interpolation_grids_put_output_centres_where_torch_samples():
    """그림의 출력 칸 중심이 F.interpolate 가 실제로 읽는 좌표와 같은지: 입력이 좌표 자체(i + 0.5)이면
    선형 보간의 결과가 곧 출력 칸의 중심 좌표입니다 (양 끝 밖은 가장자리 값으로 잘림)."""
    ax = diagrams.interpolation_grids(in_size=4, factor=2)
    positions = [line.get_xdata() for line in ax.lines]
    coordinates = (torch.arange(4.0) + 0.5)[None, None]
    for drawn, corners in zip(positions[1:], (False, True)):
        sampled = torch.nn.functional.interpolate(coordinates, size=8, mode="linear", align_corners=corners)
        expected = torch.tensor(drawn, dtype=torch.float32).clamp(0.5, 3.5)
        torch.testing.assert_close(sampled[0, 0], expected)
    plt.close(ax.figure)


def test_number_grid_flow_draws_symbols_without_arrows():
    grid = dict(values=torch.ones(2, 2))
    figure = diagrams.number_grid_flow([[grid, "×", grid, "화살표", grid]])
    symbol_ax, arrow_ax = figure.axes[1], figure.axes[3]
    assert [t.get_text() for t in symbol_ax.texts] == ["×"] and not symbol_ax.patches
    assert len(arrow_ax.texts) == 2  # 화살표(annotate)와 글
    plt.close(figure)
