"""lib.experiments: 시드마다 학습한 결과 표, 최빈 클래스 기준, 평균 ± 표준편차 요약."""

import pytest
import torch

from lib import data, experiments, segmentation


def tiny_problem():
    images, masks = data.make_scenes(6, data.SceneConfig(size=12), seed=0)
    padded = segmentation.pad_for_patches(images, 3)
    return (padded[:4], masks[:4]), (padded[4:], masks[4:])


def test_compare_trains_every_model_for_every_seed():
    train_data, val_data = tiny_problem()
    builders = {"넓음": lambda: segmentation.PatchCNN(3, 4, width=6, depth=1),
                "좁음": lambda: segmentation.PatchCNN(3, 4, width=2, depth=1)}
    trained = {}
    results = experiments.compare(builders, train_data, val_data, 4, seeds=(0, 1), epochs=1, batch_size=2,
                                  progress=False, trained=trained)
    assert sorted(trained) == [("넓음", 0), ("넓음", 1), ("좁음", 0), ("좁음", 1)]
    assert trained[("좁음", 1)][0][0].out_channels == 2 and len(trained[("좁음", 1)][1].loss) == 1
    assert list(results["model"]) == ["넓음", "넓음", "좁음", "좁음"] and list(results["seed"]) == [0, 1, 0, 1]
    # 3×3 합성곱 (3→w, bias) + 1×1 분류기 (w→4, bias)
    assert results["params"].tolist() == [6 * 27 + 6 + 4 * 6 + 4] * 2 + [2 * 27 + 2 + 4 * 2 + 4] * 2
    assert results[["miou", "accuracy", "band"]].notna().all().all() and (results["seconds"] > 0).all()


def test_same_seed_gives_the_same_result():
    train_data, val_data = tiny_problem()
    builders = {"m": lambda: segmentation.PatchCNN(3, 4, width=4, depth=1)}
    a = experiments.compare(builders, train_data, val_data, 4, seeds=(3,), epochs=2, batch_size=2, progress=False)
    b = experiments.compare(builders, train_data, val_data, 4, seeds=(3,), epochs=2, batch_size=2, progress=False)
    assert a.loc[0, "miou"] == b.loc[0, "miou"] and a.loc[0, "accuracy"] == b.loc[0, "accuracy"]


def test_baseline_and_summary():
    train_masks = torch.zeros(2, 4, 4, dtype=torch.long)
    val_masks = torch.zeros(1, 4, 4, dtype=torch.long)
    val_masks[0, :2] = 1
    base = experiments.baseline(train_masks, val_masks, 2)
    assert base["accuracy"] == pytest.approx(0.5) and base["miou"] == pytest.approx(0.25)
    import pandas as pd

    results = pd.DataFrame({"model": ["a", "a", "a"], "seed": [0, 1, 2], "miou": [0.7, 0.8, 0.9],
                            "accuracy": [0.9, 0.9, 0.9], "band": [0.5, 0.6, 0.7]})
    summary = experiments.summarize(results, extra_rows=[base])
    assert summary["mIoU"].tolist() == ["0.800 ± 0.100", "0.250"]
    assert summary["시드 수"].tolist() == [3, "-"]
    assert experiments.means(results).loc["a", "band"] == pytest.approx(0.6)
