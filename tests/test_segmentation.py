"""lib.segmentation: 픽셀마다의 분류(반복·배치)와 한 번의 조밀한 순전파가 같은 로짓을 내는지."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lib import segmentation as seg


def random_model(in_channels=3, num_classes=4, kernels=(3, 5, 1), dilation=1, seed=0):
    """스트라이드 1·패딩 없음인 무작위 합성곱 모델과 그 수용 영역."""
    torch.manual_seed(seed)
    layers, channels = [], in_channels
    for k in kernels:
        layers += [nn.Conv2d(channels, 6, k, dilation=dilation), nn.Tanh()]
        channels = 6
    layers.append(nn.Conv2d(channels, num_classes, 1))
    model = nn.Sequential(*layers).eval()
    return model, 1 + sum((k - 1) * dilation for k in kernels)


def per_pixel_reference(model, image, p):
    """시험용 독립 구현: 픽셀마다 F.pad 로 패치를 따로 잘라 모델에 넣습니다."""
    n, _, h, w = image.shape
    half = p // 2
    padded = F.pad(image, (half, half, half, half))
    out = torch.empty(n, model[-1].out_channels, h, w)
    with torch.no_grad():
        for i in range(h):
            for j in range(w):
                out[:, :, i, j] = model(padded[:, :, i:i + p, j:j + p])[:, :, 0, 0]
    return out


@pytest.mark.parametrize("size", [(1, 1), (1, 7), (5, 3), (9, 10)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_three_ways_give_the_same_logits(size, dilation):
    model, p = random_model(dilation=dilation)
    assert seg.receptive_field(model) == p
    image = torch.randn(2, 3, *size)
    expected = per_pixel_reference(model, image, p)
    loop = seg.sliding_window_predict(model, image, p, batch_size=1)
    chunked = seg.sliding_window_predict(model, image, p, batch_size=7)
    batched = seg.sliding_window_predict(model, image, p)
    dense = seg.dense_predict(model, image, p)
    for got in (loop, chunked, batched, dense):
        assert got.shape == (2, 4, *size)
        torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)


def test_patch_cnn_smoke_and_receptive_field():
    model = seg.PatchCNN(3, 5, width=8, depth=4).eval()
    assert seg.receptive_field(model) == 9
    assert model(torch.zeros(2, 3, 9, 9)).shape == (2, 5, 1, 1)
    assert seg.dense_predict(model, torch.rand(1, 3, 6, 11), 9).shape == (1, 5, 6, 11)


def test_receptive_field_with_stride_and_pooling():
    # 3×3(s1) → 2×2 풀링(s2) → 3×3(s1): 1 + 2 + 1 + 2·2 = 8
    model = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 3))
    assert seg.receptive_field(model) == 8


def test_conv_cost_counts_multiply_adds():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 1))
    cost = seg.conv_cost(model, (1, 3, 10, 12))
    # 첫 층: 출력 4×8×10 원소, 각 3·3·3 MAC; 둘째 층: 출력 2×8×10, 각 4 MAC
    assert cost["macs"] == 4 * 8 * 10 * 27 + 2 * 8 * 10 * 4
    assert cost["activations"] == 4 * 8 * 10 + 2 * 8 * 10
    assert [shape for _, shape, _ in cost["layers"]] == [(1, 4, 8, 10), (1, 2, 8, 10)]


@pytest.mark.parametrize("bad, error, words", [
    (4, ValueError, "홀수"),
    (0, ValueError, "홀수"),
    (3.0, TypeError, "정수"),
])
def test_bad_patch_size(bad, error, words):
    model, _ = random_model()
    with pytest.raises(error, match=words):
        seg.sliding_window_predict(model, torch.rand(1, 3, 4, 4), bad)
    with pytest.raises(error, match=words):
        seg.dense_predict(model, torch.rand(1, 3, 4, 4), bad)


def test_patch_size_that_the_model_does_not_explain():
    model, p = random_model()
    image = torch.rand(1, 3, 5, 5)
    for wrong in (p - 2, p + 2):  # 수용 영역보다 작거나 큰 패치
        with pytest.raises(ValueError, match="수용 영역"):
            seg.sliding_window_predict(model, image, wrong)
        with pytest.raises(ValueError, match="수용 영역"):
            seg.dense_predict(model, image, wrong)
    padded_model = nn.Conv2d(3, 2, 3, padding=1)  # 패딩이 있어 크기를 줄이지 않는 모델
    with pytest.raises(ValueError, match="수용 영역"):
        seg.dense_predict(padded_model, image, 3)


def test_not_a_4d_tensor():
    model, p = random_model()
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        seg.dense_predict(model, torch.rand(3, 5, 5), p)
    with pytest.raises(ValueError, match="높이와 너비"):
        seg.dense_predict(model, torch.rand(1, 3, 0, 5), p)
    with pytest.raises(TypeError, match="Tensor"):
        seg.sliding_window_predict(model, [[0.0]], p)
    with pytest.raises(ValueError, match="batch_size"):
        seg.sliding_window_predict(model, torch.rand(1, 3, 2, 2), p, batch_size=0)


def test_downsampling_cnn_shapes_and_receptive_field():
    net = seg.downsampling_cnn(stages=3, width=4, num_classes=5)
    assert net(torch.zeros(1, 3, 32, 32)).shape == (1, 5, 8, 8)  # 풀링 두 번: 1/4
    # 단계 1: 1+2+2=5, 풀링 +1 → 6 (j=2); 단계 2: +4+4 → 14, 풀링 +2 → 16 (j=4); 단계 3: +8+8 → 32
    assert seg.receptive_field(net) == 32
    assert seg.downsampling_cnn(stages=1, width=2)(torch.zeros(1, 3, 5, 5)).shape == (1, 2, 5, 5)
    with pytest.raises(ValueError, match="stages"):
        seg.downsampling_cnn(stages=0, width=4)


def test_dilated_patch_cnn_widens_the_field_at_the_same_cost():
    plain = seg.PatchCNN(3, 4, width=8, depth=4)
    dilated = seg.PatchCNN(3, 4, width=8, dilations=(1, 2, 4, 2))
    assert seg.receptive_field(plain) == 9 and seg.receptive_field(dilated) == 1 + 2 * 9
    assert sum(p.numel() for p in plain.parameters()) == sum(p.numel() for p in dilated.parameters())
    p = seg.receptive_field(dilated)
    image = torch.rand(1, 3, 7, 6)
    torch.testing.assert_close(seg.sliding_window_predict(dilated, image, p),
                               seg.dense_predict(dilated, image, p), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="팽창"):
        seg.PatchCNN(3, 4, dilations=(1, 0))


def test_convolutionalized_mlp_equals_the_sliding_window():
    torch.manual_seed(0)
    mlp = seg.patch_mlp(3, 4, patch_size=5, hidden=7)
    conv = seg.convolutionalize(mlp, 3, 5)
    image = torch.rand(2, 3, 6, 9)
    torch.testing.assert_close(seg.sliding_window_predict(mlp, image, 5), seg.dense_predict(conv, image, 5),
                               atol=1e-5, rtol=1e-5)
    assert [type(m).__name__ for m in conv] == ["Conv2d", "ReLU", "Conv2d"] and conv[0].kernel_size == (5, 5)


def test_conv_cost_counts_transposed_convolutions_per_input_pixel():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1))
    cost = seg.conv_cost(model, (1, 3, 5, 6))
    assert cost["layers"][1][1] == (1, 2, 10, 12)
    assert cost["layers"][1][2] == (4 * 5 * 6) * 2 * 16  # 입력 원소마다 C_out·k² 번
    assert cost["macs"] == 4 * 5 * 6 * 3 * 9 + 4 * 5 * 6 * 2 * 16
