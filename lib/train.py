"""세그멘테이션 모델 학습: 픽셀별 교차 엔트로피, Adam, tqdm 진행 막대, 손실·지표 기록.

1장(패치 CNN), 3장(FCN), 4장(U-Net)이 같은 학습 반복문을 씁니다.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from . import config, metrics, timing


@dataclass
class History:
    """학습 기록: 에폭마다 평균 학습 손실과 검증 지표, 그리고 총 학습 시간(초)."""

    loss: list = field(default_factory=list)
    val_miou: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: float = 0.0


def _check_pair(images: torch.Tensor, masks: torch.Tensor) -> None:
    if images.ndim != 4 or masks.ndim != 3 or len(images) != len(masks):
        raise ValueError(f"images 는 (N, C, H, W), masks 는 (N, H, W) 이고 N 이 같아야 합니다 "
                         f"(받은 모양: {tuple(images.shape)}, {tuple(masks.shape)})")


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 32) -> torch.Tensor:
    """모델의 로짓에서 argmax 한 클래스 지도 (N, H', W') 를 CPU 텐서로 돌려줍니다."""
    model.eval()
    device = next(model.parameters()).device
    chunks = [model(images[i:i + batch_size].to(device)).argmax(1).cpu() for i in range(0, len(images), batch_size)]
    return torch.cat(chunks)


def step_seconds(model: nn.Module, images: torch.Tensor, masks: torch.Tensor, repeat: int = 5) -> float:
    """학습 한 걸음(배치 하나의 순전파 + 역전파)의 가장 짧은 시간(초). 모델 자체의 비용에 가깝습니다.

    ``fit`` 이 잰 전체 시간은 같은 기계의 다른 작업에 흔들리지만, 여러 번 잰 최솟값은 덜 흔들립니다.
    """
    _check_pair(images, masks)
    device = config.device()
    model.to(device).train()
    x, y = images.to(device), masks.to(device)
    return timing.best_time(lambda: F.cross_entropy(model(x), y).backward(), repeat=repeat)


def fit(model: nn.Module, images: torch.Tensor, masks: torch.Tensor, num_classes: int, epochs: int,
        batch_size: int = 16, lr: float = 1e-3, val: tuple | None = None, seed: int = 0,
        progress: bool = True, desc: str = "학습") -> History:
    """모델을 픽셀별 교차 엔트로피로 학습합니다 (Adam). 장치는 ``config.device()`` 를 씁니다.

    Args:
        model: (N, C, H, W) 입력을 (N, num_classes, H', W') 로짓으로 바꾸는 모델.
        images: 학습 입력 (N, C, H, W).
        masks: 정답 클래스 지도 (N, H', W') — 모델 출력과 같은 크기.
        num_classes: 클래스 수 (지표 계산용).
        epochs: 데이터를 몇 바퀴 돌지.
        val: ``(images, masks)`` 검증 자료; 주어지면 에폭마다 mIoU 와 픽셀 정확도를 기록합니다.
        seed: 미니배치 순서를 정하는 시드 (같은 시드 → 같은 학습).
    Returns:
        ``History``
    """
    _check_pair(images, masks)
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs 와 batch_size 는 1 이상이어야 합니다 (받은 값: {epochs}, {batch_size})")
    device = config.device()
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    history = History()
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=desc, disable=not progress)
    for _ in bar:
        model.train()
        total, seen = 0.0, 0
        for index in torch.randperm(len(images), generator=order).split(batch_size):
            x, y = images[index].to(device), masks[index].to(device)
            loss = F.cross_entropy(model(x), y)  # 픽셀마다의 소프트맥스 + 음의 로그 가능도, 평균
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
            seen += len(index)
        history.loss.append(total / seen)
        postfix = {"손실": f"{history.loss[-1]:.3f}"}
        if val is not None:
            pred = predict(model, val[0])
            history.val_miou.append(metrics.mean_iou(pred, val[1], num_classes))
            history.val_accuracy.append(metrics.pixel_accuracy(pred, val[1], num_classes))
            postfix["검증 mIoU"] = f"{history.val_miou[-1]:.3f}"
        bar.set_postfix(postfix)
    history.seconds = time.perf_counter() - start
    model.eval()
    return history
