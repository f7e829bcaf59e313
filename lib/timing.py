"""시간 재기: 노트북과 benchmarks/ 스크립트가 같은 방법으로 잽니다."""

from __future__ import annotations

import time
import unicodedata

import torch


def _sync() -> None:
    """GPU 작업은 비동기로 실행되므로 시간을 읽기 전에 끝나기를 기다립니다."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def best_time(fn, repeat: int = 3, warmup: int = 1) -> float:
    """``fn()`` 을 ``warmup`` 번 미리 실행한 뒤 ``repeat`` 번 재어 가장 짧은 시간(초)을 돌려줍니다.

    가장 짧은 시간은 다른 프로세스가 끼어든 잡음을 가장 적게 담은 값입니다.
    """
    if repeat < 1 or warmup < 0:
        raise ValueError(f"repeat 는 1 이상, warmup 은 0 이상이어야 합니다 (받은 값: {repeat}, {warmup})")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        _sync()
        start = time.perf_counter()
        fn()
        _sync()
        times.append(time.perf_counter() - start)
    return min(times)


def _width(text: str) -> int:
    """화면 폭: 한글 같은 전각 문자는 2칸."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: list[str], rows: list[list]) -> str:
    """열을 맞춘 일반 텍스트 표 (실수는 유효숫자 3자리, 한글 폭 고려)."""
    cells = [header] + [[f"{v:.3g}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(" " * (w - _width(c)) + c for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
