"""lib.models.UNet: 어떤 크기에서도 출력 모양, 스킵이 이어 붙이기인지, 잘못된 입력, 기울기, 파라미터 수 공식."""

import pytest
import torch
from torch import nn

from lib.models import UNet, Up


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("size", [(1, 1), (37, 53), (16, 16), (5, 2)])
def test_output_has_input_size(depth, size):
    torch.manual_seed(0)
    model = UNet(3, 5, base_channels=4, depth=depth).eval()
    with torch.no_grad():
        out = model(torch.rand(2, 3, *size))
    assert out.shape == (2, 5, *size)
    assert torch.isfinite(out).all()


def test_default_smoke():
    model = UNet(3, 4).eval()
    with torch.no_grad():
        assert model(torch.rand(1, 3, 32, 32)).shape == (1, 4, 32, 32)


def test_skip_is_concatenation_channel_counts():
    """확장 경로 첫 합성곱의 입력 채널 = 업-합성곱 출력 + 같은 해상도 스킵 (더하기라면 두 배가 되지 않음)."""
    base, depth = 4, 3
    with_skip, without = UNet(3, 2, base, depth), UNet(3, 2, base, depth, skip_connections=False)
    expected_out = [base * 2**k for k in range(depth - 1, -1, -1)]  # 디코더 단계마다 C_out: 16, 8, 4
    assert [up.conv[0].in_channels for up in with_skip.ups] == [2 * c for c in expected_out]
    assert [up.conv[0].in_channels for up in without.ups] == expected_out
    assert with_skip.head.kernel_size == (1, 1) and with_skip.head.in_channels == base


def test_up_concatenates_skip_before_conv():
    """Up 의 합성곱이 실제로 [스킵, 업샘플] 을 채널 방향으로 쌓은 텐서를 받는지 hook 으로 확인합니다."""
    torch.manual_seed(0)
    up = Up(8, 4, 4).eval()
    x, skip = torch.rand(1, 8, 3, 5), torch.rand(1, 4, 6, 10)
    seen = {}
    up.conv.register_forward_hook(lambda m, inputs, out: seen.update(x=inputs[0]))
    with torch.no_grad():
        up(x, skip)
        upsampled = up.up(x)
    torch.testing.assert_close(seen["x"], torch.cat([skip, upsampled], dim=1))


def test_skip_changes_output_only_when_enabled():
    """스킵을 쓰는 모델은 스킵 특성이 바뀌면 출력이 바뀌고, 끈 모델은 같은 가중치에서 무시합니다."""
    torch.manual_seed(0)
    up_skip, up_plain = Up(8, 4, 4).eval(), Up(8, 4, 0).eval()
    x = torch.rand(1, 8, 3, 3)
    with torch.no_grad():
        a, b = torch.rand(1, 4, 6, 6), torch.rand(1, 4, 6, 6)
        assert not torch.allclose(up_skip(x, a), up_skip(x, b))
        assert torch.equal(up_plain(x, a), up_plain(x, b))


@pytest.mark.parametrize("bad", [torch.rand(3, 8, 8), torch.rand(1, 1, 8, 8), "image"])
def test_bad_input_raises(bad):
    with pytest.raises(ValueError, match="입력은"):
        UNet(3, 4, 4, 2)(bad)


@pytest.mark.parametrize("kwargs", [dict(depth=0), dict(base_channels=0), dict(num_classes=0)])
def test_bad_arguments_raise(kwargs):
    args = dict(in_channels=3, num_classes=4) | kwargs
    with pytest.raises(ValueError, match="1 이상"):
        UNet(**args)


def test_gradient_reaches_every_parameter():
    torch.manual_seed(0)
    model = UNet(3, 4, base_channels=4, depth=2)
    out = model(torch.rand(2, 3, 13, 9))
    nn.functional.cross_entropy(out, torch.randint(0, 4, (2, 13, 9))).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def expected_parameters(c_in: int, k: int, b: int, depth: int, skip: bool = True) -> int:
    """직접 센 파라미터 수. 3×3 합성곱은 bias 없음(BN 이 대신), BN 은 채널마다 2 개."""
    def conv_block(a, c):  # 3×3 (a→c) + BN + 3×3 (c→c) + BN
        return 9 * a * c + 2 * c + 9 * c * c + 2 * c

    def down(a, c):  # 2×2 스트라이드 2 (a→c) + BN + 3×3 (c→c) + BN
        return 4 * a * c + 2 * c + 9 * c * c + 2 * c

    widths = [b * 2**i for i in range(depth + 1)]
    total = conv_block(c_in, b) + sum(down(a, c) for a, c in zip(widths, widths[1:]))
    for a, c in zip(widths[:0:-1], widths[-2::-1]):  # 업-합성곱 2×2 (a→c) + bias, 그다음 ConvBlock
        total += 4 * a * c + c + conv_block(c + (c if skip else 0), c)
    return total + b * k + k  # 1×1 출력층


@pytest.mark.parametrize("depth", [1, 3])
@pytest.mark.parametrize("skip", [True, False])
def test_parameter_count_formula(depth, skip):
    model = UNet(3, 4, base_channels=8, depth=depth, skip_connections=skip)
    assert sum(p.numel() for p in model.parameters()) == expected_parameters(3, 4, 8, depth, skip)


@pytest.mark.parametrize("skip", [True, False])
def test_unet_diagram_draws_one_box_per_feature_map(skip):
    """그림 smoke test: 수축 depth+1 개, 확장 depth 개, 출력 1 개의 상자와, 스킵이면 depth 개의 스킵 화살표."""
    import matplotlib.pyplot as plt

    from lib import viz

    ax = viz.unet_diagram(depth=3, base_channels=8, size=64, skip_connections=skip)
    assert len(ax.patches) == (3 + 1) + 3 + 1
    assert sum("concat" in t.get_text() for t in ax.texts) == (3 if skip else 0)
    plt.close(ax.figure)
