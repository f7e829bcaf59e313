"""전치 합성곱(transposed convolution)을 정의 그대로: 입력 픽셀마다 커널을 곱해 뿌리고, 겹치면 더합니다.

- ``conv_transpose2d``: ``torch.nn.functional.conv_transpose2d`` 와 같은 값 (그 함수를 부르지 않고), 인자 순서도 같음.
- ``conv2d_matrix``: 합성곱 하나를 행렬 ``M`` 으로; 전치 합성곱은 ``M.T`` 를 곱하는 일입니다.
- ``bilinear_kernel``: 쌍선형 보간(bilinear interpolation)과 같은 일을 하는 전치 합성곱 커널 (FCN 의 초기값).

``lib.upsampling`` 이 앞의 두 함수를 다시 내보냅니다 (3장).
"""

from __future__ import annotations

import torch

from . import checks

CHUNK_BYTES = 8 * 2**20  # conv_transpose2d 가 한 번에 만드는 곱의 크기: 캐시 안팎 (속도만 바꾸고 값은 그대로)


def transposed_output_size(size: int, kernel: int, stride: int, padding: int, output_padding: int,
                           dilation: int) -> int:
    """전치 합성곱 출력의 한 변: ``(H - 1)·s - 2p + d·(k - 1) + output_padding + 1``."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def _check_inputs(x, weight, bias, groups: int) -> None:
    """``conv_transpose2d`` 의 텐서 인자들이 서로 맞는지 확인합니다 (torch 가 거부하는 것은 여기서도 거부)."""
    checks.tensor(x, "x", (3, 4))
    checks.tensor(weight, "weight", (4,))
    if 0 in weight.shape:
        raise ValueError(f"weight (C_in, C_out/groups, kH, kW) 의 차원은 모두 1 이상이어야 합니다 "
                         f"(받은 모양: {tuple(weight.shape)})")
    c_in = x.shape[-3]
    if x.shape[-2] == 0 or x.shape[-1] == 0:
        if x.ndim == 3 or x.shape[0] > 0:
            raise ValueError(f"x 의 높이와 너비는 1 이상이어야 합니다 (받은 모양: {tuple(x.shape)})")
    if c_in % groups:
        raise ValueError(f"입력 채널 수 {c_in} 가 groups={groups} 로 나누어떨어지지 않습니다")
    if weight.shape[0] != c_in:
        raise ValueError(f"weight 의 첫 차원 {weight.shape[0]} 은 입력 채널 수 {c_in} 와 같아야 합니다")
    if x.dtype != weight.dtype:
        raise TypeError(f"x({x.dtype}) 와 weight({weight.dtype}) 의 자료형이 같아야 합니다")
    c_out = weight.shape[1] * groups
    if bias is not None:
        checks.tensor(bias, "bias", (1,))
        if bias.shape[0] != c_out:
            raise ValueError(f"bias 는 ({c_out},) 모양이어야 합니다 (받은 모양: {tuple(bias.shape)})")


def conv_transpose2d(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride=1,
                     padding=0, output_padding=0, groups: int = 1, dilation=1) -> torch.Tensor:
    """전치 합성곱: 입력 픽셀 하나하나가 커널을 곱한 사본을 출력에 뿌리고, 겹친 곳은 더합니다.

    입력 ``(i, j)`` 의 값 ``x`` 는 커널 칸 ``(ky, kx)`` 를 거쳐 캔버스 위치 ``(i·s + ky·d, j·s + kx·d)`` 에
    ``x · w[ky, kx]`` 를 더합니다. 캔버스 가장자리 ``padding`` 줄을 잘라 내면 출력이 됩니다
    (``output_padding`` 은 오른쪽·아래에 붙는 줄). ``torch.nn.functional.conv_transpose2d`` 와 인자 순서
    (``groups`` 가 ``dilation`` 앞)까지 같고, torch 가 거부하는 입력(출력 크기 0 이하, 빈 입력, 빈 커널)은
    ``ValueError`` 로 거부합니다. 결과의 자료형은 ``x`` 의 것입니다.

    Args:
        x: 입력 (N, C_in, H, W) 또는 (C_in, H, W).
        weight: 커널 (C_in, C_out/groups, kH, kW) — torch 의 전치 합성곱과 같은 배치.
        bias: (C_out,) 또는 None.
        stride, padding, output_padding: 정수 또는 (세로, 가로) 쌍 (NumPy 정수도 받음).
        groups: 채널 묶음 수 (C_in 이 나누어떨어져야 합니다).
        dilation: 커널 칸 사이 간격, 정수 또는 (세로, 가로) 쌍.
    Returns:
        (N, C_out, H_out, W_out), ``H_out = (H-1)·s - 2p + d·(kH-1) + output_padding + 1``.
    """
    groups = checks.integer(groups, "groups", 1)
    _check_inputs(x, weight, bias, groups)
    stride = checks.pair(stride, "stride", 1)
    padding = checks.pair(padding, "padding", 0)
    output_padding = checks.pair(output_padding, "output_padding", 0)
    dilation = checks.pair(dilation, "dilation", 1)
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
    if min(out_size) < 1:
        raise ValueError(f"출력 크기 {tuple(out_size)} 가 1 보다 작습니다: 입력 {h}×{w} 에 비해 padding 이 너무 큽니다")
    (sh, sw), (dh, dw), (ph, pw) = stride, dilation, padding

    # 곱 (1) 은 출력보다 kH·kW/(s_h·s_w) 배 큽니다. 한꺼번에 만들면 메모리를 오가는 데 시간이 들므로, 이미지 몇 장씩
    # (곱이 CHUNK_BYTES 안팎이 되게) 나누어 만들고 바로 더합니다 (2). 결과는 나누지 않았을 때와 같습니다.
    taps = weight.reshape(groups, c_in // groups, c_out_g, kh, kw).permute(0, 3, 4, 2, 1)
    taps = taps.reshape(groups, kh * kw * c_out_g, c_in // groups)  # (G, kH·kW·C_out/G, C_in/G)
    canvas_h = (h - 1) * sh + dh * (kh - 1) + 1 + output_padding[0]
    canvas_w = (w - 1) * sw + dw * (kw - 1) + 1 + output_padding[1]
    rows, cols = -(-canvas_h // sh), -(-canvas_w // sw)  # 위상 하나의 행·열 수 (올림)
    phases = batch.new_zeros(n, groups, c_out_g, sh, sw, rows, cols)
    chunk = max(1, CHUNK_BYTES // max(1, taps.shape[0] * taps.shape[1] * h * w * batch.element_size()))
    for start in range(0, n, chunk):
        part = batch[start:start + chunk]
        # 1) 입력 픽셀 × 커널 (채널 방향으로는 행렬 곱 한 번):
        #    (G, kH·kW·C_out/G, C_in/G) @ (m, G, C_in/G, H·W) -> (m, G, kH, kW, C_out/G, H, W)
        products = torch.matmul(taps, part.reshape(len(part), groups, c_in // groups, h * w))
        products = products.view(len(part), groups, kh, kw, c_out_g, h, w)
        # 2) 겹치는 곳은 더하기. 커널 칸 (ky, kx) 의 사본들은 캔버스에서 간격 s 의 격자 하나에 놓입니다:
        #    캔버스 행 i·s + ky·d 는 "위상" (ky·d) mod s 의 (ky·d) // s + i 번째 행. 위상마다 따로 모아 두면
        #    사본 하나하나가 이웃한 칸들에 한 번에 더해지고(빠름), 끝에 위상들을 번갈아 끼워 캔버스를 만듭니다.
        target = phases[start:start + chunk]
        for ky in range(kh):
            phase_y, row = divmod(ky * dh, sh)[::-1]
            for kx in range(kw):
                phase_x, col = divmod(kx * dw, sw)[::-1]
                target[:, :, :, phase_y, phase_x, row:row + h, col:col + w].add_(products[:, :, ky, kx])
    # (N, G, C/G, s_h, s_w, rows, cols) -> (N, G, C/G, rows, s_h, cols, s_w) -> (N, G, C/G, rows·s_h, cols·s_w)
    canvas = phases.permute(0, 1, 2, 5, 3, 6, 4).reshape(n, groups, c_out_g, rows * sh, cols * sw)

    # 3) 가장자리 padding 줄을 잘라 냅니다: -> (N, C_out, H_out, W_out)
    out = canvas[..., ph:ph + out_size[0], pw:pw + out_size[1]].reshape(n, groups * c_out_g, *out_size)
    if bias is not None:
        out = out + bias.to(out.dtype).reshape(1, -1, 1, 1)
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
    checks.tensor(weight, "weight", (4,))
    (h, w), (sh, sw) = checks.pair(input_size, "input_size", 1), checks.pair(stride, "stride", 1)
    ph, pw = checks.pair(padding, "padding", 0)
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
    factor = checks.integer(factor, "factor", 1)
    channels = checks.integer(channels, "channels", 1)
    size = 2 * factor - factor % 2
    center = (size - 1) / 2
    tent = 1 - (torch.arange(size, dtype=torch.float32) - center).abs() / factor  # (k,)
    weight = torch.zeros(channels, channels, size, size)
    weight[range(channels), range(channels)] = torch.outer(tent, tent)
    return weight
