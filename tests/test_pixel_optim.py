"""lib.pixel_optim: [0, 1] 상자 안의 최적화, 정확한 평가 횟수."""

import pytest
import torch

from lib import pixel_optim


def test_box_is_clamp_with_gradient_at_the_bounds():
    x = torch.tensor([-0.5, 0.0, 0.25, 1.0, 1.5], requires_grad=True)
    y = pixel_optim.box(x)
    y.sum().backward()
    assert y.tolist() == [0.0, 0.0, 0.25, 1.0, 1.0]
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


def _run(optimizer, target, curvature, steps):
    """f(x) = sum c (box(x) - t)^2 를 최소화하고 (x, 평가마다의 손실) 을 돌려줍니다."""
    x = torch.full_like(target, 0.5).requires_grad_(True)
    calls = []

    def closure():
        if len(calls) == steps:
            raise pixel_optim.BudgetSpent
        x.grad = None
        loss = (curvature * (pixel_optim.box(x) - target).pow(2)).sum()
        loss.backward()
        calls.append(loss.item())
        return loss

    pixel_optim.minimize(x, closure, optimizer, steps=steps, lr=0.1)
    return x.detach(), calls


@pytest.mark.parametrize("optimizer", pixel_optim.OPTIMIZERS)
def test_every_optimizer_finds_the_boxed_minimum(optimizer):
    """t 의 일부는 [0, 1] 밖: 최솟값은 clamp(t). 예산(40번) 안에서 찾습니다."""
    target = torch.linspace(-1, 2, 12).view(1, 1, 3, 4)
    x, calls = _run(optimizer, target, torch.ones_like(target), steps=40)
    assert 1 <= len(calls) <= 40
    torch.testing.assert_close(pixel_optim.box(x), target.clamp(0, 1), atol=2e-2, rtol=0)
    if optimizer != "lbfgs":  # plbfgs 와 adam 은 변수 자체를 상자 안에 둡니다
        assert 0 <= x.min() and x.max() <= 1


@pytest.mark.parametrize("optimizer", pixel_optim.OPTIMIZERS)
def test_the_budget_is_spent_exactly_when_not_converged(optimizer):
    """곡률이 제각각이라 6번 안에 수렴하지 못하는 문제: 평가는 정확히 6번 (선 탐색 도중에도 멈춤)."""
    target = torch.linspace(0.1, 0.9, 12).view(1, 1, 3, 4)
    curvature = torch.logspace(-2, 2, 12).view(1, 1, 3, 4)
    _, calls = _run(optimizer, target, curvature, steps=6)
    assert len(calls) == 6 and calls[-1] < calls[0]
