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


def test_step_seconds_is_positive_and_leaves_gradients():
    model = segmentation.PatchCNN(3, 4, width=4, depth=1)
    images, masks = data.make_scenes(2, data.SceneConfig(size=8), seed=0)
    seconds = train.step_seconds(model, segmentation.pad_for_patches(images, 3), masks, repeat=2)
    assert seconds > 0
    assert all(p.grad is not None for p in model.parameters())
