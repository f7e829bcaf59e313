"""신경 스타일 전이(neural style transfer): 노트의 손실 그대로, 그리고 여러 층으로 넓힌 최적화.

노트의 식 (한 층, 사전 활성화 ``a_ijk``: 위치 ``(i, j)``, 채널 ``k``; ``I x J`` 위치, ``K`` 채널):

    E(G) = E_content(G, C) + E_style(G, S)
    E_content(G, C) = sum_ijk (a_ijk(G) - a_ijk(C))^2
    F_kk'(G) = sum_ij a_ijk(G) a_ijk'(G)
    E_style(G, S) = 1 / (2IJK)^2 * sum_kk' (F_kk'(G) - F_kk'(S))^2

노트를 넘어서: 여러 층의 가중합, 층별 정규화, 총변동(total variation) 항, L-BFGS 와 Adam, [0, 1] 상자 제약.
이미지 준비(흑백·RGBA 변환, 크기 맞추기)는 ``lib.images``, 최적화 반복은 이 모듈의 ``transfer`` 입니다.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import torch
from tqdm.auto import tqdm

from . import checks, config, images, pixel_optim
from .vgg import VGGFeatures

CONTENT_LAYERS = ("conv4_2",)
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")


# --------------------------------------------------------------------------------------
# 노트의 식 (한 층)
# --------------------------------------------------------------------------------------
def gram_matrix(a: torch.Tensor) -> torch.Tensor:
    """노트의 스타일 행렬 ``F_kk' = sum_ij a_ijk a_ijk'`` (정규화하지 않음).

    Args:
        a: 사전 활성화 (N, K, I, J).
    Returns:
        (N, K, K) — 채널 ``k`` 와 ``k'`` 가 같은 위치에서 함께 켜지는 정도(공동 발생). 위치 정보는 사라집니다.
    """
    checks.tensor(a, "a", (4,))
    flat = a.flatten(2)  # (N, K, I, J) -> (N, K, IJ)
    return flat @ flat.transpose(1, 2)  # (N, K, IJ) @ (N, IJ, K) -> (N, K, K)


def content_loss(a_g: torch.Tensor, a_c: torch.Tensor) -> torch.Tensor:
    """노트의 콘텐츠 손실 ``sum_ijk (a_ijk(G) - a_ijk(C))^2`` (스칼라). 두 텐서의 모양이 같아야 합니다."""
    checks.tensor(a_g, "a_g", (4,))
    checks.tensor(a_c, "a_c", (4,))
    if a_g.shape[1:] != a_c.shape[1:]:
        raise ValueError("콘텐츠 손실은 같은 모양의 특징끼리 비교합니다 "
                         f"(받은 모양: {tuple(a_g.shape)}, {tuple(a_c.shape)})")
    return (a_g - a_c).pow(2).sum()


def style_loss(a_g: torch.Tensor, a_s: torch.Tensor) -> torch.Tensor:
    """노트의 스타일 손실 ``sum_kk' (F_kk'(G) - F_kk'(S))^2 / (2IJK)^2`` (스칼라).

    채널 수 ``K`` 는 같아야 합니다. 위치 수가 다르면(스타일 이미지의 크기가 다르면) ``F(S)`` 를 위치 수의 비율
    ``IJ(G) / IJ(S)`` 로 맞춥니다 — 크기가 같을 때는 노트의 식과 정확히 같습니다.

    Args:
        a_g: 만드는 이미지 G 의 사전 활성화 (N, K, I, J).
        a_s: 스타일 이미지 S 의 사전 활성화 (1 또는 N, K, I', J').
    """
    checks.tensor(a_g, "a_g", (4,))
    checks.tensor(a_s, "a_s", (4,))
    if a_g.shape[1] != a_s.shape[1]:
        raise ValueError(f"채널 수 K 가 같아야 합니다 (받은 값: {a_g.shape[1]}, {a_s.shape[1]})")
    return style_loss_to_target(a_g, mean_gram(a_s))


def mean_gram(a: torch.Tensor) -> torch.Tensor:
    """위치 하나당 평균 스타일 행렬 ``F / (I J)`` (N, K, K): 크기가 다른 이미지끼리 비교할 때 씁니다."""
    return gram_matrix(a) / (a.shape[2] * a.shape[3])


def style_loss_to_target(a_g: torch.Tensor, target_mean_gram: torch.Tensor) -> torch.Tensor:
    """``style_loss`` 와 같은 값을, 미리 계산한 목표 ``mean_gram(a_s)`` 로 계산합니다.

    반복마다 스타일 이미지 S 를 다시 네트워크에 통과시키지 않도록 목표는 한 번만 계산해 둡니다. 역전파는
    Gatys 외의 식 ``dE/da_ijk = sum_k' (F_kk'(G) - F_kk'(S)) a_ijk' / (IJK)^2`` 그대로입니다 (``_GramLoss``).
    """
    k, i, j = a_g.shape[1:]
    return _GramLoss.apply(a_g, target_mean_gram * (i * j), 1.0 / (2 * i * j * k) ** 2)


class _GramLoss(torch.autograd.Function):
    """``c * sum((F(a) - T)^2)`` 와 그 기울기 ``4c (F(a) - T) a`` (T 는 대칭인 그람 행렬).

    autograd 로 ``F = A A^T`` 를 미분하면 행렬곱 두 번과 더하기가 들지만, F 와 T 가 대칭이라 한 번이면 됩니다.
    """

    @staticmethod
    def forward(ctx, a: torch.Tensor, target: torch.Tensor, coefficient: float) -> torch.Tensor:
        flat = a.flatten(2)  # (N, K, IJ)
        diff = torch.baddbmm(target.expand(flat.shape[0], -1, -1), flat, flat.transpose(1, 2), alpha=1, beta=-1)
        ctx.save_for_backward(flat, diff)
        ctx.coefficient, ctx.shape, ctx.target_shape = coefficient, a.shape, target.shape
        return diff.pow(2).sum() * coefficient  # diff = F(a) - T, (N, K, K)

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        flat, diff = ctx.saved_tensors
        grad_a = grad_target = None
        if ctx.needs_input_grad[0]:
            grad_a = torch.bmm(diff, flat).mul_(4 * ctx.coefficient * grad).view(ctx.shape)  # Gatys 의 식
        if ctx.needs_input_grad[1]:
            grad_target = (-2 * ctx.coefficient * grad) * diff.sum(0, keepdim=True).expand(ctx.target_shape) \
                if ctx.target_shape[0] == 1 else (-2 * ctx.coefficient * grad) * diff
        return grad_a, grad_target, None


def total_variation(image: torch.Tensor) -> torch.Tensor:
    """총변동(total variation, 노트를 넘어서): 이웃 픽셀 차이의 제곱 평균 (세로 + 가로). 잔 얼룩을 누릅니다."""
    dy = image[..., 1:, :] - image[..., :-1, :]
    dx = image[..., :, 1:] - image[..., :, :-1]
    return dy.pow(2).mean() + dx.pow(2).mean()


def match_area(style: torch.Tensor, height: int, width: int, scale: float = 1.0) -> torch.Tensor:
    """스타일 이미지의 비율은 그대로 두고 넓이를 ``(scale**2) * height * width`` 에 맞춥니다.

    크기·비율이 다른 스타일 이미지를 받는 정책입니다: 넓이가 같으면 질감의 크기(붓 터치의 굵기)가 만드는
    이미지와 비슷해집니다. ``scale`` 이 1 보다 크면 질감이 커집니다.
    """
    if scale <= 0:
        raise ValueError(f"style_scale 은 양수여야 합니다 (받은 값: {scale})")
    h, w = style.shape[-2:]
    factor = scale * (height * width / (h * w)) ** 0.5
    return images.as_rgb(style, max(1, round(max(h, w) * factor)))


# --------------------------------------------------------------------------------------
# 목적 함수: 층별 가중치와 정규화를 한 번 정해 두고, 반복마다 G 의 특징만 계산합니다.
# --------------------------------------------------------------------------------------
def _layer_weights(layers: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    """층 이름 목록이면 똑같이 1/L 씩, 사전이면 그대로."""
    if isinstance(layers, Mapping):
        return dict(layers)
    return {name: 1.0 / len(layers) for name in layers}


def make_objective(extractor: VGGFeatures, content: torch.Tensor | None, style: torch.Tensor | None,
                   content_layers, style_layers, normalize: bool):
    """``terms(G) -> (E_content, E_style)`` 함수를 만듭니다. 목표(C 의 특징, S 의 스타일 행렬)는 한 번만 계산합니다.

    Args:
        content, style: (1, 3, H, W) 이미지 또는 None (그 항을 쓰지 않음).
        content_layers, style_layers: 층 이름 목록(같은 가중치) 또는 ``{층: 가중치}``.
        normalize: True 면 층마다 손실을 "a(G) = 0 일 때의 손실"(목표의 크기)로 나눕니다: 콘텐츠는
            ``sum a(C)^2``, 스타일은 ``sum F(S)^2 / (2IJK)^2``. 그러면 각 층의 항이 상대 오차가 되어, 가중치의
            크기(원래·ImageNet·무작위)와 층의 채널·위치 수에 상관없이 ``w_l`` 이 그대로 층의 비중이 됩니다.
            False 면 노트의 식 그대로입니다.
    """
    content_w = _layer_weights(content_layers) if content is not None else {}
    style_w = _layer_weights(style_layers) if style is not None else {}
    layers = list(dict.fromkeys([*content_w, *style_w]))
    with torch.no_grad():
        content_feats = extractor(content, list(content_w)) if content_w else {}
        targets = {n: mean_gram(a) for n, a in extractor(style, list(style_w)).items()} if style_w else {}
    # a(G) = 0 일 때: 콘텐츠 sum a(C)^2, 스타일 sum (IJ T)^2 / (2IJK)^2 = sum T^2 / (4K^2) (G 의 크기와 무관)
    content_coef = {n: content_w[n] / (a.pow(2).sum().item() if normalize else 1.0)
                    for n, a in content_feats.items()}
    style_coef = {n: style_w[n] * (4 * t.shape[-1] ** 2 / t.pow(2).sum().item() if normalize else 1.0)
                  for n, t in targets.items()}

    def terms(g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feats = extractor(g, layers)
        zero = g.new_zeros(())
        e_content = sum((c * content_loss(feats[n], content_feats[n]) for n, c in content_coef.items()), zero)
        e_style = sum((c * style_loss_to_target(feats[n], targets[n]) for n, c in style_coef.items()), zero)
        return e_content, e_style

    return terms


def _initial_image(init: str, like: torch.Tensor, content: torch.Tensor | None, seed: int) -> torch.Tensor:
    """최적화의 출발점: ``"content"`` 는 콘텐츠 이미지, ``"noise"`` 는 [0, 1] 균등 잡음 (시드 고정)."""
    checks.choice(init, "init", ("content", "noise"))
    if init == "content":
        if content is None:
            raise ValueError("init='content' 에는 콘텐츠 이미지가 필요합니다")
        return content.clone()
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(like.shape, generator=generator).to(like.device)


# --------------------------------------------------------------------------------------
# 전이
# --------------------------------------------------------------------------------------
def transfer(content: torch.Tensor | None, style: torch.Tensor | None, *,
             extractor: VGGFeatures | None = None, image_size: int = 256,
             content_layers=CONTENT_LAYERS, style_layers=STYLE_LAYERS,
             content_weight: float = 1.0, style_weight: float = 1.0, normalize: bool = True,
             tv_weight: float = 0.0, init: str = "content", optimizer: str = "plbfgs", steps: int = 300,
             lr: float = 0.02, style_scale: float = 1.0, seed: int = 0, progress: bool = True,
             desc: str = "스타일 전이", device: torch.device | str | None = None
             ) -> tuple[torch.Tensor, dict[str, list[float]]]:
    """``E(G) = a E_content(G, C) + b E_style(G, S) + c TV(G)`` 를 [0, 1] 안의 이미지 G 에 대해 최소화합니다.

    상자 제약: 목적 함수는 언제나 ``pixel_optim.box(x)`` (값은 ``clamp(x, 0, 1)``)에서 계산합니다 (x 는 최적화
    변수). 그래서 기록된 손실은 [0, 1] 안의 이미지의 손실이고, 돌려주는 이미지의 손실은 정확히
    ``min(history["total"])`` 입니다. 최적화기마다 상자를 다루는 방법은 ``lib.pixel_optim`` 에 있습니다.

    Args:
        content: 콘텐츠 이미지 C, (C, H, W) 또는 (1, C, H, W), 흑백·RGB·RGBA. None 이면 스타일만 (질감 합성).
        style: 스타일 이미지 S (크기·비율이 C 와 달라도 됨, ``match_area`` 참고). None 이면 콘텐츠만 (재구성).
        extractor: ``VGGFeatures``; None 이면 필요한 층으로 새로 만듭니다 (가중치 "auto" = 원래 VGG19).
            주어진 추출기는 ``device`` 로 옮깁니다 (호출한 사람의 추출기가 옮겨집니다).
        image_size: G 의 긴 변 (C 가 없으면 S 의 비율을 따름).
        content_layers, style_layers: 층 이름 목록(같은 가중치) 또는 ``{층: 가중치}``.
        content_weight, style_weight, tv_weight: 세 항의 가중치 a, b, c.
        normalize: 층별 정규화 (``make_objective`` 참고). False 면 노트의 식 그대로.
        init: ``"content"`` (C 에서 출발) 또는 ``"noise"`` (시드 ``seed`` 의 균등 잡음에서 출발).
        optimizer: ``"plbfgs"`` (사영 L-BFGS, 상자를 앎; 5장의 비교에서 가장 좋았던 것), ``"lbfgs"``
            (``torch.optim.LBFGS``) 또는 ``"adam"`` (학습률 ``lr``, 스텝마다 [0, 1] 로 사영).
        steps: 목적 함수 평가(순전파+역전파) 횟수 — 최적화기들의 비용을 같은 단위로 셉니다. L-BFGS 는
            선 탐색의 평가도 셉니다 (steps 번에서 멈춤).
        style_scale: 스타일 이미지의 크기 배율 (클수록 질감이 큼).
        progress: 진행 막대와, 끝난 뒤 요약 한 줄을 출력할지.
        device: 계산할 장치; None 이면 ``config.device()`` (GPU 가 있으면 GPU).
    Returns:
        image: 평가한 이미지 중 손실이 가장 작았던 것, (1, 3, H, W) CPU 텐서, 값은 [0, 1].
        history: ``{"total", "content", "style", "tv"}`` → 평가마다의 (가중치를 곱한) 손실 목록.
    """
    if content is None and style is None:
        raise ValueError("content 와 style 중 적어도 하나는 이미지여야 합니다")
    checks.choice(optimizer, "optimizer", pixel_optim.OPTIMIZERS)
    checks.integer(steps, "steps", 1)
    device = config.resolve_device(device)
    if extractor is None:
        extractor = VGGFeatures([*_layer_weights(content_layers), *_layer_weights(style_layers)])
    extractor.to(device)
    content = None if content is None else _prepare(content, image_size).to(device)
    style = None if style is None else _prepare(style, image_size).to(device)
    if content is not None and style is not None:
        style = match_area(style, *content.shape[-2:], scale=style_scale)
    x = _initial_image(init, content if content is not None else style, content, seed).contiguous()
    terms = make_objective(extractor, content, style, content_layers, style_layers, normalize)
    x.requires_grad_(True)  # L-BFGS 는 연속(contiguous) 텐서가 필요합니다 (기울기를 view(-1) 로 펼침)
    history = {"total": [], "content": [], "style": [], "tv": []}
    best = {"loss": float("inf"), "image": pixel_optim.box(x.detach())}
    bar = tqdm(total=steps, desc=desc, disable=not progress, leave=False)
    start = time.perf_counter()

    def closure() -> torch.Tensor:
        if len(history["total"]) == steps:
            raise pixel_optim.BudgetSpent
        x.grad = None
        image = pixel_optim.box(x)  # 상자 제약: 목적 함수는 [0, 1] 안의 이미지만 봅니다
        e_content, e_style = terms(image)
        parts = [content_weight * e_content, style_weight * e_style,
                 tv_weight * total_variation(image) if tv_weight else image.new_zeros(())]
        loss = parts[0] + parts[1] + parts[2]
        loss.backward()
        values = torch.stack([loss, *parts]).detach().tolist()  # 장치에서 한 번에 꺼냄
        for name, value in zip(history, values):
            history[name].append(value)
        if values[0] < best["loss"]:  # 평가한 이미지 중 가장 좋은 것을 돌려줍니다
            best.update(loss=values[0], image=image.detach().clone())
        bar.update()
        return loss

    pixel_optim.minimize(x, closure, optimizer, steps, lr)
    bar.close()
    if progress:
        print(f"{desc}: 평가 {len(history['total'])}회, 손실 {history['total'][0]:.4g} → {best['loss']:.4g} "
              f"({time.perf_counter() - start:.0f}초)")
    return best["image"].cpu(), history


def _prepare(image: torch.Tensor, max_side: int) -> torch.Tensor:
    """이미지 한 장 (C, H, W) 또는 (1, C, H, W) → (1, 3, H, W) [0, 1], 긴 변 ``max_side`` (``images.as_rgb``)."""
    checks.tensor(image, "image", (3, 4))
    if image.ndim == 4 and image.shape[0] != 1:
        raise ValueError(f"이미지 한 장 (C, H, W) 또는 (1, C, H, W) 가 필요합니다 (받은 모양: {tuple(image.shape)})")
    return images.as_rgb(image, max_side)
