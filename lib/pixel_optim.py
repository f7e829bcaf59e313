"""이미지 픽셀의 최적화: 값이 [0, 1] 상자(box) 안에 있어야 하는 변수 ``x`` 를, 목적 함수 평가 횟수의 예산 안에서.

스타일 전이(``lib.style.transfer``)는 네트워크가 아니라 이미지 한 장의 픽셀을 최적화합니다. 픽셀은 [0, 1] 밖으로
나가면 안 되므로, 최적화기마다 상자를 다루는 방법이 함께 정해집니다. 목적 함수는 언제나 ``box(x)`` 에서 계산합니다.

- ``"lbfgs"``: ``torch.optim.LBFGS`` (강한 Wolfe 선 탐색)를 그대로. 변수는 상자 밖으로 나갈 수 있고, 나간 픽셀은
  ``box`` 의 기울기가 0 이라 그 자리에 멈춥니다.
- ``"plbfgs"``: 사영(projected) L-BFGS. L-BFGS-B (Byrd 외 1995) 와 같은 생각의 단순한 판입니다: 경계에 닿아
  있고 기울기가 바깥을 향하는 픽셀(활성 집합)은 움직이지 않고, 나머지 픽셀로 L-BFGS 방향을 만든 뒤, 상자로
  사영한 점에서 Armijo 조건을 만족할 때까지 스텝을 반으로 줄입니다(되짚기 선 탐색).
- ``"adam"``: Adam 의 스텝마다 x 를 [0, 1] 로 되돌립니다(사영).

세 방법 모두 ``closure()`` 의 호출 한 번(순전파+역전파)을 평가 한 번으로 세고, ``steps`` 번에서 멈춥니다 (수렴해
더 나아가지 못하면 그 전에 끝날 수 있습니다).
"""

from __future__ import annotations

import torch

OPTIMIZERS = ("plbfgs", "lbfgs", "adam")
HISTORY = 50  # L-BFGS 가 기억하는 (스텝, 기울기 변화) 쌍의 수: lbfgs 와 plbfgs 가 같게


class BudgetSpent(Exception):
    """평가 횟수(steps)를 다 썼다는 신호. 선 탐색 도중에도 정확히 steps 번에서 멈추게 합니다."""


def box(x: torch.Tensor) -> torch.Tensor:
    """값은 ``clamp(x, 0, 1)``, 기울기는 0 <= x <= 1 (경계 포함)에서 1, 밖에서 0.

    ``torch.clamp`` 의 기울기는 경계값(정확히 0 이나 1)에서도 0 이라, 포화된 픽셀(사진의 흰색·검은색)과 경계로
    되돌린 픽셀이 영영 움직이지 못합니다. 경계에서는 안쪽으로의 한쪽 도함수 1 을 씁니다.
    """
    return torch.where((x >= 0) & (x <= 1), x, x.detach().clamp(0, 1))


def minimize(x: torch.Tensor, closure, optimizer: str, steps: int, lr: float) -> None:
    """``closure`` 를 ``steps`` 번 평가할 때까지 ``x`` 를 고칩니다 (``BudgetSpent`` 로 끝남).

    Args:
        x: 최적화할 연속(contiguous) 텐서, ``requires_grad=True``.
        closure: ``x.grad`` 를 채우고 손실(스칼라 텐서)을 돌려주는 함수. ``steps`` 번 다음 호출에서
            ``BudgetSpent`` 를 던져야 합니다.
        optimizer: ``OPTIMIZERS`` 중 하나.
        lr: Adam 의 학습률 (픽셀 값 단위; 다른 방법은 쓰지 않음).
    """
    try:
        if optimizer == "lbfgs":
            torch.optim.LBFGS([x], lr=1.0, max_iter=steps, max_eval=2 * steps, tolerance_grad=0.0,
                              tolerance_change=0.0, history_size=HISTORY, line_search_fn="strong_wolfe").step(closure)
        elif optimizer == "plbfgs":
            projected_lbfgs(x, closure)
        else:
            adam = torch.optim.Adam([x], lr=lr)
            for _ in range(steps):
                closure()
                adam.step()
                with torch.no_grad():
                    x.clamp_(0, 1)  # 사영: 변수를 [0, 1] 안에 둬 기울기가 0 이 되지 않게
    except BudgetSpent:
        pass


def projected_lbfgs(x: torch.Tensor, closure, history: int = HISTORY) -> None:
    """사영 L-BFGS: 활성 집합은 고정, 자유 픽셀로 L-BFGS 방향, 상자로 사영한 점에서 Armijo 되짚기.

    ``closure`` 가 ``BudgetSpent`` 를 던질 때까지(또는 더 내려갈 수 없을 때까지) 반복합니다.
    """
    flat = x.detach().view(-1)  # x 와 같은 저장소: 제자리에서 고칩니다
    with torch.no_grad():
        flat.clamp_(0, 1)
    loss, grad = float(closure().detach()), x.grad.detach().view(-1).clone()
    pairs: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []  # (s, y, 1/(s·y)), 오래된 것부터
    first = True
    while True:
        with torch.no_grad():
            # 활성 집합: 경계에 있고 기울기가 상자 바깥을 향하는 픽셀
            active = ((flat <= 0) & (grad > 0)) | ((flat >= 1) & (grad < 0))
            direction = _two_loop(grad.masked_fill(active, 0), pairs).neg_().masked_fill_(active, 0)
            slope = torch.dot(grad, direction).item()
            if not slope < 0:  # 내려가는 방향이 아니면 기억을 버리고 (자유 픽셀의) 가장 가파른 내리막으로
                pairs.clear()
                direction = grad.masked_fill(active, 0).neg_()
                slope = torch.dot(grad, direction).item()
                if not slope < 0:
                    return  # 사영 기울기가 0: 더 내려갈 수 없음
            step = min(1.0, 1.0 / grad.abs().sum().item()) if first else 1.0  # torch LBFGS 와 같은 첫 스텝
            first, start = False, flat.clone()
        while True:  # 되짚기 선 탐색: 상자로 사영한 점에서 충분히 내려갈 때까지 스텝을 반으로
            with torch.no_grad():
                torch.clamp(start + step * direction, 0, 1, out=flat)
            new_loss = float(closure().detach())
            with torch.no_grad():
                moved = flat - start
                if new_loss <= loss + 1e-4 * torch.dot(grad, moved).item() or step < 1e-10:
                    break
            step /= 2
        with torch.no_grad():
            new_grad = x.grad.detach().view(-1)
            change = new_grad - grad
            curvature = torch.dot(moved, change)
            if curvature.item() > 1e-10:  # 곡률 조건을 만족하는 쌍만 기억 (H 를 양의 정부호로)
                pairs.append((moved, change, 1.0 / curvature))
                del pairs[:-history]
            loss, grad = new_loss, new_grad


def _two_loop(grad: torch.Tensor, pairs: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> torch.Tensor:
    """L-BFGS 의 두 고리 재귀: 역헤세 근사 ``H`` 와 ``grad`` 의 곱 (Nocedal & Wright, 알고리즘 7.4).

    계수는 0차원 텐서로 둡니다: GPU 에서 계수마다 CPU 로 값을 꺼내며 기다리지 않도록.
    """
    q = grad.clone()
    alphas = []
    for s, y, rho in reversed(pairs):
        alpha = rho * torch.dot(s, q)
        q.addcmul_(y, alpha, value=-1)
        alphas.append(alpha)
    if pairs:
        s, y, _ = pairs[-1]
        q.mul_(torch.dot(s, y) / torch.dot(y, y))  # 초기 H = (s·y / y·y) I
    for (s, y, rho), alpha in zip(pairs, reversed(alphas)):
        q.addcmul_(s, alpha - rho * torch.dot(y, q))
    return q
