"""lib.images: 이미지 변환 한 곳 — 흑백·RGBA·uint8·NumPy 가 모두 (N, 3, H, W) float32 [0, 1] 로."""

import numpy as np
import pytest
import torch

from lib import images


def test_to_rgb_converts_grey_and_rgba():
    grey = torch.rand(2, 1, 3, 4)
    assert torch.equal(images.to_rgb(grey), grey.repeat(1, 3, 1, 1))
    rgba = torch.rand(1, 4, 3, 3)
    assert torch.equal(images.to_rgb(rgba), rgba[:, :3])
    with pytest.raises(ValueError, match="채널"):
        images.to_rgb(torch.rand(1, 2, 3, 3))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        images.to_rgb(torch.rand(3, 3))


@pytest.mark.parametrize("image, shape", [
    (torch.rand(5, 7), (1, 3, 5, 7)),  # (H, W) 흑백
    (torch.rand(1, 5, 7), (1, 3, 5, 7)),  # (C, H, W) 흑백
    (torch.rand(4, 5, 7), (1, 3, 5, 7)),  # RGBA
    (torch.rand(2, 3, 5, 7), (2, 3, 5, 7)),
    (np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8), (1, 3, 5, 7)),  # (H, W, C) uint8
    (np.random.default_rng(0).integers(0, 256, (5, 7), dtype=np.uint8), (1, 3, 5, 7)),
])
def test_as_rgb_makes_float_rgb_batches(image, shape):
    out = images.as_rgb(image)
    assert out.shape == shape and out.dtype == torch.float32 and out.is_contiguous()
    assert 0 <= out.min() and out.max() <= 1


def test_as_rgb_divides_integers_by_255_and_clamps_floats():
    assert torch.equal(images.as_rgb(torch.full((1, 2, 2), 255, dtype=torch.uint8)), torch.ones(1, 3, 2, 2))
    assert torch.equal(images.as_rgb(torch.full((3, 2, 2), 1.7)), torch.ones(1, 3, 2, 2))
    array = np.array([[0, 51], [102, 255]], dtype=np.uint8)
    torch.testing.assert_close(images.as_rgb(array)[0, 0], torch.tensor([[0.0, 0.2], [0.4, 1.0]]))


def test_as_rgb_resizes_by_the_long_side_keeping_the_ratio():
    assert images.as_rgb(torch.rand(3, 40, 100), max_side=50).shape == (1, 3, 20, 50)
    assert images.as_rgb(torch.rand(3, 10, 4), max_side=20).shape == (1, 3, 20, 8)
    with pytest.raises(ValueError, match="max_side"):
        images.as_rgb(torch.rand(3, 4, 4), max_side=0)


@pytest.mark.parametrize("bad, error", [(torch.rand(1, 3, 0, 4), ValueError), (torch.rand(1, 1, 1, 3, 3), ValueError),
                                        ([[0.0]], TypeError)])
def test_as_rgb_refuses_what_is_not_an_image(bad, error):
    with pytest.raises(error):
        images.as_rgb(bad)
