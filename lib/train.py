"""세그멘테이션 모델 학습: 픽셀별 교차 엔트로피(또는 다른 손실), Adam, 학습률 일정, 진행 막대와 요약 한 줄.

1장(패치 CNN), 2장(디코더 비교), 3장(FCN), 4장(U-Net)이 같은 학습 반복문을 씁니다.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from . import checks, config, metrics

SCHEDULES = (None, "cosine")


@dataclass
class History:
    """학습 기록: 에폭마다 평균 학습 손실과 검증 지표, 그리고 총 학습 시간(초)."""

    loss: list = field(default_factory=list)
    val_miou: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: float = 0.0


def _check_pair(images: torch.Tensor, masks: torch.Tensor) -> None:
    checks.tensor(images, "images", (4,))
    checks.tensor(masks, "masks", (3,))
    if len(images) != len(masks) or len(images) == 0:
        raise ValueError(f"images 는 (N, C, H, W), masks 는 (N, H, W) 이고 N 이 같아야 하며 1 이상이어야 합니다 "
                         f"(받은 모양: {tuple(images.shape)}, {tuple(masks.shape)})")
    if masks.is_floating_point():
        raise TypeError(f"masks 는 정수 클래스 지도여야 합니다 (받은 dtype: {masks.dtype}); "
                        "0/255 나 색으로 저장된 마스크는 lib.data.as_class_indices 로 바꾸세요")


def _on(model: nn.Module, device) -> torch.device:
    """장치 정책 (``config.resolve_device``) 에 따라 모델을 옮기고 그 장치를 돌려줍니다."""
    device = config.resolve_device(device)
    model.to(device)
    return device


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 32,
            device: torch.device | str | None = None) -> torch.Tensor:
    """모델의 로짓에서 argmax 한 클래스 지도 (N, H', W') 를 CPU 텐서로 돌려줍니다.

    모델을 ``device`` (None 이면 ``config.device()``) 로 옮기고 평가 모드로 둡니다.
    """
    checks.tensor(images, "images", (4,))
    device = _on(model, device)
    model.eval()
    chunks = [model(images[i:i + batch_size].to(device)).argmax(1).cpu() for i in range(0, len(images), batch_size)]
    return torch.cat(chunks)


def learning_rate(step: int, total: int, base: float, schedule: str | None) -> float:
    """스텝 ``step`` (0부터) 의 학습률. ``"cosine"``: 코사인 꼴로 ``base`` 에서 0 까지 (Loshchilov & Hutter 2017)."""
    if schedule is None:
        return base
    return base * 0.5 * (1 + math.cos(math.pi * step / total))


def fit(model: nn.Module, images: torch.Tensor, masks: torch.Tensor, num_classes: int, epochs: int,
        batch_size: int = 16, lr: float = 1e-3, val: tuple | None = None, seed: int = 0,
        schedule: str | None = None, loss: Callable | None = None, progress: bool = True,
        desc: str = "학습", device: torch.device | str | None = None) -> History:
    """모델을 픽셀별 손실로 학습합니다 (Adam). 모델을 ``device`` (None 이면 ``config.device()``) 로 옮깁니다.

    진행 막대(살아 있는 노트북에서만 보임) 뒤에는 언제나 요약 한 줄을 찍습니다 (``progress=False`` 면 둘 다 없음).

    Args:
        model: (N, C, H, W) 입력을 (N, num_classes, H', W') 로짓으로 바꾸는 모델.
        images: 학습 입력 (N, C, H, W).
        masks: 정답 클래스 지도 (N, H', W') int64 — 모델 출력과 같은 크기.
        num_classes: 클래스 수 (지표 계산용).
        epochs: 데이터를 몇 바퀴 돌지.
        batch_size: 미니배치 크기.
        lr: Adam 학습률 (일정이 있으면 처음 값).
        val: ``(images, masks)`` 검증 자료; 주어지면 에폭마다 mIoU 와 픽셀 정확도를 기록합니다.
        seed: 미니배치 순서를 정하는 시드 (같은 시드 → 같은 순서).
        schedule: ``None`` (고정 학습률) 또는 ``"cosine"`` (스텝마다 코사인 꼴로 0 까지 줄임).
        loss: ``loss(logits, masks) -> 스칼라``; None 이면 픽셀별 교차 엔트로피의 평균.
    Returns:
        ``History``
    """
    _check_pair(images, masks)
    checks.integer(epochs, "epochs", 1)
    checks.integer(batch_size, "batch_size", 1)
    checks.choice(schedule, "schedule", SCHEDULES)
    loss = F.cross_entropy if loss is None else loss  # 픽셀마다의 소프트맥스 + 음의 로그 가능도, 평균
    device = _on(model, device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.Generator().manual_seed(seed)
    steps_per_epoch = math.ceil(len(images) / batch_size)
    history, step = History(), 0
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc=desc, disable=not progress)
    for _ in bar:
        model.train()
        total, seen = 0.0, 0
        for index in torch.randperm(len(images), generator=order).split(batch_size):
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, epochs * steps_per_epoch, lr, schedule)
            x, y = images[index].to(device), masks[index].to(device)
            value = loss(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            optimizer.step()
            total += value.item() * len(index)
            seen += len(index)
            step += 1
        history.loss.append(total / seen)
        postfix = {"손실": f"{history.loss[-1]:.3f}"}
        if val is not None:
            pred = predict(model, val[0], device=device)
            history.val_miou.append(metrics.mean_iou(pred, val[1], num_classes))
            history.val_accuracy.append(metrics.pixel_accuracy(pred, val[1], num_classes))
            postfix["검증 mIoU"] = f"{history.val_miou[-1]:.3f}"
        bar.set_postfix(postfix)
    bar.close()
    history.seconds = time.perf_counter() - start
    model.eval()
    if progress:
        print(summary_line(desc, history))
    return history


def summary_line(desc: str, history: History) -> str:
    """진행 막대가 보이지 않는 곳(HTML 책)에서도 학습이 한 일을 알 수 있게 하는 한 줄."""
    text = (f"{desc}: {len(history.loss)} 에폭, {history.seconds:.0f}초, "
            f"학습 손실 {history.loss[0]:.3f} → {history.loss[-1]:.3f}")
    if history.val_miou:
        text += f", 검증 mIoU {history.val_miou[-1]:.3f} (최고 {max(history.val_miou):.3f})"
    return text
