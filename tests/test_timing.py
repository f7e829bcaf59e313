"""lib.timing: best_time 은 가장 짧은 시간을 돌려주고, 미리 실행과 반복 횟수를 지키며, 잘못된 인자를 거부합니다."""

import time

import pytest

from lib import timing


def test_best_time_returns_the_shortest_run_and_counts_calls():
    durations = iter([0.0, 0.03, 0.01, 0.02])  # 첫 번째는 warmup
    calls = []

    def work():
        calls.append(1)
        time.sleep(next(durations))

    best = timing.best_time(work, repeat=3, warmup=1)
    assert len(calls) == 4
    assert 0.009 <= best < 0.02  # 0.01 초짜리가 가장 짧음


def test_best_time_without_warmup():
    calls = []
    timing.best_time(lambda: calls.append(1), repeat=2, warmup=0)
    assert len(calls) == 2


@pytest.mark.parametrize("kwargs, error", [(dict(repeat=0), ValueError), (dict(warmup=-1), ValueError),
                                           (dict(repeat=1.5), TypeError)])
def test_best_time_refuses_bad_counts(kwargs, error):
    with pytest.raises(error):
        timing.best_time(lambda: None, **kwargs)


def test_paired_times_alternate_and_keep_each_minimum():
    order = []
    a_times, b_times = iter([0.02, 0.005, 0.01]), iter([0.0, 0.03, 0.02])

    def a():
        order.append("a")
        time.sleep(next(a_times))

    def b():
        order.append("b")
        time.sleep(next(b_times))

    best_a, best_b = timing.paired_times(a, b, repeat=2, warmup=1)
    assert order == ["a", "b", "a", "b", "a", "b"]
    assert 0.004 <= best_a < 0.01 and 0.019 <= best_b < 0.03
