"""lib.upsampling: torch 와 같은 값인지, 독립적인 계산과 맞는지, 잘못된 입력을 막는지."""

import math

import pytest
import torch
import torch.nn.functional as F

from lib import upsampling as up

# (N, C, H, W, kernel_size, stride, padding): 홀수 크기, 배치 > 1, 여러 채널, 겹치는 창, 직사각 커널
POOLINGS = [
    (2, 3, 9, 11, 2, None, 0),
    (3, 2, 7, 5, 3, 2, 1),  # 겹치는 창 (stride < kernel)
    (2, 4, 13, 10, (3, 2), (2, 1), (1, 0)),  # 축마다 다른 설정, 가로로 겹침
    (2, 3, 17, 15, 5, 3, 2),  # 기본 크기(16×13)에 안 들어감 → output_size 가 꼭 필요
    (4, 1, 6, 6, 3, 1, 1),  # 한 칸씩 움직이는 창: 같은 위치가 여러 번 최댓값
]


def _torch_pool(n, c, h, w, k, s, p, seed=0):
    x = torch.randn(n, c, h, w, generator=torch.Generator().manual_seed(seed))
    return x, *F.max_pool2d(x, k, s, p, return_indices=True)


@pytest.mark.parametrize("case", POOLINGS, ids=str)
def test_max_unpool_equals_torch_with_output_size(case):
    n, c, h, w, k, s, p = case
    x, pooled, indices = _torch_pool(*case)
    for size in [(h, w), x.shape]:  # (H, W) 와 (N, C, H, W) 두 형식
        expected = F.max_unpool2d(pooled, indices, k, s, p, output_size=size)
        torch.testing.assert_close(up.max_unpool2d(pooled, indices, k, s, p, output_size=size), expected,
                                   rtol=0, atol=1e-5)


@pytest.mark.parametrize("case", POOLINGS, ids=str)
def test_max_unpool_equals_torch_default_size_and_unbatched(case):
    n, c, h, w, k, s, p = case
    _, pooled, indices = _torch_pool(*case, seed=1)
    try:
        F.max_unpool2d(pooled, indices, k, s, p)
    except RuntimeError:  # 기본 크기가 원래보다 작아 번호를 담지 못함: 우리도 거부해야 합니다
        with pytest.raises(ValueError, match="담을 수 없습니다"):
            up.max_unpool2d(pooled, indices, k, s, p)
        return
    torch.testing.assert_close(up.max_unpool2d(pooled, indices, k, s, p), F.max_unpool2d(pooled, indices, k, s, p))
    torch.testing.assert_close(up.max_unpool2d(pooled[0], indices[0], k, s, p),
                               F.max_unpool2d(pooled[0], indices[0], k, s, p))


def test_max_unpool_every_output_size_torch_accepts():
    """기본 크기 ± stride 안의 모든 크기: torch 가 받는 것은 같은 값, 거부하는 것은 우리도 거부."""
    k, s = 3, 2
    pooled = torch.rand(2, 2, 3, 3) + 1
    indices = torch.zeros(2, 2, 3, 3, dtype=torch.long)  # 모든 값이 (0, 0) 칸을 가리킴: 중복 번호
    for h in range(4, 11):
        for w in (5, 7, 8):
            try:
                expected = F.max_unpool2d(pooled[:, :, :1, :1], indices[:, :, :1, :1], k, s, output_size=(h, w))
            except (ValueError, RuntimeError):
                with pytest.raises(ValueError):
                    up.max_unpool2d(pooled[:, :, :1, :1], indices[:, :, :1, :1], k, s, output_size=(h, w))
                continue
            got = up.max_unpool2d(pooled[:, :, :1, :1], indices[:, :, :1, :1], k, s, output_size=(h, w))
            torch.testing.assert_close(got, expected)


def test_max_unpool_duplicate_indices_last_value_wins_like_sequential_torch():
    x = torch.arange(1.0, 13.0).reshape(1, 3, 2, 2)
    indices = torch.tensor([[0, 0], [0, 5]]).expand(1, 3, 2, 2).contiguous()  # 평면마다 칸 0 을 세 번 가리킴
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # torch CPU 를 한 스레드로: 읽는 순서대로 써 넣습니다
    try:
        expected = F.max_unpool2d(x, indices, 2, output_size=(4, 4))
    finally:
        torch.set_num_threads(threads)
    got = up.max_unpool2d(x, indices, 2, output_size=(4, 4))
    torch.testing.assert_close(got, expected)
    assert got[0, 1, 0, 0] == 7.0  # 채널 1 의 값 5, 6, 7 중 마지막


def test_max_unpool_definition_by_loops():
    """정의 그대로의 이중 반복문과 비교: 출력 칸 indices[i, j] 에 x[i, j], 나머지 0."""
    _, pooled, indices = _torch_pool(1, 2, 8, 6, 2, 2, 0, seed=3)
    expected = torch.zeros(1, 2, 8 * 6)
    for c in range(2):
        for value, where in zip(pooled[0, c].flatten(), indices[0, c].flatten()):
            expected[0, c, where] = value
    torch.testing.assert_close(up.max_unpool2d(pooled, indices, 2), expected.reshape(1, 2, 8, 6))


def test_max_unpool_gradient_flows_to_input():
    _, pooled, indices = _torch_pool(2, 2, 6, 6, 2, 2, 0)
    pooled.requires_grad_(True)
    up.max_unpool2d(pooled, indices, 2).sum().backward()
    torch.testing.assert_close(pooled.grad, torch.ones_like(pooled))


@pytest.mark.parametrize("kernel_size", [2, 3, (2, 3)])
def test_avg_unpool_equals_nearest_interpolation(kernel_size):
    x = torch.randn(2, 3, 5, 7)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    out = up.avg_unpool2d(x, kernel_size)
    assert out.shape == (2, 3, 5 * kh, 7 * kw)
    torch.testing.assert_close(out, F.interpolate(x, scale_factor=(kh, kw), mode="nearest"))


def test_pooling_after_avg_unpool_is_exact_but_not_the_other_way():
    x = torch.rand(2, 3, 6, 10)
    torch.testing.assert_close(F.avg_pool2d(up.avg_unpool2d(x, 2), 2), x, rtol=0, atol=0)
    assert not torch.allclose(up.avg_unpool2d(F.avg_pool2d(x, 2), 2), x)


@pytest.mark.parametrize("kernel_size", [2, 3, (3, 2)])
def test_bed_of_nails_is_max_unpool_to_the_top_left(kernel_size):
    """독립 계산: 블록의 왼쪽 위 칸 번호를 indices 로 준 torch 의 max_unpool2d."""
    x = torch.randn(2, 3, 4, 5)
    kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    rows = torch.arange(4)[:, None] * kh
    cols = torch.arange(5)[None, :] * kw
    indices = (rows * 5 * kw + cols).expand(2, 3, 4, 5).contiguous()
    expected = F.max_unpool2d(x, indices, (kh, kw))
    torch.testing.assert_close(up.bed_of_nails2d(x, kernel_size), expected)


@pytest.mark.parametrize("bad", [
    lambda x, i: up.max_unpool2d(x, i[:, :1], 2),  # 모양이 다른 indices
    lambda x, i: up.max_unpool2d(x, i, 2, output_size=(3, 3)),  # 기본 크기 ± stride 밖
    lambda x, i: up.max_unpool2d(x, i + 100, 2, output_size=(7, 7)),  # 담을 수 없는 번호
    lambda x, i: up.max_unpool2d(x, i, 0),  # kernel_size < 1
    lambda x, i: up.max_unpool2d(x, i, 2, stride=0),
    lambda x, i: up.max_unpool2d(x, i, 2, padding=-1),
    lambda x, i: up.max_unpool2d(x, i, 2, output_size=(1, 2, 3)),
    lambda x, i: up.max_unpool2d(x[0, 0], i[0, 0], 2),  # 2차원
    lambda x, i: up.avg_unpool2d(x, 0),
    lambda x, i: up.bed_of_nails2d(x[0], 2),  # (C, H, W) 는 avg/bed 에서 받지 않습니다
])
def test_bad_input_raises_value_error(bad):
    _, pooled, indices = _torch_pool(2, 2, 6, 6, 2, 2, 0)
    with pytest.raises(ValueError):
        bad(pooled, indices)


@pytest.mark.parametrize("method, kernel_size", [("nearest", 4), ("cubic", 2)])  # 6×6 은 4 의 배수가 아님
def test_bad_roundtrip_raises_value_error(method, kernel_size):
    with pytest.raises(ValueError):
        up.roundtrip(torch.rand(1, 3, 6, 6), method, kernel_size)


@pytest.mark.parametrize("bad", [
    lambda x, i: up.max_unpool2d(x, i.int(), 2),  # int64 가 아닌 indices
    lambda x, i: up.max_unpool2d(x.numpy(), i, 2),
    lambda x, i: up.avg_unpool2d(x, 2.0),
    lambda x, i: up.max_unpool2d(x, i, 2, output_size=(3.0, 3.0)),
])
def test_bad_types_raise_type_error(bad):
    _, pooled, indices = _torch_pool(1, 1, 4, 4, 2, 2, 0)
    with pytest.raises(TypeError):
        bad(pooled, indices)


@pytest.mark.parametrize("method", up.METHODS)
def test_roundtrip_keeps_shape(method):
    image = torch.rand(1, 3, 12, 18)
    assert up.roundtrip(image, method, 3).shape == image.shape


def test_roundtrip_of_a_constant_block_image_is_exact_for_copying_methods():
    blocks = torch.rand(1, 1, 3, 4).repeat_interleave(2, -2).repeat_interleave(2, -1)  # 2×2 블록마다 같은 값
    for method in ("avg_unpool", "nearest"):
        assert up.psnr(up.roundtrip(blocks, method, 2), blocks) == math.inf


def test_psnr_against_direct_formula():
    a, b = torch.zeros(1, 1, 2, 2), torch.full((1, 1, 2, 2), 0.1)
    assert up.psnr(b, a) == pytest.approx(20.0)  # MSE 0.01 → 10·log10(1 / 0.01)


def test_crop_to_multiple():
    assert up.crop_to_multiple(torch.rand(1, 3, 13, 10), 4).shape == (1, 3, 12, 8)


def test_max_unpool_empty_output_plane_like_torch():
    """torch 는 빈 출력 평면(크기 0)이면 번호를 보지 않고 빈 텐서를 돌려줍니다."""
    x, indices = torch.ones(2, 1, 1, 1), torch.full((2, 1, 1, 1), 5)
    expected = F.max_unpool2d(x, indices, 1, stride=2, output_size=(0, 1))
    assert up.max_unpool2d(x, indices, 1, stride=2, output_size=(0, 1)).shape == expected.shape == (2, 1, 0, 1)


@pytest.mark.parametrize("factor", [1, 2, 3])
def test_pixel_shuffle_equals_torch(factor):
    x = torch.randn(2, 3 * factor**2, 4, 5)
    assert torch.equal(up.pixel_shuffle(x, factor), torch.nn.PixelShuffle(factor)(x))
    with pytest.raises(ValueError, match="나누어떨어져야"):
        up.pixel_shuffle(torch.randn(1, 5, 2, 2), 2)


def test_icnr_makes_the_sub_pixel_convolution_a_nearest_upsampling_at_start():
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 2 * 4, 3, padding=1, bias=False)
    up.icnr_(conv.weight, 2)
    x = torch.randn(1, 3, 5, 5)
    with torch.no_grad():
        shuffled = up.pixel_shuffle(conv(x), 2)
        small = F.conv2d(x, conv.weight[::4], padding=1)  # 블록마다 같은 커널 하나
    torch.testing.assert_close(shuffled, F.interpolate(small, scale_factor=2, mode="nearest"))
