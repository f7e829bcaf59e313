"""lib.train: 학습이 손실을 줄이고, 같은 시드면 같은 결과를 냅니다."""

import pytest
import torch

from lib import config, data, segmentation, train


def small_run(seed=0, epochs=3):
    config.seed_everything(seed)
    images, masks = data.make_scenes(8, data.SceneConfig(size=16), seed=0)
    model = segmentation.PatchCNN(3, 4, width=8, depth=2)
    p = segmentation.receptive_field(model)
    padded = segmentation.pad_for_patches(images, p)
    history = train.fit(model, padded, masks, num_classes=4, epochs=epochs, batch_size=4, lr=1e-2,
                        val=(padded[:4], masks[:4]), progress=False)
    return model, history


def test_fit_reduces_the_loss_and_records_history():
    _, history = small_run(epochs=6)
    assert len(history.loss) == len(history.val_miou) == len(history.val_accuracy) == 6
    assert history.loss[-1] < history.loss[0]
    assert history.seconds > 0


def test_fit_is_reproducible():
    model_a, hist_a = small_run(seed=3)
    model_b, hist_b = small_run(seed=3)
    assert hist_a.loss == hist_b.loss
    for a, b in zip(model_a.parameters(), model_b.parameters()):
        assert torch.equal(a, b)


def test_predict_returns_class_maps():
    model, _ = small_run(epochs=1)
    images, _ = data.make_scenes(3, data.SceneConfig(size=16), seed=5)
    pred = train.predict(model, segmentation.pad_for_patches(images, 5), batch_size=2)
    assert pred.shape == (3, 16, 16) and pred.dtype == torch.int64


def test_fit_rejects_mismatched_data():
    model = segmentation.PatchCNN(3, 4, width=4, depth=1)
    with pytest.raises(ValueError, match="N 이 같아야"):
        train.fit(model, torch.rand(2, 3, 5, 5), torch.zeros(3, 3, 3, dtype=torch.long), 4, epochs=1)


def test_cosine_schedule_goes_from_the_base_rate_to_zero():
    rates = [train.learning_rate(step, 10, 0.1, "cosine") for step in range(11)]
    assert rates[0] == pytest.approx(0.1) and rates[5] == pytest.approx(0.05) and rates[10] == pytest.approx(0)
    assert all(a >= b for a, b in zip(rates, rates[1:]))
    assert train.learning_rate(7, 10, 0.1, None) == 0.1


def test_fit_uses_the_schedule_and_a_custom_loss():
    images, masks = data.make_scenes(4, data.SceneConfig(size=16), seed=0)
    model = segmentation.PatchCNN(3, 4, width=4, depth=1)
    padded = segmentation.pad_for_patches(images, 3)
    seen = []

    def loss(logits, target):
        seen.append(tuple(logits.shape))
        return torch.nn.functional.cross_entropy(logits, target) * 2

    optimizer_rates = []
    original = torch.optim.Adam.step

    def record(self, *args, **kwargs):
        optimizer_rates.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = record
    try:
        train.fit(model, padded, masks, 4, epochs=2, batch_size=2, lr=0.01, schedule="cosine", loss=loss,
                  progress=False)
    finally:
        torch.optim.Adam.step = original
    assert seen[0] == (2, 4, 16, 16) and len(seen) == 4
    assert optimizer_rates[0] == pytest.approx(0.01) and optimizer_rates[-1] < optimizer_rates[0]


def test_fit_prints_a_summary_line_after_the_progress_bar(capsys):
    images, masks = data.make_scenes(4, data.SceneConfig(size=16), seed=0)
    model = segmentation.PatchCNN(3, 4, width=4, depth=1)
    padded = segmentation.pad_for_patches(images, 3)
    train.fit(model, padded, masks, 4, epochs=2, batch_size=2, val=(padded, masks), desc="작은 모델")
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("작은 모델: 2 에폭") and "검증 mIoU" in line


def test_fit_refuses_float_masks_and_names_the_fix():
    model = segmentation.PatchCNN(3, 4, width=4, depth=1)
    with pytest.raises(TypeError, match="as_class_indices"):
        train.fit(model, torch.rand(2, 3, 5, 5), torch.rand(2, 3, 3) * 255, 4, epochs=1)
    with pytest.raises(ValueError, match="schedule"):
        train.fit(model, torch.rand(2, 3, 5, 5), torch.zeros(2, 3, 3, dtype=torch.long), 4, epochs=1,
                  schedule="step")
