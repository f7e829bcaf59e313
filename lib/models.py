"""세그멘테이션 모델: 작은 부품을 먼저, 조립한 모델은 맨 끝에 둡니다.

- ``match_size``: 크기가 맞지 않을 때의 정책 하나 (오른쪽·아래를 0 으로 채우거나 잘라 냄).
- 부품: ``ConvBlock`` (3×3 합성곱 → BN → ReLU) × 2, ``Down`` (2×2 스트라이드 2 합성곱 = 학습하는 풀링),
  ``BilinearUpsample`` (쌍선형으로 초기화하거나 고정한 전치 합성곱), ``merge_skip`` (U-Net 스킵을 합치는
  정책 하나: 이어 붙이기·더하기·없음), ``Up`` (U-Net 확장 경로의 한 단계).
- 모델: ``FCN`` (Long et al., 2015) 의 32s·16s·8s 변형, ``UNet`` (Ronneberger et al., 2015).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from . import checks
from .transposed_conv import bilinear_kernel

FCN_VARIANTS = {"32s": 32, "16s": 16, "8s": 8}  # 변형 이름 → 마지막 업샘플링 배율(출력 보폭)


# --------------------------------------------------------------------------------------
# 크기 불일치 정책: 한 곳에서만
# --------------------------------------------------------------------------------------
def match_size(x: torch.Tensor, size) -> torch.Tensor:
    """``x`` 의 (H, W) 를 ``size`` 로 맞춥니다: 왼쪽 위를 고정하고 오른쪽·아래를 0 으로 채우거나 잘라 냅니다.

    모델은 입력을 보폭(stride)의 배수로 채운 뒤 계산하고, 마지막에 같은 함수로 원래 크기만큼 잘라 냅니다.
    왼쪽 위가 고정되어 있으므로 출력 픽셀 (i, j) 는 언제나 입력 픽셀 (i, j) 와 같은 자리입니다.

    Args:
        x: (..., H, W) 텐서.
        size: 목표 (H', W').
    Returns:
        (..., H', W') 텐서 (늘어난 곳은 0).
    """
    h, w = x.shape[-2:]
    return nn.functional.pad(x, (0, size[1] - w, 0, size[0] - h))  # 음수 패딩 = 잘라 내기


def check_input(model: nn.Module, x: torch.Tensor, multiple: int) -> None:
    """세그멘테이션 모델 입력의 규칙 한 곳 (FCN, U-Net 이 ``forward`` 첫 줄에서 부릅니다).

    - (N, in_channels, H, W) 텐서이고 H, W 는 1 이상 (``checks.images``).
    - 학습 모드에서는 배치 정규화가 채널마다 값이 둘 이상 있어야 평균·분산을 낼 수 있습니다. 가장 깊은 특성 맵
      (``multiple`` 배로 줄인 것)의 값 수 N·h·w 가 1 이면 BatchNorm 안에서 알아보기 힘든 오류가 나므로, 그 전에
      배치 크기를 이름으로 들어 알립니다.
    """
    checks.images(x, "입력", channels=model.in_channels)
    n, h, w = x.shape[0], math.ceil(x.shape[-2] / multiple), math.ceil(x.shape[-1] / multiple)
    if model.training and n * h * w < 2:
        raise ValueError(
            f"학습 모드에서 배치 크기 {n}, 입력 {x.shape[-2]}×{x.shape[-1]}이면 가장 깊은 특성 맵이 {h}×{w}이라 "
            "배치 정규화가 채널마다 값 하나로 평균·분산을 내야 합니다. batch_size 를 2 이상으로 하거나, "
            f"입력 한 변을 {multiple + 1} 이상으로 키우거나, 예측만 할 때는 model.eval() 을 쓰세요.")


# --------------------------------------------------------------------------------------
# 부품
# --------------------------------------------------------------------------------------
def conv_bn_relu(in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1) -> list[nn.Module]:
    """합성곱 → 배치 정규화 → ReLU 세 층의 목록. 스트라이드 1 이면 패딩 ``k // 2`` 로 크기를 지킵니다."""
    padding = kernel_size // 2 if stride == 1 else 0
    return [nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU()]


class ConvBlock(nn.Sequential):
    """(3×3 합성곱 → 배치 정규화 → ReLU) × 2. 크기는 그대로: (N, C_in, H, W) -> (N, C_out, H, W)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(*conv_bn_relu(in_channels, out_channels), *conv_bn_relu(out_channels, out_channels))


class Down(nn.Sequential):
    """2×2 스트라이드 2 합성곱(학습하는 풀링) → BN → ReLU → 3×3 합성곱 → BN → ReLU.

    (N, C_in, H, W) -> (N, C_out, H/2, W/2). 출력 픽셀 하나가 겹치지 않는 2×2 입력 블록 하나를 맡으므로,
    보폭 s 의 특징 (i, j) 는 입력 블록 ``[s·i, s·i + s)`` 의 가운데에 놓입니다 (쌍선형 업샘플링과 같은 격자).
    """

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(*conv_bn_relu(in_channels, out_channels, kernel_size=2, stride=2),
                         *conv_bn_relu(out_channels, out_channels))


class BilinearUpsample(nn.ConvTranspose2d):
    """``factor`` 배 전치 합성곱, 쌍선형 보간으로 초기화.

    (N, C, H, W) -> (N, C, factor·H, factor·W). 커널 ``2·factor - factor % 2``, 패딩 ``factor // 2``.

    Args:
        channels: 채널 수 C (입력 = 출력).
        factor: 확대 배율.
        trainable: False 면 가중치를 쌍선형으로 고정합니다 (``requires_grad=False``).
    """

    def __init__(self, channels: int, factor: int, trainable: bool = True):
        weight = bilinear_kernel(factor, channels)
        super().__init__(channels, channels, weight.shape[-1], stride=factor, padding=factor // 2, bias=False)
        with torch.no_grad():
            self.weight.copy_(weight)
        self.weight.requires_grad_(trainable)


SKIP_MODES = ("concat", "add", "none")  # U-Net 의 스킵을 합치는 방법 (``UNet(skip=...)``)


def merge_skip(x: torch.Tensor, skip: torch.Tensor, mode: str) -> torch.Tensor:
    """확장 경로에서 키운 특성 맵 ``x`` 와 수축 경로의 스킵을 합치는 정책 한 곳 (``Up`` 이 씁니다).

    - ``"concat"``: 채널 방향으로 이어 붙입니다 (Ronneberger et al., 2015): (N, C, H, W) 둘 -> (N, 2C, H, W).
    - ``"add"``: 더합니다 (FCN 식): -> (N, C, H, W). 업-합성곱이 이미 채널을 2C → C 로 줄였으므로 스킵과 채널
      수가 같아 1×1 사영이 필요 없습니다.
    - ``"none"``: 스킵을 버리고 ``x`` 만 씁니다 (절제 실험): -> (N, C, H, W).
    """
    if mode == "concat":
        return torch.cat([skip, x], dim=1)
    if mode == "add":
        return x + skip
    return x


class Up(nn.Module):
    """U-Net 확장 경로의 한 단계: 2×2 업-합성곱(채널 2C → C) → 스킵과 합치기(``merge_skip``) → ``ConvBlock``.

    (N, 2C, H, W) 와 스킵 (N, C, 2H, 2W) -> (N, C, 2H, 2W). 커널 2 = 스트라이드 2 라 사본이 겹치지 않으므로
    체커보드 아티팩트의 원인(고르지 않은 겹침)이 없습니다. 합치는 방법만 다르고 나머지는 같습니다: 이어 붙이면
    ``ConvBlock`` 의 첫 합성곱이 2C 채널을, 더하거나 버리면 C 채널을 받습니다.

    Args:
        in_channels: 아래 단계에서 올라오는 채널 수 (원 논문과 이 책은 2C).
        out_channels: 출력 채널 수 C (업-합성곱의 출력이자 스킵의 채널 수).
        skip: ``"concat"``, ``"add"``, ``"none"`` 중 하나.
    """

    def __init__(self, in_channels: int, out_channels: int, skip: str = "concat"):
        super().__init__()
        checks.choice(skip, "skip", SKIP_MODES)
        self.skip = skip
        self.up = nn.ConvTranspose2d(in_channels, out_channels, kernel_size=2, stride=2)
        self.conv = ConvBlock(2 * out_channels if skip == "concat" else out_channels, out_channels)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)  # (N, 2C, H, W) -> (N, C, 2H, 2W)
        if self.skip != "none" and skip.shape[-3:] != x.shape[-3:]:
            raise ValueError(f"스킵 {tuple(skip.shape)} 과 업샘플 결과 {tuple(x.shape)} 의 C×H×W 가 달라요")
        x = merge_skip(x, skip, self.skip)  # concat: (N, 2C, 2H, 2W), add·none: (N, C, 2H, 2W)
        return self.conv(x)  # -> (N, C, 2H, 2W)


def _zero_init(layer: nn.Conv2d) -> nn.Conv2d:
    """FCN 논문처럼 새로 붙인 스킵 점수 층을 0 으로: 학습 시작 때는 거친 변형과 같은 출력을 냅니다."""
    nn.init.zeros_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


# --------------------------------------------------------------------------------------
# 조립한 모델
# --------------------------------------------------------------------------------------
class FCN(nn.Module):
    """완전 합성곱 신경망(fully convolutional network, FCN): 합성곱 인코더 → 1×1 점수 층 → 전치 합성곱.

    인코더는 보폭 1, 2, 4, 8, 16, 32 의 여섯 단계이고 풀링 층 없이 합성곱만 씁니다. 보폭 32 의 점수(score)를

    - ``"32s"``: 한 번에 32 배 키웁니다.
    - ``"16s"``: 2 배 키워 보폭 16 특징의 점수와 더한 뒤(스킵 융합, skip fusion) 16 배 키웁니다.
    - ``"8s"``: 거기서 한 번 더 2 배 키워 보폭 8 의 점수와 더한 뒤 8 배 키웁니다.

    논문(4.3절)처럼 중간의 2 배 업샘플링은 쌍선형으로 초기화해 학습하고, 마지막 업샘플링은 쌍선형으로 고정합니다.

    입력은 32 의 배수로 채워 계산하고 원래 크기로 잘라 내므로(``match_size``), 어떤 H, W >= 1 에서도
    출력이 (N, num_classes, H, W) 입니다.

    Args:
        in_channels: 입력 채널 수 (RGB 면 3).
        num_classes: 클래스 수 = 출력 채널 수.
        variant: ``"32s"``, ``"16s"``, ``"8s"`` 중 하나.
        widths: 여섯 단계의 채널 수 (보폭 1 → 32).
    """

    total_stride = 32

    def __init__(self, in_channels: int, num_classes: int, variant: str = "8s",
                 widths: tuple[int, ...] = (8, 16, 24, 32, 48, 64)):
        super().__init__()
        if variant not in FCN_VARIANTS:
            raise ValueError(f"variant 는 {list(FCN_VARIANTS)} 중 하나여야 합니다 (받은 값: {variant!r})")
        if len(widths) != 6 or min(widths) < 1:
            raise ValueError(f"widths 는 양의 정수 6 개여야 합니다 (보폭 1~32; 받은 값: {widths!r})")
        if in_channels < 1 or num_classes < 1:
            raise ValueError(f"in_channels 와 num_classes 는 1 이상이어야 합니다 ({in_channels}, {num_classes})")
        self.in_channels, self.num_classes, self.variant = in_channels, num_classes, variant
        self.output_stride = FCN_VARIANTS[variant]
        # 인코더: 단계 k 의 출력 보폭은 2**k
        self.stages = nn.ModuleList([ConvBlock(in_channels, widths[0])])
        self.stages.extend(Down(c_in, c_out) for c_in, c_out in zip(widths[:-1], widths[1:]))
        # 1×1 점수 층: 보폭 32 에서 하나, 그리고 스킵으로 쓰는 보폭(16, 8)마다 하나씩
        self.score = nn.Conv2d(widths[-1], num_classes, 1)
        self.skip_strides = [s for s in (16, 8) if s >= self.output_stride]
        self.skip_scores = nn.ModuleList(
            _zero_init(nn.Conv2d(widths[int(math.log2(s))], num_classes, 1)) for s in self.skip_strides)
        self.skip_ups = nn.ModuleList(BilinearUpsample(num_classes, 2) for _ in self.skip_strides)
        self.final_up = BilinearUpsample(num_classes, self.output_stride, trainable=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_input(self, x, self.total_stride)
        size = x.shape[-2:]
        padded = [math.ceil(n / self.total_stride) * self.total_stride for n in size]
        x = match_size(x, padded)  # (N, C, H, W) -> (N, C, 32⌈H/32⌉, 32⌈W/32⌉)
        features = {}
        for k, stage in enumerate(self.stages):
            x = stage(x)  # 단계 k: (N, widths[k], H/2**k, W/2**k)
            features[2**k] = x
        score = self.score(x)  # (N, K, H/32, W/32)
        for stride, skip_score, up in zip(self.skip_strides, self.skip_scores, self.skip_ups):
            score = up(score) + skip_score(features[stride])  # 2 배 키워 더 고운 점수와 융합: (N, K, H/s, W/s)
        score = self.final_up(score)  # (N, K, H/s, W/s) -> (N, K, H_padded, W_padded)
        return match_size(score, size)  # (N, K, H, W)


class UNet(nn.Module):
    """U-Net (Ronneberger et al., 2015): 수축 경로 → 바닥 → 확장 경로, 같은 해상도끼리의 스킵, 1×1 출력층.

    단계 k (0..depth) 의 채널은 ``base_channels · 2**k``, 해상도는 ``H / 2**k`` 입니다.

    - 수축 경로(contracting path): ``ConvBlock`` 다음 ``Down`` 을 ``depth`` 번 (해상도 절반, 채널 두 배).
    - 확장 경로(expansive path): ``Up`` 을 ``depth`` 번. 단계마다 수축 경로의 같은 해상도 특성 맵 전체를
      ``skip`` 방법으로 합칩니다 (기본은 원 논문처럼 이어 붙이기; FCN 처럼 클래스 점수를 더하지 않습니다).
    - 출력층: 1×1 합성곱이 픽셀마다 채널 ``base_channels`` 개를 클래스 점수 ``num_classes`` 개로 바꿉니다.

    세 ``skip`` 방법은 인코더·디코더가 같고 합치는 곳만 다릅니다(``merge_skip``). 파라미터 수는
    ``"add"`` = ``"none"`` 이고, ``"concat"`` 은 확장 경로 단계마다 첫 3×3 합성곱이 2C 채널을 받아 9C² 개 더 많습니다.

    크기 정책은 FCN 과 같습니다(``match_size``): 입력의 오른쪽·아래를 0 으로 채워 ``2**depth`` 의 배수로 계산하고
    출력을 원래 크기로 잘라 내므로, 안에서는 스킵과 업샘플 결과의 크기가 언제나 같고 어떤 H, W >= 1 에서도
    출력이 (N, num_classes, H, W) 입니다.

    Args:
        in_channels: 입력 채널 수 (RGB 면 3).
        num_classes: 클래스 수 = 출력 채널 수.
        base_channels: 첫 단계의 채널 수.
        depth: 해상도를 절반으로 줄이는 횟수 (원 논문은 4).
        skip: ``"concat"`` (이어 붙이기), ``"add"`` (더하기), ``"none"`` (스킵 없음). 그 밖의 값은 ValueError.
    """

    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 8, depth: int = 4,
                 skip: str = "concat"):
        super().__init__()
        if min(in_channels, num_classes, base_channels, depth) < 1:
            raise ValueError("in_channels, num_classes, base_channels, depth 는 모두 1 이상이어야 합니다 "
                             f"(받은 값: {in_channels}, {num_classes}, {base_channels}, {depth})")
        checks.choice(skip, "skip", SKIP_MODES)
        self.in_channels, self.num_classes, self.depth, self.skip = in_channels, num_classes, depth, skip
        widths = [base_channels * 2**k for k in range(depth + 1)]
        self.stem = ConvBlock(in_channels, widths[0])  # 수축 경로 단계 0: 3×3 합성곱 두 번
        self.downs = nn.ModuleList(Down(c_in, c_out) for c_in, c_out in zip(widths[:-1], widths[1:]))
        self.ups = nn.ModuleList(Up(c_in, c_out, skip) for c_in, c_out in zip(widths[:0:-1], widths[-2::-1]))
        self.head = nn.Conv2d(widths[0], num_classes, kernel_size=1)  # 픽셀마다 채널 → 클래스 점수

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        multiple = 2**self.depth
        check_input(self, x, multiple)
        size = x.shape[-2:]
        x = match_size(x, [math.ceil(n / multiple) * multiple for n in size])  # (N, C, H', W'), 2**depth 의 배수
        x = self.stem(x)  # (N, B, H', W')
        skips = []
        for down in self.downs:
            skips.append(x)
            x = down(x)  # (N, C, h, w) -> (N, 2C, h/2, w/2)
        for up, skip in zip(self.ups, reversed(skips)):
            x = up(x, skip)  # (N, 2C, h, w) -> (N, C, 2h, 2w)
        return match_size(self.head(x), size)  # (N, B, H', W') -> (N, K, H, W)
