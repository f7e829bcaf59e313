"""lib.metrics: 직접 센 값과 비교 (혼동 행렬, 클래스별 IoU, mIoU, 픽셀 정확도), 없는 클래스, ignore_index."""

import math

import pytest
import torch

from lib import metrics


def direct_counts(pred, target, num_classes, ignore_index=None):
    """시험용 독립 구현: 픽셀 하나씩 파이썬으로 셉니다."""
    counts = [[0] * num_classes for _ in range(num_classes)]
    for p, t in zip(pred.flatten().tolist(), target.flatten().tolist()):
        if t != ignore_index:
            counts[t][p] += 1
    return counts


def direct_iou(pred, target, num_classes, ignore_index=None):
    """클래스마다 교집합 / 합집합을 불리언 마스크로 (ignore 픽셀 제외). 합집합이 비면 NaN."""
    keep = torch.ones_like(target, dtype=torch.bool) if ignore_index is None else target != ignore_index
    ious = []
    for c in range(num_classes):
        inter = ((pred == c) & (target == c) & keep).sum().item()
        union = (((pred == c) | (target == c)) & keep).sum().item()
        ious.append(inter / union if union else math.nan)
    return ious


def random_maps(seed, shape, num_classes, ignore_index=None, ignore_fraction=0.2):
    generator = torch.Generator().manual_seed(seed)
    pred = torch.randint(0, num_classes, shape, generator=generator)
    target = torch.randint(0, num_classes, shape, generator=generator)
    if ignore_index is not None:
        target[torch.rand(shape, generator=generator) < ignore_fraction] = ignore_index
    return pred, target


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ignore_index", [None, 255, 0])
def test_all_metrics_match_a_direct_count(seed, ignore_index):
    num_classes = 2 + seed % 4
    pred, target = random_maps(seed, (2, 5, 7), num_classes, ignore_index)
    matrix = metrics.confusion_matrix(pred, target, num_classes, ignore_index)
    assert matrix.shape == (num_classes, num_classes)
    assert matrix.tolist() == direct_counts(pred, target, num_classes, ignore_index)

    expected_iou = direct_iou(pred, target, num_classes, ignore_index)
    got_iou = metrics.iou_per_class(pred, target, num_classes, ignore_index)
    torch.testing.assert_close(got_iou, torch.tensor(expected_iou, dtype=torch.float64), equal_nan=True)

    present = [v for v in expected_iou if not math.isnan(v)]
    expected_mean = sum(present) / len(present)
    assert metrics.mean_iou(pred, target, num_classes, ignore_index) == pytest.approx(expected_mean)

    keep = target != ignore_index if ignore_index is not None else torch.ones_like(target, dtype=torch.bool)
    accuracy = ((pred == target) & keep).sum().item() / keep.sum().item()
    assert metrics.pixel_accuracy(pred, target, num_classes, ignore_index) == pytest.approx(accuracy)


def test_hand_made_example():
    """손으로 센 예: 정답 [0 0 1 1], 예측 [0 1 1 1]."""
    target = torch.tensor([[0, 0, 1, 1]])
    pred = torch.tensor([[0, 1, 1, 1]])
    assert metrics.confusion_matrix(pred, target, 2).tolist() == [[1, 1], [0, 2]]
    assert metrics.iou_per_class(pred, target, 2).tolist() == [1 / 2, 2 / 3]
    assert metrics.mean_iou(pred, target, 2) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert metrics.pixel_accuracy(pred, target, 2) == pytest.approx(3 / 4)


def test_absent_class_is_nan_and_left_out_of_the_mean():
    target = torch.tensor([[0, 0, 2, 2]])
    pred = torch.tensor([[0, 0, 2, 0]])
    iou = metrics.iou_per_class(pred, target, 4)
    assert math.isnan(iou[1]) and math.isnan(iou[3])  # 예측에도 정답에도 없는 클래스
    assert iou[0] == pytest.approx(2 / 3) and iou[2] == pytest.approx(1 / 2)
    assert metrics.mean_iou(pred, target, 4) == pytest.approx((2 / 3 + 1 / 2) / 2)


def test_class_only_in_prediction_counts_as_zero():
    """정답에 없는 클래스를 예측하면 그 클래스의 IoU 는 NaN 이 아니라 0 (틀린 예측은 벌을 받아야 합니다)."""
    target = torch.zeros(1, 4, dtype=torch.long)
    pred = torch.tensor([[0, 0, 0, 3]])
    iou = metrics.iou_per_class(pred, target, 4)
    assert iou[3] == 0 and math.isnan(iou[1])
    assert metrics.mean_iou(pred, target, 4) == pytest.approx((3 / 4 + 0) / 2)


def test_ignored_pixels_do_not_count_even_with_any_prediction():
    target = torch.tensor([[255, 1, 1, 255]])
    pred = torch.tensor([[0, 1, 0, 7]])  # 무시되는 자리의 예측은 범위를 벗어나도 괜찮습니다
    assert metrics.confusion_matrix(pred, target, 2, ignore_index=255).tolist() == [[0, 0], [1, 1]]
    assert metrics.pixel_accuracy(pred, target, 2, ignore_index=255) == pytest.approx(1 / 2)


def test_everything_ignored_gives_nan():
    target = torch.full((2, 3), 255)
    pred = torch.zeros(2, 3, dtype=torch.long)
    assert math.isnan(metrics.mean_iou(pred, target, 3, ignore_index=255))
    assert math.isnan(metrics.pixel_accuracy(pred, target, 3, ignore_index=255))


def test_bad_input_raises():
    pred = torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match="모양"):
        metrics.confusion_matrix(pred, torch.zeros(3, 2, dtype=torch.long), 2)
    with pytest.raises(TypeError, match="argmax"):
        metrics.confusion_matrix(pred.float(), pred, 2)
    with pytest.raises(ValueError, match="0 ~ 1"):
        metrics.confusion_matrix(pred + 2, pred, 2)
    with pytest.raises(ValueError, match="num_classes"):
        metrics.confusion_matrix(pred, pred, 0)
    with pytest.raises(TypeError):
        metrics.confusion_matrix(pred.tolist(), pred, 2)


def test_boundary_band_matches_a_direct_neighbourhood_check():
    torch.manual_seed(0)
    masks = torch.randint(0, 3, (2, 7, 9))
    masks[1] = 1  # 한 클래스뿐인 지도: 경계가 없음
    band = metrics.boundary_band(masks, width=3)
    n, h, w = masks.shape
    expected = torch.zeros(n, h, w, dtype=torch.bool)
    for k in range(n):
        for i in range(h):
            for j in range(w):
                window = masks[k, max(i - 1, 0):i + 2, max(j - 1, 0):j + 2]
                expected[k, i, j] = bool((window != masks[k, i, j]).any())
    assert torch.equal(band, expected)
    assert not band[1].any()
    with pytest.raises(ValueError, match="홀수"):
        metrics.boundary_band(masks, width=4)


def test_scores_are_miou_accuracy_and_band_accuracy():
    target = torch.zeros(1, 8, 8, dtype=torch.long)
    target[0, 2:6, 2:6] = 1
    pred = target.clone()
    pred[0, 2, 2:6] = 0  # 경계 한 줄을 틀림
    got = metrics.scores(pred, target, 2, band_width=3)
    band = metrics.boundary_band(target, 3)
    assert got["miou"] == pytest.approx(metrics.mean_iou(pred, target, 2))
    assert got["accuracy"] == pytest.approx(1 - 4 / 64)
    assert got["band"] == pytest.approx(1 - 4 / band.sum().item())


def test_majority_prediction_answers_the_most_common_training_class():
    train_masks = torch.tensor([[[2, 2], [2, 0]]])
    like = torch.zeros(3, 4, 5, dtype=torch.long)
    assert torch.equal(metrics.majority_prediction(train_masks, like), torch.full((3, 4, 5), 2))
