"""lib.textures: 코드로 그린 스타일 이미지는 시드가 정하는 RGB 이미지입니다."""

import pytest
import torch

from lib import textures


@pytest.mark.parametrize("draw", [textures.swirl_strokes, textures.mosaic])
def test_procedural_styles_are_seeded_rgb_images(draw):
    image = draw(32, seed=1)
    assert image.shape == (1, 3, 32, 32) and image.dtype == torch.float32
    assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.05
    torch.testing.assert_close(image, draw(32, seed=1))
    assert not torch.equal(image, draw(32, seed=2))
    with pytest.raises(ValueError):
        draw(4)
