"""lib.upsampling.conv_transpose2d / conv2d_matrix: torch 와 같은 값, 행렬·기울기 관점, 잘못된 입력."""

import itertools
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib.transposed_conv import bilinear_kernel
from lib.upsampling import conv2d_matrix, conv_transpose2d


def torch_or_none(*args, **kwargs):
    """torch 가 받아들이지 않는 조합이면 None.

    출력 크기가 0 인 경우 torch 는 보통 거부하지만, 일부 계산 경로(groups·dilation)에서는 빈 텐서를 돌려줍니다.
    lib 은 언제나 거부하므로(설계: 출력 크기 0 은 ValueError) 그런 경우도 None 으로 봅니다.
    """
    try:
        out = F.conv_transpose2d(*args, **kwargs)
    except RuntimeError:
        return None
    return None if min(out.shape[-2:]) < 1 else out


GRID = list(itertools.product(
    [1, 2, (3, 1)],  # stride
    [0, (2, 1)],  # padding
    [0, 1, (0, 2)],  # output_padding
    [1, (1, 2)],  # dilation
    [1, 2],  # groups
    [(1, 1), (3, 2), (4, 4)],  # 커널 (kH, kW): 정사각이 아닌 것 포함
))


def test_equals_torch_on_the_grid():
    """인자 조합 216 개: torch 가 받는 조합은 같은 값, 거절하는 조합은 우리도 ValueError."""
    torch.manual_seed(0)
    x = torch.randn(2, 4, 5, 6)
    compared = 0
    for stride, padding, output_padding, dilation, groups, kernel in GRID:
        weight = torch.randn(4, 3, *kernel)
        bias = torch.randn(3 * groups)
        kwargs = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation,
                      groups=groups)
        expected = torch_or_none(x, weight, bias, **kwargs)
        if expected is None:
            with pytest.raises(ValueError):
                conv_transpose2d(x, weight, bias, **kwargs)
            continue
        got = conv_transpose2d(x, weight, bias, **kwargs)
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5, msg=lambda m, kw=kwargs: f"{kw}: {m}")
        compared += 1
    assert compared >= len(GRID) // 3  # 거절되는 조합만 있는 격자가 아닌지


def test_random_sizes_match_torch():
    """무작위 크기·인자 120 개: 모양과 값이 torch 와 같습니다 (bias 있음/없음, float32/float64)."""
    rng = random.Random(0)
    checked = 0
    for _ in range(120):
        groups = rng.choice([1, 1, 2, 3])
        c_in, c_out_g = groups * rng.randint(1, 3), rng.randint(1, 3)
        kernel = (rng.randint(1, 5), rng.randint(1, 5))
        stride, dilation = (rng.randint(1, 4), rng.randint(1, 4)), (rng.randint(1, 3), rng.randint(1, 3))
        padding = (rng.randint(0, 3), rng.randint(0, 3))
        output_padding = tuple(rng.randint(0, max(s, d) - 1) for s, d in zip(stride, dilation))
        dtype = rng.choice([torch.float32, torch.float64])
        x = torch.randn(rng.randint(1, 3), c_in, rng.randint(1, 7), rng.randint(1, 7), dtype=dtype)
        weight = torch.randn(c_in, c_out_g, *kernel, dtype=dtype)
        bias = torch.randn(c_out_g * groups, dtype=dtype) if rng.random() < 0.5 else None
        args = (x, weight, bias, stride, padding, output_padding, groups, dilation)  # torch 의 위치 순서
        expected = torch_or_none(*args)
        if expected is None:
            with pytest.raises(ValueError):
                conv_transpose2d(*args)
            continue
        got = conv_transpose2d(*args)
        assert got.shape == expected.shape and got.dtype == dtype
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
        checked += 1
    assert checked > 90  # 대부분의 조합이 실제로 비교되었는지


def test_unbatched_input_like_torch():
    x, weight = torch.randn(2, 3, 4), torch.randn(2, 5, 3, 3)
    expected = F.conv_transpose2d(x, weight, stride=2, padding=1)
    got = conv_transpose2d(x, weight, stride=2, padding=1)
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_single_pixel_scatters_the_kernel():
    """정의 그대로: 1 인 픽셀 하나는 커널 사본 하나를 stride 만큼 떨어진 곳에 놓습니다."""
    weight = torch.arange(6.0).reshape(1, 1, 2, 3)
    x = torch.zeros(1, 1, 2, 2)
    x[0, 0, 1, 0] = 1.0
    out = conv_transpose2d(x, weight, stride=3)  # (1, 1, 5, 6)
    expected = torch.zeros(5, 6)
    expected[3:5, 0:3] = weight[0, 0]
    assert torch.equal(out[0, 0], expected)


@pytest.mark.parametrize("size, kernel, stride, padding", [
    ((7, 8), (3, 3), 2, 1), ((6, 6), (4, 4), 2, 1), ((5, 9), (2, 3), (1, 2), (0, 1)), ((1, 1), (1, 1), 1, 0),
])
def test_matrix_identity_both_ways(size, kernel, stride, padding):
    torch.manual_seed(1)
    weight = torch.randn(3, 2, *kernel, dtype=torch.float64)
    x = torch.randn(1, 2, *size, dtype=torch.float64, requires_grad=True)
    matrix = conv2d_matrix(weight, size, stride, padding)
    # 합성곱 = M 곱하기
    y = F.conv2d(x, weight, stride=stride, padding=padding)
    torch.testing.assert_close(matrix @ x.detach().flatten(), y.detach().flatten())
    # 전치 합성곱 = M.T 곱하기 (입력 크기로 돌아오도록 output_padding 을 고릅니다)
    grad_y = torch.randn_like(y)
    s, p, k = (torch.nn.modules.utils._pair(v) for v in (stride, padding, kernel))
    output_padding = tuple((size[i] + 2 * p[i] - k[i]) % s[i] for i in range(2))
    back = conv_transpose2d(grad_y.detach(), weight, stride=stride, padding=padding,
                            output_padding=output_padding)
    torch.testing.assert_close(matrix.T @ grad_y.flatten(), back.flatten())
    # 그리고 합성곱의 입력에 대한 기울기
    (grad_x,) = torch.autograd.grad(y, x, grad_y)
    torch.testing.assert_close(grad_x, back)


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 8])
def test_bilinear_kernel_reproduces_interpolate(factor):
    x = torch.randn(2, 3, 5, 7)
    weight = bilinear_kernel(factor, 3)
    expected = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    up = conv_transpose2d(x, weight, stride=factor, padding=factor // 2)
    assert up.shape == expected.shape
    inner = (..., slice(factor, -factor), slice(factor, -factor))
    torch.testing.assert_close(up[inner], expected[inner], atol=1e-5, rtol=1e-5)
    # 가장자리를 한 칸 복제해 두면 어디서나 같습니다
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    whole = conv_transpose2d(padded, weight, stride=factor, padding=factor // 2)[inner]
    torch.testing.assert_close(whole, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("x_shape, w_shape, kwargs, message", [
    ((1, 3, 4, 4), (3, 2, 3, 3), dict(groups=2), "groups"),  # 채널이 groups 로 나누어떨어지지 않음
    ((1, 4, 4, 4), (4, 2, 3, 3), dict(stride=2, dilation=2, output_padding=2), "output_padding"),
    ((1, 4, 4, 4), (4, 2, 3), {}, "(N, C, H, W)"),  # weight 차원
    ((4, 4), (4, 2, 3, 3), {}, "(N, C, H, W)"),  # x 차원
    ((1, 4, 4, 4), (3, 2, 3, 3), {}, "입력 채널"),
    ((1, 4, 2, 2), (4, 2, 1, 1), dict(padding=2), "출력 크기"),
    ((1, 4, 2, 2), (4, 2, 1, 1), dict(stride=0), "stride"),
    ((1, 4, 2, 2), (4, 2, 1, 1), dict(padding=-1), "padding"),
])
def test_bad_input_raises_clear_error(x_shape, w_shape, kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        conv_transpose2d(torch.randn(x_shape), torch.randn(w_shape), **kwargs)


def test_bad_types_raise():
    with pytest.raises(ValueError, match="bias"):
        conv_transpose2d(torch.randn(1, 2, 3, 3), torch.randn(2, 2, 3, 3), bias=torch.randn(3))
    with pytest.raises(TypeError, match="stride"):
        conv_transpose2d(torch.randn(1, 2, 3, 3), torch.randn(2, 2, 3, 3), stride=1.5)
    with pytest.raises(TypeError, match="자료형"):
        conv_transpose2d(torch.randn(1, 2, 3, 3), torch.randn(2, 2, 3, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        conv2d_matrix(torch.randn(2, 3, 3), (4, 4))
    with pytest.raises(TypeError, match="torch.Tensor"):
        conv_transpose2d(torch.randn(1, 2, 3, 3).numpy(), torch.randn(2, 2, 3, 3))
    with pytest.raises(ValueError, match="커널"):
        conv2d_matrix(torch.randn(1, 1, 5, 5), (2, 2))


def test_positional_arguments_follow_torch_order():
    """torch 의 순서는 (..., output_padding, groups, dilation): 위치 인자로 불러도 같은 값이어야 합니다."""
    torch.manual_seed(0)
    x, weight, bias = torch.randn(1, 4, 5, 5), torch.randn(4, 1, 3, 3), torch.randn(2)
    args = (x, weight, bias, 2, 1, 1, 2, 3)  # stride 2, padding 1, output_padding 1, groups 2, dilation 3
    torch.testing.assert_close(conv_transpose2d(*args), F.conv_transpose2d(*args), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("x_shape, w_shape, kwargs", [
    ((1, 2, 2, 2), (2, 3, 1, 1), dict(padding=1)),  # 출력 크기 0
    ((1, 2, 0, 2), (2, 3, 1, 1), {}),  # 입력 높이 0
    ((1, 2, 3, 3), (2, 0, 1, 1), {}),  # 출력 채널 0
    ((1, 2, 3, 3), (2, 3, 0, 1), {}),  # 커널 높이 0
])
def test_refuses_what_torch_refuses(x_shape, w_shape, kwargs):
    x, weight = torch.randn(x_shape), torch.randn(w_shape)
    with pytest.raises(RuntimeError):
        F.conv_transpose2d(x, weight, **kwargs)
    with pytest.raises(ValueError):
        conv_transpose2d(x, weight, **kwargs)


def test_empty_batch_is_accepted_like_torch():
    x, weight = torch.randn(0, 2, 3, 3), torch.randn(2, 3, 2, 2)
    assert conv_transpose2d(x, weight, stride=2).shape == F.conv_transpose2d(x, weight, stride=2).shape


def test_bias_of_another_dtype_keeps_the_input_dtype_like_torch():
    x, weight, bias = torch.randn(1, 2, 3, 3), torch.randn(2, 3, 2, 2), torch.randn(3, dtype=torch.float64)
    expected = F.conv_transpose2d(x, weight, bias, stride=2)
    got = conv_transpose2d(x, weight, bias, stride=2)
    assert got.dtype == expected.dtype == torch.float32
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_numpy_integers_are_accepted_as_sizes():
    x, weight = torch.randn(1, 2, 3, 3), torch.randn(2, 3, 3, 3)
    kwargs = dict(stride=np.int64(2), padding=(np.int32(1), 1), output_padding=np.int64(1))
    torch.testing.assert_close(conv_transpose2d(x, weight, **kwargs), F.conv_transpose2d(x, weight, **kwargs))
