# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3장. 완전 합성곱 신경망
#
# [2장](02_upsampling.ipynb)의 언풀링(unpooling)과 보간(interpolation)에는 **학습할 파라미터가 없습니다**.
# 완전 합성곱 신경망(fully convolutional network, FCN; Long et al., 2015)은 업샘플링도 학습하도록
# **전치 합성곱**(transposed convolution)을 씁니다. 이 장에서는
#
# 1. 노트의 절차("입력의 작은 패치에 커널을 곱한 결과를 출력으로 확장하고, 겹치는 곳은 합산")를 작은 입력에서
#    한 단계씩 따라가 그림으로 그리고, 출력 크기 공식을 torch 와 맞춰 봅니다.
# 2. 전치 합성곱이 합성곱 행렬의 **전치**를 곱하는 일이고, 합성곱의 **기울기**(gradient)라는 것을 확인합니다.
# 3. 커널 크기가 스트라이드로 나누어떨어지지 않을 때 생기는 **체커보드 인공물**(checkerboard artifact;
#    Odena et al., 2016)을 재어 보고, 크기 조정 후 합성곱(resize-convolution)으로 없앱니다.
# 4. 쌍선형 보간과 똑같은 일을 하는 전치 합성곱 커널(쌍선형 초기화)을 만듭니다.
# 5. FCN-32s·16s·8s 를 만들어 합성 장면으로 학습하고, 왜 거친 변형이 경계를 흐리는지 봅니다.
#
# 노트에는 바로잡을 문장이 몇 개 있습니다. 해당하는 곳에서 **노트 바로잡기** 상자로 고쳐 씁니다.

# %%
# 설정 셀: Colab 에서만 저장소를 받아 lib 과, Colab 에 없는 패키지만 설치합니다 (torch 등은 그대로).
import os
import subprocess
import sys

REPO_URL = "https://github.com/pixel-cnn-book/pixel-cnn-book"  # _config.yml 의 repository.url
if "google.colab" in sys.modules:
    if not os.path.isdir("/content/book"):
        subprocess.run(["git", "clone", "--depth=1", REPO_URL, "/content/book"], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/book[colab]"],
                       check=True)
    sys.path.insert(0, "/content/book")

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from lib import config, data, metrics, models, train, viz
from lib.timing import format_table
from lib.transposed_conv import bilinear_kernel, transposed_output_size
from lib.upsampling import conv2d_matrix, conv_transpose2d

config.seed_everything(0)
print(config.describe())

# %%
CFG = dict(
    scene_size=64,  # 합성 장면 한 변 (fast, full 같음): 32 의 배수라 FCN-32s 의 점수 격자가 2×2
    n_train=config.pick(160, 768),  # 학습 장면 수 (fast, full)
    n_val=config.pick(48, 96),  # 검증 장면 수
    epochs=config.pick(4, 24),  # 학습 에폭 수
    batch_size=config.pick(8, 16),  # 미니배치 크기 (fast 는 작게 해서 걸음 수를 늘립니다)
    lr=1e-2,  # Adam 학습률
    widths=(8, 16, 24, 32, 48, 64),  # FCN 인코더 여섯 단계의 채널 수 (보폭 1 → 32)
    photo_side=config.pick(64, 128),  # 체커보드 실험에 쓰는 사진 한 변
    random_kernels=config.pick(100, 400),  # 체커보드 세기를 평균할 무작위 커널 수
)


# %% [markdown]
# ## 1. 전치 합성곱: 픽셀마다 커널을 뿌리고, 겹치면 더하기
#
# 스트라이드 $s$ 합성곱은 입력의 $k\times k$ 창 하나를 출력 값 **하나로** 모읍니다. 전치 합성곱은 방향이 반대입니다.
# 입력 값 **하나가** 커널 $w$ 를 곱한 $k\times k$ 사본이 되어 출력에 놓이고, 입력에서 한 칸 옮길 때마다 출력에서는
# $s$ 칸 옮겨 놓입니다. 이웃한 사본이 겹치는 곳은 **더합니다**.
#
# $$y_{\,i s + a,\; j s + b} \mathrel{+}= x_{ij}\, w_{ab}, \qquad 0 \le a, b < k$$
#
# 노트의 절차를 그대로 코드로 옮기면 반복문 두 개입니다 (채널 하나, 패딩 없음).

# %%
def transposed_conv_by_definition(x: torch.Tensor, w: torch.Tensor, stride: int) -> torch.Tensor:
    """채널 하나, 패딩 없음: 입력 픽셀 x[i, j] 마다 x[i, j]·w 를 출력 (i·s, j·s) 자리에 더합니다."""
    (h, width), k = x.shape, w.shape[0]
    out = torch.zeros((h - 1) * stride + k, (width - 1) * stride + k)
    for i in range(h):
        for j in range(width):
            out[i * stride:i * stride + k, j * stride:j * stride + k] += x[i, j] * w  # 겹치면 더해집니다
    return out


x_small = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
w_small = torch.tensor([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])
y_small = transposed_conv_by_definition(x_small, w_small, stride=2)
print(y_small.int())


# %% [markdown]
# 네 입력 픽셀이 각자 커널 사본을 만들고(색 = 어느 입력 픽셀에서 왔는지), 그 사본들을 더한 것이 출력입니다.
# 굵은 테두리 칸은 사본 두 개 이상이 **겹쳐 더해진** 곳입니다.

# %%
def scattered_copy(i: int, j: int, stride: int = 2):
    """입력 픽셀 (i, j) 하나가 만든 사본만 놓인 캔버스와, 칸마다 색을 정하는 번호 (나머지는 -1)."""
    k = w_small.shape[0]
    canvas = torch.zeros_like(y_small)
    canvas[i * stride:i * stride + k, j * stride:j * stride + k] = x_small[i, j] * w_small
    groups = -np.ones(canvas.shape, dtype=int)
    groups[i * stride:i * stride + k, j * stride:j * stride + k] = 2 * i + j
    return dict(values=canvas, groups=groups, title=f"x[{i},{j}] = {x_small[i, j]:g} 의 사본")


copies = [scattered_copy(i, j) for i in range(2) for j in range(2)]
cover = (np.stack([c["groups"] for c in copies]) >= 0).sum(0)  # 칸마다 겹친 사본 수
sum_groups = np.where(cover == 1, np.stack([c["groups"] for c in copies]).max(0), -1)
flow = viz.number_grid_flow([
    [dict(values=x_small, groups=np.array([[0, 1], [2, 3]]), title="입력 x (2×2)"), "픽셀마다 × 커널",
     dict(values=w_small, title="커널 w (3×3)")],
    [copies[0], "+", copies[1], "+", copies[2], "+", copies[3], "=",
     dict(values=y_small, groups=sum_groups, marked=cover > 1, title="출력 (5×5), 스트라이드 2")],
], cell=0.3)

# %% [markdown]
# `lib.upsampling.conv_transpose2d` 는 같은 정의를 채널·배치·패딩·`output_padding`·팽창(dilation)·묶음(groups)까지
# 넓힌 것입니다. 픽셀마다 도는 대신 **커널 칸마다** 돌며(커널 칸 $(a, b)$ 의 곱들은 출력에서 간격 $s$ 의 격자 하나를
# 채웁니다) 채널 방향은 행렬 곱 한 번으로 계산합니다. torch 의 `F.conv_transpose2d` 와 값이 같은지 확인합니다.

# %%
lib_small = conv_transpose2d(x_small[None, None], w_small[None, None], stride=2)[0, 0]
assert torch.equal(lib_small, y_small)
assert torch.equal(F.conv_transpose2d(x_small[None, None], w_small[None, None], stride=2)[0, 0], y_small)

x_big, w_big = torch.randn(2, 6, 5, 7), torch.randn(6, 2, 3, 4)  # 커널 (C_in, C_out/groups, kH, kW)
for kwargs in [dict(stride=2, padding=1), dict(stride=(3, 2), padding=(0, 2), output_padding=(2, 1)),
               dict(stride=2, dilation=2, groups=3, output_padding=1)]:
    b_big = torch.randn(2 * kwargs.get("groups", 1))
    ours = conv_transpose2d(x_big, w_big, b_big, **kwargs)
    torch.testing.assert_close(ours, F.conv_transpose2d(x_big, w_big, b_big, **kwargs), atol=1e-5, rtol=1e-5)
    print(kwargs, "→", tuple(ours.shape), "torch 와 같음")

# %% [markdown]
# :::{admonition} 노트 바로잡기: "겹친 영역은 값을 합산하거나 평균"
# :class: warning
# 전치 합성곱은 겹친 곳을 **합산만** 합니다. 위 그림의 굵은 칸이 그 예입니다. 평균을 내려면 겹친 사본 수로
# 따로 나누어야 하는데, 그것은 전치 합성곱이 아니라 별도의 정규화입니다. 겹친 수가 칸마다 다르다는 사실이
# 4절의 체커보드 인공물의 원인입니다.
# :::
#
# ### 출력 크기
#
# 마지막 사본은 $(H-1)s$ 에서 시작해 $d(k-1)+1$ 칸을 차지합니다 ($d$: 팽창). 여기서 양쪽 $p$ 줄(`padding`)을
# 잘라 내고, 오른쪽·아래에 `output_padding` 줄을 붙입니다.
#
# $$H_{\text{out}} = (H-1)\,s - 2p + d\,(k-1) + p_{\text{out}} + 1$$
#
# 이 공식은 합성곱의 출력 크기 $\lfloor (H + 2p - d(k-1) - 1)/s \rfloor + 1$ 을 거꾸로 푼 것입니다. 합성곱은
# 나눗셈의 **내림** 때문에 서로 다른 입력 크기(예: 15 와 16)를 같은 출력 크기(8)로 보냅니다. 그래서 전치 합성곱은
# 어느 쪽으로 돌아갈지 $p_{\text{out}} < s$ 로 정해 주어야 합니다. 아래 표의 모든 행을 torch 와 맞춰 봅니다.

# %% tags=["nbval-check-output"]
rows = []
for h, k, s, p, op, d in [(2, 3, 2, 0, 0, 1), (8, 3, 2, 1, 0, 1), (8, 3, 2, 1, 1, 1), (8, 4, 2, 1, 0, 1),
                          (2, 64, 32, 16, 0, 1), (5, 3, 1, 1, 0, 1), (5, 3, 2, 0, 1, 2)]:
    formula = transposed_output_size(h, k, s, p, op, d)
    by_torch = F.conv_transpose2d(torch.zeros(1, 1, h, h), torch.zeros(1, 1, k, k), stride=s, padding=p,
                                  output_padding=op, dilation=d).shape[-1]
    back = F.conv2d(torch.zeros(1, 1, formula, formula), torch.zeros(1, 1, k, k), stride=s, padding=p,
                    dilation=d).shape[-1]
    assert formula == by_torch and back == h  # 공식 = torch, 그리고 같은 설정의 합성곱은 H 로 되돌아갑니다
    rows.append([h, k, s, p, op, d, formula, by_torch, back])
print(format_table(["H", "k", "s", "p", "p_out", "d", "공식", "torch", "합성곱으로 되돌리면"], rows))

# %% [markdown]
# ## 2. 행렬로 보기, 기울기로 보기
#
# 합성곱은 선형 사상이므로 이미지 하나를 펼친 벡터 $\mathbf{x}$ 에 대해 어떤 행렬 $M$ 으로
# $\operatorname{conv}(\mathbf{x}) = M\mathbf{x}$ 라고 쓸 수 있습니다. $M$ 의 행 하나는 출력 위치 하나이고,
# 그 행에는 커널이 그 위치의 창에 놓인 모습이 담깁니다. `lib.upsampling.conv2d_matrix` 가 이 $M$ 을 만듭니다.
# $4\times4$ 입력, $3\times3$ 커널, 스트라이드 2, 패딩 1 이면 출력이 $2\times2$ 이므로 $M$ 은 $4\times16$ 입니다.

# %%
w_conv = torch.tensor([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]])  # (C_out, C_in, k, k)
matrix = conv2d_matrix(w_conv, (4, 4), stride=2, padding=1)
print("M 의 모양:", tuple(matrix.shape))
fig, ax = plt.subplots(figsize=(7.5, 2.2))
viz.number_grid(ax, matrix, groups=np.where(matrix > 0, 0, -1), title="M: 행 = 출력 위치 4 개, 열 = 입력 픽셀 16 개")
plt.show()

# %% [markdown]
# 이제 세 가지를 확인합니다.
#
# 1. $M\mathbf{x}$ 는 합성곱과 같습니다.
# 2. $M^{\top}\mathbf{y}$ 는 **같은 커널**의 전치 합성곱과 같습니다 — 이름의 유래입니다. $M^{\top}$ 의 열 하나가
#    $\mathbf{y}$ 의 값 하나를 커널 모양으로 입력 격자에 뿌리는 일이기 때문입니다.
# 3. 합성곱의 출력에서 기울기 $\partial L/\partial \mathbf{y}$ 를 받아 입력의 기울기를 구하면
#    $\partial L/\partial \mathbf{x} = M^{\top}\, \partial L/\partial \mathbf{y}$ 이므로, 역전파(backpropagation)도 전치 합성곱입니다.

# %%
x_vec = torch.randn(1, 1, 4, 4, requires_grad=True)
y_conv = F.conv2d(x_vec, w_conv, stride=2, padding=1)  # (1, 1, 2, 2)
torch.testing.assert_close(matrix @ x_vec.detach().flatten(), y_conv.detach().flatten())  # 1) 합성곱 = M 곱

upstream = torch.randn_like(y_conv)
transposed = conv_transpose2d(upstream, w_conv, stride=2, padding=1, output_padding=1)  # 2×2 -> 4×4
torch.testing.assert_close(matrix.T @ upstream.flatten(), transposed.flatten())  # 2) 전치 합성곱 = M^T 곱

(grad_x,) = torch.autograd.grad(y_conv, x_vec, upstream)
torch.testing.assert_close(grad_x, transposed)  # 3) 합성곱의 기울기 = 전치 합성곱
print("M x = 합성곱, M^T y = 전치 합성곱 = 합성곱의 기울기: 모두 확인")

# %% [markdown]
# 전치 합성곱을 **역합성곱**(deconvolution)이라고 부르는 글도 있지만, 이것은 합성곱을 되돌리는 연산이 아닙니다.
# $M^{\top}$ 은 $M$ 의 역행렬이 아니므로 합성곱 → 전치 합성곱은 원래 입력으로 돌아오지 않습니다. 되돌아오는 것은
# **모양**뿐입니다.

# %%
roundtrip = conv_transpose2d(y_conv.detach(), w_conv, stride=2, padding=1, output_padding=1)
assert roundtrip.shape == x_vec.shape and not torch.allclose(roundtrip, x_vec.detach(), atol=1e-2)
print("모양은 같고 값은 다릅니다: 최대 차이", f"{(roundtrip - x_vec.detach()).abs().max():.2f}")

# %% [markdown]
# ## 3. 체커보드 인공물
#
# 모든 입력이 1 이고 커널도 모두 1 이면, 전치 합성곱의 출력은 칸마다 **몇 개의 사본이 겹쳤는지**를 셉니다.
# 커널 크기 $k$ 가 스트라이드 $s$ 로 나누어떨어지지 않으면 겹친 수가 칸마다 달라집니다(uneven overlap).
# $k=3, s=2$ 이면 한 방향으로 1, 2, 1, 2, ... 이고 2차원에서는 1, 2, 4 가 바둑판처럼 번갈아 나옵니다.
# $k=4, s=2$ 이면 가장자리를 빼고 어디서나 4 입니다.

# %%
ones = torch.ones(1, 1, 6, 6)
overlap_3 = conv_transpose2d(ones, torch.ones(1, 1, 3, 3), stride=2)
overlap_4 = conv_transpose2d(ones, torch.ones(1, 1, 4, 4), stride=2)
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
viz.number_grid(axes[0], overlap_3[0, 0, :7, :7], groups=(overlap_3[0, 0, :7, :7] == 4).int() - 1,
                title="k=3, s=2: 겹친 수 (왼쪽 위 7×7)")
viz.number_grid(axes[1], overlap_4[0, 0, :7, :7], groups=(overlap_4[0, 0, :7, :7] == 4).int() - 1,
                title="k=4, s=2: 겹친 수 (왼쪽 위 7×7)")
plt.show()
inner = (..., slice(4, -4), slice(4, -4))  # 가장자리(사본이 덜 겹치는 곳)를 뺀 안쪽
assert set(overlap_3[inner].unique().tolist()) == {1.0, 2.0, 4.0}
assert set(overlap_4[inner].unique().tolist()) == {4.0}


# %% [markdown]
# Odena et al. (2016)이 지적한 것처럼, 생성 모델이나 디코더가 전치 합성곱으로 이미지를 키우면 이 고르지 않은 겹침이
# 바둑판 무늬로 드러나곤 합니다. 해결책으로 제안된 **크기 조정 후 합성곱**(resize-convolution)은 먼저 최근접
# 보간(nearest)으로 키운 뒤 보통의 합성곱(스트라이드 1)을 적용합니다. 최근접 보간은 모든 칸에 값을 **하나씩**
# 복사하므로(2장의 평균 언풀링) 겹침이 어디서나 같습니다.

# %%
def resize_conv(x: torch.Tensor, weight: torch.Tensor, factor: int = 2) -> torch.Tensor:
    """크기 조정 후 합성곱: 최근접 보간으로 factor 배 → k×k 합성곱 (스트라이드 1, 크기 유지).

    (N, C_in, H, W) -> (N, C_out, factor·H, factor·W). weight 는 conv2d 배치 (C_out, C_in, k, k), k 는 홀수.
    """
    upsampled = F.interpolate(x, scale_factor=factor, mode="nearest")
    return F.conv2d(upsampled, weight, padding=weight.shape[-1] // 2)


def checkerboard_strength(out: torch.Tensor, margin: int = 6) -> float:
    """상수 입력에 대한 출력의 안쪽 변동계수 std/mean (0 이면 무늬 없음). 가장자리 margin 칸은 뺍니다."""
    center = out[..., margin:-margin, margin:-margin]
    return (center.std() / center.mean().abs()).item()


# %% [markdown]
# 무늬의 세기를 숫자로 잽니다. 상수 입력(모두 1)을 넣으면 무늬가 없는 업샘플러의 출력은 안쪽에서 상수여야 하므로,
# 안쪽 출력의 **변동계수**(표준편차/평균)가 체커보드 세기입니다. 모두 1 인 커널 하나와, 양수 무작위 커널
# 여러 개의 평균을 잽니다.
#
# 무작위 커널에서는 $k=4$ 도 0 이 아닙니다. 겹친 **수**는 고르지만, 출력 칸마다 더해지는 커널 칸들의 **합**
# (예: $w_0 + w_2$ 와 $w_1 + w_3$)이 다르기 때문입니다. 나누어떨어지는 커널은 무늬를 **피할 수 있게** 할 뿐,
# 학습된 커널이 무늬를 만들지 않는다고 보장하지는 않습니다. 크기 조정 후 합성곱은 어떤 커널에서도 0 입니다.

# %%
generator = torch.Generator().manual_seed(0)
field = torch.ones(1, 1, 16, 16)
upsamplers = {
    "전치 합성곱 k=3, s=2": lambda w3, w4: conv_transpose2d(field, w3, stride=2),
    "전치 합성곱 k=4, s=2": lambda w3, w4: conv_transpose2d(field, w4, stride=2),
    "최근접 ×2 후 3×3 합성곱": lambda w3, w4: resize_conv(field, w3),
}
strength = {name: [] for name in upsamplers}
for trial in range(CFG["random_kernels"] + 1):
    if trial == 0:  # 모두 1 인 커널
        w3, w4 = torch.ones(1, 1, 3, 3), torch.ones(1, 1, 4, 4)
    else:
        w3, w4 = torch.rand(1, 1, 3, 3, generator=generator), torch.rand(1, 1, 4, 4, generator=generator)
    for name, upsample in upsamplers.items():
        strength[name].append(checkerboard_strength(upsample(w3, w4)))
checker_rows = [[name, values[0], float(np.mean(values[1:]))] for name, values in strength.items()]
print(format_table(["업샘플러", "커널 모두 1", f"무작위 커널 {CFG['random_kernels']}개 평균"], checker_rows))
ones_kernel = {name: values[0] for name, values in strength.items()}
random_mean = {name: np.mean(values[1:]) for name, values in strength.items()}
names = list(upsamplers)
assert ones_kernel[names[0]] > 0.2 and ones_kernel[names[1]] < 1e-6 and ones_kernel[names[2]] < 1e-6
assert max(strength[names[2]]) < 1e-5  # 크기 조정 후 합성곱: 어떤 커널에서도 무늬 없음
assert random_mean[names[0]] > random_mean[names[1]] > 10 * max(strength[names[2]])

# %% [markdown]
# 사진에서도 봅니다. 흑백 사진을 2 배로 키우되, 커널은 가장 단순한 상자(box) 커널로 하고 평균 밝기가 유지되도록
# 크기를 맞춥니다($k=3$ 이면 칸마다 평균 $9/4$ 개가 겹치므로 $4/9$). 그리고 Odena et al. 의 그림처럼,
# 무작위 가중치의 업샘플링 층 세 개(ReLU 사이)를 상수 입력에 쌓으면 무늬가 층마다 겹쳐 더 뚜렷해집니다.

# %%
photo = data.load_sample("camera", CFG["photo_side"])[:, :1]  # (1, 1, H, W) 흑백
box3 = torch.full((1, 1, 3, 3), 4 / 9)
box4 = torch.full((1, 1, 4, 4), 4 / 16)
crop = (0, 0, slice(CFG["photo_side"] // 2, CFG["photo_side"] // 2 + 48),
        slice(CFG["photo_side"] // 2, CFG["photo_side"] // 2 + 48))
photo_rows = [
    conv_transpose2d(photo, box3, stride=2, padding=1, output_padding=1)[crop],
    conv_transpose2d(photo, box4, stride=2, padding=1)[crop],
    resize_conv(photo, torch.full((1, 1, 3, 3), 1 / 9))[crop],
]


def stacked_random_upsampler(kind: str, layers: int = 3, channels: int = 8, seed: int = 0) -> torch.Tensor:
    """상수 입력 (1, C, 4, 4) 에 무작위 양수 가중치의 2 배 업샘플링 층을 ``layers`` 번 (사이에 ReLU)."""
    gen = torch.Generator().manual_seed(seed)
    h = torch.ones(1, channels, 4, 4)
    for _ in range(layers):
        if kind == "k3":
            h = conv_transpose2d(h, torch.rand(channels, channels, 3, 3, generator=gen), stride=2, padding=1,
                                 output_padding=1)
        elif kind == "k4":
            h = conv_transpose2d(h, torch.rand(channels, channels, 4, 4, generator=gen), stride=2, padding=1)
        else:
            h = resize_conv(h, torch.rand(channels, channels, 3, 3, generator=gen))
        h = F.relu(h - h.mean())  # 평균을 빼서 ReLU 가 실제로 일하게 합니다
    return h[0, 0]  # (4·2**layers, 4·2**layers)


random_rows = [stacked_random_upsampler(kind) for kind in ("k3", "k4", "resize")]
titles = ["전치 합성곱 k=3, s=2", "전치 합성곱 k=4, s=2", "최근접 ×2 + 3×3 합성곱"]
fig = viz.image_grid([photo_rows, random_rows], titles=titles, row_labels=["사진 (상자 커널)", "무작위 3층 (상수 입력)"],
                     size=2.4)
plt.show()

# %% [markdown]
# 윗줄 왼쪽은 사진 위에 가는 격자 무늬가 보이고, 가운데와 오른쪽은 매끈합니다. 아랫줄은 상수 입력인데도
# 전치 합성곱 두 개가 무늬를 만들고($k=4$ 도 무작위 커널에서는 무늬가 생깁니다), 크기 조정 후 합성곱은 가장자리
# 영향 말고는 평평합니다.
#
# ## 4. 쌍선형 초기화: 쌍선형 보간과 똑같은 전치 합성곱
#
# 학습을 시작할 때 전치 합성곱을 무작위로 두면 위와 같은 무늬에서 출발합니다. FCN 은 업샘플링 층을 **쌍선형
# 보간**(bilinear interpolation)과 같은 커널로 초기화합니다. $f$ 배 확대의 1차원 쌍선형 커널은 크기
# $k = 2f - (f \bmod 2)$, 중심 $c = (k-1)/2$ 의 삼각형
#
# $$t_a = 1 - \frac{|a - c|}{f}, \qquad w_{ab} = t_a\, t_b$$
#
# 이고, 스트라이드 $f$, 패딩 $\lfloor f/2 \rfloor$ 로 쓰면 출력이 정확히 $f$ 배입니다. 채널끼리는 섞지 않습니다
# (채널 $c$ 에서 $c$ 로 가는 커널만 삼각형, 나머지는 0). `lib.transposed_conv.bilinear_kernel` 이 이 커널을 만듭니다.

# %%
kernel_4x = bilinear_kernel(4)[0, 0]  # (8, 8)
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3))
axes[0].stem(range(8), kernel_4x.diagonal().sqrt())  # w[a, a] = t[a]² 이므로 대각선의 제곱근이 t
axes[0].set_title("1차원 삼각형 t (f=4, k=8)")
axes[0].set_xlabel("커널 칸 a")
axes[1].imshow(kernel_4x, cmap="viridis")
axes[1].set_title("2차원 커널 w[a, b] = t[a]·t[b]")
axes[1].axis("off")
fig.tight_layout()
plt.show()

# %% [markdown]
# 이 커널은 겹침이 고르지 않은 홀수 배율에서도 무늬를 만들지 않습니다. 출력 칸마다 더해지는 커널 칸들의 합이
# 정확히 1 이기 때문입니다(연습문제 3). 그리고 `F.interpolate(mode="bilinear", align_corners=False)` 와 가장자리를
# 뺀 모든 곳에서 같습니다. 가장자리에서는 전치 합성곱이 바깥을 0 으로 보고 보간은 가장자리 값을 늘려 쓰므로
# 다릅니다. 입력 가장자리를 한 칸 복제(replicate)해 두고 $f$ 칸씩 잘라 내면 어디서나 같습니다.

# %%
x_interp = torch.rand(1, 3, 6, 5)
for factor in (2, 3, 4, 8):
    kernel = bilinear_kernel(factor, channels=3)
    by_transposed = conv_transpose2d(x_interp, kernel, stride=factor, padding=factor // 2)
    by_interpolate = F.interpolate(x_interp, scale_factor=factor, mode="bilinear", align_corners=False)
    inside = (..., slice(factor, -factor), slice(factor, -factor))
    torch.testing.assert_close(by_transposed[inside], by_interpolate[inside], atol=1e-6, rtol=1e-6)
    padded = F.pad(x_interp, (1, 1, 1, 1), mode="replicate")
    everywhere = conv_transpose2d(padded, kernel, stride=factor, padding=factor // 2)[inside]
    torch.testing.assert_close(everywhere, by_interpolate, atol=1e-6, rtol=1e-6)
    edge_gap = (by_transposed - by_interpolate).abs().max().item()
    print(f"f={factor}: 커널 {kernel.shape[-1]}×{kernel.shape[-1]}, 안쪽 같음, 복제 패딩이면 어디서나 같음, "
          f"가장자리 최대 차이 {edge_gap:.2f}")

# %% [markdown]
# ## 5. 완전 합성곱 신경망 (FCN)
#
# Long et al. (2015)의 FCN 은 분류 CNN 을 세 가지로 바꿉니다.
#
# 1. **완전 연결 층을 합성곱으로**: 분류기의 완전 연결(fully connected) 층을 같은 계산을 하는 합성곱으로 바꾸면,
#    네트워크 전체가 합성곱뿐이므로 **어떤 크기의 입력**도 받고 위치마다 점수를 냅니다.
# 2. **1×1 점수 층**: 마지막 특성 맵의 위치마다 클래스 $K$ 개의 점수(score)를 냅니다. 입력보다 32 배 작은 격자입니다.
# 3. **전치 합성곱 업샘플링**: 점수 격자를 입력 크기로 키웁니다. 논문(4.3절)처럼 중간의 2 배 업샘플링은 쌍선형으로
#    초기화한 뒤 학습하고, 마지막 업샘플링은 쌍선형으로 **고정**합니다.
#
# 32 배를 한 번에 키우면 경계가 뭉개지므로, 더 고운 층의 점수를 더해 가며 키웁니다(**스킵 융합**, skip fusion).
#
# | 변형 | 점수 경로 | 마지막 업샘플링 |
# |---|---|---|
# | FCN-32s | 보폭 32 점수 | ×32 |
# | FCN-16s | 보폭 32 점수 ×2 **+** 보폭 16 점수 | ×16 |
# | FCN-8s | (위의 합) ×2 **+** 보폭 8 점수 | ×8 |
#
# 스킵 점수 층은 논문처럼 0 으로 초기화합니다. 그래서 학습을 시작할 때는 더 고운 변형도 거친 변형과 같은 정보만
# 쓰고, 도움이 되는 만큼만 고운 점수를 끌어씁니다.
#
# :::{admonition} 노트 바로잡기: "Pooling 없이 오직 컨볼루션만 사용", "입력 이미지가 어떤 크기든"
# :class: warning
# - 원래 FCN 은 VGG-16 을 바탕으로 하므로 **최대 풀링 층이 다섯 개** 있습니다. "완전 합성곱"은 풀링이 없다는
#   뜻이 아니라 **완전 연결 층이 없다**는 뜻입니다. 이 책의 모델은 풀링 대신 2×2 스트라이드 2 합성곱(학습하는 풀링)을
#   쓰는데, 이것은 설계상의 선택일 뿐 FCN 이 되는 조건은 아닙니다.
# - 입력 크기가 32 의 배수가 아니면 내림 때문에 줄였다 키운 크기가 입력과 다릅니다. 어떤 크기에서도 같은 크기의
#   출력을 내려면 정책이 필요합니다. 원 논문은 입력에 100 픽셀을 덧대고 출력을 잘라 냅니다(crop). 이 책의
#   `lib.models.match_size` 는 입력의 오른쪽·아래를 0 으로 채워 32 의 배수로 만들고, 출력의 같은 자리를 잘라 냅니다.
# :::
#
# `lib.models.FCN` 의 단계별 모양을 $64\times64$ 입력으로 확인합니다.

# %% tags=["nbval-check-output"]
fcn = models.FCN(3, len(data.CLASS_NAMES), "8s", widths=CFG["widths"]).eval()
h = torch.zeros(1, 3, CFG["scene_size"], CFG["scene_size"])
stage_rows = []
with torch.no_grad():
    for k, stage in enumerate(fcn.stages):
        h = stage(h)
        role = {8: "스킵 (8s)", 16: "스킵 (16s, 8s)", 32: "점수 (모든 변형)"}.get(2**k, "")
        stage_rows.append([k, 2**k, type(stage).__name__, "x".join(map(str, h.shape[1:])), role])
print(format_table(["단계", "보폭", "부품", "C×H×W", "1×1 점수 층"], stage_rows))

# %% [markdown]
# 출력이 어떤 크기에서도 입력과 같은지 확인합니다 (1×1 도, 32 의 배수가 아닌 크기도).

# %% tags=["nbval-check-output"]
with torch.no_grad():
    for variant in models.FCN_VARIANTS:
        net = models.FCN(3, 4, variant, widths=CFG["widths"]).eval()
        for size in [(1, 1), (37, 50), (64, 64), (100, 30)]:
            assert net(torch.rand(2, 3, *size)).shape == (2, 4, *size)
print("세 변형 모두 (1, 1), (37, 50), (64, 64), (100, 30) 에서 출력 = (2, 4, H, W)")

# %% [markdown]
# ## 6. 세 변형을 학습하고 비교하기
#
# [1장](01_conv_segmentation.ipynb)과 같은 합성 장면(`lib.data.make_scenes`)을 씁니다. 클래스는 배경, 원, 사각형,
# 삼각형 네 개이고, 배경과 도형 모두 질감이 있어 색만으로는 구분되지 않습니다. 학습은 `lib.train.fit`
# (픽셀별 교차 엔트로피, Adam)이, 지표는 `lib.metrics` 가 혼동 행렬(confusion matrix)에서 계산합니다.
#
# - 클래스 $c$ 의 IoU(intersection over union) $= \dfrac{TP_c}{TP_c + FP_c + FN_c}$,
#   mIoU 는 그 평균 (예측에도 정답에도 없는 클래스는 빼고),
# - 픽셀 정확도 $= \dfrac{\sum_c TP_c}{\text{픽셀 수}}$.
#
# 비교 기준으로 **모든 픽셀을 배경이라고 답하는** 예측의 점수를 먼저 잽니다. 배경이 대부분이라 픽셀 정확도는
# 높지만, mIoU 는 낮습니다. mIoU 를 쓰는 까닭입니다.

# %%
scene_config = data.SceneConfig(size=CFG["scene_size"])
train_images, train_masks = data.make_scenes(CFG["n_train"], scene_config, seed=0)
val_images, val_masks = data.make_scenes(CFG["n_val"], scene_config, seed=1)
num_classes = len(data.CLASS_NAMES)
all_background = torch.zeros_like(val_masks)
baseline_miou = metrics.mean_iou(all_background, val_masks, num_classes)
baseline_accuracy = metrics.pixel_accuracy(all_background, val_masks, num_classes)
print(f"학습 {tuple(train_images.shape)}, 검증 {tuple(val_images.shape)}")
print(f"모두 배경이라고 답하면: mIoU {baseline_miou:.3f}, 픽셀 정확도 {baseline_accuracy:.3f}")

# %%
fcns, histories = {}, {}
for variant in models.FCN_VARIANTS:
    config.seed_everything(0)  # 세 변형이 같은 초기 인코더 가중치와 같은 미니배치 순서로 시작합니다
    fcns[variant] = models.FCN(3, num_classes, variant, widths=CFG["widths"])
    histories[variant] = train.fit(fcns[variant], train_images, train_masks, num_classes, CFG["epochs"],
                                   batch_size=CFG["batch_size"], lr=CFG["lr"], val=(val_images, val_masks),
                                   desc=f"FCN-{variant}")

# %% [markdown]
# 경계가 얼마나 정확한지도 따로 잽니다. 정답 마스크에서 $5\times5$ 이웃 안에 다른 클래스가 있는 픽셀을
# **경계 띠**(boundary band)라고 하고, 그 픽셀들만의 정확도를 셉니다.

# %%
band = metrics.boundary_band(val_masks)
predictions = {variant: train.predict(net, val_images) for variant, net in fcns.items()}
result_rows, scores = [], {}
for variant, pred in predictions.items():
    scores[variant] = dict(
        miou=metrics.mean_iou(pred, val_masks, num_classes),
        accuracy=metrics.pixel_accuracy(pred, val_masks, num_classes),
        band=(pred == val_masks)[band].float().mean().item(),
        inner=(pred == val_masks)[~band].float().mean().item(),
    )
    params = sum(p.numel() for p in fcns[variant].parameters() if p.requires_grad)  # 학습하는 것만
    s = scores[variant]
    fresh = models.FCN(3, num_classes, variant, widths=CFG["widths"])  # 새 모델로 학습 한 걸음의 시간
    step_ms = train.step_seconds(fresh, train_images[:CFG["batch_size"]], train_masks[:CFG["batch_size"]]) * 1e3
    result_rows.append([f"FCN-{variant}", params, f"{histories[variant].seconds:.0f}", f"{step_ms:.0f}",
                        f"{s['miou']:.3f}", f"{s['accuracy']:.3f}", f"{s['band']:.3f}", f"{s['inner']:.3f}"])
result_rows.append(["모두 배경", 0, "-", "-", f"{baseline_miou:.3f}", f"{baseline_accuracy:.3f}",
                    f"{(val_masks == 0)[band].float().mean():.3f}",
                    f"{(val_masks == 0)[~band].float().mean():.3f}"])
print(f"경계 띠 픽셀 비율: {band.float().mean():.1%}")
print(format_table(["모델", "학습 파라미터", "학습(초)", "걸음(ms)", "검증 mIoU", "픽셀 정확도", "경계 띠 정확도", "안쪽 정확도"],
                   result_rows))
for variant, s in scores.items():
    assert s["miou"] > baseline_miou + 0.03, f"FCN-{variant} 가 '모두 배경' 보다 낫지 않습니다"

# %% [markdown]
# **학습(초)** 는 `fit` 이 잰 전체 학습 시간이라, 같은 기계에서 다른 프로그램이 돌면 크게 흔들립니다.
# **걸음(ms)** 는 새 모델로 학습 한 걸음을 다섯 번 재어 가장
# 짧은 값이므로 모델 자체의 비용에 가깝습니다. 세 변형은 인코더가 같아 비용도 거의 같습니다.
#
# 학습 파라미터 수도 거의 같습니다. 16s·8s 가 더하는 것은 1×1 스킵 점수 층과 $4\times4$ 크기의 2 배 업샘플링
# 커널뿐입니다. 마지막 업샘플링은 고정이라 세지 않았는데, FCN-32s 의 그것을 학습한다면 $64\times64$ 커널이 클래스
# $K=4$ 개 사이의 모든 쌍에 하나씩 있어 $K^2\cdot 64^2 = 65{,}536$ 개로, 모델 나머지보다 커질 것입니다.
# 게다가 그렇게 큰 커널은 격자 칸마다 도형 모양을 "찍어 내는" 법을 외울 수 있어 해석이 흐려집니다.
#
# 에폭마다의 검증 mIoU 입니다.

# %%
epochs = range(1, CFG["epochs"] + 1)
curves = {f"FCN-{v}": h.val_miou for v, h in histories.items()} | {"모두 배경": [baseline_miou] * len(epochs)}
viz.line_plot(epochs, curves, xlabel="에폭", ylabel="검증 mIoU", title="학습 중 검증 mIoU")
plt.show()

# %% [markdown]
# 예측을 나란히 봅니다. 열은 정답과 세 변형의 예측입니다.

# %%
show = slice(0, 4)
fig = viz.segmentation_grid(val_images[show], {"정답": val_masks[show]} |
                            {f"FCN-{v}": pred[show] for v, pred in predictions.items()}, size=1.7)
plt.show()


# %% [markdown]
# ### 왜 거친 변형은 경계를 흐리는가
#
# FCN-32s 의 마지막 업샘플링 직전 점수 격자는 $64\times64$ 입력에서 $2\times2$ 입니다. 마지막 업샘플링은 쌍선형으로
# 고정되어 있으므로 출력 픽셀의 점수는 이 네 값의 쌍선형 보간이고, 클래스가 바뀌는 선도 32 픽셀 간격 격자 위의
# 부드러운 곡선밖에 될 수 없습니다. FCN-16s 는 $4\times4$, FCN-8s 는 $8\times8$ 격자에서 키웁니다. 아래 그림의 윗줄은
# 마지막 업샘플링에 들어가는 점수 격자의 argmax, 아랫줄은 출력입니다.

# %%
def coarse_scores(net: models.FCN, image: torch.Tensor) -> torch.Tensor:
    """마지막 업샘플링(final_up)에 들어가는 점수 격자 (K, H/s, W/s) 를 forward hook 으로 꺼냅니다."""
    captured = {}
    handle = net.final_up.register_forward_hook(lambda module, inputs, out: captured.update(score=inputs[0]))
    with torch.no_grad():
        net.eval()(image[None])
    handle.remove()
    return captured["score"][0]


sample = 1
coarse_row = [viz.colorize_mask(coarse_scores(net, val_images[sample]).argmax(0)) for net in fcns.values()]
final_row = [viz.colorize_mask(pred[sample]) for pred in predictions.values()]
titles = [f"FCN-{v}: {coarse.shape[0]}×{coarse.shape[1]} 격자" for v, coarse in zip(fcns, coarse_row)]
fig = viz.image_grid([[val_images[sample]] + coarse_row, [viz.colorize_mask(val_masks[sample])] + final_row],
                     titles=[["이미지"] + titles, ["정답"] + [f"FCN-{v} 출력" for v in fcns]], size=2.1)
plt.show()
assert [c.shape[0] for c in coarse_row] == [CFG["scene_size"] // s for s in models.FCN_VARIANTS.values()]
for net in fcns.values():  # 학습 뒤에도 마지막 업샘플링은 정확히 쌍선형입니다
    assert torch.equal(net.final_up.weight, bilinear_kernel(net.output_stride, num_classes))

# %% [markdown]
# 위 표의 **경계 띠 정확도**가 같은 이야기를 숫자로 합니다. 경계에서 먼 안쪽 픽셀은 어느 변형이나 비교적 잘
# 맞히지만, 경계 띠에서는 격자가 고운 변형일수록 낫습니다.

# %%
print(format_table(["모델", "경계 띠 정확도", "안쪽 정확도", "차이"],
                   [[f"FCN-{v}", s["band"], s["inner"], s["inner"] - s["band"]] for v, s in scores.items()]))
for s in scores.values():
    assert s["inner"] > s["band"]  # 어느 변형이나 경계가 더 어렵습니다
assert scores["8s"]["band"] > scores["32s"]["band"]  # 고운 격자가 경계를 더 잘 맞힙니다

# %% [markdown]
# ## 정리
#
# - 전치 합성곱은 입력 픽셀마다 커널 사본을 $s$ 칸 간격으로 놓고 **겹친 곳을 더하는** 연산이고, 합성곱 행렬 $M$ 의
#   전치 $M^\top$ 을 곱하는 일이며, 합성곱의 역전파와 같습니다. 역연산(deconvolution)은 아닙니다.
# - $k$ 가 $s$ 로 나누어떨어지지 않으면 겹침이 고르지 않아 체커보드 무늬가 생기기 쉽고, 나누어떨어져도 커널에 따라
#   생길 수 있습니다. 크기 조정 후 합성곱은 구조적으로 무늬가 없습니다.
# - 쌍선형 커널로 초기화한 전치 합성곱은 가장자리를 빼면 쌍선형 보간과 정확히 같습니다.
# - FCN 은 완전 연결 층 없이 합성곱만으로 위치마다 점수를 내고, 전치 합성곱으로 키웁니다. 32 배를 한 번에 키우면
#   경계가 뭉개지므로 16s·8s 는 고운 층의 점수를 **더해** 가며 키웁니다.
#
# 노트는 다음 절에서 U-Net 이 "위치 정보 손실"을 해결한다고 말합니다. 정확히는 FCN-16s·8s 도 이미 스킵 연결로
# 위치 정보를 되살립니다. U-Net 의 차이는 스킵을 점수(클래스 $K$ 개)가 아니라 **특성 맵 전체**로 이어 붙이고
# (concatenation), 키우는 길에도 합성곱을 여러 층 두어 고운 특징과 거친 특징을 함께 다시 계산한다는 점입니다.
# [4장](04_unet.ipynb)에서 만듭니다.
#
# ## 연습문제
#
# 1. 한 변 16 인 입력에 $3\times3$, 스트라이드 2, 패딩 1 합성곱을 하면 8 이 됩니다. 같은 설정의 전치 합성곱으로
#    16 으로 돌아가려면 `output_padding` 이 얼마여야 합니까? 입력이 15 였다면요?
#
# :::{admonition} 풀이
# :class: dropdown
# 공식 $H_{\text{out}} = (8-1)\cdot 2 - 2\cdot1 + (3-1) + p_{\text{out}} + 1 = 15 + p_{\text{out}}$ 이므로 16 으로 가려면
# $p_{\text{out}} = 1$, 15 로 가려면 $p_{\text{out}} = 0$ 입니다. 합성곱이 15 와 16 을 모두 8 로 보내기 때문에 생기는 모호함을
# `output_padding` 이 풀어 줍니다.
# ```python
# y = torch.zeros(1, 1, 8, 8); w = torch.zeros(1, 1, 3, 3)
# assert conv_transpose2d(y, w, stride=2, padding=1, output_padding=1).shape[-1] == 16
# assert conv_transpose2d(y, w, stride=2, padding=1, output_padding=0).shape[-1] == 15
# ```
# :::
#
# 2. 전치 합성곱이 합성곱의 **수반**(adjoint)이라는 것, 곧 모든 $\mathbf{x}, \mathbf{y}$ 에 대해
#    $\langle \operatorname{conv}(\mathbf{x}), \mathbf{y}\rangle = \langle \mathbf{x}, \operatorname{conv}^{\top}(\mathbf{y})\rangle$ 임을
#    행렬 없이 무작위 텐서로 확인해 보세요. 행렬 $M$ 을 만드는 것보다 어떤 점이 좋습니까?
#
# :::{admonition} 풀이
# :class: dropdown
# $\langle M\mathbf{x}, \mathbf{y}\rangle = \mathbf{y}^\top M \mathbf{x} = (M^\top \mathbf{y})^\top \mathbf{x}$ 입니다.
# ```python
# x = torch.randn(2, 3, 9, 9, dtype=torch.float64); w = torch.randn(4, 3, 3, 3, dtype=torch.float64)
# y = torch.randn(2, 4, 5, 5, dtype=torch.float64)
# lhs = (F.conv2d(x, w, stride=2, padding=1) * y).sum()
# rhs = (x * conv_transpose2d(y, w, stride=2, padding=1)).sum()
# assert torch.allclose(lhs, rhs)
# ```
# $M$ 은 (출력 수)×(입력 수) 크기라 $64\times64$ 이미지 한 장, 채널 64 개만 되어도 수십억 칸이 됩니다. 내적 검사는
# 행렬을 만들지 않고 큰 크기에서도 할 수 있습니다.
# :::
#
# 3. 배율 $f=3$ 의 쌍선형 커널은 $k=5$ 이므로 5 가 3 으로 나누어떨어지지 않습니다. 그런데도 상수 입력의 출력이
#    (가장자리를 빼면) 상수인 까닭은 무엇입니까? `bilinear_kernel(3)` 로 확인해 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 1차원 커널은 $t = (1/3,\ 2/3,\ 1,\ 2/3,\ 1/3)$ 입니다. 출력 칸 하나에는 커널 칸 번호 $a$ 를 3 으로 나눈 나머지가
# 같은 것들만 더해지므로, 위상마다 $(t_0 + t_3,\ t_1 + t_4,\ t_2) = (1, 1, 1)$ 입니다.
# 겹친 **수**는 2, 2, 1 로 고르지 않지만 겹친 **가중치의 합**이 모두 1 이라 무늬가 없습니다.
# ```python
# t = bilinear_kernel(3)[0, 0, 2]
# print([t[r::3].sum().item() for r in range(3)])  # [1.0, 1.0, 1.0]
# ```
# 체커보드의 진짜 조건은 "위상마다 가중치 합이 다름"이고, $k$ 가 $s$ 로 나누어떨어지지 않으면 그렇게 되기 쉬울 뿐입니다.
# :::
#
# 4. FCN-4s 를 만든다면 무엇을 더해야 합니까? 이 장의 설정($K=4$, 보폭 4 의 채널 24)에서 늘어나는 파라미터 수를 세고,
#    학습해서 8s 보다 나은지 재어 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 보폭 4 특징(채널 24)에 1×1 점수 층($24\cdot4 + 4 = 100$)과 2 배 업샘플링($4\cdot4\cdot4\cdot4 = 256$)을 더해 학습 파라미터가
# 356 개 늘고, 고정된 마지막 업샘플링은 ×8 에서 ×4 로 바뀝니다. 원 논문은 8s 보다 고운
# 융합에서 얻는 것이 거의 없다고 보고했습니다. 이 장의 작은 장면에서도 경계 띠 정확도는 조금 오를 수 있지만, 보폭 4
# 특징은 수용 영역이 작아 "이 픽셀이 어느 도형인가"를 판단하는 데는 큰 도움이 되지 않습니다.
# `lib.models.FCN` 은 스킵 보폭을 (16, 8) 로 정해 두었으므로, 그 `forward` 를 본떠 보폭 4 를 더한 모델을 노트북에서
# 만들어 실험해 보세요.
# :::
