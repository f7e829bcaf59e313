"""시간 재기: 노트북과 benchmarks/ 스크립트가 같은 방법으로 잽니다."""

from __future__ import annotations

import time

import torch

from . import checks, config


def best_time(fn, repeat: int = 3, warmup: int = 1, device: torch.device | str | None = None) -> float:
    """``fn()`` 을 ``warmup`` 번 미리 실행한 뒤 ``repeat`` 번 재어 가장 짧은 시간(초)을 돌려줍니다.

    가장 짧은 시간은 다른 프로세스가 끼어든 잡음을 가장 적게 담은 값입니다. GPU(CUDA, MPS)에서는 시계를 읽기
    전후에 ``device`` (None 이면 ``config.device()``) 의 작업이 끝나기를 기다립니다.
    """
    checks.integer(repeat, "repeat", 1)
    checks.integer(warmup, "warmup", 0)
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        config.synchronize(device)
        start = time.perf_counter()
        fn()
        config.synchronize(device)
        times.append(time.perf_counter() - start)
    return min(times)


def paired_times(ours, baseline, repeat: int = 15, warmup: int = 1,
                 device: torch.device | str | None = None) -> tuple[float, float]:
    """두 함수를 번갈아(A, B, A, B, ...) 재어 각자의 가장 짧은 시간(초)을 돌려줍니다.

    같은 프로세스에서 번갈아 재므로, 기계가 중간에 느려져도 두 쪽이 같이 느려집니다. 비율
    ``ours / baseline`` 은 벤치마크가 말하는 "몇 배" 입니다.
    """
    checks.integer(repeat, "repeat", 1)
    for _ in range(checks.integer(warmup, "warmup", 0)):
        ours()
        baseline()
    best_ours = best_baseline = float("inf")
    for _ in range(repeat):
        best_ours = min(best_ours, best_time(ours, repeat=1, warmup=0, device=device))
        best_baseline = min(best_baseline, best_time(baseline, repeat=1, warmup=0, device=device))
    return best_ours, best_baseline
