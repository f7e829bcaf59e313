"""합성곱 세그멘테이션(convolutional segmentation): 픽셀마다 분류하기, 그리고 한 번에 분류하기.

고전적인 방법은 픽셀마다 그 픽셀을 가운데 둔 패치(patch)를 잘라 CNN 분류기에 넣습니다.
패딩·풀링 없이 스트라이드 1 로만 움직이는 CNN 이라면, 이미지 전체(가장자리를 0 으로 채운)에
한 번만 적용해도 모든 픽셀의 결과를 똑같이 얻습니다 — 이웃한 패치가 공유하는 계산을 한 번만 하기 때문입니다.

- ``PatchCNN``: 3×3 합성곱(패딩 없음, 스트라이드 1, 팽창 선택)을 쌓은 픽셀 분류기. p×p 패치 하나를 1×1 로짓으로.
- ``patch_mlp``, ``convolutionalize``: 완전 연결 패치 분류기와, 그것을 같은 계산의 합성곱으로 바꾸기 (FCN 3.1절).
- ``sliding_window_predict``: 픽셀마다 패치를 잘라 분류 (``batch_size=1`` 이면 한 픽셀씩, ``None`` 이면 한 번에).
- ``dense_predict``: 0 으로 채운 이미지 전체에 한 번의 순전파.
- ``receptive_field``, ``conv_cost``: 수용 영역과 곱셈-덧셈 수·활성값 수 세기.
- ``downsampling_cnn``: 같은 수용 영역을 풀링으로 싸게 얻는 비교용 네트워크.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from . import checks, config


# --------------------------------------------------------------------------------------
# 모델: 패딩·풀링 없는 스트라이드 1 합성곱만 쌓은 픽셀 분류기
# --------------------------------------------------------------------------------------
class PatchCNN(nn.Sequential):
    """(3×3 합성곱 → ReLU) × depth → 1×1 합성곱 분류기. 패딩 없음, 스트라이드 1.

    팽창(dilation) d 인 3×3 합성곱 하나는 가장자리를 d 줄씩 깎으므로, 수용 영역은 ``1 + 2·(d_1 + ... + d_L)``
    이고 그 크기의 패치가 정확히 1×1 이 됩니다. 팽창이 모두 1 이면 ``1 + 2·depth`` 입니다.

    Args:
        in_channels: 입력 채널 수 (RGB 면 3).
        num_classes: 클래스 수 = 출력 채널 수.
        width: 은닉 합성곱의 채널 수.
        depth: 3×3 합성곱 층의 수 (``dilations`` 를 주면 그 길이).
        dilations: 층마다의 팽창. 없으면 모두 1. 층 수·채널 수·곱셈-덧셈 수는 그대로 두고 수용 영역만 넓힙니다.
    """

    def __init__(self, in_channels: int, num_classes: int, width: int = 32, depth: int = 6,
                 dilations: tuple[int, ...] | None = None):
        dilations = (1,) * depth if dilations is None else tuple(dilations)
        if not dilations or width < 1 or min(dilations) < 1:
            raise ValueError(f"depth(또는 dilations 의 길이), width, 팽창은 1 이상이어야 합니다 "
                             f"(받은 값: depth={depth}, width={width}, dilations={dilations})")
        layers: list[nn.Module] = []
        channels = in_channels
        for d in dilations:  # (N, C, H, W) -> (N, width, H-2d, W-2d)
            layers += [nn.Conv2d(channels, width, kernel_size=3, dilation=d), nn.ReLU()]
            channels = width
        layers.append(nn.Conv2d(channels, num_classes, kernel_size=1))  # 픽셀마다 공유되는 분류기 (소프트맥스 전 로짓)
        super().__init__(*layers)
        self.num_classes = num_classes


def patch_mlp(in_channels: int, num_classes: int, patch_size: int, hidden: int = 64) -> nn.Sequential:
    """완전 연결(fully connected) 패치 분류기: p×p 패치를 펼쳐 Linear → ReLU → Linear.

    (B, C, p, p) -> (B, C·p·p) -> (B, hidden) -> (B, classes) -> (B, classes, 1, 1). 마지막 모양은
    ``sliding_window_predict`` 가 받는 분류기의 약속(패치 하나 → 1×1 로짓)에 맞춘 것입니다.
    """
    return nn.Sequential(nn.Flatten(), nn.Linear(in_channels * patch_size**2, hidden), nn.ReLU(),
                         nn.Linear(hidden, num_classes), nn.Unflatten(1, (num_classes, 1, 1)))


def convolutionalize(mlp: nn.Sequential, in_channels: int, patch_size: int) -> nn.Sequential:
    """완전 연결 층을 같은 계산을 하는 합성곱으로 (Long et al. 2015, 3.1절): 가중치는 모양만 바꿉니다.

    첫 ``Linear(C·p·p → h)`` 는 p×p 커널의 ``Conv2d(C → h)`` 가, 다음 ``Linear(h → K)`` 는 ``1×1 Conv2d`` 가
    됩니다. 펼치는 순서(채널, 행, 열)가 ``Conv2d`` 커널의 (C_in, kH, kW) 와 같기 때문입니다. 결과 모델은 이미지
    어디에나 적용되어, 위치마다 MLP 를 따로 부른 것과 같은 로짓을 한 번에 냅니다.
    """
    first, last = (m for m in mlp if isinstance(m, nn.Linear))
    conv_first = nn.Conv2d(in_channels, first.out_features, patch_size)
    conv_last = nn.Conv2d(last.in_features, last.out_features, 1)
    with torch.no_grad():
        # (h, C·p·p) -> (h, C, p, p),  (K, h) -> (K, h, 1, 1)
        conv_first.weight.copy_(first.weight.view(first.out_features, in_channels, patch_size, patch_size))
        conv_first.bias.copy_(first.bias)
        conv_last.weight.copy_(last.weight[:, :, None, None])
        conv_last.bias.copy_(last.bias)
    return nn.Sequential(conv_first, nn.ReLU(), conv_last)


def downsampling_cnn(stages: int, width: int, num_classes: int | None = None) -> nn.Sequential:
    """비용 비교용 다운샘플링 CNN: 단계마다 (3×3 합성곱 → ReLU) × 2, 단계 사이에 2×2 최대 풀링.

    단계 ``s`` 의 채널은 ``width·2**s``, 해상도는 ``1/2**s`` 입니다 (패딩 1 이라 합성곱은 크기를 지킵니다).
    ``PatchCNN`` 과 같은 수용 영역을 훨씬 적은 계산으로 얻는다는 것을 1·2장에서 보여 줍니다.

    Args:
        stages: 단계 수 (풀링은 ``stages - 1`` 번).
        width: 첫 단계의 채널 수.
        num_classes: 주어지면 마지막에 1×1 합성곱 분류기를 붙입니다.
    """
    if stages < 1 or width < 1:
        raise ValueError(f"stages 와 width 는 1 이상이어야 합니다 (받은 값: stages={stages}, width={width})")
    layers: list[nn.Module] = []
    channels = 3
    for stage in range(stages):
        if stage:
            layers.append(nn.MaxPool2d(2))  # (N, C, H, W) -> (N, C, H/2, W/2)
        out = width * 2**stage
        layers += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU(), nn.Conv2d(out, out, 3, padding=1), nn.ReLU()]
        channels = out
    if num_classes is not None:
        layers.append(nn.Conv2d(channels, num_classes, 1))
    return nn.Sequential(*layers)


def receptive_field(model: nn.Module) -> int:
    """순서대로 적용되는 합성곱·풀링 층들의 수용 영역(receptive field) 한 변의 길이.

    층마다 ``r ← r + (k − 1)·dilation·j`` , ``j ← j·stride`` (``j`` 는 입력 픽셀 단위의 출력 간격).
    정사각 커널만 다룹니다; 등록 순서가 적용 순서인 모델(``nn.Sequential`` 등)을 가정합니다.
    """
    size, jump = 1, 1
    for layer in model.modules():
        if isinstance(layer, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            k, s, d = (_first(getattr(layer, name, 1)) for name in ("kernel_size", "stride", "dilation"))
            size += (k - 1) * d * jump
            jump *= s
    return size


def _first(value) -> int:
    return value[0] if isinstance(value, tuple) else value


# --------------------------------------------------------------------------------------
# 입력 검사: 한 곳에서 같은 규칙으로
# --------------------------------------------------------------------------------------
def _check_inputs(image, patch_size) -> None:
    checks.images(image, "image")
    patch_size = checks.integer(patch_size, "patch_size")
    if patch_size < 1 or patch_size % 2 == 0:
        raise ValueError(
            f"patch_size 는 양의 홀수여야 합니다 (받은 값: {patch_size}): 패치의 가운데 픽셀이 하나로 정해져야 합니다"
        )


def _size_mismatch(what: str, got: tuple | None, expected: tuple, patch_size: int) -> ValueError:
    """모델 출력 크기가 patch_size 로 설명되지 않을 때의 오류 (``got=None``: 모델이 입력을 처리하지 못함)."""
    result = "처리하지 못했습니다" if got is None else f"{got[0]}×{got[1]} 로 바꿨습니다"
    return ValueError(
        f"모델이 {what}을(를) {result}. 출력은 {expected[0]}×{expected[1]} 이어야 합니다. "
        f"픽셀 분류기는 패딩·풀링 없는 스트라이드 1 모델이어야 하고, 수용 영역이 patch_size={patch_size} 와 "
        f"같아야 합니다 (patch_size 가 수용 영역보다 크면 출력이 1×1 보다 커지고, 작으면 모델이 실행되지 않습니다)."
    )


def _run_checked(model: nn.Module, batch: torch.Tensor, what: str, expected: tuple, patch_size: int):
    """모델을 실행하고, 출력의 공간 크기가 ``expected`` 가 아니면 설명과 함께 알립니다.

    입력이 수용 영역보다 작아 모델이 실패해도 같은 설명으로 바꿉니다.
    """
    try:
        logits = model(batch)
    except RuntimeError as error:  # 예: 패치가 수용 영역보다 작아 커널이 입력보다 큼
        raise _size_mismatch(what, None, expected, patch_size) from error
    if logits.ndim != 4 or tuple(logits.shape[-2:]) != expected:
        raise _size_mismatch(what, tuple(logits.shape[-2:]), expected, patch_size)
    return logits


def pad_for_patches(image: torch.Tensor, patch_size: int) -> torch.Tensor:
    """가장자리 픽셀도 온전한 패치를 갖도록 사방을 ``patch_size // 2`` 만큼 0 으로 채웁니다.

    (N, C, H, W) -> (N, C, H + p − 1, W + p − 1)
    """
    half = patch_size // 2
    return F.pad(image, (half, half, half, half))


# --------------------------------------------------------------------------------------
# 두 가지 예측: 픽셀마다 / 한 번에
# --------------------------------------------------------------------------------------
@torch.no_grad()
def sliding_window_predict(model: nn.Module, image: torch.Tensor, patch_size: int, batch_size: int | None = None,
                           progress: bool = False, device: torch.device | str | None = None) -> torch.Tensor:
    """픽셀마다 따로 분류합니다: 각 픽셀을 가운데 둔 p×p 패치를 0 으로 채운 이미지에서 잘라 모델에 넣습니다.

    Args:
        model: p×p 패치 (B, C, p, p) 를 (B, classes, 1, 1) 로짓으로 바꾸는 분류기.
        image: (N, C, H, W).
        patch_size: 패치 한 변 p (양의 홀수).
        batch_size: 한 번의 순전파에 넣을 패치 수. 1 이면 픽셀 하나씩 도는 고전적 반복문,
            ``None`` 이면 모든 패치를 한 배치로 묶어 한 번에 (노트의 "그룹화").
        progress: True 면 tqdm 진행 막대와, 끝난 뒤 요약 한 줄을 보입니다.
        device: 계산할 장치 (None 이면 ``config.device()``). 모델을 그 장치로 옮깁니다.
    Returns:
        (N, classes, H, W) 로짓 (CPU).
    """
    _check_inputs(image, patch_size)
    device = config.resolve_device(device)
    model.to(device)
    image = image.to(device)
    n, c, h, w = image.shape
    p = patch_size
    # (N, C, H+p-1, W+p-1) -> (N, C, H, W, p, p) -> (N·H·W, C, p, p): 복사 없는 보기(view)에서 패치를 꺼냅니다
    windows = pad_for_patches(image, p).unfold(2, p, 1).unfold(3, p, 1)
    patches = windows.permute(0, 2, 3, 1, 4, 5).reshape(n * h * w, c, p, p) if batch_size is None else None
    total = n * h * w
    step = total if batch_size is None else batch_size
    if step < 1:
        raise ValueError(f"batch_size 는 1 이상이거나 None 이어야 합니다 (받은 값: {batch_size})")
    outputs = []
    started = time.perf_counter()
    for start in tqdm(range(0, total, step), disable=not progress, desc="패치 분류", unit="배치"):
        if patches is not None:
            batch = patches[start:start + step]
        else:
            index = torch.arange(start, min(start + step, total), device=device)
            ni, yi, xi = index // (h * w), index // w % h, index % w
            batch = windows[ni, :, yi, xi]  # (B, C, p, p)
        logits = _run_checked(model, batch, f"{p}×{p} 패치", (1, 1), p)  # (B, classes, 1, 1)
        outputs.append(logits[:, :, 0, 0])  # (B, classes)
    logits = torch.cat(outputs)  # (N·H·W, classes)
    if progress:
        print(f"패치 분류: 패치 {total:,}개를 순전파 {len(outputs):,}번으로, {time.perf_counter() - started:.1f}초")
    return logits.reshape(n, h, w, -1).permute(0, 3, 1, 2).contiguous().cpu()  # (N, classes, H, W)


@torch.no_grad()
def dense_predict(model: nn.Module, image: torch.Tensor, patch_size: int,
                  device: torch.device | str | None = None) -> torch.Tensor:
    """``sliding_window_predict`` 와 같은 로짓을, 0 으로 채운 이미지 전체에 대한 순전파 한 번으로 얻습니다.

    스트라이드 1·패딩 없음인 모델의 출력 (i, j) 는 입력의 (i, j) 에서 시작하는 p×p 창만 봅니다. 사방을
    p//2 씩 채운 이미지에서 그 창은 곧 원래 픽셀 (i, j) 를 가운데 둔 패치입니다.

    Args:
        model: 패딩·풀링 없는 스트라이드 1 모델, 수용 영역 = ``patch_size``.
        image: (N, C, H, W).
        patch_size: 패치 한 변 p (양의 홀수).
        device: 계산할 장치 (None 이면 ``config.device()``). 모델을 그 장치로 옮깁니다.
    Returns:
        (N, classes, H, W) 로짓 (CPU).
    """
    _check_inputs(image, patch_size)
    device = config.resolve_device(device)
    model.to(device)
    image = image.to(device)
    h, w = image.shape[-2:]
    padded = pad_for_patches(image, patch_size)  # (N, C, H+p-1, W+p-1)
    what = f"채운 이미지 {h + patch_size - 1}×{w + patch_size - 1}"
    return _run_checked(model, padded, what, (h, w), patch_size).cpu()  # (N, classes, H, W)


# --------------------------------------------------------------------------------------
# 비용 세기: 곱셈-덧셈(MAC)과 활성값 수
# --------------------------------------------------------------------------------------
@torch.no_grad()
def conv_cost(model: nn.Module, input_shape: tuple) -> dict:
    """``input_shape`` (N, C, H, W) 입력 한 번의 순전파에서 합성곱·전치 합성곱 층들의 비용을 셉니다.

    Returns:
        ``{"macs": 곱셈-덧셈 수, "activations": 출력 원소 수의 합, "layers": 층별 (이름, 출력 모양, MAC)}``.
        합성곱 하나의 MAC = 출력 원소 수 × (입력 채널/groups) × k_h × k_w, 전치 합성곱 하나의 MAC = 입력 원소 수
        × (출력 채널/groups) × k_h × k_w (입력 픽셀마다 커널 사본 하나). 모델은 자기 장치에서 실행하고 옮기지
        않습니다 (``meta`` 장치의 모델이면 계산 없이 모양만 셉니다).
    """
    layers = []

    def count(name):
        def hook(layer, inputs, output):
            kh, kw = layer.kernel_size
            if isinstance(layer, nn.ConvTranspose2d):
                macs = inputs[0].numel() * (layer.out_channels // layer.groups) * kh * kw
            else:
                macs = output.numel() * (layer.in_channels // layer.groups) * kh * kw
            layers.append((name, tuple(output.shape), macs))
        return hook

    kinds = (nn.Conv2d, nn.ConvTranspose2d)
    handles = [m.register_forward_hook(count(name)) for name, m in model.named_modules() if isinstance(m, kinds)]
    try:
        model(torch.zeros(input_shape, device=next(model.parameters()).device))
    finally:
        for handle in handles:
            handle.remove()
    return {
        "macs": sum(m for _, _, m in layers),
        "activations": sum(torch.Size(s).numel() for _, s, _ in layers),
        "layers": layers,
    }
