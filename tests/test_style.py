"""lib.style: 노트의 식을 직접 계산과 비교하고, 목적 함수와 전이를 확인합니다 (추출기는 tests/test_vgg.py).

네트워크는 쓰지 않습니다: 빠르게 돌도록 얕은 무작위 가중치 추출기를 씁니다.
"""

import numpy as np
import pytest
import torch

from lib import pixel_optim, style, vgg


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


# ---- 전이 ----
@pytest.mark.parametrize("optimizer", pixel_optim.OPTIMIZERS)
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
    terms = style.make_objective(extractor, c, s, {"conv2_1": 1.0}, style_weights, normalize)
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


def test_style_loss_gradient_is_gatys_equation_and_matches_autograd():
    """역전파는 dE/da_ijk = sum_k' (F_kk'(G) - F_kk'(S)) a_ijk' / (IJK)^2: 직접 미분한 autograd 와 같습니다."""
    a_g = torch.randn(2, 4, 3, 5, dtype=torch.float64, requires_grad=True)
    a_s = torch.randn(1, 4, 6, 2, dtype=torch.float64, requires_grad=True)
    torch.autograd.gradcheck(style.style_loss, (a_g, a_s))
    k, i, j = 4, 3, 5
    f_s = style.gram_matrix(a_s.detach()) * (i * j) / (6 * 2)
    plain = ((style.gram_matrix(a_g) - f_s) ** 2).sum() / (2 * i * j * k) ** 2  # autograd 가 matmul 을 미분
    (expected,) = torch.autograd.grad(plain, a_g)
    (ours,) = torch.autograd.grad(style.style_loss(a_g, a_s.detach()), a_g)
    gatys = torch.einsum("nkl,nlij->nkij", style.gram_matrix(a_g.detach()) - f_s, a_g.detach()) / (i * j * k) ** 2
    torch.testing.assert_close(ours, expected)
    torch.testing.assert_close(gatys, expected)


@pytest.mark.parametrize("optimizer", pixel_optim.OPTIMIZERS)
def test_reported_loss_is_the_loss_of_the_returned_image(extractor, optimizer):
    """기록한 손실은 [0, 1] 안의 이미지의 손실이고, 돌려준 이미지의 손실은 min(history['total'])."""
    torch.manual_seed(0)
    content, style_image = torch.rand(1, 3, 24, 24), torch.rand(1, 3, 24, 24)
    kwargs = dict(style_weight=30.0, tv_weight=0.5, **SHALLOW)
    image, history = style.transfer(content, style_image, extractor=extractor, image_size=24, steps=12,
                                    optimizer=optimizer, lr=0.2, progress=False, **kwargs)
    terms = style.make_objective(extractor, content, style_image, SHALLOW["content_layers"],
                                 SHALLOW["style_layers"], True)
    e_content, e_style = terms(image)
    loss = e_content + 30.0 * e_style + 0.5 * style.total_variation(image)
    assert loss.item() == pytest.approx(min(history["total"]), rel=1e-5)
    assert 0 <= image.min() and image.max() <= 1


def test_normalized_loss_is_invariant_to_rescaling_a_layer(extractor):
    """층의 가중치·편향을 c 배 하면 그 층의 특징이 c 배가 되지만, 정규화한 손실(상대 오차)은 그대로입니다."""
    torch.manual_seed(0)
    g, c, s = torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16), torch.rand(1, 3, 16, 16)
    layers = dict(content_layers=["conv1_2"], style_layers=["conv1_1", "conv1_2"])
    scaled = vgg.VGGFeatures(["conv1_1", "conv1_2"], weights="random")
    scaled.load_state_dict(extractor.state_dict(), strict=False)
    with torch.no_grad():
        scaled.features[2].weight.mul_(7.0)
        scaled.features[2].bias.mul_(7.0)
    before = style.make_objective(extractor, c, s, normalize=True, **layers)(g)
    after = style.make_objective(scaled, c, s, normalize=True, **layers)(g)
    notes = style.make_objective(scaled, c, s, normalize=False, **layers)(g)
    torch.testing.assert_close(torch.stack(after), torch.stack(before))
    assert notes[0] > 10 * style.make_objective(extractor, c, s, normalize=False, **layers)(g)[0]


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
