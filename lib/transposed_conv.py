"""전치 합성곱(transposed convolution)을 정의 그대로: 입력 픽셀마다 커널을 곱해 뿌리고, 겹치면 더합니다.

- ``conv_transpose2d``: ``torch.nn.functional.conv_transpose2d`` 와 같은 값 (그 함수를 부르지 않고).
- ``conv2d_matrix``: 합성곱 하나를 행렬 ``M`` 으로; 전치 합성곱은 ``M.T`` 를 곱하는 일입니다.
- ``bilinear_kernel``: 쌍선형 보간(bilinear interpolation)과 같은 일을 하는 전치 합성곱 커널 (FCN 의 초기값).

``lib.upsampling`` 이 앞의 두 함수를 다시 내보냅니다 (3장).
"""

from __future__ import annotations

import torch


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """정수 하나 또는 정수 1·2개짜리 튜플을 (세로, 가로) 쌍으로 바꾸고 ``minimum`` 이상인지 확인합니다.

    2·3장의 모든 연산(언풀링, 전치 합성곱)이 크기 인자를 이 한 규칙으로 읽습니다.
    """
    values = tuple(value) if isinstance(value, (tuple, list, torch.Size)) else (value,)
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{name} 는 정수 하나 또는 (세로, 가로) 정수 쌍이어야 합니다 (받은 값: {value!r})")
    if min(values) < minimum:
        raise ValueError(f"{name} 는 {minimum} 이상이어야 합니다 (받은 값: {value!r})")
    return values


def transposed_output_size(size: int, kernel: int, stride: int, padding: int, output_padding: int,
                           dilation: int) -> int:
    """전치 합성곱 출력의 한 변: ``(H - 1)·s - 2p + d·(k - 1) + output_padding + 1``."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _check_inputs(x, weight, bias, groups) -> None:
    """``conv_transpose2d`` 의 텐서 인자들이 서로 맞는지 확인합니다."""
    if not isinstance(x, torch.Tensor) or not isinstance(weight, torch.Tensor):
        raise TypeError("x 와 weight 는 torch.Tensor 여야 합니다")
    if x.ndim not in (3, 4):
        raise ValueError(f"x 는 (N, C, H, W) 또는 (C, H, W) 여야 합니다 (받은 모양: {tuple(x.shape)})")
    if weight.ndim != 4:
        raise ValueError(f"weight 는 (C_in, C_out/groups, kH, kW) 4차원이어야 합니다 (받은 모양: {tuple(weight.shape)})")
    if not isinstance(groups, int) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"groups 는 1 이상의 정수여야 합니다 (받은 값: {groups!r})")
    c_in = x.shape[-3]
    if c_in % groups:
        raise ValueError(f"입력 채널 수 {c_in} 가 groups={groups} 로 나누어떨어지지 않습니다")
    if weight.shape[0] != c_in:
        raise ValueError(f"weight 의 첫 차원 {weight.shape[0]} 은 입력 채널 수 {c_in} 와 같아야 합니다")
    if x.dtype != weight.dtype:
        raise TypeError(f"x({x.dtype}) 와 weight({weight.dtype}) 의 자료형이 같아야 합니다")
    c_out = weight.shape[1] * groups
    if bias is not None and (not isinstance(bias, torch.Tensor) or tuple(bias.shape) != (c_out,)):
        raise ValueError(f"bias 는 ({c_out},) 모양의 텐서여야 합니다 "
                         f"(받은 모양: {tuple(getattr(bias, 'shape', ()))})")


def conv_transpose2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride=1,
                     padding=0, output_padding=0, dilation=1, groups: int = 1) -> torch.Tensor:
    """전치 합성곱: 입력 픽셀 하나하나가 커널을 곱한 사본을 출력에 뿌리고, 겹친 곳은 더합니다.

    입력 ``(i, j)`` 의 값 ``x`` 는 커널 칸 ``(ky, kx)`` 를 거쳐 캔버스 위치 ``(i·s + ky·d, j·s + kx·d)`` 에
    ``x · w[ky, kx]`` 를 더합니다. 캔버스 가장자리 ``padding`` 줄을 잘라 내면 출력이 됩니다
    (``output_padding`` 은 오른쪽·아래에 붙는 줄). ``torch.nn.functional.conv_transpose2d`` 와 같은 값입니다.

    Args:
        x: 입력 (N, C_in, H, W) 또는 (C_in, H, W).
        weight: 커널 (C_in, C_out/groups, kH, kW) — torch 의 전치 합성곱과 같은 배치.
        bias: (C_out,) 또는 None.
        stride, padding, output_padding, dilation: 정수 또는 (세로, 가로) 쌍.
        groups: 채널 묶음 수 (C_in 이 나누어떨어져야 합니다).
    Returns:
        (N, C_out, H_out, W_out), ``H_out = (H-1)·s - 2p + d·(kH-1) + output_padding + 1``.
    """
    _check_inputs(x, weight, bias, groups)
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    output_padding = _pair(output_padding, "output_padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    for op, s, d in zip(output_padding, stride, dilation):
        if op >= s and op >= d:
            raise ValueError(f"output_padding 은 stride 나 dilation 중 하나보다 작아야 합니다 "
                             f"(받은 값: output_padding={output_padding}, stride={stride}, dilation={dilation})")
    unbatched = x.ndim == 3
    batch = x[None] if unbatched else x
    n, c_in, h, w = batch.shape
    c_out_g, kh, kw = weight.shape[1:]
    out_size = [transposed_output_size(*args)
                for args in zip((h, w), (kh, kw), stride, padding, output_padding, dilation)]
    if min(out_size) < 0:
        raise ValueError(f"출력 크기 {tuple(out_size)} 가 음수입니다: padding 이 너무 큽니다")

    # 1) 입력 픽셀 × 커널 (채널 방향으로는 행렬 곱 한 번):
    #    (G, kH·kW·C_out/G, C_in/G) @ (N, G, C_in/G, H·W) -> (N, G, kH, kW, C_out/G, H, W)
    taps = weight.reshape(groups, c_in // groups, c_out_g, kh, kw).permute(0, 3, 4, 2, 1)
    products = torch.matmul(taps.reshape(groups, kh * kw * c_out_g, c_in // groups),
                            batch.reshape(n, groups, c_in // groups, h * w))
    products = products.view(n, groups, kh, kw, c_out_g, h, w)
    # 2) 겹치는 곳은 더하기: 커널 칸 (ky, kx) 의 곱들은 캔버스에서 stride 간격의 격자 하나를 채웁니다
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding
    canvas = batch.new_zeros(n, groups, c_out_g, (h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0],
                             (w - 1) * sw + dw * (kw - 1) + 1 + output_padding[1])
    for ky in range(kh):
        for kx in range(kw):
            rows = slice(ky * dh, ky * dh + (h - 1) * sh + 1, sh)
            cols = slice(kx * dw, kx * dw + (w - 1) * sw + 1, sw)
            canvas[..., rows, cols].add_(products[:, :, ky, kx])  # 제자리 덧셈 (`+=` 는 한 번 더 복사합니다)
    # 3) 가장자리 padding 줄을 잘라 냅니다: (N, G, C_out/G, H_canvas, W_canvas) -> (N, C_out, H_out, W_out)
    out = canvas[..., ph:ph + out_size[0], pw:pw + out_size[1]].reshape(n, groups * c_out_g, *out_size)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out[0] if unbatched else out


def conv2d_matrix(weight: torch.Tensor, input_size, stride=1, padding=0) -> torch.Tensor:
    """합성곱 한 번을 밀집 행렬 ``M`` 으로: 이미지 한 장에 대해 ``conv2d(x).flatten() == M @ x.flatten()``.

    ``M`` 의 행 하나는 출력 위치 하나이고, 그 행에는 커널이 그 위치의 창(window)에 놓인 모습이 담깁니다.
    ``M.T @ y.flatten()`` 은 같은 커널의 전치 합성곱 ``conv_transpose2d(y, weight, stride, padding)`` 이며,
    합성곱의 입력에 대한 기울기(gradient)이기도 합니다.

    Args:
        weight: 합성곱 커널 (C_out, C_in, kH, kW).
        input_size: 입력의 (H, W) 또는 한 변.
        stride, padding: 정수 또는 (세로, 가로) 쌍.
    Returns:
        (C_out·H_out·W_out, C_in·H·W) 행렬.
    """
    if not isinstance(weight, torch.Tensor) or weight.ndim != 4:
        raise ValueError(f"weight 는 (C_out, C_in, kH, kW) 4차원 텐서여야 합니다 "
                         f"(받은 모양: {tuple(getattr(weight, 'shape', ()))})")
    (h, w), (sh, sw), (ph, pw) = _pair(input_size, "input_size", 1), _pair(stride, "stride", 1), \
        _pair(padding, "padding", 0)
    c_out, c_in, kh, kw = weight.shape
    out_h, out_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if out_h < 1 or out_w < 1:
        raise ValueError(f"커널 {kh}x{kw} 가 0 으로 채운 입력 {h + 2 * ph}x{w + 2 * pw} 보다 큽니다")
    # 출력 위치마다, 0 으로 채운 입력 위에 커널을 그 창에 놓습니다: (C_out, H_out, W_out, C_in, H+2p, W+2p)
    rows = weight.new_zeros(c_out, out_h, out_w, c_in, h + 2 * ph, w + 2 * pw)
    for oy in range(out_h):
        for ox in range(out_w):
            rows[:, oy, ox, :, oy * sh:oy * sh + kh, ox * sw:ox * sw + kw] = weight
    # 채운 가장자리는 실제 입력이 아니므로 잘라 냅니다 -> (C_out·H_out·W_out, C_in·H·W)
    return rows[..., ph:ph + h, pw:pw + w].reshape(c_out * out_h * out_w, c_in * h * w)


def bilinear_kernel(factor: int, channels: int = 1) -> torch.Tensor:
    """``factor`` 배 쌍선형 업샘플링을 하는 전치 합성곱 커널 (C, C, k, k), ``k = 2·factor - factor % 2``.

    1차원 삼각형 ``1 - |t - c| / factor`` (c 는 커널 중심) 두 개의 바깥곱이고, 채널끼리는 섞지 않습니다
    (대각 성분만). ``stride=factor, padding=factor // 2`` 로 쓰면 출력이 정확히 ``factor`` 배가 되고,
    가장자리를 뺀 곳에서 ``F.interpolate(mode="bilinear", align_corners=False)`` 와 같습니다.

    Args:
        factor: 확대 배율 (1 이상의 정수).
        channels: 채널 수 C.
    Returns:
        (C, C, k, k) float32 텐서.
    """
    if not isinstance(factor, int) or factor < 1 or not isinstance(channels, int) or channels < 1:
        raise ValueError(f"factor 와 channels 는 1 이상의 정수여야 합니다 (받은 값: {factor!r}, {channels!r})")
    size = 2 * factor - factor % 2
    center = (size - 1) / 2
    tent = 1 - (torch.arange(size, dtype=torch.float32) - center).abs() / factor  # (k,)
    weight = torch.zeros(channels, channels, size, size)
    weight[range(channels), range(channels)] = torch.outer(tent, tent)
    return weight
