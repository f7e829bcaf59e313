"""실행 환경 설정: 프로필(fast/full), 장치(device), 난수 시드.

책의 모든 장은 이 모듈로 "얼마나 크게 돌릴지"를 한 번에 정합니다.

- ``BOOK_FAST=1`` 이면 ``fast`` 프로필 (CI 와 테스트 명령이 설정): 2코어 CPU 에서 장마다 3분 이내.
- 그 밖에는 ``full`` 프로필: 책에 실린 결과. CPU 로도 돌릴 수 있고 GPU 에서는 더 빠릅니다.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

PROFILES = ("fast", "full")


def profile() -> str:
    """현재 프로필 이름을 돌려줍니다: 환경 변수 ``BOOK_FAST=1`` 이면 ``"fast"``, 아니면 ``"full"``."""
    return "fast" if os.environ.get("BOOK_FAST", "0").strip() == "1" else "full"


def is_fast() -> bool:
    """fast 프로필이면 ``True``."""
    return profile() == "fast"


def pick(fast, full):
    """프로필에 맞는 값을 고릅니다. 장 맨 위의 설정 사전에서 ``pick(작은 값, 큰 값)`` 으로 씁니다."""
    return fast if is_fast() else full


def device() -> torch.device:
    """쓸 수 있는 가장 빠른 장치: CUDA → Apple MPS → CPU 순서."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int = 0) -> None:
    """Python, NumPy, PyTorch(CPU·CUDA)의 난수 생성기를 모두 ``seed`` 로 맞춥니다.

    같은 기계에서 두 번 실행하면 같은 숫자가 나오도록, 모든 노트북이 맨 앞에서 한 번 부릅니다.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed 는 정수여야 합니다 (받은 값: {seed!r})")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # CUDA 생성기도 함께 맞춥니다


def describe() -> str:
    """노트북 첫머리에 찍는 한 줄 요약: 프로필, 장치, torch 버전."""
    return f"프로필: {profile()} | 장치: {device()} | torch {torch.__version__}"
