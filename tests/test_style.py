"""lib.style 와 lib.vgg: 노트의 식을 직접 계산과 비교하고, 사전 활성화·가중치 불러오기·전이를 확인합니다.

네트워크는 쓰지 않습니다: 무작위 가중치를 쓰거나, 가짜 캐시 파일을 임시 허브 폴더에 만들어 씁니다.
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from lib import style, textures, vgg


def numpy_gram(a: np.ndarray) -> np.ndarray:
    """F_kk' = sum_ij a_ijk a_ijk' 를 위치마다 바깥곱을 더해 계산합니다 (행렬곱을 쓰지 않는 독립 계산)."""
    n, k, i_size, j_size = a.shape
    out = np.zeros((n, k, k))
    for i in range(i_size):
        for j in range(j_size):
            v = a[:, :, i, j]  # (N, K)
            out += v[:, :, None] * v[:, None, :]
    return out


@pytest.fixture(scope="module")
def extractor():
    """얕은 추출기 (테스트를 빠르게): 전이 테스트는 이 층들만 씁니다."""
    return vgg.VGGFeatures(["conv1_1", "conv1_2", "conv2_1"], weights="random", download=False)


SHALLOW = dict(content_layers=["conv2_1"], style_layers=["conv1_1", "conv2_1"])


# ---- 노트의 식 ----
def test_gram_matrix_matches_sum_of_outer_products():
    a = torch.randn(2, 5, 3, 4, dtype=torch.float64)
    np.testing.assert_allclose(style.gram_matrix(a).numpy(), numpy_gram(a.numpy()), rtol=1e-10)


def test_content_loss_is_plain_sum_of_squares():
    a_g, a_c = torch.randn(1, 4, 3, 5), torch.randn(1, 4, 3, 5)
    expected = sum(float(x - y) ** 2 for x, y in zip(a_g.flatten(), a_c.flatten()))
    assert style.content_loss(a_g, a_c).item() == pytest.approx(expected, rel=1e-5)


def test_style_loss_matches_the_note():
    a_g, a_s = torch.randn(1, 6, 4, 3, dtype=torch.float64), torch.randn(1, 6, 4, 3, dtype=torch.float64)
    k, i, j = 6, 4, 3
    expected = ((numpy_gram(a_g.numpy()) - numpy_gram(a_s.numpy())) ** 2).sum() / (2 * i * j * k) ** 2
    assert style.style_loss(a_g, a_s).item() == pytest.approx(expected, rel=1e-10)


def test_style_loss_with_a_differently_sized_style_compares_per_position_grams():
    a_g, a_s = torch.randn(1, 3, 4, 5, dtype=torch.float64), torch.randn(1, 3, 7, 2, dtype=torch.float64)
    f_s = numpy_gram(a_s.numpy()) * (4 * 5) / (7 * 2)
    expected = ((numpy_gram(a_g.numpy()) - f_s) ** 2).sum() / (2 * 4 * 5 * 3) ** 2
    assert style.style_loss(a_g, a_s).item() == pytest.approx(expected, rel=1e-10)


def test_weighted_style_loss_is_the_weighted_sum_over_layers():
    g = {"a": torch.randn(1, 2, 3, 3), "b": torch.randn(1, 4, 2, 2)}
    s = {"a": torch.randn(1, 2, 3, 3), "b": torch.randn(1, 4, 2, 2)}
    expected = sum(w * ((numpy_gram(g[n].numpy()) - numpy_gram(s[n].numpy())) ** 2).sum()
                   / (2 * np.prod(g[n].shape[1:])) ** 2 for n, w in {"a": 0.3, "b": 2.0}.items())
    assert style.weighted_style_loss(g, s, {"a": 0.3, "b": 2.0}).item() == pytest.approx(expected, rel=1e-5)


def test_total_variation_is_mean_squared_neighbour_difference():
    x = torch.tensor([[[[0.0, 1.0, 3.0], [2.0, 2.0, 2.0]]]])
    dy = np.mean([4.0, 1.0, 1.0])
    dx = np.mean([1.0, 4.0, 0.0, 0.0])
    assert style.total_variation(x).item() == pytest.approx(dy + dx)


@pytest.mark.parametrize("bad", [torch.randn(3, 4, 4), np.zeros((1, 3, 4, 4))])
def test_losses_refuse_bad_input(bad):
    with pytest.raises((ValueError, TypeError)):
        style.gram_matrix(bad)
    with pytest.raises(ValueError, match="채널"):
        style.style_loss(torch.randn(1, 3, 4, 4), torch.randn(1, 5, 4, 4))
    with pytest.raises(ValueError):
        style.content_loss(torch.randn(1, 3, 4, 4), torch.randn(1, 3, 4, 5))


# ---- VGG19 특징 추출기 ----
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


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """torch 허브 폴더를 빈 임시 폴더로 바꾸고, 내려받기를 시도하면 실패하게 합니다."""
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))

    def refuse(*args, **kwargs):
        raise AssertionError("테스트가 네트워크에 접근했습니다")

    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)
    return tmp_path


def test_falls_back_to_random_weights_with_a_visible_notice(no_network, capsys):
    ex = vgg.VGGFeatures(["conv1_1"], weights="auto", download=False)
    assert ex.weights == "random"
    assert "무작위 가중치" in capsys.readouterr().out
    with pytest.raises(RuntimeError, match="ImageNet"):
        vgg.VGGFeatures(["conv1_1"], weights="imagenet", download=False)


def test_loads_imagenet_weights_from_the_cache_without_network(no_network, capsys):
    reference = vgg.build_features(3, seed=123)
    state = {f"features.{k}": v for k, v in reference.state_dict().items()}
    vgg.cached_weights_path().parent.mkdir(parents=True)
    torch.save(state, vgg.cached_weights_path())
    ex = vgg.VGGFeatures(["conv1_2"], weights="auto", download=False)
    assert ex.weights == "imagenet" and "무작위" not in capsys.readouterr().out
    torch.testing.assert_close(ex.features[2].weight, reference[2].weight)


def test_tests_never_download_in_the_fast_profile():
    assert not vgg.download_allowed()


# ---- 전이 ----
@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
def test_transfer_decreases_the_loss(extractor, optimizer):
    content, style_image = torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32)
    image, history = style.transfer(content, style_image, extractor=extractor, image_size=32, steps=6,
                                    optimizer=optimizer, lr=0.05, tv_weight=0.1, progress=False, **SHALLOW)
    assert image.shape == (1, 3, 32, 32) and 0 <= image.min() and image.max() <= 1
    assert min(history["total"][1:]) < history["total"][0]
    assert set(history) == {"total", "content", "style", "tv"}


def test_transfer_accepts_grey_rgba_and_different_shapes(extractor):
    grey_content = torch.rand(1, 40, 24)  # (C, H, W) 흑백, 세로로 긴 이미지
    rgba_style = torch.rand(1, 4, 20, 50)  # RGBA, 가로로 긴 이미지
    image, history = style.transfer(grey_content, rgba_style, extractor=extractor, image_size=32, steps=2,
                                    progress=False, **SHALLOW)
    assert image.shape == (1, 3, 32, 19)
    assert len(history["total"]) >= 2


def test_texture_synthesis_and_reconstruction_need_only_one_image(extractor):
    texture, _ = style.transfer(None, torch.rand(1, 3, 16, 32), extractor=extractor, image_size=32,
                                init="noise", steps=2, progress=False, **SHALLOW)
    assert texture.shape == (1, 3, 16, 32)
    recon, history = style.transfer(torch.rand(1, 3, 32, 32), None, extractor=extractor, image_size=32,
                                    init="noise", steps=2, progress=False, **SHALLOW)
    assert recon.shape == (1, 3, 32, 32) and history["style"][0] == 0


@pytest.mark.parametrize("normalize", [False, True])
def test_objective_is_the_notes_loss_or_its_relative_error(extractor, normalize):
    torch.manual_seed(0)
    g, c, s = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    style_weights = {"conv1_1": 0.25, "conv2_1": 0.75}
    terms = style.make_objective(extractor, g, c, s, {"conv2_1": 1.0}, style_weights, normalize)
    e_content, e_style = terms(g)
    fg, fc, fs = extractor(g), extractor(c), extractor(s)
    expected_content = ((fg["conv2_1"] - fc["conv2_1"]) ** 2).sum().item()
    expected_style = 0.0
    for name, w in style_weights.items():
        f_g, f_s = numpy_gram(fg[name].double().numpy()), numpy_gram(fs[name].double().numpy())
        k, i, j = fg[name].shape[1:]
        denominator = (f_s**2).sum() if normalize else (2 * i * j * k) ** 2
        expected_style += w * ((f_g - f_s) ** 2).sum() / denominator
    if normalize:
        expected_content /= (fc["conv2_1"] ** 2).sum().item()
    assert e_content.item() == pytest.approx(expected_content, rel=1e-4)
    assert e_style.item() == pytest.approx(expected_style, rel=1e-4)


@pytest.mark.parametrize("draw", [textures.swirl_strokes, textures.mosaic])
def test_procedural_styles_are_seeded_rgb_images(draw):
    image = draw(32, seed=1)
    assert image.shape == (1, 3, 32, 32) and image.dtype == torch.float32
    assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.05
    torch.testing.assert_close(image, draw(32, seed=1))
    assert not torch.equal(image, draw(32, seed=2))
    with pytest.raises(ValueError):
        draw(4)


def test_match_area_keeps_the_aspect_ratio():
    out = style.match_area(torch.rand(1, 3, 10, 40), 20, 20)
    assert out.shape == (1, 3, 10, 40)
    assert style.match_area(torch.rand(1, 3, 10, 40), 20, 20, scale=2.0).shape == (1, 3, 20, 80)


@pytest.mark.parametrize("kwargs, error", [
    (dict(content=None, style=None), ValueError),
    (dict(optimizer="sgd"), ValueError),
    (dict(init="zeros"), ValueError),
    (dict(content=torch.rand(8, 8)), ValueError),
    (dict(content=torch.rand(2, 3, 8, 8)), ValueError),
    (dict(style=np.zeros((3, 8, 8))), TypeError),
    (dict(content=None, init="content"), ValueError),
])
def test_transfer_refuses_bad_input(extractor, kwargs, error):
    args = dict(content=torch.rand(1, 3, 8, 8), style=torch.rand(1, 3, 8, 8))
    args.update(kwargs)
    with pytest.raises(error):
        style.transfer(args.pop("content"), args.pop("style"), extractor=extractor, image_size=8, steps=1,
                       progress=False, **SHALLOW, **args)


def test_transfer_with_default_layers_builds_its_own_extractor(no_network):
    image, history = style.transfer(torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16), image_size=16,
                                    steps=1, progress=False)
    assert image.shape == (1, 3, 16, 16) and len(history["total"]) == 1


def test_too_small_images_get_a_clear_error(extractor):
    with pytest.raises(ValueError, match="픽셀 이상"):
        extractor(torch.rand(1, 3, 1, 8))
