"""여러 시드로 학습해 비교하기: 결론을 내는 비교는 시드 3개 이상의 평균 ± 표준편차로 말합니다.

- ``compare``: 모델 만드는 함수 여러 개를 같은 데이터·같은 설정으로 시드마다 학습하고, 검증 지표를 표(DataFrame)로.
- ``baseline``: 가장 강한 '배우지 않은' 기준 (학습 마스크의 최빈 클래스를 모든 픽셀에 답하기) 의 같은 지표.
- ``summarize``: 모델마다 평균 ± 표준편차 (표에 쓰는 글과 assert 에 쓰는 평균 숫자).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from torch import nn

from . import config, metrics, tables, train

METRIC_NAMES = {"miou": "mIoU", "accuracy": "픽셀 정확도", "band": "경계 띠 정확도"}


def compare(builders: Mapping[str, Callable[[], nn.Module]], train_data: tuple, val_data: tuple,
            num_classes: int, seeds: Sequence[int] = (0, 1, 2), progress: bool = True,
            trained: dict | None = None, **fit_options) -> pd.DataFrame:
    """모델마다, 시드마다 새로 만들어 학습하고 검증 지표를 잽니다.

    시드 ``s`` 는 가중치 초기화(``config.seed_everything(s)`` 뒤에 모델을 만듦)와 미니배치 순서(``fit(seed=s)``)를
    함께 정합니다. 같은 시드의 모델들은 같은 미니배치 순서로 학습합니다.

    Args:
        builders: ``{이름: 인자 없이 새 모델을 만드는 함수}``.
        train_data, val_data: ``(images, masks)``.
        num_classes: 클래스 수.
        seeds: 시드들 (결론을 내려면 3개 이상).
        trained: 사전을 주면 ``trained[(이름, 시드)] = (모델, History)`` 를 넣어 둡니다 (그림을 그리려고 다시 학습하지
            않도록).
        fit_options: ``train.fit`` 에 그대로 넘길 인자 (epochs, batch_size, lr, schedule, loss, device ...).
    Returns:
        한 행 = 한 번의 학습: ``model, seed, miou, accuracy, band, seconds, params``.
    """
    rows = []
    for name, build in builders.items():
        for seed in seeds:
            config.seed_everything(seed)
            model = build()
            history = train.fit(model, *train_data, num_classes, seed=seed, progress=progress,
                                desc=f"{name} (시드 {seed})", **fit_options)
            pred = train.predict(model, val_data[0], device=fit_options.get("device"))
            if trained is not None:
                trained[(name, seed)] = (model, history)
            rows.append({"model": name, "seed": seed, **metrics.scores(pred, val_data[1], num_classes),
                         "seconds": history.seconds,
                         "params": sum(p.numel() for p in model.parameters() if p.requires_grad)})
    return pd.DataFrame(rows)


def baseline(train_masks, val_masks, num_classes: int, name: str = "모두 최빈 클래스") -> dict:
    """학습 마스크의 최빈 클래스(합성 장면에서는 배경)를 모든 검증 픽셀에 답했을 때의 지표."""
    pred = metrics.majority_prediction(train_masks, val_masks)
    return {"model": name, **metrics.scores(pred, val_masks, num_classes)}


def summarize(results: pd.DataFrame, metric_names: Sequence[str] = tuple(METRIC_NAMES),
              extra_rows: Sequence[Mapping] = ()) -> pd.DataFrame:
    """모델마다 한 행: 지표마다 "평균 ± 표준편차" 글 열. 순서는 ``results`` 에 처음 나온 순서.

    ``extra_rows`` (예: ``baseline`` 의 결과) 는 값 하나짜리 행으로 덧붙입니다.
    """
    rows = []
    for name, group in results.groupby("model", sort=False):
        row = {"모델": name, "시드 수": len(group)}
        row |= {METRIC_NAMES.get(m, m): tables.mean_sd(group[m]) for m in metric_names}
        rows.append(row)
    for extra in extra_rows:
        row = {"모델": extra["model"], "시드 수": "-"}
        row |= {METRIC_NAMES.get(m, m): f"{extra[m]:.3f}" for m in metric_names}
        rows.append(row)
    return pd.DataFrame(rows)


def means(results: pd.DataFrame) -> pd.DataFrame:
    """모델마다 지표의 평균 (행 = 모델 이름). 노트북의 assert 는 이 평균으로 결론을 확인합니다."""
    return results.groupby("model", sort=False).mean(numeric_only=True)
