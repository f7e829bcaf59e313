"""데이터: 합성 세그멘테이션 장면과 오프라인 예제 이미지.

- 합성 장면(synthetic scene): 질감 있는 배경 위에 원·사각형·삼각형을 그리고, 같은 기하 판정식으로
  정확한 정답 마스크를 만듭니다. 시드가 같으면 같은 장면이 나옵니다. 1·3·4장이 씁니다.
- 예제 이미지: scikit-image 에 들어 있는 사진과 matplotlib 의 grace_hopper.jpg (인터넷 불필요).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import checks, images

# 클래스 번호 = 튜플의 위치. 0 은 배경입니다.
CLASS_NAMES = ("배경", "원", "사각형", "삼각형")
SHAPES = ("circle", "rectangle", "triangle")  # 클래스 1, 2, 3


# --------------------------------------------------------------------------------------
# 도형: 픽셀 중심 좌표에서 "안쪽인가"를 판정하는 식 하나가 그림과 마스크를 함께 만듭니다.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Shape:
    """장면 속 도형 하나. ``params`` 의 뜻은 ``kind`` 마다 다릅니다 (``shape_mask`` 참고)."""

    kind: str  # "circle" | "rectangle" | "triangle"
    params: tuple  # circle: (cy, cx, r), rectangle: (cy, cx, half_h, half_w, angle), triangle: 꼭짓점 6개
    color: tuple  # RGB, [0, 1]

    @property
    def label(self) -> int:
        return SHAPES.index(self.kind) + 1


def shape_mask(shape: Shape, size: int) -> np.ndarray:
    """``size x size`` 격자의 픽셀 중심 ``(y + 0.5, x + 0.5)`` 가 도형 안이면 True 인 (H, W) bool 배열."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    if shape.kind == "circle":
        cy, cx, r = shape.params
        return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
    if shape.kind == "rectangle":
        cy, cx, half_h, half_w, angle = shape.params
        c, s = np.cos(angle), np.sin(angle)
        v = (yy - cy) * c - (xx - cx) * s  # 회전한 좌표계
        u = (yy - cy) * s + (xx - cx) * c
        return (np.abs(v) <= half_h) & (np.abs(u) <= half_w)
    if shape.kind == "triangle":
        (y0, x0), (y1, x1), (y2, x2) = np.reshape(shape.params, (3, 2))

        def side(ya, xa, yb, xb):  # 변 a→b 의 어느 쪽인가 (외적의 부호)
            return (xb - xa) * (yy - ya) - (yb - ya) * (xx - xa)

        d0, d1, d2 = side(y0, x0, y1, x1), side(y1, x1, y2, x2), side(y2, x2, y0, x0)
        return ((d0 >= 0) & (d1 >= 0) & (d2 >= 0)) | ((d0 <= 0) & (d1 <= 0) & (d2 <= 0))
    raise ValueError(f"알 수 없는 도형 종류 {shape.kind!r}; {SHAPES} 중 하나여야 합니다")


def _saturated_color(rng: np.random.Generator) -> np.ndarray:
    """채도가 높은 무작위 색 (색상은 아무거나): 도형은 회색조 배경과 색의 진하기로 구분됩니다."""
    hue, saturation, value = rng.uniform(0, 1), rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0)
    channel = np.array([0.0, 2 / 3, 1 / 3])  # R, G, B 의 색상 위상
    wave = np.clip(np.abs((hue + channel) % 1 * 6 - 3) - 1, 0, 1)  # HSV → RGB 의 색상 부분
    return value * (1 - saturation + saturation * wave)


def _random_shape(rng: np.random.Generator, size: int, kind: str) -> Shape:
    """장면 안에 들어오는 무작위 도형 하나 (크기는 장면의 약 1/8 ~ 1/4)."""
    lo, hi = size * 0.12, size * 0.25
    cy, cx = rng.uniform(size * 0.15, size * 0.85, 2)
    color = tuple(_saturated_color(rng))
    if kind == "circle":
        return Shape(kind, (cy, cx, rng.uniform(lo, hi)), color)
    if kind == "rectangle":
        half_h, half_w = rng.uniform(lo * 0.8, hi, 2)
        return Shape(kind, (cy, cx, half_h, half_w, rng.uniform(0, np.pi / 2)), color)
    radius = rng.uniform(lo * 1.3, hi * 1.3)  # 삼각형: 외접원 위의 세 꼭짓점 (너무 납작하지 않게)
    angles = rng.uniform(0, 2 * np.pi) + np.array([0, 2 * np.pi / 3, 4 * np.pi / 3]) + rng.uniform(-0.3, 0.3, 3)
    corners = np.stack([cy + radius * np.sin(angles), cx + radius * np.cos(angles)], axis=1)
    return Shape(kind, tuple(corners.ravel()), color)


# --------------------------------------------------------------------------------------
# 질감: 배경(회색조)과 도형(진한 색) 모두 무작위 줄무늬·잡음 질감을 씁니다. 도형과 배경은 가까이서 보아도
# 구분되지만, 원·사각형·삼각형은 색이 무작위라 **모양** 을 봐야 구분됩니다.
# --------------------------------------------------------------------------------------
def _texture(rng: np.random.Generator, size: int, base: np.ndarray, strength: float) -> np.ndarray:
    """기본 색 ``base`` 에 무작위 줄무늬(사인파)와 잡음을 더한 (3, H, W) 질감."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    freq = rng.uniform(2, 8)
    theta = rng.uniform(0, np.pi)
    stripes = np.sin(2 * np.pi * freq * (yy * np.cos(theta) + xx * np.sin(theta)) + rng.uniform(0, 2 * np.pi))
    noise = rng.normal(0, 1, (size, size))
    pattern = strength * (0.6 * stripes + 0.4 * noise)
    return np.clip(base[:, None, None] + pattern[None] * 0.5, 0, 1)


@dataclass(frozen=True)
class SceneConfig:
    """합성 장면의 설정."""

    size: int = 64  # 한 변의 픽셀 수
    min_shapes: int = 2  # 장면당 도형 수의 범위
    max_shapes: int = 4
    texture: float = 0.25  # 질감 세기 (0 이면 단색)
    noise: float = 0.03  # 마지막에 더하는 픽셀 잡음의 표준편차


def make_scene(rng: np.random.Generator, config: SceneConfig = SceneConfig()):
    """장면 하나를 그립니다.

    Returns:
        image: (3, H, W) float32, [0, 1]
        mask: (H, W) int64, 값은 ``CLASS_NAMES`` 의 번호 (나중에 그린 도형이 위에 옵니다)
        shapes: 그린 순서대로의 ``Shape`` 목록
    """
    size = config.size
    background = rng.uniform(0.25, 0.75) + rng.uniform(-0.05, 0.05, 3)  # 회색조에 가까운 배경색
    image = _texture(rng, size, background, config.texture)
    mask = np.zeros((size, size), dtype=np.int64)
    shapes = []
    for _ in range(rng.integers(config.min_shapes, config.max_shapes + 1)):
        shape = _random_shape(rng, size, SHAPES[rng.integers(len(SHAPES))])
        inside = shape_mask(shape, size)
        image = np.where(inside[None], _texture(rng, size, np.asarray(shape.color), config.texture), image)
        mask[inside] = shape.label
        shapes.append(shape)
    image = np.clip(image + rng.normal(0, config.noise, image.shape), 0, 1)
    return image.astype(np.float32), mask, shapes


def make_scenes(n: int, config: SceneConfig = SceneConfig(), seed: int = 0):
    """시드 ``seed`` 로 장면 ``n`` 개를 만듭니다: images (n, 3, H, W) float32, masks (n, H, W) int64."""
    if n < 1:
        raise ValueError(f"장면 수 n 은 1 이상이어야 합니다 (받은 값: {n})")
    if config.size < 8:
        raise ValueError(f"장면 크기는 8 픽셀 이상이어야 합니다 (받은 값: {config.size})")
    rng = np.random.default_rng(seed)
    images, masks = zip(*(make_scene(rng, config)[:2] for _ in range(n)))
    return torch.from_numpy(np.stack(images)), torch.from_numpy(np.stack(masks))


# --------------------------------------------------------------------------------------
# 오프라인 예제 이미지
# --------------------------------------------------------------------------------------
SKIMAGE_SAMPLES = ("astronaut", "chelsea", "coffee", "camera", "rocket", "brick", "grass", "gravel", "horse")
SAMPLE_NAMES = SKIMAGE_SAMPLES + ("grace_hopper",)


def load_sample(name: str, max_side: int | None = None) -> torch.Tensor:
    """오프라인 예제 이미지를 (1, 3, H, W) float32 [0, 1] 텐서로 읽습니다 (흑백도 RGB 로: ``images.as_rgb``).

    Args:
        name: ``SAMPLE_NAMES`` 중 하나 (scikit-image 예제 또는 ``"grace_hopper"``).
        max_side: 주어지면 긴 변이 이 길이가 되도록 비율을 지켜 줄이거나 늘립니다.
    """
    checks.choice(name, "name", SAMPLE_NAMES)
    if name == "grace_hopper":
        import matplotlib.cbook
        import matplotlib.image

        with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
            array = matplotlib.image.imread(f, format="jpg")
    else:
        import skimage.data

        array = getattr(skimage.data, name)()
    return images.as_rgb(array, max_side)
