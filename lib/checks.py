"""입력 검사: 모든 모듈이 같은 규칙 하나로 인자를 확인합니다.

- 형식이 틀리면(텐서가 아님, 정수가 아님) ``TypeError``,
- 모양이나 값이 틀리면(차원 수, 채널 수, 빈 이미지, 범위) ``ValueError``,

이고, 오류 글은 무엇을 기대했는지와 무엇을 받았는지를 함께 말합니다.
"""

from __future__ import annotations

import operator

import torch

SHAPE_NAMES = {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"}


def tensor(x, name: str, ndims: tuple[int, ...] | None = None) -> torch.Tensor:
    """``x`` 가 ``torch.Tensor`` 이고 차원 수가 ``ndims`` 중 하나인지 확인해 그대로 돌려줍니다."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} 는 torch.Tensor 여야 합니다 (받은 형식: {type(x).__name__})")
    if ndims is not None and x.ndim not in ndims:
        wanted = " 또는 ".join(SHAPE_NAMES.get(d, f"{d}차원") for d in ndims)
        raise ValueError(f"{name} 는 {wanted} 모양이어야 합니다 (받은 모양: {tuple(x.shape)})")
    return x


def images(x, name: str = "image", channels: int | None = None) -> torch.Tensor:
    """(N, C, H, W) 이미지 묶음인지 확인합니다: 4차원, 비지 않은 H·W, 주어지면 채널 수 ``channels``."""
    tensor(x, name, (4,))
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} 는 (N, {channels}, H, W) 여야 합니다 (받은 모양: {tuple(x.shape)})")
    if x.shape[-2] == 0 or x.shape[-1] == 0:
        raise ValueError(f"{name} 의 높이와 너비는 1 이상이어야 합니다 (받은 모양: {tuple(x.shape)})")
    return x


def integer(value, name: str, minimum: int | None = None) -> int:
    """정수(파이썬 int, NumPy 정수 등 ``operator.index`` 를 받는 값, bool 은 제외)를 int 로 돌려줍니다."""
    if isinstance(value, bool):
        raise TypeError(f"{name} 는 정수여야 합니다 (받은 값: {value!r})")
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} 는 정수여야 합니다 (받은 값: {value!r})") from None
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} 는 {minimum} 이상이어야 합니다 (받은 값: {number})")
    return number


def pair(value, name: str, minimum: int) -> tuple[int, int]:
    """정수 하나 또는 정수 1·2개짜리 순서열을 (세로, 가로) 쌍으로 바꾸고 ``minimum`` 이상인지 확인합니다.

    2·3장의 연산(언풀링, 전치 합성곱)이 크기 인자를 모두 이 한 규칙으로 읽습니다.
    """
    values = tuple(value) if isinstance(value, (tuple, list, torch.Size)) else (value,)
    if len(values) == 1:
        values = values * 2
    if len(values) != 2:
        raise TypeError(f"{name} 는 정수 하나 또는 (세로, 가로) 정수 쌍이어야 합니다 (받은 값: {value!r})")
    try:
        return tuple(integer(v, name, minimum) for v in values)
    except TypeError:
        raise TypeError(f"{name} 는 정수 하나 또는 (세로, 가로) 정수 쌍이어야 합니다 (받은 값: {value!r})") from None
    except ValueError:
        raise ValueError(f"{name} 는 {minimum} 이상이어야 합니다 (받은 값: {value!r})") from None


def choice(value, name: str, options) -> None:
    """``value`` 가 ``options`` 중 하나인지 확인합니다."""
    if value not in options:
        raise ValueError(f"{name} 는 {', '.join(map(repr, options))} 중 하나여야 합니다 (받은 값: {value!r})")
