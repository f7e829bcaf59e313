"""lib.decoders: 업샘플링 방법만 다른 인코더-디코더의 모양, 방법별 차이, 최대 언풀링의 위치 짝."""

import pytest
import torch

from lib import decoders


@pytest.mark.parametrize("up", list(decoders.UP_METHODS))
@pytest.mark.parametrize("size", [(16, 16), (13, 22), (1, 1)])
def test_output_has_input_size(up, size):
    torch.manual_seed(0)
    model = decoders.EncoderDecoder(3, 4, up, width=4, depth=2).eval()
    with torch.no_grad():
        assert model(torch.rand(2, 3, *size)).shape == (2, 4, *size)


def test_only_the_transposed_decoder_has_extra_weights():
    counts = {up: sum(p.numel() for p in decoders.EncoderDecoder(3, 4, up, width=4, depth=2).parameters())
              for up in decoders.UP_METHODS}
    assert counts["max_unpool"] == counts["nearest"] == counts["bilinear"]
    assert counts["transposed"] - counts["nearest"] == (4 * 4 * 4 + 4) + (8 * 8 * 4 + 8)  # 단계마다 C×C×4 + C


def test_max_unpool_decoder_puts_values_where_the_encoder_found_maxima():
    """첫 업샘플링 직후, 0 이 아닌 칸은 모두 인코더의 짝 풀링이 고른 위치입니다."""
    torch.manual_seed(0)
    model = decoders.EncoderDecoder(3, 4, "max_unpool", width=4, depth=1).eval()
    seen = {}
    model.decoders[0].register_forward_hook(lambda m, inputs, out: seen.update(unpooled=inputs[0]))
    image = torch.rand(1, 3, 8, 8)
    with torch.no_grad():
        model(image)
        features = model.encoders[0](image)
        _, indices = torch.nn.functional.max_pool2d(features, 2, return_indices=True)
    allowed = torch.zeros(1, 4, 64, dtype=torch.bool)
    allowed.scatter_(2, indices.flatten(2), True)
    assert not seen["unpooled"].flatten(2)[~allowed].any()


def test_bad_method_is_refused():
    with pytest.raises(ValueError, match="up"):
        decoders.EncoderDecoder(3, 4, "bicubic")
