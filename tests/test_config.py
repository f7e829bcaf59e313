"""lib.config: 프로필, 장치, 시드."""

import random

import numpy as np
import pytest
import torch

from lib import config


def test_profile_follows_the_environment(monkeypatch):
    monkeypatch.setenv("BOOK_FAST", "1")
    assert config.profile() == "fast" and config.pick(1, 2) == 1
    monkeypatch.delenv("BOOK_FAST")
    assert config.profile() == "full" and config.pick(1, 2) == 2
    monkeypatch.setenv("BOOK_FAST", "0")
    assert config.profile() == "full"


def test_device_is_a_torch_device():
    device = config.device()
    assert device.type in {"cuda", "mps", "cpu"}
    assert device.type == "cuda" if torch.cuda.is_available() else device.type in {"mps", "cpu"}


def test_seeding_gives_identical_results_twice():
    def draw():
        config.seed_everything(123)
        return random.random(), np.random.rand(), torch.rand(3), torch.nn.Linear(2, 2).weight.detach().clone()

    first, second = draw(), draw()
    assert first[0] == second[0] and first[1] == second[1]
    assert torch.equal(first[2], second[2]) and torch.equal(first[3], second[3])
    config.seed_everything(124)
    assert not torch.equal(torch.rand(3), first[2])


def test_seed_must_be_an_integer():
    with pytest.raises(TypeError, match="정수"):
        config.seed_everything(1.5)


def test_offline_follows_the_environment(monkeypatch):
    monkeypatch.delenv("BOOK_FAST", raising=False)
    monkeypatch.delenv("BOOK_OFFLINE", raising=False)
    assert not config.offline()
    monkeypatch.setenv("BOOK_OFFLINE", "1")
    assert config.offline()
    monkeypatch.setenv("BOOK_OFFLINE", "0")
    monkeypatch.setenv("BOOK_FAST", "1")
    assert config.offline()  # 테스트·CI(fast)는 내려받지 않습니다


def test_resolve_device_is_the_one_device_policy():
    assert config.resolve_device(None) == config.device()
    assert config.resolve_device("cpu") == torch.device("cpu")
    config.synchronize("cpu")  # CPU 에서는 기다릴 것이 없음
    config.synchronize()


def test_seeding_turns_off_tf32_so_float32_comparisons_hold_on_gpus():
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    config.seed_everything(0)
    assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
