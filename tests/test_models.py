"""lib.models: FCN 과 U-Net 의 출력 크기(어떤 H, W 에서도), 크기 정책, 쌍선형 초기화, 스킵, 학습 가능성, 입력 검사."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lib.models import FCN, SKIP_MODES, BilinearUpsample, ConvBlock, Down, UNet, Up, match_size, merge_skip
from lib.transposed_conv import bilinear_kernel

SMALL = (4, 4, 6, 6, 8, 8)  # 시험용 작은 채널 수
SKIPS = ("concat", "add", "none")


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


def test_fcn_bad_input_raises():
    with pytest.raises(ValueError, match="variant"):
        FCN(3, 4, variant="4s")
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        FCN(3, 4, widths=SMALL)(torch.rand(1, 1, 8, 8))
    with pytest.raises(ValueError, match="widths"):
        FCN(3, 4, widths=(4, 4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        FCN(3, 4, widths=SMALL)(torch.rand(1, 3, 8, 8).numpy())


@pytest.mark.parametrize("size", [(0, 8), (8, 0)])
def test_empty_images_are_a_clear_error_for_every_model(size):
    for model in (FCN(3, 4, widths=SMALL).eval(), UNet(3, 4, 4, 2).eval()):
        with pytest.raises(ValueError, match="높이와 너비"):
            model(torch.rand(2, 3, *size))


@pytest.mark.parametrize("build, size", [(lambda: FCN(3, 2, widths=SMALL), 32), (lambda: UNet(3, 2), 16)])
def test_training_with_a_batch_of_one_is_refused_by_name(build, size):
    """가장 깊은 특성 맵이 1×1 인데 배치가 1 이면 BatchNorm 이 통계를 낼 수 없습니다: 원인을 말하는 ValueError."""
    model = build().train()
    with pytest.raises(ValueError, match="배치 크기 1"):
        model(torch.randn(1, 3, size, size))
    assert model(torch.randn(2, 3, size, size)).shape == (2, 2, size, size)  # 배치 2 는 학습 모드에서도 됨
    assert model(torch.randn(1, 3, 2 * size, size)).shape == (1, 2, 2 * size, size)  # 더 큰 입력도 됨
    assert model.eval()(torch.randn(1, 3, size, size)).shape == (1, 2, size, size)  # 예측은 언제나 됨


# ---- U-Net ----
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("size", [(1, 1), (37, 53), (16, 16), (5, 2)])
def test_unet_output_has_input_size(depth, size):
    torch.manual_seed(0)
    model = UNet(3, 5, base_channels=4, depth=depth).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, *size))
    assert out.shape == (2, 5, *size)
    assert torch.isfinite(out).all()


def test_unet_default_smoke():
    model = UNet(3, 4).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, 32, 32)).shape == (1, 4, 32, 32)


@pytest.mark.parametrize("skip", SKIPS)
def test_every_skip_mode_keeps_the_output_size(skip):
    torch.manual_seed(0)
    model = UNet(3, 4, base_channels=4, depth=3, skip=skip).eval()
    with torch.no_grad():
        assert model(torch.rand(2, 3, 37, 20)).shape == (2, 4, 37, 20)
    assert model.skip == skip and all(up.skip == skip for up in model.ups)


def test_skip_modes_differ_only_in_the_first_decoder_convolution():
    """이어 붙이기만 확장 경로 첫 합성곱이 2C 채널을 받습니다. 나머지 층의 모양은 세 방법이 모두 같습니다."""
    base, depth = 4, 3
    nets = {skip: UNet(3, 2, base, depth, skip=skip) for skip in SKIPS}
    expected_out = [base * 2**k for k in range(depth - 1, -1, -1)]  # 디코더 단계마다 C: 16, 8, 4
    assert [up.conv[0].in_channels for up in nets["concat"].ups] == [2 * c for c in expected_out]
    for skip in ("add", "none"):
        assert [up.conv[0].in_channels for up in nets[skip].ups] == expected_out
    shapes = {skip: [(n, p.shape) for n, p in net.named_parameters() if not n.endswith("conv.0.weight")]
              for skip, net in nets.items()}
    assert shapes["concat"] == shapes["add"] == shapes["none"]
    assert nets["concat"].head.kernel_size == (1, 1) and nets["concat"].head.in_channels == base


@pytest.mark.parametrize("bad", ["cat", "sum", None, True])
def test_unknown_skip_mode_is_a_value_error(bad):
    with pytest.raises(ValueError, match="skip"):
        UNet(3, 2, skip=bad)
    with pytest.raises(ValueError, match="skip"):
        Up(8, 4, skip=bad)


def test_merge_skip_follows_its_policy():
    x, skip = torch.rand(2, 3, 4, 5), torch.rand(2, 3, 4, 5)
    assert torch.equal(merge_skip(x, skip, "concat"), torch.cat([skip, x], dim=1))
    assert torch.equal(merge_skip(x, skip, "add"), x + skip)
    assert torch.equal(merge_skip(x, skip, "none"), x)


@pytest.mark.parametrize("skip", SKIPS)
def test_up_feeds_the_merged_tensor_to_its_convolutions(skip):
    """Up 의 합성곱 블록이 실제로 받는 텐서를 hook 으로 잡아, 업-합성곱 출력과 스킵으로 직접 만든 것과 비교합니다."""
    torch.manual_seed(0)
    up = Up(8, 4, skip).eval()
    x, skip_features = torch.rand(1, 8, 3, 5), torch.rand(1, 4, 6, 10)
    seen = {}
    up.conv.register_forward_hook(lambda m, inputs, out: seen.update(x=inputs[0]))
    with torch.no_grad():
        up(x, skip_features)
        upsampled = up.up(x)
    expected = {"concat": torch.cat([skip_features, upsampled], dim=1), "add": upsampled + skip_features,
                "none": upsampled}[skip]
    torch.testing.assert_close(seen["x"], expected)


def test_add_refuses_a_skip_of_another_shape_instead_of_broadcasting():
    with pytest.raises(ValueError, match="스킵"):
        Up(8, 4, "add")(torch.rand(1, 8, 3, 3), torch.rand(1, 4, 1, 1))


@pytest.mark.parametrize("skip", SKIPS)
def test_skip_features_change_the_output_only_when_used(skip):
    """스킵을 쓰는 방법은 스킵 특성이 바뀌면 출력이 바뀌고, "none" 은 같은 가중치에서 무시합니다."""
    torch.manual_seed(0)
    up = Up(8, 4, skip).eval()
    x = torch.rand(1, 8, 3, 3)
    with torch.no_grad():
        a, b = up(x, torch.rand(1, 4, 6, 6)), up(x, torch.rand(1, 4, 6, 6))
    assert torch.equal(a, b) == (skip == "none")


@pytest.mark.parametrize("skip", SKIPS)
def test_training_with_a_batch_of_one_works_on_a_64_pixel_scene(skip):
    """원 논문은 배치 1 로 학습했습니다. 가장 깊은 특성 맵이 8×8 이면 BN 이 통계를 낼 수 있어 학습 스텝이 됩니다."""
    torch.manual_seed(0)
    model = UNet(3, 4, base_channels=4, depth=3, skip=skip).train()
    loss = F.cross_entropy(model(torch.rand(1, 3, 64, 64)), torch.randint(0, 4, (1, 64, 64)))
    loss.backward()
    assert torch.isfinite(loss) and all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("bad, error", [(torch.rand(3, 8, 8), ValueError), (torch.rand(1, 1, 8, 8), ValueError),
                                        (torch.rand(1, 3, 0, 8), ValueError), ("image", TypeError)])
def test_unet_bad_input_raises(bad, error):
    with pytest.raises(error, match="입력"):
        UNet(3, 4, 4, 2).eval()(bad)


@pytest.mark.parametrize("kwargs", [dict(depth=0), dict(base_channels=0), dict(num_classes=0)])
def test_unet_bad_arguments_raise(kwargs):
    args = dict(in_channels=3, num_classes=4) | kwargs
    with pytest.raises(ValueError, match="1 이상"):
        UNet(**args)


@pytest.mark.parametrize("skip", SKIPS)
def test_unet_gradient_reaches_every_parameter(skip):
    torch.manual_seed(0)
    model = UNet(3, 4, base_channels=4, depth=2, skip=skip)
    out = model(torch.rand(2, 3, 13, 9))
    nn.functional.cross_entropy(out, torch.randint(0, 4, (2, 13, 9))).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def expected_parameters(c_in: int, k: int, b: int, depth: int, skip: str = "concat") -> int:
    """직접 센 파라미터 수. 3×3 합성곱은 bias 없음(BN 이 대신), BN 은 채널마다 2 개."""
    def conv_block(a, c):  # 3×3 (a→c) + BN + 3×3 (c→c) + BN
        return 9 * a * c + 2 * c + 9 * c * c + 2 * c

    def down(a, c):  # 2×2 스트라이드 2 (a→c) + BN + 3×3 (c→c) + BN
        return 4 * a * c + 2 * c + 9 * c * c + 2 * c

    widths = [b * 2**i for i in range(depth + 1)]
    total = conv_block(c_in, b) + sum(down(a, c) for a, c in zip(widths, widths[1:]))
    for a, c in zip(widths[:0:-1], widths[-2::-1]):  # 업-합성곱 2×2 (a→c) + bias, 그다음 ConvBlock
        total += 4 * a * c + c + conv_block(2 * c if skip == "concat" else c, c)
    return total + b * k + k  # 1×1 출력층


@pytest.mark.parametrize("depth", [1, 3])
@pytest.mark.parametrize("skip", SKIPS)
def test_unet_parameter_count_formula(depth, skip):
    model = UNet(3, 4, base_channels=8, depth=depth, skip=skip)
    assert sum(p.numel() for p in model.parameters()) == expected_parameters(3, 4, 8, depth, skip)


def test_skip_modes_are_the_documented_ones():
    assert SKIP_MODES == SKIPS
