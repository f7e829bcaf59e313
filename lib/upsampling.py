"""업샘플링(up-sampling): 학습할 파라미터가 없는 세 가지 언풀링(unpooling)과, 줄였다가 다시 키우는 왕복.

- ``avg_unpool2d``: 값 하나를 k×k 블록 전체에 복사 (노트의 "평균 풀링 기반 업샘플링", 최근접 보간과 같음).
- ``bed_of_nails2d``: 값을 블록의 왼쪽 위 칸에만 두고 나머지는 0 ("못 침대").
- ``max_unpool2d``: 최대 풀링이 저장한 최댓값 위치(indices)에 값을 되돌려 놓고 나머지는 0.
  ``torch.nn.functional.max_unpool2d`` 와 같은 값을 정의로부터 계산합니다.
- ``roundtrip``: 풀링으로 k 배 줄인 뒤 업샘플링으로 다시 키웁니다. ``psnr`` 로 얼마나 되돌아왔는지 잽니다.
- ``pixel_shuffle``, ``icnr_``: 서브픽셀 합성곱(Shi 외 2016)의 재배열과, 그 초기화(ICNR; Aitken 외 2017). 3장.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from . import checks
from .transposed_conv import conv2d_matrix, conv_transpose2d  # noqa: F401  3장: 전치 합성곱

METHOD_NAMES = {  # roundtrip 의 업샘플링 방법 → 책에서 부르는 이름
    "avg_unpool": "평균 언풀링",
    "bed_of_nails": "못 침대",
    "max_unpool": "최대 언풀링",
    "nearest": "최근접 보간",
    "bilinear": "쌍선형 보간",
}
METHODS = tuple(METHOD_NAMES)


# --------------------------------------------------------------------------------------
# 평균 언풀링과 못 침대: 블록 모양 (N, C, H, k_h, W, k_w) 를 만든 뒤 펼칩니다
# --------------------------------------------------------------------------------------
def avg_unpool2d(x: torch.Tensor, kernel_size: int | tuple[int, int]) -> torch.Tensor:
    """값 하나를 그 값이 맡은 k×k 출력 블록 전체에 복사합니다 (평균 풀링의 짝).

    ``avg_pool2d(avg_unpool2d(x, k), k) == x`` 는 정확히 성립하지만, 반대 순서는 블록 안의 차이를 잃습니다.

    Args:
        x: (N, C, H, W).
        kernel_size: 블록 크기 k 또는 (k_h, k_w), 1 이상.
    Returns:
        (N, C, H·k_h, W·k_w).
    """
    checks.tensor(x, "x", (4,))
    kh, kw = checks.pair(kernel_size, "kernel_size", 1)
    n, c, h, w = x.shape
    # (N, C, H, W) -> (N, C, H, 1, W, 1) -> (N, C, H, kh, W, kw): 블록 안 모든 칸이 같은 값을 봅니다
    blocks = x[:, :, :, None, :, None].expand(n, c, h, kh, w, kw)
    return blocks.reshape(n, c, h * kh, w * kw)  # -> (N, C, H·kh, W·kw)


def bed_of_nails2d(x: torch.Tensor, kernel_size: int | tuple[int, int]) -> torch.Tensor:
    """값을 k×k 출력 블록의 왼쪽 위 칸에 두고, 블록의 나머지 칸은 0 으로 채웁니다.

    Args:
        x: (N, C, H, W).
        kernel_size: 블록 크기 k 또는 (k_h, k_w), 1 이상.
    Returns:
        (N, C, H·k_h, W·k_w).
    """
    checks.tensor(x, "x", (4,))
    kh, kw = checks.pair(kernel_size, "kernel_size", 1)
    n, c, h, w = x.shape
    # (N, C, H, W) -> (N, C, H, 1, W, 1) -> (N, C, H, kh, W, kw): 블록 안 첫 칸 뒤에 0 을 덧붙입니다
    nails = F.pad(x[:, :, :, None, :, None], (0, kw - 1, 0, 0, 0, kh - 1))
    return nails.reshape(n, c, h * kh, w * kw)


# --------------------------------------------------------------------------------------
# 최대 언풀링: 저장한 위치로 되돌려 놓기
# --------------------------------------------------------------------------------------
def unpool_output_size(input_size: tuple[int, int], kernel_size: tuple[int, int], stride: tuple[int, int],
                       padding: tuple[int, int], output_size=None) -> tuple[int, int]:
    """최대 언풀링의 출력 (H_out, W_out) 을 정합니다 (torch 와 같은 규칙).

    기본값은 최대 풀링 출력 크기 공식의 역 ``(H − 1)·s + k − 2p`` 입니다. 최대 풀링은 여러 입력 크기를 같은
    출력 크기로 보내므로 ``output_size`` 로 원래 크기를 고를 수 있는데, 그 값은 기본값 ± stride 의 열린 구간
    안이어야 합니다. ``output_size`` 는 (H, W) 또는 (N, C, H, W) (앞의 둘은 무시).
    """
    default = tuple((i - 1) * s + k - 2 * p for i, k, s, p in zip(input_size, kernel_size, stride, padding))
    if output_size is None:
        size = default
    else:
        size = tuple(checks.integer(v, "output_size") for v in output_size)
        size = size[2:] if len(size) == 4 else size
        if len(size) != 2:
            raise ValueError(f"output_size 는 (H, W) 또는 (N, C, H, W) 여야 합니다 (받은 값: {tuple(output_size)})")
        for axis, (got, d, s) in enumerate(zip(size, default, stride)):
            if not d - s < got < d + s:
                raise ValueError(f"output_size {size} 의 {axis}번 축은 {d - s} 보다 크고 {d + s} 보다 작아야 합니다 "
                                 f"(기본 크기 {d} ± stride {s})")
    if min(size) < 0:
        raise ValueError(f"출력 크기 {size} 가 음수입니다: padding 이 커널에 비해 너무 큽니다")
    return size


def _place_last_writer(values: torch.Tensor, where: torch.Tensor, size: int) -> torch.Tensor:
    """평면마다 ``values[p, j]`` 를 출력 칸 ``where[p, j]`` 에 놓습니다. 나머지 칸은 0.

    여러 입력이 한 칸을 가리키면 읽는 순서(평면 안 행 우선)로 마지막 값이 남습니다 — torch CPU 가 한 스레드로
    차례로 써 넣을 때와 같은 결과입니다 (torch 는 여러 스레드·GPU 에서 이 경우를 정하지 않습니다).
    최대 풀링이 만든 indices 라면 같은 칸을 가리키는 값은 늘 같아서 순서가 상관없습니다.

    빠른 길: 먼저 순서를 따지지 않고 흩뿌린 뒤, 각 입력 자리에서 다시 읽어 자기 값이 돌아오는지 봅니다. 모두
    돌아오면 같은 칸을 가리킨 입력들의 값이 같았다는 뜻이므로(최대 풀링이 만든 indices 가 그렇습니다) 어느 순서로
    써도 같은 결과입니다. 하나라도 다르면 칸마다 마지막 입력의 번호를 구해(``amax``) 그 값을 가져옵니다.

    Args:
        values, where: (P, L) 값과 출력 칸 번호 (0 ≤ where < size).
    Returns:
        (P, size).
    """
    out = values.new_zeros(values.shape[0], size).scatter_(1, where, values)
    if torch.equal(out.gather(1, where), values):  # 겹친 칸이 없거나, 겹친 값이 모두 같음
        return out
    order = torch.arange(values.shape[1], device=values.device).expand_as(where)
    winner = torch.full((values.shape[0], size), -1, dtype=torch.long, device=values.device)
    winner.scatter_reduce_(1, where, order, reduce="amax")  # 칸마다 그 칸을 가리킨 마지막 입력의 번호 (없으면 -1)
    picked = values.gather(1, winner.clamp(min=0))
    return torch.where(winner >= 0, picked, torch.zeros((), dtype=values.dtype, device=values.device))


def _check_unpool_inputs(x, indices) -> None:
    """최대 언풀링의 입력 규칙 (torch 와 같음): 3·4차원, int64 indices, 같은 모양, 배치 밖 차원은 비지 않음."""
    checks.tensor(x, "x", (3, 4))
    checks.tensor(indices, "indices", (3, 4))
    if indices.dtype != torch.int64:
        raise TypeError(f"indices 는 int64 텐서여야 합니다 (받은 dtype: {indices.dtype})")
    if indices.shape != x.shape:
        raise ValueError(f"indices 의 모양 {tuple(indices.shape)} 이 x 의 모양 {tuple(x.shape)} 과 같아야 합니다")
    if 0 in x.shape[-3:]:
        raise ValueError(f"배치 밖의 차원(C, H, W)은 비어 있으면 안 됩니다 (받은 모양: {tuple(x.shape)})")


def max_unpool2d(x: torch.Tensor, indices: torch.Tensor, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None, padding: int | tuple[int, int] = 0,
                 output_size=None) -> torch.Tensor:
    """최대 풀링의 부분 역연산: 값마다 저장된 최댓값 위치(``indices``)에 놓고 나머지 칸은 0.

    ``torch.nn.functional.max_unpool2d`` 와 같은 값을 냅니다 (겹치는 창 ``stride < kernel_size`` 포함).
    ``indices[n, c, i, j]`` 는 출력 평면 (H_out, W_out) 을 행 우선으로 편 번호입니다.
    최대 풀링이 받지 않는 ``kernel_size < 1``, ``stride < 1``, ``padding < 0`` 은 거부합니다.

    Args:
        x: (N, C, H, W) 또는 (C, H, W), 최대 풀링의 출력 (또는 그 뒤 층이 바꾼 값).
        indices: ``x`` 와 같은 모양의 int64 텐서 (``max_pool2d(..., return_indices=True)`` 의 두 번째 출력).
        kernel_size, stride, padding: 짝이 되는 최대 풀링의 설정. ``stride`` 기본값은 ``kernel_size``.
        output_size: 원하는 출력 크기 (H, W) 또는 (N, C, H, W). ``unpool_output_size`` 참고.
    Returns:
        (N, C, H_out, W_out) 또는 (C, H_out, W_out).
    """
    _check_unpool_inputs(x, indices)
    kernel = checks.pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else checks.pair(stride, "stride", 1)
    padding = checks.pair(padding, "padding", 0)
    out_h, out_w = unpool_output_size(tuple(x.shape[-2:]), kernel, stride, padding, output_size)
    if out_h * out_w == 0:  # 빈 출력 평면: torch 처럼 번호를 보지 않고 빈 텐서를 돌려줍니다
        return x.new_zeros(*x.shape[:-2], out_h, out_w)
    where = indices.reshape(-1, x.shape[-2] * x.shape[-1])  # (N·C, H·W): 평면마다 출력 칸 번호
    if where.numel() and (where.min() < 0 or where.max() >= out_h * out_w):
        bad = where[(where < 0) | (where >= out_h * out_w)][0].item()
        raise ValueError(f"indices 에 출력 {out_h}×{out_w} 밖을 가리키는 번호가 있습니다 (예: {bad}; "
                         f"0 ~ {out_h * out_w - 1} 이어야 함): output_size 가 indices 를 담을 수 없습니다")
    planes = _place_last_writer(x.reshape(where.shape), where, out_h * out_w)  # -> (N·C, H_out·W_out)
    return planes.reshape(*x.shape[:-2], out_h, out_w)


# --------------------------------------------------------------------------------------
# 왕복: 풀링으로 줄이고 업샘플링으로 키우기, 그리고 PSNR
# --------------------------------------------------------------------------------------
def crop_to_multiple(image: torch.Tensor, multiple: int) -> torch.Tensor:
    """오른쪽·아래 가장자리를 잘라 높이와 너비를 ``multiple`` 의 배수로 맞춥니다 (왕복이 크기를 지키도록)."""
    checks.tensor(image, "image", (4,))
    h, w = (side - side % multiple for side in image.shape[-2:])
    if h == 0 or w == 0:
        raise ValueError(f"이미지 {tuple(image.shape[-2:])} 가 {multiple} 보다 작아 자를 수 없습니다")
    return image[..., :h, :w]


def roundtrip(image: torch.Tensor, method: str, kernel_size: int) -> torch.Tensor:
    """``kernel_size`` 배로 줄였다가 ``method`` 로 다시 키운 이미지 (원래와 같은 크기).

    줄이기는 ``max_unpool`` 이면 위치를 저장하는 최대 풀링, 나머지는 평균 풀링입니다. 어느 쪽이든
    스트라이드 = 커널 크기(겹치지 않는 창)입니다.

    Args:
        image: (N, C, H, W), H 와 W 는 ``kernel_size`` 의 배수 (``crop_to_multiple`` 참고).
        method: ``METHODS`` 중 하나.
        kernel_size: 줄이는 배율 k (1 이상의 정수).
    """
    checks.tensor(image, "image", (4,))
    k = checks.pair(kernel_size, "kernel_size", 1)[0]
    if method not in METHODS:
        raise ValueError(f"알 수 없는 방법 {method!r}; {', '.join(METHODS)} 중 하나여야 합니다")
    if image.shape[-2] % k or image.shape[-1] % k:
        raise ValueError(f"이미지 크기 {tuple(image.shape[-2:])} 가 k={k} 의 배수가 아닙니다: "
                         "crop_to_multiple 로 자르세요")
    if method == "max_unpool":
        pooled, indices = F.max_pool2d(image, k, return_indices=True)  # (N, C, H, W) -> (N, C, H/k, W/k)
        return max_unpool2d(pooled, indices, k)
    pooled = F.avg_pool2d(image, k)  # (N, C, H, W) -> (N, C, H/k, W/k)
    if method == "avg_unpool":
        return avg_unpool2d(pooled, k)
    if method == "bed_of_nails":
        return bed_of_nails2d(pooled, k)
    smooth = {"align_corners": False} if method == "bilinear" else {}
    return F.interpolate(pooled, scale_factor=k, mode=method, **smooth)  # "nearest" 또는 "bilinear"


def psnr(reconstruction: torch.Tensor, reference: torch.Tensor, data_range: float = 1.0) -> float:
    """최대 신호 대 잡음비(PSNR, dB) ``10·log10(data_range² / MSE)``. 완전히 같으면 ``inf``."""
    if reconstruction.shape != reference.shape:
        raise ValueError("두 이미지의 모양이 같아야 합니다 "
                         f"({tuple(reconstruction.shape)} vs {tuple(reference.shape)})")
    mse = torch.mean((reconstruction.double() - reference.double()) ** 2).item()
    return math.inf if mse == 0 else 10 * math.log10(data_range**2 / mse)


# --------------------------------------------------------------------------------------
# 서브픽셀 합성곱 (3장): 채널을 공간으로 재배열하기
# --------------------------------------------------------------------------------------
def pixel_shuffle(x: torch.Tensor, factor: int) -> torch.Tensor:
    """채널 ``C·r²`` 개를 ``r × r`` 블록으로 펼칩니다 (``torch.nn.PixelShuffle`` 과 같은 값).

    출력 ``y[c, r·i + a, r·j + b] = x[c·r² + a·r + b, i, j]``: 저해상도 칸 (i, j) 의 채널 묶음 하나가 고해상도
    블록 하나의 r² 칸이 됩니다. 계산 없이 자리만 바꾸는 연산입니다.

    Args:
        x: (N, C·r², H, W).
        factor: 배율 r.
    Returns:
        (N, C, r·H, r·W).
    """
    checks.tensor(x, "x", (4,))
    r = checks.integer(factor, "factor", 1)
    n, channels, h, w = x.shape
    if channels % (r * r):
        raise ValueError(f"채널 수 {channels} 가 factor² = {r * r} 로 나누어떨어져야 합니다")
    blocks = x.reshape(n, channels // (r * r), r, r, h, w)  # (N, C, a, b, H, W)
    return blocks.permute(0, 1, 4, 2, 5, 3).reshape(n, channels // (r * r), h * r, w * r)  # (N, C, H, a, W, b)


@torch.no_grad()
def icnr_(weight: torch.Tensor, factor: int, init=torch.nn.init.kaiming_normal_) -> torch.Tensor:
    """서브픽셀 합성곱의 가중치 (C·r², C_in, k, k) 를 ICNR 로 초기화합니다 (제자리, Aitken 외 2017).

    작은 가중치 (C, C_in, k, k) 하나를 ``init`` 으로 만든 뒤, 한 블록의 r² 칸이 모두 같은 커널을 쓰도록 복제합니다.
    그러면 학습을 시작할 때 ``pixel_shuffle(conv(x))`` 가 "합성곱 뒤 최근접 보간"과 같아 체커보드 무늬가 없습니다.
    """
    r = checks.integer(factor, "factor", 1)
    out_channels = weight.shape[0]
    if out_channels % (r * r):
        raise ValueError(f"출력 채널 수 {out_channels} 가 factor² = {r * r} 로 나누어떨어져야 합니다")
    small = torch.empty(out_channels // (r * r), *weight.shape[1:], dtype=weight.dtype, device=weight.device)
    init(small)
    weight.copy_(small.repeat_interleave(r * r, dim=0))  # 채널 c·r² + (a·r + b) 는 모두 small[c]
    return weight

