"""스타일 이미지를 코드로 그립니다: 인터넷 없이도 색과 붓 터치가 분명한 '화풍'이 있도록.

- ``swirl_strokes``: 소용돌이 방향장을 따라 짧은 붓 터치를 겹쳐 칠한 그림 (고흐풍의 흉내).
- ``mosaic``: 보로노이(Voronoi) 조각에 어두운 테두리를 두른 스테인드글라스.

둘 다 시드가 같으면 같은 그림이고, (1, 3, size, size) float32 [0, 1] 텐서를 돌려줍니다.
"""

from __future__ import annotations

import numpy as np
import torch

# 팔레트 (RGB, [0, 1])
NIGHT = ((0.06, 0.12, 0.35), (0.10, 0.22, 0.55), (0.13, 0.30, 0.62), (0.25, 0.45, 0.80), (0.45, 0.65, 0.90),
         (0.95, 0.82, 0.30), (0.98, 0.95, 0.75))  # 첫 색은 바탕
GLASS = ((0.80, 0.15, 0.15), (0.95, 0.70, 0.10), (0.10, 0.45, 0.75), (0.15, 0.60, 0.30), (0.55, 0.25, 0.60))


def _check_size(size: int) -> None:
    if not isinstance(size, int) or size < 8:
        raise ValueError(f"size 는 8 이상의 정수여야 합니다 (받은 값: {size!r})")


def _to_tensor(canvas: np.ndarray) -> torch.Tensor:
    """(H, W, 3) 배열 → (1, 3, H, W) float32 [0, 1] 텐서."""
    return torch.from_numpy(np.clip(canvas, 0, 1).astype(np.float32)).permute(2, 0, 1)[None].contiguous()


def swirl_strokes(size: int = 256, strokes: int | None = None, seed: int = 0, palette=NIGHT) -> torch.Tensor:
    """소용돌이 방향장을 따르는 붓 터치들. 터치 수의 기본값은 넓이에 비례 (``size**2 / 40``)."""
    _check_size(size)
    rng = np.random.default_rng(seed)
    palette = np.asarray(palette)
    canvas = np.tile(palette[0], (size, size, 1))
    centers = rng.uniform(0.2, 0.8, (3, 2)) * size  # 소용돌이 중심 세 개
    length, width = size / 18, size / 110 + 0.8
    for _ in range(strokes or size * size // 40):
        cy, cx = rng.uniform(0, size, 2)
        vy, vx = sum(np.array([-(cx - x0), cy - y0]) / (np.hypot(cy - y0, cx - x0) + size / 10)
                     for y0, x0 in centers)  # 세 소용돌이의 회전 방향을 더한 방향장
        angle = np.arctan2(vy, vx) + rng.normal(0, 0.15)
        color = palette[rng.integers(1, len(palette))] * rng.uniform(0.85, 1.1)
        _paint_segment(canvas, cy, cx, angle, length * rng.uniform(0.6, 1.2), width, color)
    return _to_tensor(canvas)


def _paint_segment(canvas: np.ndarray, cy: float, cx: float, angle: float, length: float, width: float,
                   color: np.ndarray) -> None:
    """중심 ``(cy, cx)``, 방향 ``angle`` 인 두께 ``width`` 의 선분을 ``canvas`` 에 칠합니다 (제자리)."""
    size = canvas.shape[0]
    dy, dx = np.sin(angle) * length / 2, np.cos(angle) * length / 2
    pad = int(length / 2 + width) + 1
    y0, y1 = max(int(cy) - pad, 0), min(int(cy) + pad + 1, size)
    x0, x1 = max(int(cx) - pad, 0), min(int(cx) + pad + 1, size)
    yy, xx = np.mgrid[y0:y1, x0:x1] + 0.5
    t = np.clip(((yy - cy) * dy + (xx - cx) * dx) / (dy * dy + dx * dx), -1, 1)  # 선분 위 가장 가까운 점의 매개변수
    inside = np.hypot(yy - cy - t * dy, xx - cx - t * dx) <= width
    canvas[y0:y1, x0:x1][inside] = color


def mosaic(size: int = 256, cells: int = 60, seed: int = 0, palette=GLASS,
           edge: float = 0.01) -> torch.Tensor:
    """보로노이 조각마다 팔레트의 색 하나, 조각 사이에는 어두운 납 테두리 (두께 ``edge * size``)."""
    _check_size(size)
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, size, (cells, 2))
    colors = np.asarray(palette)[rng.integers(0, len(palette), cells)] * rng.uniform(0.8, 1.1, (cells, 1))
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    dist = np.hypot(yy[..., None] - points[:, 0], xx[..., None] - points[:, 1])  # (H, W, cells)
    nearest = np.sort(dist, axis=-1)[..., :2]
    canvas = colors[dist.argmin(-1)]
    border = (nearest[..., 1] - nearest[..., 0]) < edge * size
    canvas[border] = 0.08
    return _to_tensor(canvas)
