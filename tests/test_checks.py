"""lib.checks: 형식이 틀리면 TypeError, 모양·값이 틀리면 ValueError, 글에는 기대한 것과 받은 것."""

import numpy as np
import pytest
import torch

from lib import checks


def test_tensor_checks_type_then_rank():
    x = torch.zeros(2, 3)
    assert checks.tensor(x, "x", (2,)) is x
    with pytest.raises(TypeError, match="x 는 torch.Tensor.*ndarray"):
        checks.tensor(np.zeros((2, 3)), "x")
    with pytest.raises(ValueError, match=r"\(C, H, W\) 또는 \(N, C, H, W\).*\(2, 3\)"):
        checks.tensor(x, "x", (3, 4))


def test_images_need_four_dimensions_channels_and_nonempty_sides():
    checks.images(torch.zeros(1, 3, 2, 2), channels=3)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        checks.images(torch.zeros(1, 1, 2, 2), channels=3)
    with pytest.raises(ValueError, match="높이와 너비"):
        checks.images(torch.zeros(1, 3, 0, 2))


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), torch.tensor(3)])
def test_integer_accepts_integer_like_values(value):
    assert checks.integer(value, "n", 1) == 3 and type(checks.integer(value, "n")) is int


@pytest.mark.parametrize("value, error", [(3.0, TypeError), (True, TypeError), ("3", TypeError), (0, ValueError)])
def test_integer_refuses_the_rest(value, error):
    with pytest.raises(error, match="n 는"):
        checks.integer(value, "n", 1)


def test_pair_expands_and_validates():
    assert checks.pair(2, "k", 1) == (2, 2)
    assert checks.pair((np.int64(2), 3), "k", 1) == (2, 3)
    assert checks.pair([4], "k", 1) == (4, 4)
    with pytest.raises(TypeError, match="쌍"):
        checks.pair((1, 2, 3), "k", 1)
    with pytest.raises(TypeError, match="쌍"):
        checks.pair(1.5, "k", 1)
    with pytest.raises(ValueError, match="0 이상"):
        checks.pair((1, -1), "padding", 0)


def test_choice_lists_the_options():
    checks.choice("a", "mode", ("a", "b"))
    with pytest.raises(ValueError, match="'a', 'b' 중 하나.*'c'"):
        checks.choice("c", "mode", ("a", "b"))
