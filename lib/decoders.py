"""2장의 실험: 같은 인코더에 업샘플링 방법만 다른 디코더를 붙인 작은 세그멘테이션 모델.

인코더는 단계마다 (3×3 합성곱 → BN → ReLU) 다음 2×2 최대 풀링(위치 저장)이고, 디코더는 단계마다 업샘플링 한 번
다음 (3×3 합성곱 → BN → ReLU) 입니다. 스킵 연결은 없습니다: 디코더가 받는 위치 정보는 업샘플링 방법이 주는 것뿐입니다.

- ``"max_unpool"``: SegNet 식 (Badrinarayanan 외 2017) — 짝이 되는 인코더 풀링이 저장한 위치로 되돌리기.
- ``"nearest"``, ``"bilinear"``: 보간 (학습할 것 없음).
- ``"transposed"``: 2×2 스트라이드 2 전치 합성곱 (학습함, 채널마다 C×C×4 개의 가중치가 더 있음).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from . import checks, upsampling
from .models import conv_bn_relu, match_size

UP_METHODS = {"max_unpool": "최대 언풀링 (SegNet)", "nearest": "최근접 보간", "bilinear": "쌍선형 보간",
              "transposed": "전치 합성곱 (학습)"}


class EncoderDecoder(nn.Module):
    """SegNet 모양의 인코더-디코더: 해상도를 ``2**depth`` 배 줄였다가 ``up`` 방법으로 되살립니다.

    - 인코더 단계 k: 3×3 합성곱(→ BN → ReLU)으로 채널 ``width·2**k`` 를 만든 뒤 2×2 최대 풀링 (위치 저장).
    - 바닥: 3×3 합성곱 한 번.
    - 디코더 단계 k (깊은 쪽부터): 업샘플링 ×2 (최대 언풀링이면 인코더 단계 k 의 위치로) 뒤 3×3 합성곱.
    - 1×1 합성곱으로 클래스 점수.

    (N, C_in, H, W) -> (N, num_classes, H, W). 입력은 오른쪽·아래를 0 으로 채워 ``2**depth`` 의 배수로 계산하고
    원래 크기로 잘라 냅니다 (``models.match_size``). 업샘플링 방법 말고는 모든 모델이 같습니다 (전치 합성곱만
    단계마다 C×C×4 + C 개의 학습 가중치가 더 있습니다).

    Args:
        in_channels: 입력 채널 수.
        num_classes: 클래스 수.
        up: ``UP_METHODS`` 중 하나.
        width: 첫 단계의 채널 수.
        depth: 줄이는 횟수.
    """

    def __init__(self, in_channels: int, num_classes: int, up: str, width: int = 16, depth: int = 3):
        super().__init__()
        checks.choice(up, "up", tuple(UP_METHODS))
        checks.integer(depth, "depth", 1)
        self.in_channels, self.up, self.depth = in_channels, up, depth
        widths = [width * 2**k for k in range(depth)]
        inputs = [in_channels, *widths[:-1]]
        self.encoders = nn.ModuleList(nn.Sequential(*conv_bn_relu(a, b)) for a, b in zip(inputs, widths))
        self.bottom = nn.Sequential(*conv_bn_relu(widths[-1], widths[-1]))
        self.decoders = nn.ModuleList(nn.Sequential(*conv_bn_relu(b, a)) for a, b in zip([widths[0], *widths],
                                                                                           widths))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(c, c, 2, stride=2) if up == "transposed" else nn.Identity()
                                 for c in widths)
        self.head = nn.Conv2d(widths[0], num_classes, 1)

    def upsample(self, x: torch.Tensor, level: int, indices: torch.Tensor) -> torch.Tensor:
        """단계 ``level`` 의 업샘플링 한 번: (N, C, h, w) -> (N, C, 2h, 2w)."""
        if self.up == "max_unpool":
            return upsampling.max_unpool2d(x, indices, 2)  # 짝이 되는 인코더 풀링이 저장한 위치로
        if self.up == "transposed":
            return self.ups[level](x)
        options = {"align_corners": False} if self.up == "bilinear" else {}
        return F.interpolate(x, scale_factor=2, mode=self.up, **options)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        checks.images(x, "입력", channels=self.in_channels)
        size = x.shape[-2:]
        multiple = 2**self.depth
        x = match_size(x, [math.ceil(n / multiple) * multiple for n in size])
        saved = []
        for encode in self.encoders:
            x = encode(x)  # (N, C_in, h, w) -> (N, C, h, w)
            x, indices = F.max_pool2d(x, 2, return_indices=True)  # -> (N, C, h/2, w/2), 위치 저장
            saved.append(indices)
        x = self.bottom(x)
        for level in reversed(range(self.depth)):
            x = self.upsample(x, level, saved[level])  # (N, C, h, w) -> (N, C, 2h, 2w)
            x = self.decoders[level](x)  # 채널 C -> C/2 (첫 단계는 그대로)
        return match_size(self.head(x), size)  # (N, K, H, W)
