"""lib.models: FCN 의 출력 크기(어떤 H, W 에서도), 크기 정책, 쌍선형 초기화, 학습 가능성."""

import pytest
import torch
import torch.nn.functional as F

from lib.models import FCN, BilinearUpsample, ConvBlock, Down, match_size
from lib.transposed_conv import bilinear_kernel

SMALL = (4, 4, 6, 6, 8, 8)  # 시험용 작은 채널 수


@pytest.mark.parametrize("variant", ["32s", "16s", "8s"])
@pytest.mark.parametrize("size", [(1, 1), (5, 37), (32, 32), (33, 64)])
def test_fcn_output_has_input_size(variant, size):
    torch.manual_seed(0)
    model = FCN(3, 5, variant=variant, widths=SMALL).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, *size))
    assert out.shape == (2, 5, *size)
    assert torch.isfinite(out).all()


def test_fcn_default_widths_smoke():
    model = FCN(3, 4).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, 32, 32)).shape == (1, 4, 32, 32)
    assert model.variant == "8s" and model.output_stride == 8


def test_output_pixel_stays_at_its_input_pixel():
    """크기 정책: 입력은 오른쪽·아래로 0 을 채워 32 의 배수로 계산하고, 출력은 왼쪽 위에서 잘라 냅니다.

    그러므로 직접 0 을 채워 넣은 입력의 왼쪽 위 부분은 원래 입력의 출력과 같습니다 (가운데 정렬이면 다름).
    """
    torch.manual_seed(0)
    model = FCN(3, 4, "8s", widths=SMALL).eval()
    image = torch.rand(1, 3, 40, 23)
    padded = torch.zeros(1, 3, 64, 32)
    padded[..., :40, :23] = image
    with torch.no_grad():
        torch.testing.assert_close(model(image), model(padded)[..., :40, :23])


def test_match_size_pads_and_crops_bottom_right():
    x = torch.arange(12.0).reshape(1, 1, 3, 4)
    assert torch.equal(match_size(x, (2, 3)), x[..., :2, :3])
    grown = match_size(x, (5, 4))
    assert torch.equal(grown[..., :3, :], x) and not grown[..., 3:, :].any()


@pytest.mark.parametrize("factor", [2, 3, 8, 32])
def test_bilinear_upsample_is_bilinear_inside(factor):
    x = torch.randn(1, 2, 4, 5)
    up = BilinearUpsample(2, factor)
    expected = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    with torch.no_grad():
        got = up(x)
    assert got.shape == expected.shape
    inner = (..., slice(factor, -factor), slice(factor, -factor))
    torch.testing.assert_close(got[inner], expected[inner], atol=1e-5, rtol=1e-5)


def test_parts_change_shape_as_documented():
    x = torch.rand(2, 3, 16, 12)
    assert ConvBlock(3, 5)(x).shape == (2, 5, 16, 12)
    assert Down(3, 5)(x).shape == (2, 5, 8, 6)


def test_finer_variants_add_skip_layers_that_start_at_zero():
    """16s·8s 는 스킵 점수 층을 더하고, 그 층은 0 에서 시작합니다 (논문의 초기화)."""
    skip_strides = {v: FCN(3, 4, v, widths=SMALL).skip_strides for v in ("32s", "16s", "8s")}
    assert skip_strides == {"32s": [], "16s": [16], "8s": [16, 8]}
    model = FCN(3, 4, "8s", widths=SMALL)
    assert all(not layer.weight.any() and not layer.bias.any() for layer in model.skip_scores)
    assert [up.stride for up in model.skip_ups] == [(2, 2), (2, 2)] and model.final_up.stride == (8, 8)


def test_training_steps_reduce_the_loss():
    """학습하는 층 모두에 기울기가 흐르고, 몇 걸음 학습하면 손실이 줄어듭니다. 마지막 업샘플링은 그대로."""
    torch.manual_seed(0)
    model = FCN(3, 3, "8s", widths=SMALL)
    images = F.interpolate(torch.rand(4, 3, 4, 4), scale_factor=8)  # 8×8 블록 색
    masks = (images[:, 0] > 0.5).long() + (images[:, 1] > 0.5).long()  # 입력에서 알 수 있는 정답
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(10):
        loss = F.cross_entropy(model(images), masks)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert all(p.grad is not None for p in trainable)
    assert all(up.weight.grad.abs().sum() > 0 for up in model.skip_ups)  # 2 배 업샘플링은 학습합니다
    assert model.final_up.weight.grad is None  # 마지막 업샘플링은 쌍선형으로 고정
    torch.testing.assert_close(model.final_up.weight, bilinear_kernel(8, 3))
    assert losses[-1] < 0.92 * losses[0]


def test_bad_input_raises():
    with pytest.raises(ValueError, match="variant"):
        FCN(3, 4, variant="4s")
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        FCN(3, 4, widths=SMALL)(torch.rand(1, 1, 8, 8))
    with pytest.raises(ValueError, match="widths"):
        FCN(3, 4, widths=(4, 4))
