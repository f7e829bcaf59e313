"""세그멘테이션 지표: 혼동 행렬(confusion matrix)에서 IoU, mIoU, 픽셀 정확도를 계산합니다.

모든 지표는 정수 클래스 지도 ``pred``, ``target`` (같은 모양, 예: (N, H, W)) 를 받고,
``ignore_index`` 인 정답 픽셀은 세지 않습니다.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def confusion_matrix(pred: torch.Tensor, target: torch.Tensor, num_classes: int,
                     ignore_index: int | None = None) -> torch.Tensor:
    """(num_classes, num_classes) 개수 행렬: 행 = 정답 클래스, 열 = 예측 클래스.

    ``M[t, p]`` = 정답이 t 인데 p 로 예측한 픽셀 수.
    """
    if not isinstance(pred, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise TypeError("pred 와 target 은 torch.Tensor 여야 합니다")
    if pred.shape != target.shape:
        raise ValueError(f"pred {tuple(pred.shape)} 와 target {tuple(target.shape)} 의 모양이 달라요")
    if pred.is_floating_point() or target.is_floating_point():
        raise TypeError("pred 와 target 은 정수 클래스 지도여야 합니다 (로짓이면 argmax(dim=1) 을 먼저 하세요)")
    if num_classes < 1:
        raise ValueError(f"num_classes 는 1 이상이어야 합니다 (받은 값: {num_classes})")
    pred, target = pred.reshape(-1).long(), target.reshape(-1).long()
    if ignore_index is not None:
        keep = target != ignore_index
        pred, target = pred[keep], target[keep]
    for name, values in (("pred", pred), ("target", target)):
        if values.numel() and (values.min() < 0 or values.max() >= num_classes):
            raise ValueError(f"{name} 의 값은 0 ~ {num_classes - 1} 이어야 합니다 "
                             f"(받은 범위: {values.min().item()} ~ {values.max().item()})")
    counts = torch.bincount(target * num_classes + pred, minlength=num_classes**2)
    return counts.reshape(num_classes, num_classes).cpu()


def _iou_from_matrix(matrix: torch.Tensor) -> torch.Tensor:
    """클래스별 IoU = TP / (TP + FP + FN). 예측에도 정답에도 없는 클래스는 NaN."""
    matrix = matrix.double()
    tp = matrix.diagonal()
    union = matrix.sum(0) + matrix.sum(1) - tp
    return torch.where(union > 0, tp / union.clamp(min=1), torch.full_like(tp, float("nan")))


def iou_per_class(pred, target, num_classes: int, ignore_index: int | None = None) -> torch.Tensor:
    """클래스별 IoU, (num_classes,) float64. 예측·정답 어디에도 없는 클래스는 NaN."""
    return _iou_from_matrix(confusion_matrix(pred, target, num_classes, ignore_index))


def mean_iou(pred, target, num_classes: int, ignore_index: int | None = None) -> float:
    """NaN(없는 클래스)을 뺀 클래스별 IoU 의 평균."""
    iou = iou_per_class(pred, target, num_classes, ignore_index)
    present = ~iou.isnan()
    return iou[present].mean().item() if present.any() else float("nan")


def pixel_accuracy(pred, target, num_classes: int, ignore_index: int | None = None) -> float:
    """맞게 분류한 픽셀의 비율 (``ignore_index`` 픽셀 제외)."""
    matrix = confusion_matrix(pred, target, num_classes, ignore_index)
    total = matrix.sum()
    return (matrix.diagonal().sum() / total).item() if total > 0 else float("nan")


def boundary_band(masks: torch.Tensor, width: int = 5) -> torch.Tensor:
    """경계 띠: 정답 (N, H, W) 에서 ``width × width`` 이웃 안에 다른 클래스가 있는 픽셀 (N, H, W) bool.

    위치 정보를 잘 되살리는 모델일수록 이 띠 안의 정확도가 높습니다 (3·4장). 이미지 밖은 가장자리 값을 복제합니다.
    """
    if masks.ndim != 3 or masks.is_floating_point():
        raise ValueError(f"masks 는 (N, H, W) 정수 클래스 지도여야 합니다 (받은 모양: {tuple(masks.shape)})")
    if width < 1 or width % 2 == 0:
        raise ValueError(f"width 는 양의 홀수여야 합니다 (받은 값: {width})")
    padded = F.pad(masks[:, None].float(), (width // 2,) * 4, mode="replicate")  # (N, 1, H+w-1, W+w-1)
    largest = F.max_pool2d(padded, width, stride=1)
    smallest = -F.max_pool2d(-padded, width, stride=1)
    return (largest != smallest)[:, 0]  # 이웃의 최댓값과 최솟값이 다르면 다른 클래스가 섞여 있음


def scores(pred: torch.Tensor, target: torch.Tensor, num_classes: int, band_width: int = 5) -> dict[str, float]:
    """책의 표가 보여 주는 지표 세 가지: mIoU, 픽셀 정확도, 경계 띠(``boundary_band``) 안의 정확도.

    Args:
        pred, target: (N, H, W) 정수 클래스 지도.
        band_width: 경계 띠의 이웃 크기 (양의 홀수).
    """
    band = boundary_band(target, band_width)
    correct = pred.to(target.device) == target
    return {
        "miou": mean_iou(pred, target, num_classes),
        "accuracy": pixel_accuracy(pred, target, num_classes),
        "band": correct[band].float().mean().item() if band.any() else float("nan"),
    }


def majority_prediction(train_masks: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """가장 강한 '아무것도 배우지 않은' 기준: 학습 마스크에서 가장 흔한 클래스를 ``like`` 의 모든 픽셀에 답합니다."""
    majority = torch.bincount(train_masks.reshape(-1)).argmax()
    return torch.full_like(like, majority.item())
