"""이미지 변환 한 곳: 흑백·RGBA → RGB, 긴 변 맞추기, [0, 1] 로 자르기.

예제 이미지 읽기(``data.load_sample``), 스타일 전이(``style``), VGG 특징 추출기(``vgg``)가 모두 ``as_rgb`` 하나를
씁니다. 그래서 흑백 사진을 어디에 넣든 같은 방법으로 RGB 가 됩니다.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import checks


def to_rgb(image: torch.Tensor) -> torch.Tensor:
    """(N, C, H, W) 이미지를 RGB 3채널로: 흑백(C=1)은 복제하고 RGBA(C=4)는 알파를 버립니다."""
    checks.tensor(image, "image", (4,))
    channels = image.shape[1]
    if channels == 3:
        return image
    if channels == 1:
        return image.expand(-1, 3, -1, -1)
    if channels == 4:
        return image[:, :3]
    raise ValueError(f"채널 수는 1(흑백), 3(RGB), 4(RGBA) 중 하나여야 합니다 (받은 모양: {tuple(image.shape)})")


def resize_max_side(image: torch.Tensor, max_side: int) -> torch.Tensor:
    """(N, C, H, W) 이미지의 비율을 지키며 긴 변을 ``max_side`` 로 맞춥니다 (줄일 때는 앨리어싱 방지 필터)."""
    max_side = checks.integer(max_side, "max_side", 1)
    h, w = image.shape[-2:]
    scale = max_side / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    if size == (h, w):
        return image
    return F.interpolate(image, size=size, mode="bilinear", align_corners=False, antialias=scale < 1)


def as_rgb(image, max_side: int | None = None) -> torch.Tensor:
    """이미지를 (N, 3, H, W) float32 [0, 1] 연속 텐서로 바꾸는 책의 유일한 규칙.

    Args:
        image: 텐서 (H, W), (C, H, W), (N, C, H, W) 또는 NumPy 배열 (H, W), (H, W, C).
            C 는 1 (흑백), 3 (RGB), 4 (RGBA). 정수 자료형(uint8 등)은 255 로 나눕니다.
        max_side: 주어지면 비율을 지키며 긴 변을 이 길이로 맞춥니다.
    Returns:
        (N, 3, H, W) float32, 값은 [0, 1] 로 자름.
    """
    if isinstance(image, np.ndarray):
        array = image
        image = torch.from_numpy(np.array(array))  # 복사: 읽기 전용 배열 경고 방지
        if image.ndim == 3:
            image = image.permute(2, 0, 1)  # (H, W, C) -> (C, H, W)
    checks.tensor(image, "image", (2, 3, 4))
    integer_valued = not image.is_floating_point()
    image = image.float() / 255.0 if integer_valued else image.float()
    while image.ndim < 4:
        image = image[None]  # (H, W) -> (1, H, W) -> (1, 1, H, W)
    if 0 in image.shape[-2:]:
        raise ValueError(f"이미지의 높이와 너비는 1 이상이어야 합니다 (받은 모양: {tuple(image.shape)})")
    image = to_rgb(image)
    if max_side is not None:
        image = resize_max_side(image, max_side)
    return image.clamp(0, 1).contiguous()
