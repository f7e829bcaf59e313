"""세그멘테이션 손실과 겹침 점수: 픽셀별 교차 엔트로피 옆에 두는 Dice, 그리고 U-Net 논문의 경계 가중치 지도.

- ``dice_score``: 정수 클래스 지도 두 개의 클래스별 Dice 점수 ``2|P∩G| / (|P| + |G|)`` (세어서 계산).
- ``dice_loss``: 소프트맥스 확률로 쓴 "부드러운" Dice 의 1 − 평균 (Milletari et al., 2016 의 분모 대신 합).
- ``border_weights``: Ronneberger et al. (2015) 식 (2) 의 ``w(x) = w_c(x) + w0·exp(−(d1 + d2)² / 2σ²)``.
- ``weighted_cross_entropy``, ``BorderWeightedLoss``: 픽셀마다 가중치를 곱한 교차 엔트로피 (``train.fit(loss=...)``).

손실 함수는 모두 ``loss(logits, masks)`` 꼴이라 ``lib.train.fit`` 과 ``lib.experiments.compare`` 의 ``loss`` 인자로
그대로 넘길 수 있습니다.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

from . import checks, data


def _check_logits_and_masks(logits: torch.Tensor, masks: torch.Tensor) -> None:
    checks.tensor(logits, "logits", (4,))
    checks.tensor(masks, "masks", (3,))
    if masks.is_floating_point():
        raise TypeError(f"masks 는 정수 클래스 지도여야 합니다 (받은 dtype: {masks.dtype})")
    if logits.shape[:1] + logits.shape[2:] != masks.shape:
        raise ValueError(f"logits (N, K, H, W) 와 masks (N, H, W) 의 N, H, W 가 달라요 "
                         f"(받은 모양: {tuple(logits.shape)}, {tuple(masks.shape)})")


# --------------------------------------------------------------------------------------
# Dice
# --------------------------------------------------------------------------------------
def dice_score(pred: torch.Tensor, target: torch.Tensor, num_classes: int) -> torch.Tensor:
    """클래스별 Dice 점수 ``D_k = 2|P_k ∩ G_k| / (|P_k| + |G_k|)``, (num_classes,) float64.

    ``P_k`` 는 ``pred == k`` 인 픽셀, ``G_k`` 는 ``target == k`` 인 픽셀의 집합입니다. 둘 다 비어 있는 클래스는 NaN
    (``metrics.iou_per_class`` 와 같은 규칙). 같은 클래스의 IoU ``J`` 와는 ``D = 2J / (1 + J)`` 의 관계입니다.
    """
    if pred.shape != target.shape or pred.is_floating_point() or target.is_floating_point():
        raise ValueError(f"pred 와 target 은 같은 모양의 정수 클래스 지도여야 합니다 "
                         f"(받은 모양: {tuple(pred.shape)}, {tuple(target.shape)})")
    checks.integer(num_classes, "num_classes", 1)
    classes = torch.arange(num_classes, device=pred.device)
    p = pred.reshape(1, -1) == classes[:, None]  # (K, 픽셀 수)
    g = target.reshape(1, -1).to(pred.device) == classes[:, None]
    both = (p & g).sum(1).double()
    total = (p.sum(1) + g.sum(1)).double()
    return torch.where(total > 0, 2 * both / total.clamp(min=1), torch.full_like(total, float("nan"))).cpu()


def dice_loss(logits: torch.Tensor, masks: torch.Tensor, eps: float = 1.0) -> torch.Tensor:
    """부드러운 Dice 손실: ``1 − (1/K) Σ_k (2 Σ_i p_ik g_ik + ε) / (Σ_i p_ik + Σ_i g_ik + ε)``.

    ``p_ik`` 는 픽셀 ``i`` 의 클래스 ``k`` 소프트맥스 확률, ``g_ik`` 는 정답의 원-핫(one-hot) 값입니다. 합은 배치의 모든
    픽셀에 걸쳐 하고(배치 하나가 큰 이미지 하나인 것처럼), ``ε`` 은 배치에 없는 클래스의 0/0 을 막습니다 (그 클래스의
    항은 ε/ε = 1 이라 손실에 기여하지 않습니다). 확률이 원-핫이면 괄호 안은 ``dice_score`` 와 같습니다 (ε = 0 일 때).

    Args:
        logits: (N, K, H, W) 모델 출력.
        masks: (N, H, W) 정수 클래스 지도.
        eps: 분자와 분모에 더하는 작은 수 (smoothing).
    Returns:
        스칼라 텐서 (0 이 가장 좋음).
    """
    _check_logits_and_masks(logits, masks)
    num_classes = logits.shape[1]
    probs = logits.softmax(dim=1)  # (N, K, H, W)
    onehot = F.one_hot(masks, num_classes).permute(0, 3, 1, 2).to(probs.dtype)  # (N, H, W) -> (N, K, H, W)
    dims = (0, 2, 3)
    overlap = (probs * onehot).sum(dims)  # (K,)
    total = probs.sum(dims) + onehot.sum(dims)
    return 1 - ((2 * overlap + eps) / (total + eps)).mean()


# --------------------------------------------------------------------------------------
# 경계 가중치 지도 (Ronneberger et al., 2015, 식 2)
# --------------------------------------------------------------------------------------
def border_weights(masks: torch.Tensor, w0: float = 10.0, sigma: float = 5.0,
                   class_weights: torch.Tensor | None = None) -> torch.Tensor:
    """U-Net 논문의 가중치 지도 ``w(x) = w_c(x) + w0 · exp(−(d1(x) + d2(x))² / (2σ²))``, (N, H, W) float32.

    ``d1``, ``d2`` 는 배경 픽셀 ``x`` 에서 가장 가까운 물체와 두 번째로 가까운 물체까지의 거리(픽셀)입니다
    (물체는 ``data.label_instances``). 두 물체 사이의 좁은 틈에서는 ``d1 + d2`` 가 작아 가중치가 ``w_c + w0`` 에 가깝고,
    물체에서 멀어지면 ``w_c`` 로 돌아옵니다. 논문처럼 경계 항은 배경 픽셀에만 더합니다 (물체 안은 ``w_c``).
    물체가 하나뿐인 이미지에는 경계 항이 없습니다.

    Args:
        masks: (N, H, W) 정수 클래스 지도 (0 = 배경).
        w0, sigma: 논문의 값은 10 과 약 5 픽셀.
        class_weights: 클래스 빈도를 맞추는 ``w_c`` (K,) — None 이면 모든 클래스 1.
    """
    instances = data.label_instances(masks).numpy()
    border = np.zeros(instances.shape, dtype=np.float64)
    for n, labels in enumerate(instances):
        count = labels.max()
        if count < 2:
            continue
        # 물체마다 "그 물체까지의 거리" 지도: (물체 수, H, W), 작은 두 값이 d1, d2
        distances = np.stack([ndimage.distance_transform_edt(labels != i) for i in range(1, count + 1)])
        d1, d2 = np.sort(distances, axis=0)[:2]
        border[n] = w0 * np.exp(-((d1 + d2) ** 2) / (2 * sigma**2)) * (labels == 0)
    base = torch.ones(masks.shape) if class_weights is None else class_weights.float().cpu()[masks.cpu()]
    return (base + torch.from_numpy(border).float()).to(masks.device)


def weighted_cross_entropy(logits: torch.Tensor, masks: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """픽셀마다 가중치를 곱한 교차 엔트로피의 평균: ``(1/|Ω|) Σ_x w(x) · (−log p_{ℓ(x)}(x))``.

    ``weights`` 가 모두 1 이면 ``F.cross_entropy(logits, masks)`` 와 같습니다.
    """
    _check_logits_and_masks(logits, masks)
    if weights.shape != masks.shape:
        raise ValueError(f"weights 는 masks 와 같은 (N, H, W) 모양이어야 합니다 "
                         f"(받은 모양: {tuple(weights.shape)}, {tuple(masks.shape)})")
    per_pixel = F.cross_entropy(logits, masks, reduction="none")  # (N, H, W)
    return (weights.to(per_pixel) * per_pixel).mean()


class BorderWeightedLoss:
    """``train.fit(loss=...)`` 에 넘기는 손실: 배치의 정답에서 ``border_weights`` 를 그때그때 계산해 곱합니다.

    가중치는 정답 마스크만으로 정해지므로 모델과 상관없이 CPU 에서 계산합니다 (64×64 장면 16 장에 수 ms).
    """

    def __init__(self, w0: float = 10.0, sigma: float = 5.0):
        self.w0, self.sigma = w0, sigma

    def __call__(self, logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
        return weighted_cross_entropy(logits, masks, border_weights(masks, self.w0, self.sigma))

    def __repr__(self) -> str:
        return f"BorderWeightedLoss(w0={self.w0}, sigma={self.sigma})"
