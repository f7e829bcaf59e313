"""실행 환경 설정: 프로필(fast/full), 인터넷 사용 여부, 장치(device), 난수 시드.

책의 모든 장은 이 모듈로 "얼마나 크게 돌릴지"와 "어디서 돌릴지"를 한 번에 정합니다. 환경 변수는 이 모듈만 읽습니다.

- ``BOOK_FAST=1``: ``fast`` 프로필 (CI 와 테스트 명령이 설정). 2코어 CPU 에서 장마다 3분 이내.
  그 밖에는 ``full`` 프로필: 책에 실린 결과. CPU 로도 돌릴 수 있고 GPU 에서는 더 빠릅니다.
- ``BOOK_OFFLINE=1``: 인터넷에서 아무것도 내려받지 않습니다 (데이터셋, torchvision 가중치). fast 프로필도 마찬가지.

장치 정책: 모델을 실행하는 ``lib`` 의 함수는 모두 ``device=None`` 인자를 받고, ``None`` 은 ``device()``
(CUDA → Apple MPS → CPU) 를 뜻합니다. 호출한 사람의 모델을 그 장치로 옮기는지는 각 함수의 설명에 적습니다.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch


def _flag(name: str) -> bool:
    return os.environ.get(name, "0").strip() == "1"


def profile() -> str:
    """현재 프로필 이름을 돌려줍니다: 환경 변수 ``BOOK_FAST=1`` 이면 ``"fast"``, 아니면 ``"full"``."""
    return "fast" if _flag("BOOK_FAST") else "full"


def is_fast() -> bool:
    """fast 프로필이면 ``True``."""
    return profile() == "fast"


def offline() -> bool:
    """인터넷에서 내려받지 않아야 하면 ``True``: ``BOOK_OFFLINE=1`` 이거나 fast 프로필(테스트·CI)일 때."""
    return _flag("BOOK_OFFLINE") or is_fast()


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


def resolve_device(device_or_none: torch.device | str | None) -> torch.device:
    """장치 정책 한 곳: ``None`` 이면 ``device()``, 아니면 그 장치."""
    return device() if device_or_none is None else torch.device(device_or_none)


def synchronize(device_or_none: torch.device | str | None = None) -> None:
    """GPU 작업은 비동기로 실행되므로, 시간을 읽기 전에 그 장치(CUDA 또는 MPS)의 작업이 끝나기를 기다립니다."""
    kind = resolve_device(device_or_none).type
    if kind == "cuda":
        torch.cuda.synchronize()
    elif kind == "mps":
        torch.mps.synchronize()


def seed_everything(seed: int = 0) -> None:
    """Python, NumPy, PyTorch(CPU·CUDA)의 난수 생성기를 모두 ``seed`` 로 맞추고 GPU 의 TF32 를 끕니다.

    같은 기계에서 두 번 실행하면 같은 숫자가 나오도록, 모든 노트북이 맨 앞에서 한 번 부릅니다.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed 는 정수여야 합니다 (받은 값: {seed!r})")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # CUDA 생성기도 함께 맞춥니다
    # NVIDIA GPU 의 TF32(float32 를 10비트 가수로 곱하는 빠른 모드)를 끕니다: 책은 두 계산이 같은지를 1e-5 안에서
    # 비교하는데(예: 1장의 세 방법), TF32 에서는 계산 경로마다 1e-3 쯤 달라집니다.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def describe() -> str:
    """노트북 첫머리에 찍는 한 줄 요약: 프로필, 장치, torch 버전."""
    return f"프로필: {profile()} | 장치: {device()} | torch {torch.__version__}"
