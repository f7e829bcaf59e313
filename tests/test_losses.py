"""lib.losses: Dice 점수는 직접 센 값과, 부드러운 Dice 는 원-핫 확률에서 Dice 점수와 같고, 경계 가중치는 논문의 식."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lib import losses, metrics


def count_dice(pred, target, k):
    """집합으로 직접 세기: 2|P∩G| / (|P| + |G|)."""
    p = {i for i, v in enumerate(pred.flatten().tolist()) if v == k}
    g = {i for i, v in enumerate(target.flatten().tolist()) if v == k}
    return 2 * len(p & g) / (len(p) + len(g)) if p or g else float("nan")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dice_score_matches_a_direct_count_and_the_iou_relation(seed):
    generator = torch.Generator().manual_seed(seed)
    pred = torch.randint(0, 4, (2, 9, 7), generator=generator)
    target = torch.randint(0, 3, (2, 9, 7), generator=generator)  # 클래스 3 은 예측에만
    dice = losses.dice_score(pred, target, 5)  # 클래스 4 는 어디에도 없음
    for k in range(4):
        assert dice[k].item() == pytest.approx(count_dice(pred, target, k))
    assert math.isnan(dice[4])
    iou = metrics.iou_per_class(pred, target, 5)
    torch.testing.assert_close(dice[:4], 2 * iou[:4] / (1 + iou[:4]))


def test_soft_dice_of_one_hot_probabilities_is_the_dice_score():
    torch.manual_seed(0)
    target = torch.randint(0, 3, (2, 6, 6))
    pred = torch.randint(0, 3, (2, 6, 6))
    logits = 60.0 * F.one_hot(pred, 3).permute(0, 3, 1, 2).float()  # 소프트맥스가 사실상 원-핫
    expected = 1 - losses.dice_score(pred, target, 3).mean().item()
    assert losses.dice_loss(logits, target, eps=0.0).item() == pytest.approx(expected, abs=1e-6)
    perfect = 60.0 * F.one_hot(target, 3).permute(0, 3, 1, 2).float()
    assert losses.dice_loss(perfect, target).item() == pytest.approx(0.0, abs=1e-6)


def test_dice_loss_has_gradients_and_rejects_bad_input():
    logits = torch.randn(2, 4, 5, 5, requires_grad=True)
    losses.dice_loss(logits, torch.randint(0, 4, (2, 5, 5))).backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="N, H, W"):
        losses.dice_loss(torch.randn(2, 4, 5, 5), torch.zeros(2, 4, 4, dtype=torch.long))
    with pytest.raises(TypeError, match="정수"):
        losses.dice_loss(torch.randn(2, 4, 5, 5), torch.zeros(2, 5, 5))


def test_weighted_cross_entropy_with_unit_weights_is_cross_entropy():
    torch.manual_seed(0)
    logits, masks = torch.randn(2, 3, 4, 5), torch.randint(0, 3, (2, 4, 5))
    torch.testing.assert_close(losses.weighted_cross_entropy(logits, masks, torch.ones(2, 4, 5)),
                               F.cross_entropy(logits, masks))
    weights = torch.rand(2, 4, 5)
    by_hand = (weights * -logits.log_softmax(1).gather(1, masks[:, None])[:, 0]).mean()
    torch.testing.assert_close(losses.weighted_cross_entropy(logits, masks, weights), by_hand)


def test_border_weights_follow_equation_two_of_the_paper():
    """두 물체 사이 틈의 배경 픽셀: d1, d2 를 직접 재어 w = 1 + w0·exp(−(d1+d2)²/2σ²)."""
    mask = torch.zeros(1, 7, 12, dtype=torch.long)
    mask[0, 1:6, 1:5] = 1  # 열 1~4
    mask[0, 1:6, 7:11] = 1  # 열 7~10, 틈은 열 5, 6
    w0, sigma = 10.0, 2.0
    weights = losses.border_weights(mask, w0, sigma)
    # 열 5 의 픽셀 (3, 5): 왼쪽 물체까지 1, 오른쪽 물체까지 2
    assert weights[0, 3, 5].item() == pytest.approx(1 + w0 * math.exp(-(1 + 2) ** 2 / (2 * sigma**2)), rel=1e-5)
    assert torch.all(weights[mask == 1] == 1)  # 물체 안은 w_c = 1
    far = weights[0, 6, 0].item()  # 모서리: 두 물체에서 멀리
    assert 1 <= far < weights[0, 3, 5].item()
    only_one = torch.zeros(1, 7, 12, dtype=torch.long)
    only_one[0, 2:5, 2:5] = 2
    assert torch.all(losses.border_weights(only_one) == 1)  # 물체가 하나면 경계 항이 없습니다


def test_border_weights_use_the_class_weights_w_c():
    rng = np.random.default_rng(0)
    mask = torch.from_numpy(rng.integers(0, 3, (2, 9, 9)))
    class_weights = torch.tensor([0.5, 2.0, 3.0])
    weights = losses.border_weights(mask, w0=0.0, class_weights=class_weights)
    torch.testing.assert_close(weights, class_weights[mask])


def test_border_weighted_loss_plugs_into_fit_signature():
    torch.manual_seed(0)
    mask = torch.zeros(2, 8, 8, dtype=torch.long)
    mask[:, 1:4, 1:7] = 1
    mask[:, 5:7, 1:7] = 1
    logits = torch.randn(2, 2, 8, 8, requires_grad=True)
    loss = losses.BorderWeightedLoss(w0=10, sigma=3)(logits, mask)
    loss.backward()
    assert loss > F.cross_entropy(logits, mask) and logits.grad is not None
