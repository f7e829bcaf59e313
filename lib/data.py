"""데이터: 합성 세그멘테이션 장면과 오프라인 예제 이미지.

- 합성 장면(synthetic scene): 질감 있는 배경 위에 원·사각형·삼각형을 그리고, 같은 기하 판정식으로
  정확한 정답 마스크를 만듭니다. 시드가 같으면 같은 장면이 나옵니다. 1·3·4장이 씁니다.
  ``SceneConfig(touching=True)`` 면 같은 클래스 도형 둘이 좁은 배경 틈만 두고 붙어 있습니다 (4장의 경계 가중치).
- 저장된 마스크 바꾸기: ``as_class_indices`` (0/255, 0/1, 색으로 칠한 마스크 → 클래스 번호).
- 실제 데이터셋: ``load_pets`` (Oxford-IIIT Pet 트라이맵; 인터넷이 있을 때 내려받기).
- 예제 이미지: scikit-image 에 들어 있는 사진과 matplotlib 의 grace_hopper.jpg (인터넷 불필요).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy import ndimage

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
    touching: bool = False  # True 면 도형을 같은 색·같은 종류의 "붙은 쌍"으로 그립니다 (4장, 경계 가중치)
    gap: float = 1.5  # 붙은 쌍 사이에 남기는 배경 틈의 폭 (픽셀; touching 일 때만)


def make_scene(rng: np.random.Generator, config: SceneConfig = SceneConfig()):
    """장면 하나를 그립니다 (``config.touching`` 이면 ``_touching_pairs`` 로).

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
    count = rng.integers(config.min_shapes, config.max_shapes + 1)
    if config.touching:
        image, shapes = _touching_pairs(rng, config, image, mask, max(1, count // 2))
    else:
        for _ in range(count):
            shape = _random_shape(rng, size, SHAPES[rng.integers(len(SHAPES))])
            inside = shape_mask(shape, size)
            image = np.where(inside[None], _texture(rng, size, np.asarray(shape.color), config.texture), image)
            mask[inside] = shape.label
            shapes.append(shape)
    image = np.clip(image + rng.normal(0, config.noise, image.shape), 0, 1)
    return image.astype(np.float32), mask, shapes


def _center(shape: Shape) -> np.ndarray:
    """도형의 중심 (cy, cx): 원·사각형은 매개변수의 앞 두 값, 삼각형은 꼭짓점들의 평균."""
    if shape.kind == "triangle":
        return np.reshape(shape.params, (3, 2)).mean(0)
    return np.asarray(shape.params[:2], dtype=float)


def _moved(shape: Shape, cy: float, cx: float) -> Shape:
    """``shape`` 을 중심(``_center``)이 ``(cy, cx)`` 에 오도록 옮긴 도형."""
    if shape.kind == "triangle":
        corners = np.reshape(shape.params, (3, 2)) - _center(shape) + (cy, cx)
        return Shape(shape.kind, tuple(corners.ravel()), shape.color)
    return Shape(shape.kind, (cy, cx, *shape.params[2:]), shape.color)


def _extent(shape: Shape) -> float:
    """도형의 대략적인 반지름 (붙은 쌍의 중심 사이 거리를 정할 때 씁니다)."""
    if shape.kind == "circle":
        return shape.params[2]
    if shape.kind == "rectangle":
        return float(np.mean(shape.params[2:4]))
    corners = np.reshape(shape.params, (3, 2))
    return 0.6 * float(np.linalg.norm(corners - corners.mean(0), axis=1).mean())


def _touching_pairs(rng: np.random.Generator, config: SceneConfig, image: np.ndarray, mask: np.ndarray,
                    pairs: int):
    """같은 종류·같은 색 도형 두 개를 겹치게 놓고, 둘째 도형에서 첫째까지 ``gap`` 픽셀 안을 배경으로 깎습니다.

    U-Net 논문의 세포처럼, 붙어 있는 같은 클래스 물체 둘을 가르는 것은 폭 ``gap`` 의 배경 틈뿐입니다.
    ``mask`` 는 제자리에서 고칩니다. Returns: (image, shapes).
    """
    size = config.size
    background = image.copy()
    shapes = []
    for _ in range(pairs):
        kind = SHAPES[rng.integers(len(SHAPES))]
        first = _random_shape(rng, size, kind)
        second = _random_shape(rng, size, kind)
        angle = rng.uniform(0, 2 * np.pi)
        distance = 0.9 * (_extent(first) + _extent(second))  # 조금 겹치게: 깎은 뒤 틈 하나만 남도록
        cy, cx = _center(first)
        second = _moved(Shape(kind, second.params, first.color), *np.clip(
            (cy + distance * np.sin(angle), cx + distance * np.cos(angle)), size * 0.1, size * 0.9))
        inside_first, covered_by_second = shape_mask(first, size), shape_mask(second, size)
        near_first = ndimage.distance_transform_edt(~inside_first) <= config.gap  # 첫째 도형 + 틈
        inside_second = covered_by_second & ~near_first
        color_texture = _texture(rng, size, np.asarray(first.color), config.texture)
        gap = near_first & ~inside_first & covered_by_second
        image = np.where(gap[None], background, image)  # 틈은 배경으로 되돌립니다
        mask[gap] = 0
        for shape, inside in ((first, inside_first), (second, inside_second)):
            image = np.where(inside[None], color_texture, image)
            mask[inside] = shape.label
            shapes.append(shape)
    return image, shapes


def make_scenes(n: int, config: SceneConfig = SceneConfig(), seed: int = 0):
    """시드 ``seed`` 로 장면 ``n`` 개를 만듭니다: images (n, 3, H, W) float32, masks (n, H, W) int64."""
    if n < 1:
        raise ValueError(f"장면 수 n 은 1 이상이어야 합니다 (받은 값: {n})")
    if config.size < 8:
        raise ValueError(f"장면 크기는 8 픽셀 이상이어야 합니다 (받은 값: {config.size})")
    rng = np.random.default_rng(seed)
    images, masks = zip(*(make_scene(rng, config)[:2] for _ in range(n)))
    return torch.from_numpy(np.stack(images)), torch.from_numpy(np.stack(masks))


def label_instances(masks: torch.Tensor) -> torch.Tensor:
    """정답 마스크에서 물체 하나하나(인스턴스)에 번호를 붙입니다: 클래스마다 8-이웃으로 이어진 덩어리 하나 = 물체 하나.

    (N, H, W) 정수 클래스 지도 -> (N, H, W) int64, 배경(0)은 0, 물체는 이미지마다 1, 2, ... 번.
    같은 클래스의 두 물체 사이에 배경 틈이 있으면(대각선으로도 닿지 않으면) 서로 다른 물체입니다.
    """
    checks.tensor(masks, "masks", (3,))
    array = masks.cpu().numpy()
    out = np.zeros(array.shape, dtype=np.int64)
    for n, mask in enumerate(array):
        count = 0
        for k in np.unique(mask[mask > 0]):
            labels, found = ndimage.label(mask == k, structure=np.ones((3, 3)))
            out[n][labels > 0] = labels[labels > 0] + count
            count += found
    return torch.from_numpy(out)


def separated_pairs(pred: torch.Tensor, target: torch.Tensor, near: float = 3.0) -> tuple[int, int]:
    """정답에서 ``near`` 픽셀 안에 붙어 있는 같은 클래스 물체 쌍 가운데, 예측이 둘을 갈라놓은 쌍의 수.

    예측 지도에서 그 클래스 영역을 8-이웃 덩어리로 나누었을 때, 두 물체의 정답 픽셀에 닿는 덩어리들이 서로 겹치지
    않으면(그리고 둘 다 하나 이상이면) "갈라놓았다"고 셉니다. 틈을 메워 두 물체를 한 덩어리로 그리면 실패입니다.

    Args:
        pred, target: (N, H, W) 정수 클래스 지도.
        near: 두 물체 사이 거리(픽셀)가 이 값 이하이면 붙은 쌍.
    Returns:
        (갈라놓은 쌍 수, 붙은 쌍 수)
    """
    if pred.shape != target.shape or pred.ndim != 3:
        raise ValueError(f"pred 와 target 은 같은 (N, H, W) 모양이어야 합니다 "
                         f"(받은 모양: {tuple(pred.shape)}, {tuple(target.shape)})")
    instances, pred, target = label_instances(target).numpy(), pred.cpu().numpy(), target.cpu().numpy()
    separated = total = 0
    for labels, guess, truth in zip(instances, pred, target):
        for i in range(1, labels.max() + 1):
            cls = truth[labels == i][0]
            reach = ndimage.distance_transform_edt(labels != i) <= near
            partners = [j for j in np.unique(labels[reach]) if j > i and truth[labels == j][0] == cls]
            if not partners:
                continue
            pieces, _ = ndimage.label(guess == cls, structure=np.ones((3, 3)))
            mine = set(np.unique(pieces[labels == i])) - {0}
            for j in partners:
                theirs = set(np.unique(pieces[labels == j])) - {0}
                total += 1
                separated += bool(mine) and bool(theirs) and not (mine & theirs)
    return separated, total


# --------------------------------------------------------------------------------------
# 저장된 마스크 → 클래스 번호 지도, 그리고 실제 데이터셋 (Oxford-IIIT Pet)
# --------------------------------------------------------------------------------------
def as_class_indices(mask, palette: dict | None = None, num_classes: int | None = None) -> torch.Tensor:
    """파일에 저장된 마스크를 학습에 쓰는 int64 클래스 번호 지도로 바꿉니다.

    - ``palette`` 없이: 값이 {0, 255} 안이면 255 → 1 (흰색 = 물체), {0, 1} 안이면 그대로 (0.0/1.0 실수도).
      ``num_classes`` 를 주면 0 ~ num_classes−1 의 정수도 이미 클래스 번호로 받아들입니다.
    - ``palette`` (값 → 클래스): 흑백 마스크면 ``{회색값: 클래스}``, 색으로 칠한 마스크 (..., H, W, 3) 면
      ``{(R, G, B): 클래스}``. 색 마스크는 PIL·NumPy 가 읽는 대로 채널이 마지막 축입니다.

    설명할 수 없는 값(팔레트에 없는 색, 0/1/255 가 아닌 값)이 있으면 그 값들을 나열하는 ``ValueError`` 를 냅니다.

    Args:
        mask: NumPy 배열, 텐서, 또는 PIL 이미지. 흑백 (..., H, W) 또는 색 (..., H, W, C).
        palette: 값(또는 색 튜플) → 클래스 번호.
        num_classes: 이미 클래스 번호로 저장된 마스크를 받아들일 때의 클래스 수.
    Returns:
        int64 텐서: 흑백이면 같은 모양, 색이면 마지막(채널) 축이 빠진 모양.
    """
    array = mask.cpu().numpy() if isinstance(mask, torch.Tensor) else np.asarray(mask)
    if array.ndim < 2 or 0 in array.shape:
        raise ValueError(f"마스크는 (H, W) 이상의 모양이고 비어 있지 않아야 합니다 (받은 모양: {array.shape})")
    if palette is not None:
        keys = list(palette)
        colour = isinstance(keys[0], (tuple, list))
        if colour and array.shape[-1] != len(keys[0]):
            raise ValueError(f"색 팔레트 {keys[0]} 에는 채널이 마지막 축에 {len(keys[0])}개 있는 마스크가 필요합니다 "
                             f"(받은 모양: {array.shape})")
        pixels = array.reshape(-1, array.shape[-1]) if colour else array.reshape(-1, 1)
        values, inverse = np.unique(pixels, axis=0, return_inverse=True)
        lookup = {tuple(np.atleast_1d(k).tolist()): c for k, c in palette.items()}
        found = [lookup.get(tuple(v.tolist())) for v in values]
        unknown = [tuple(v.tolist()) if colour else v.item() for v, c in zip(values, found) if c is None]
        if unknown:
            raise ValueError(f"팔레트가 설명하지 못하는 값 {len(unknown)}개: {unknown[:12]}"
                             f"{' …' if len(unknown) > 12 else ''} (팔레트의 키: {keys[:12]})")
        classes = np.asarray(found, dtype=np.int64)[inverse.reshape(-1)]
        return torch.from_numpy(classes.reshape(array.shape[:-1] if colour else array.shape))
    values = np.unique(array)
    if set(values.tolist()) <= {0, 1}:
        return torch.from_numpy(array.astype(np.int64))
    if set(values.tolist()) <= {0, 255}:
        return torch.from_numpy((array == 255).astype(np.int64))
    if num_classes is not None and np.all(values == np.round(values)) and values.min() >= 0 \
            and values.max() < num_classes:
        return torch.from_numpy(array.astype(np.int64))
    hint = ""
    if array.dtype.kind == "f" and np.allclose(values * 255, np.round(values * 255)):
        hint = " 값이 1/255 의 배수입니다: ToTensor 가 255 로 나눈 마스크라면 (mask * 255).round() 를 먼저 하세요."
    elif array.ndim >= 3 and array.shape[-1] in (3, 4):
        hint = " 마지막 축이 색 채널이라면 palette={(R, G, B): 클래스} 를 주세요."
    raise ValueError(f"마스크 값 {values[:12].tolist()}{' …' if len(values) > 12 else ''} 를 클래스로 바꿀 수 "
                     f"없습니다: palette 없이는 0/255 와 0/1 만 (num_classes 를 주면 0 ~ K−1 도) 압니다.{hint}")


PET_CLASSES = ("배경", "동물", "경계")  # load_pets 의 클래스 번호 0, 1, 2
PET_TRIMAP = {1: 1, 2: 0, 3: 2}  # Oxford-IIIT Pet 트라이맵 파일의 값 (1 동물, 2 배경, 3 경계) → 이 책의 번호


def load_pets(root, split: str = "trainval", image_size: int = 128, download: bool = False,
              limit: int | None = None):
    """Oxford-IIIT Pet (Parkhi et al., 2012) 의 사진과 트라이맵을 ``torchvision.datasets.OxfordIIITPet`` 으로 읽습니다.

    사진은 ``images.as_rgb`` 로 RGB [0, 1] 로 바꾼 뒤 ``image_size × image_size`` 로 (비율을 무시하고) 쌍선형
    보간하고, 트라이맵은 ``as_class_indices(palette=PET_TRIMAP)`` 로 0 = 배경, 1 = 동물, 2 = 경계로 바꾼 뒤 최근접
    보간합니다. 인터넷에서 내려받는 것은 ``download=True`` 일 때뿐입니다 (약 800 MB).

    Args:
        root: ``oxford-iiit-pet/`` 폴더가 있는(또는 내려받을) 폴더.
        split: ``"trainval"`` (3,680 장) 또는 ``"test"`` (3,669 장).
        image_size: 정사각형 한 변 S.
        download: True 면 없을 때 내려받습니다.
        limit: 주어지면 앞에서부터 이만큼만 읽습니다.
    Returns:
        images (N, 3, S, S) float32 [0, 1], masks (N, S, S) int64.
    Raises:
        FileNotFoundError: ``download=False`` 인데 ``root/oxford-iiit-pet`` 폴더가 없을 때.
    """
    from pathlib import Path

    from torchvision.datasets import OxfordIIITPet

    checks.choice(split, "split", ("trainval", "test"))
    size = checks.integer(image_size, "image_size", 1)
    folder = Path(root) / "oxford-iiit-pet"
    if not download and not folder.is_dir():
        raise FileNotFoundError(f"Oxford-IIIT Pet 폴더 {folder} 가 없습니다. download=True 로 내려받거나 "
                                "(약 800 MB), images/ 와 annotations/ 가 든 oxford-iiit-pet/ 폴더를 root 에 두세요.")
    dataset = OxfordIIITPet(str(root), split=split, target_types="segmentation", download=download)
    count = len(dataset) if limit is None else min(len(dataset), checks.integer(limit, "limit", 1))
    pictures, masks = [], []
    for i in range(count):
        photo, trimap = dataset[i]
        picture = images.as_rgb(np.asarray(photo))  # (1, 3, H, W)
        pictures.append(torch.nn.functional.interpolate(picture, size=(size, size), mode="bilinear",
                                                        align_corners=False, antialias=True)[0])
        classes = as_class_indices(np.asarray(trimap), palette=PET_TRIMAP)  # (H, W)
        masks.append(torch.nn.functional.interpolate(classes[None, None].float(), size=(size, size),
                                                     mode="nearest-exact")[0, 0].long())
    return torch.stack(pictures).clamp(0, 1), torch.stack(masks)


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
