"""lib.data: 합성 장면의 마스크가 그린 도형과 정확히 일치하는지, 시드, 예제 이미지."""

import numpy as np
import pytest
import torch

from lib import data


def inside_independently(shape: data.Shape, size: int) -> np.ndarray:
    """시험용 독립 판정: 픽셀 중심마다 도형 안인지 직접 계산 (삼각형은 무게중심 좌표, 사각형은 회전 행렬)."""
    inside = np.zeros((size, size), dtype=bool)
    for i in range(size):
        for j in range(size):
            y, x = i + 0.5, j + 0.5
            if shape.kind == "circle":
                cy, cx, r = shape.params
                inside[i, j] = np.hypot(y - cy, x - cx) <= r
            elif shape.kind == "rectangle":
                cy, cx, hh, hw, a = shape.params
                rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
                v, u = rot @ np.array([y - cy, x - cx])
                inside[i, j] = abs(v) <= hh + 1e-9 and abs(u) <= hw + 1e-9
            else:
                p = np.reshape(shape.params, (3, 2))
                t = np.linalg.solve(np.array([p[1] - p[0], p[2] - p[0]]).T, np.array([y, x]) - p[0])
                inside[i, j] = t.min() >= -1e-9 and t.sum() <= 1 + 1e-9
    return inside


def test_masks_match_the_drawn_shapes():
    config = data.SceneConfig(size=32)
    rng = np.random.default_rng(7)
    for _ in range(5):
        image, mask, shapes = data.make_scene(rng, config)
        expected = np.zeros_like(mask)
        for shape in shapes:  # 나중에 그린 도형이 위
            expected[inside_independently(shape, config.size)] = shape.label
        assert np.array_equal(mask, expected)
        assert image.shape == (3, 32, 32) and image.dtype == np.float32
        assert 0 <= image.min() and image.max() <= 1


def test_shapes_have_their_own_texture_not_the_background():
    """마스크가 도형이라고 한 곳의 색은 배경과 달라야 합니다 (그림과 마스크가 같은 판정식을 씀)."""
    config = data.SceneConfig(size=48, min_shapes=1, max_shapes=1, texture=0.0, noise=0.0)
    image, mask, shapes = data.make_scene(np.random.default_rng(3), config)
    assert np.allclose(image[:, mask > 0], np.asarray(shapes[0].color, dtype=np.float32)[:, None], atol=1e-6)
    assert not np.allclose(image[:, mask == 0].mean(1), shapes[0].color, atol=1e-3)


def test_make_scenes_is_seeded_and_has_every_class():
    images, masks = data.make_scenes(16, data.SceneConfig(size=24), seed=1)
    again, again_masks = data.make_scenes(16, data.SceneConfig(size=24), seed=1)
    other, _ = data.make_scenes(16, data.SceneConfig(size=24), seed=2)
    assert images.shape == (16, 3, 24, 24) and masks.shape == (16, 24, 24)
    assert masks.dtype == torch.int64 and images.dtype == torch.float32
    assert torch.equal(images, again) and torch.equal(masks, again_masks)
    assert not torch.equal(images, other)
    assert set(masks.unique().tolist()) == set(range(len(data.CLASS_NAMES)))


def test_make_scenes_rejects_bad_arguments():
    with pytest.raises(ValueError, match="1 이상"):
        data.make_scenes(0)
    with pytest.raises(ValueError, match="8 픽셀"):
        data.make_scenes(1, data.SceneConfig(size=4))


@pytest.mark.parametrize("name", ["astronaut", "camera", "grace_hopper"])
def test_load_sample_offline(name):
    image = data.load_sample(name, max_side=40)
    assert image.ndim == 4 and image.shape[:2] == (1, 3) and max(image.shape[-2:]) == 40
    assert image.dtype == torch.float32 and 0 <= image.min() and image.max() <= 1 and image.std() > 0.05


def test_load_sample_unknown_name():
    with pytest.raises(ValueError, match="astronaut"):
        data.load_sample("lena")


def test_grey_sample_becomes_rgb_with_equal_channels():
    camera = data.load_sample("camera", max_side=32)
    assert camera.shape[1] == 3 and torch.equal(camera[:, 0], camera[:, 1])
