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
# [2장](02_upsampling.ipynb)의 언풀링(unpooling)과 보간(interpolation)에는 **학습할 파라미터(parameter)가 없습니다**.
# 완전 합성곱 신경망(fully convolutional network, FCN) {cite}`long2015,shelhamer2017`은 업샘플링(up-sampling)도 학습하도록
# **전치 합성곱**(transposed convolution)을 씁니다. 이 장에서는
#
# 1. 노트의 절차("입력의 작은 패치에 커널을 곱한 결과를 출력으로 확장하고, 겹치는 곳은 합산")를 작은 입력에서
#    한 단계씩 따라가 그림으로 그리고, 출력 크기 공식을 torch와 맞춰 봅니다. 같은 연산을 "0을 끼워 넣은 뒤 보통의
#    합성곱"으로도 계산해 봅니다.
# 2. 전치 합성곱이 합성곱 행렬의 **전치**를 곱하는 일이고, 합성곱의 **기울기**(gradient)라는 것을 확인합니다.
# 3. **체커보드 아티팩트**(checkerboard artifact) {cite}`odena2016`를 재어 보고, 크기 조정 후 합성곱(resize-convolution)과 서브픽셀
#    합성곱으로 없앱니다. 같은 무늬가 합성곱의 기울기에도 생긴다는 것도 봅니다.
# 4. 쌍선형 보간(bilinear interpolation)과 똑같은 일을 하는 전치 합성곱 커널, 곧 쌍선형 초기화(bilinear initialization)를
#    만듭니다.
# 5. FCN-32s·16s·8s를 만들어 합성 장면(synthetic scene)으로 학습하고, 시드 세 개의 평균으로 비교합니다.
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
import torchvision

from lib import (
    config,
    data,
    diagrams,
    experiments,
    metrics,
    models,
    segmentation,
    tables,
    train,
    upsampling,
    viz,
)
from lib.transposed_conv import bilinear_kernel, transposed_output_size
from lib.upsampling import conv2d_matrix, conv_transpose2d

viz.setup()
config.seed_everything(0)
print(config.describe())

# %%
CFG = dict(
    scene_size=config.pick(64, 128),  # 합성 장면 한 변: 128 이면 FCN-32s 의 점수 격자가 4×4
    n_train=config.pick(48, 320),  # 학습 장면 수
    n_val=config.pick(24, 80),  # 검증 장면 수
    epochs=config.pick(2, 12),  # 학습 에폭 수 (코사인 학습률 일정)
    batch_size=16,  # 미니배치 크기
    lr=5e-3,  # Adam 학습률의 시작 값
    widths=(8, 16, 24, 32, 48, 64),  # FCN 인코더 여섯 단계의 채널 수 (출력 보폭 1 → 32)
    seeds=config.pick((0,), (0, 1, 2)),  # 비교 실험의 시드
    photo_side=config.pick(64, 128),  # 체커보드 실험에 쓰는 사진 한 변
    random_kernels=config.pick(100, 400),  # 체커보드 세기를 평균할 무작위 커널 수
)
CFG

# %% [markdown]
# ## 1. 전치 합성곱: 픽셀마다 커널을 뿌리고, 겹치면 더하기
#
# 스트라이드(stride) $s$ 합성곱은 입력의 $k\times k$ 창 하나를 출력 값 **하나로** 모읍니다. 전치 합성곱은 방향이 반대입니다.
# 입력 값 **하나**가 커널 $w$를 곱한 $k\times k$ 사본이 되어 출력에 놓이고, 입력에서 한 칸 옮길 때마다 출력에서는
# $s$칸 옮겨 놓입니다. 이웃한 사본이 겹치는 곳은 **더합니다** {cite}`dumoulin2016`.
#
# $$y_{\,i s + a,\; j s + b} \mathrel{+}= x_{ij}\, w_{ab}, \qquad 0 \le a, b < k$$
#
# 노트의 절차를 그대로 코드로 옮기면 반복문 두 개입니다(채널 하나, 패딩 없음).

# %%
def transposed_conv_by_definition(x: torch.Tensor, w: torch.Tensor, stride: int) -> torch.Tensor:
    """채널 하나, 패딩 없음: 입력 픽셀 x[i, j] 마다 x[i, j]·w 를 출력 (i·s, j·s) 자리에 더합니다."""
    (h, width), k = x.shape, w.shape[0]
    out = torch.zeros((h - 1) * stride + k, (width - 1) * stride + k)
    for i in range(h):
        for j in range(width):
            out[i * stride:i * stride + k, j * stride:j * stride + k] += x[i, j] * w  # 겹치면 더함
    return out


x_small = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
w_small = torch.tensor([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])
y_small = transposed_conv_by_definition(x_small, w_small, stride=2)
print(y_small.int())

# %% [markdown]
# 네 입력 픽셀이 각자 커널 사본을 만들고(색 = 어느 입력 픽셀에서 왔는지), 그 사본들을 더한 것이 출력입니다.
# 첫 줄은 재료(입력과 커널), 둘째 줄은 사본 네 개와 그 합입니다. 굵은 테두리 칸은 사본 두 개 이상이 **겹쳐 더해진**
# 곳입니다.

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
flow = diagrams.number_grid_flow([
    [dict(values=x_small, groups=np.array([[0, 1], [2, 3]]), title="입력 x (2×2)"), "×",
     dict(values=w_small, title="커널 w (3×3)")],
    [copies[0], "+", copies[1], "+", copies[2], "+", copies[3], "=",
     dict(values=y_small, groups=sum_groups, marked=cover > 1, title="출력 (5×5), 스트라이드 2")],
], cell=0.3)
plt.show()

# %% [markdown]
# `lib.upsampling.conv_transpose2d`는 같은 정의를 채널·배치·패딩·`output_padding`·팽창(dilation)·묶음(groups)까지
# 넓힌 것입니다. 픽셀마다 도는 대신 **커널 칸**마다 돌며(커널 칸 $(a, b)$의 사본들은 출력에서 간격 $s$의 격자 하나를
# 채웁니다) 채널 방향은 행렬 곱 한 번으로 계산합니다. 인자의 순서도 torch와 같습니다(`groups`가 `dilation` 앞).
# torch의 `F.conv_transpose2d`와 값이 같은지 확인합니다.

# %%
lib_small = conv_transpose2d(x_small[None, None], w_small[None, None], stride=2)[0, 0]
assert torch.equal(lib_small, y_small)
by_torch = F.conv_transpose2d(x_small[None, None], w_small[None, None], stride=2)
assert torch.equal(by_torch[0, 0], y_small)

x_big, w_big = torch.randn(2, 6, 5, 7), torch.randn(6, 2, 3, 4)  # 커널 (C_in, C_out/groups, kH, kW)
settings = [dict(stride=2, padding=1), dict(stride=(3, 2), padding=(0, 2), output_padding=(2, 1)),
            dict(stride=2, dilation=2, groups=3, output_padding=1)]
for kwargs in settings:
    b_big = torch.randn(2 * kwargs.get("groups", 1))
    ours = conv_transpose2d(x_big, w_big, b_big, **kwargs)
    expected = F.conv_transpose2d(x_big, w_big, b_big, **kwargs)
    torch.testing.assert_close(ours, expected, atol=1e-5, rtol=1e-5)
    print(kwargs, "→", tuple(ours.shape), "torch 와 같음")

# %% [markdown]
# :::{admonition} 노트 바로잡기: "겹친 영역은 값을 합산하거나 평균"
# :class: warning
# 전치 합성곱은 겹친 곳을 **합산만** 합니다. 위 그림의 굵은 칸이 그 예입니다. 평균을 내려면 겹친 사본 수로
# 따로 나누어야 하는데, 그것은 전치 합성곱이 아니라 별도의 정규화입니다. 겹친 칸마다 더해지는 커널 가중치가 서로
# 다를 수 있다는 사실이 3절의 체커보드 아티팩트로 이어집니다(원인이 "겹친 수"가 아니라 "더해진 가중치의 합"이라는
# 것은 3절과 연습문제 3에서 봅니다).
# :::
#
# ### 출력 크기
#
# 마지막 사본은 $(H-1)s$에서 시작해 $d(k-1)+1$칸을 차지합니다($d$: 팽창). 여기서 양쪽 $p$줄(`padding`)을
# 잘라 내고, 오른쪽·아래에 `output_padding` 줄을 붙입니다.
#
# $$H_{\text{out}} = (H-1)\,s - 2p + d\,(k-1) + p_{\text{out}} + 1$$
#
# 이 공식은 합성곱의 출력 크기 $\lfloor (H + 2p - d(k-1) - 1)/s \rfloor + 1$을 거꾸로 푼 것입니다. 합성곱은
# 나눗셈의 **내림** 때문에 서로 다른 입력 크기(예: 15와 16)를 같은 출력 크기(8)로 보냅니다. 그래서 전치 합성곱은
# 어느 쪽으로 돌아갈지 $p_{\text{out}} < s$로 정해 주어야 합니다. 아래 표의 모든 행을 torch와 맞춰 봅니다.

# %% tags=["nbval-check-output"]
rows = []
cases = [(2, 3, 2, 0, 0, 1), (8, 3, 2, 1, 0, 1), (8, 3, 2, 1, 1, 1), (8, 4, 2, 1, 0, 1),
         (2, 64, 32, 16, 0, 1), (5, 3, 1, 1, 0, 1), (5, 3, 2, 0, 1, 2)]  # (H, k, s, p, p_out, d)
for h, k, s, p, op, d in cases:
    formula = transposed_output_size(h, k, s, p, op, d)
    kernel = torch.zeros(1, 1, k, k)
    by_torch = F.conv_transpose2d(torch.zeros(1, 1, h, h), kernel, stride=s, padding=p,
                                  output_padding=op, dilation=d).shape[-1]
    back = F.conv2d(torch.zeros(1, 1, formula, formula), kernel, stride=s, padding=p,
                    dilation=d).shape[-1]
    assert formula == by_torch and back == h  # 공식 = torch, 같은 설정의 합성곱은 H 로 되돌아감
    rows.append([f"H={h}, k={k}, s={s}, p={p}, p_out={op}, d={d}", formula, by_torch, back])
tables.show(tables.frame(rows, ["설정", "공식의 H_out", "torch", "합성곱으로 되돌리면"]),
            caption="전치 합성곱의 출력 크기")

# %% [markdown]
# ### 0을 끼워 넣은 뒤 보통의 합성곱: "분수 스트라이드"로 보기
#
# 같은 연산을 모으는(gather) 쪽에서 볼 수도 있습니다. 입력 값들 사이에 0을 $s-1$개씩 끼워 넣어(2장의 못 침대(bed of nails)와
# 같은 생각) 늘린 뒤, 사방을 $d(k-1) - p$만큼 0으로 채우고, **뒤집은 커널**로 스트라이드 1 합성곱을 하면 전치
# 합성곱과 같습니다. 입력 한 칸을 출력에서 $s$칸 간격으로 읽는 셈이라 **분수 스트라이드 합성곱**(fractionally strided
# convolution, 스트라이드 $1/s$)이라고도 부릅니다 {cite}`dumoulin2016`. 이 관점에서 `output_padding`은 단순히
# 오른쪽·아래에 0을 한 줄 더 붙이는 것입니다.

# %%
def transposed_by_zero_insertion(x: torch.Tensor, w: torch.Tensor, stride: int, padding: int = 0,
                                 output_padding: int = 0, dilation: int = 1) -> torch.Tensor:
    """(N, C_in, H, W) 와 커널 (C_in, C_out, k, k) 의 전치 합성곱을 "0 끼워 넣기 + 합성곱" 으로."""
    n, c_in, h, width = x.shape
    k = w.shape[-1]
    spread = x.new_zeros(n, c_in, (h - 1) * stride + 1, (width - 1) * stride + 1)
    spread[..., ::stride, ::stride] = x  # 값 사이에 0 을 s-1 개씩
    edge = dilation * (k - 1) - padding  # 사방에 채울 0 (음수면 잘라 냄)
    spread = F.pad(spread, (edge, edge + output_padding, edge, edge + output_padding))
    flipped = w.flip(-2, -1).transpose(0, 1)  # 커널을 뒤집고 (C_in, C_out) → (C_out, C_in)
    return F.conv2d(spread, flipped, dilation=dilation)


torch.manual_seed(0)
x_demo, w_demo = torch.randn(2, 3, 5, 6), torch.randn(3, 4, 3, 3)
for kwargs in [dict(stride=2), dict(stride=2, padding=1, output_padding=1),
               dict(stride=3, padding=2), dict(stride=2, padding=1, dilation=2)]:
    torch.testing.assert_close(transposed_by_zero_insertion(x_demo, w_demo, **kwargs),
                               conv_transpose2d(x_demo, w_demo, **kwargs), atol=1e-5, rtol=1e-5)
print("0 끼워 넣기 + 뒤집은 커널의 합성곱 = 전치 합성곱 (네 가지 설정)")

# %% [markdown]
# **이름에 대하여.** 전치 합성곱은 여러 이름으로 불립니다. U-Net 논문은 2×2 전치 합성곱을 **업-합성곱**
# (up-convolution)이라 부르고 {cite}`ronneberger2015`, 위의 관점에서는 분수 스트라이드 합성곱입니다. 흔히 쓰이는
# **역합성곱**(deconvolution)이라는 이름은 잘못 붙은 것입니다. 신호 처리에서 역합성곱은 합성곱을 **되돌리**는 연산
# (주어진 $y = w * x$에서 $x$를 찾는 문제)인데 {cite}`zeiler2010`, 전치 합성곱은 다음 절에서 보듯 합성곱 행렬의
# 역행렬이 아니라 전치를 곱할 뿐이라 입력을 되돌리지 못합니다.
#
# ## 2. 행렬로 보기, 기울기로 보기
#
# 합성곱은 선형 사상이므로 이미지 하나를 펼친 벡터 $\mathbf{x}$에 대해 어떤 행렬 $M$으로
# $\operatorname{conv}(\mathbf{x}) = M\mathbf{x}$라고 쓸 수 있습니다. $M$의 행 하나는 출력 위치 하나이고,
# 그 행에는 커널이 그 위치의 창에 놓인 모습이 담깁니다. `lib.upsampling.conv2d_matrix`가 이 $M$을 만듭니다.
# $4\times4$ 입력, $3\times3$ 커널, 스트라이드 2, 패딩 1이면 출력이 $2\times2$이므로 $M$은 $4\times16$입니다.

# %%
w_conv = torch.arange(1.0, 10.0).reshape(1, 1, 3, 3)  # (C_out, C_in, k, k): 1 ~ 9
matrix = conv2d_matrix(w_conv, (4, 4), stride=2, padding=1)
print("M 의 모양:", tuple(matrix.shape))
fig, ax = plt.subplots(figsize=(7.5, 2.2))
diagrams.number_grid(ax, matrix, groups=np.where(matrix > 0, 0, -1),
                     title="M: 행 = 출력 위치 4개, 열 = 입력 픽셀 16개")
plt.show()

# %% [markdown]
# 이제 세 가지를 확인합니다.
#
# 1. $M\mathbf{x}$는 합성곱과 같습니다.
# 2. $M^{\top}\mathbf{y}$는 **같은 커널**의 전치 합성곱과 같습니다. 이름의 유래입니다. $M^{\top}$의 열 하나가
#    $\mathbf{y}$의 값 하나를 커널 모양으로 입력 격자에 뿌리는 일이기 때문입니다.
# 3. 합성곱의 출력에서 기울기 $\partial L/\partial \mathbf{y}$를 받아 입력의 기울기를 구하면
#    $\partial L/\partial \mathbf{x} = M^{\top}\, \partial L/\partial \mathbf{y}$이므로, 역전파(backpropagation)도
#    전치 합성곱입니다.

# %%
x_vec = torch.randn(1, 1, 4, 4, requires_grad=True)
y_conv = F.conv2d(x_vec, w_conv, stride=2, padding=1)  # (1, 1, 2, 2)
torch.testing.assert_close(matrix @ x_vec.detach().flatten(), y_conv.detach().flatten())  # 1) M x

upstream = torch.randn_like(y_conv)
transposed = conv_transpose2d(upstream, w_conv, stride=2, padding=1, output_padding=1)  # 2×2 -> 4×4
torch.testing.assert_close(matrix.T @ upstream.flatten(), transposed.flatten())  # 2) M^T y

(grad_x,) = torch.autograd.grad(y_conv, x_vec, upstream)
torch.testing.assert_close(grad_x, transposed)  # 3) 합성곱의 기울기 = 전치 합성곱
print("M x = 합성곱, M^T y = 전치 합성곱 = 합성곱의 기울기: 모두 확인")

# %% [markdown]
# $M^{\top}$은 $M$의 역행렬이 아니므로 합성곱 → 전치 합성곱은 원래 입력으로 돌아오지 않습니다. 되돌아오는 것은
# **모양**뿐입니다.

# %%
roundtrip = conv_transpose2d(y_conv.detach(), w_conv, stride=2, padding=1, output_padding=1)
assert roundtrip.shape == x_vec.shape and not torch.allclose(roundtrip, x_vec.detach(), atol=1e-2)
print("모양은 같고 값은 다릅니다: 최대 차이", f"{(roundtrip - x_vec.detach()).abs().max():.2f}")

# %% [markdown]
# ## 3. 체커보드 아티팩트
#
# 모든 입력이 1이고 커널도 모두 1이면, 전치 합성곱의 출력은 칸마다 **몇 개의 사본이 겹쳤는지**를 셉니다.
# 커널 크기 $k$가 스트라이드 $s$로 나누어떨어지지 않으면 겹친 수가 칸마다 달라집니다(uneven overlap).
# $k=3, s=2$이면 한 방향으로 1, 2, 1, 2, ...이고 2차원에서는 1, 2, 4가 바둑판처럼 번갈아 나옵니다.
# $k=4, s=2$이면 가장자리를 빼고 어디서나 4입니다.

# %%
ones = torch.ones(1, 1, 6, 6)
overlap_3 = conv_transpose2d(ones, torch.ones(1, 1, 3, 3), stride=2)
overlap_4 = conv_transpose2d(ones, torch.ones(1, 1, 4, 4), stride=2)
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
for ax, overlap, k in [(axes[0], overlap_3, 3), (axes[1], overlap_4, 4)]:
    corner = overlap[0, 0, :7, :7]
    diagrams.number_grid(ax, corner, groups=(corner == 4).int() - 1,
                         title=f"k={k}, s=2: 겹친 수 (왼쪽 위 7×7)")
plt.show()
inner = (..., slice(4, -4), slice(4, -4))  # 가장자리(사본이 덜 겹치는 곳)를 뺀 안쪽
assert set(overlap_3[inner].unique().tolist()) == {1.0, 2.0, 4.0}
assert set(overlap_4[inner].unique().tolist()) == {4.0}

# %% [markdown]
# Odena 외 {cite}`odena2016`가 지적한 것처럼, 생성 모델이나 디코더가 전치 합성곱으로 이미지를 키우면 이런 무늬가
# 바둑판처럼 드러나곤 합니다. 해결책으로 제안된 것이 둘 있습니다.
#
# - **크기 조정 후 합성곱**(resize-convolution): 먼저 최근접 보간(nearest-neighbor interpolation)으로 키운 뒤 보통의 합성곱(스트라이드 1)을
#   적용합니다. 최근접 보간은 모든 칸에 값을 **하나씩** 복사하므로(2장의 평균 언풀링(average unpooling)) 어떤 커널에서도 무늬가
#   생기지 않습니다.
# - **서브픽셀 합성곱**(sub-pixel convolution) {cite}`shi2016`: 저해상도에서 채널 $C r^2$개를 내는 합성곱을 한 뒤,
#   칸마다의 채널 $r^2$개를 $r \times r$ 블록으로 펼칩니다(`PixelShuffle`). 출력 블록의 $r^2$칸이 서로 다른
#   커널에서 나오므로 무작위로 초기화하면 바둑판 무늬가 생기지만, 블록의 모든 칸이 같은 커널에서 시작하도록
#   초기화하면(ICNR {cite}`aitken2017`) 학습을 시작할 때 "합성곱 뒤 최근접 보간"과 같아져 무늬가 없습니다.
#
# 먼저 서브픽셀의 재배열을 정의대로 만들어 torch와 맞춰 봅니다({func}`lib.upsampling.pixel_shuffle`).

# %%
r = 2
z = torch.arange(8.0).reshape(1, 2 * r * r, 1, 1)  # 채널 8 개, 1×1 위치
print(upsampling.pixel_shuffle(z, r)[0])  # 채널 c·r² + a·r + b → 블록 (a, b)
assert torch.equal(upsampling.pixel_shuffle(z, r), torch.nn.PixelShuffle(r)(z))


def resize_conv(x: torch.Tensor, weight: torch.Tensor, factor: int = 2) -> torch.Tensor:
    """크기 조정 후 합성곱: 최근접 보간으로 factor 배 → k×k 합성곱 (스트라이드 1, 크기 유지)."""
    return F.conv2d(F.interpolate(x, scale_factor=factor, mode="nearest"), weight,
                    padding=weight.shape[-1] // 2)


def sub_pixel_conv(x: torch.Tensor, weight: torch.Tensor, factor: int = 2) -> torch.Tensor:
    """서브픽셀 합성곱: k×k 합성곱으로 채널 C·r² 개 → pixel_shuffle. weight: (C·r², C_in, k, k)."""
    return upsampling.pixel_shuffle(F.conv2d(x, weight, padding=weight.shape[-1] // 2), factor)


def checkerboard_strength(out: torch.Tensor, margin: int = 6) -> float:
    """상수 입력에 대한 출력의 안쪽 변동계수 std/mean (0 = 무늬 없음). 가장자리 margin 칸은 뺌."""
    center = out[..., margin:-margin, margin:-margin]
    return (center.std() / center.mean().abs()).item()

# %% [markdown]
# 무늬의 세기를 숫자로 잽니다. 상수 입력(모두 1)을 넣으면 무늬가 없는 업샘플러의 출력은 안쪽에서 상수여야
# 하므로, 안쪽 출력의 **변동계수**(표준편차/평균)가 체커보드 세기입니다. 모두 1인 커널 하나와, 양수 무작위 커널
# 여러 개의 평균을 잽니다. 서브픽셀 합성곱은 무작위 초기화와 ICNR 초기화를 따로 잽니다.
#
# 무작위 커널에서는 $k=4$도 0이 아닙니다. 겹친 **수**는 고르지만, 출력 칸마다 더해지는 커널 칸들의 **합**
# (예: $w_0 + w_2$와 $w_1 + w_3$)이 다르기 때문입니다. 나누어떨어지는 커널은 무늬를 **피할 수 있게** 할 뿐,
# 학습된 커널이 무늬를 만들지 않는다고 보장하지는 않습니다.

# %%
generator = torch.Generator().manual_seed(0)
field = torch.ones(1, 1, 16, 16)


def uniform_positive(*shape):
    return torch.rand(*shape, generator=generator)


upsamplers = {  # 이름: 커널을 받아 상수 입력을 두 배로 키우는 함수
    "전치 합성곱 k=3, s=2": lambda ws: conv_transpose2d(field, ws["k3"], stride=2),
    "전치 합성곱 k=4, s=2": lambda ws: conv_transpose2d(field, ws["k4"], stride=2),
    "최근접 ×2 후 3×3 합성곱": lambda ws: resize_conv(field, ws["k3"]),
    "서브픽셀 (무작위 초기화)": lambda ws: sub_pixel_conv(field, ws["sub"]),
    "서브픽셀 (ICNR)": lambda ws: sub_pixel_conv(field, ws["icnr"]),
}
strength = {name: [] for name in upsamplers}
for trial in range(CFG["random_kernels"] + 1):
    if trial == 0:  # 모두 1 인 커널
        kernels = {"k3": torch.ones(1, 1, 3, 3), "k4": torch.ones(1, 1, 4, 4),
                   "sub": torch.ones(4, 1, 3, 3)}
    else:
        kernels = {"k3": uniform_positive(1, 1, 3, 3), "k4": uniform_positive(1, 1, 4, 4),
                   "sub": uniform_positive(4, 1, 3, 3)}
    kernels["icnr"] = upsampling.icnr_(torch.empty(4, 1, 3, 3), 2,
                                       init=lambda t: t.copy_(uniform_positive(*t.shape)))
    for name, upsample in upsamplers.items():
        strength[name].append(checkerboard_strength(upsample(kernels)))
checker_rows = [[name, values[0], float(np.mean(values[1:]))] for name, values in strength.items()]
random_column = f"무작위 커널 {CFG['random_kernels']}개 평균"
tables.show(tables.frame(checker_rows, ["업샘플러", "커널 모두 1", random_column]),
            caption="체커보드 세기: 상수 입력에 대한 출력의 안쪽 변동계수 (0 = 무늬 없음)",
            formats={"커널 모두 1": "{:.3f}", random_column: "{:.3f}"})
first = {name: values[0] for name, values in strength.items()}
random_mean = {name: np.mean(values[1:]) for name, values in strength.items()}
names = list(upsamplers)
assert first[names[0]] > 0.2 and first[names[1]] < 1e-6 and first[names[2]] < 1e-6
assert max(strength[names[2]]) < 1e-5 and max(strength[names[4]]) < 1e-5  # 무늬 없는 둘
assert random_mean[names[0]] > random_mean[names[1]] > 10 * max(strength[names[2]])
assert random_mean[names[3]] > 10 * max(strength[names[4]])  # 무작위 서브픽셀은 무늬가 있음

# %% [markdown]
# 사진에서도 봅니다. 흑백 사진을 2배로 키우되, 커널은 가장 단순한 상자(box) 커널로 하고 평균 밝기가 유지되도록
# 크기를 맞춥니다($k=3$이면 칸마다 평균 $9/4$개가 겹치므로 $4/9$). 아랫줄은 Odena 외의 그림처럼, 무작위 가중치의
# 업샘플링 층 세 개(ReLU 사이)를 상수 입력에 쌓은 것입니다. 아랫줄의 네 그림은 **같은 회색 눈금**(평균의 0.5~1.5배)으로
# 그리고, 가장자리 영향을 빼려고 안쪽만 잘라 보였습니다.

# %%
photo = data.load_sample("camera", CFG["photo_side"])[:, :1]  # (1, 1, H, W) 흑백
box3 = torch.full((1, 1, 3, 3), 4 / 9)
box4 = torch.full((1, 1, 4, 4), 4 / 16)
half_side = CFG["photo_side"] // 2
crop = (0, 0, slice(half_side, half_side + 48), slice(half_side, half_side + 48))
photo_row = [
    conv_transpose2d(photo, box3, stride=2, padding=1, output_padding=1)[crop],
    conv_transpose2d(photo, box4, stride=2, padding=1)[crop],
    resize_conv(photo, torch.full((1, 1, 3, 3), 1 / 9))[crop],
    sub_pixel_conv(photo, upsampling.icnr_(torch.empty(4, 1, 3, 3), 2,
                                           init=lambda t: t.fill_(1 / 9)))[crop],
]


def stacked_random_upsampler(kind: str, layers: int = 3, channels: int = 8,
                             seed: int = 0) -> torch.Tensor:
    """상수 입력 (1, C, 12, 12) 에 무작위 양수 가중치의 2 배 업샘플링 층을 layers 번 (ReLU 사이)."""
    gen = torch.Generator().manual_seed(seed)
    h = torch.ones(1, channels, 12, 12)
    for _ in range(layers):
        if kind == "k3":
            h = conv_transpose2d(h, torch.rand(channels, channels, 3, 3, generator=gen), stride=2,
                                 padding=1, output_padding=1)
        elif kind == "k4":
            h = conv_transpose2d(h, torch.rand(channels, channels, 4, 4, generator=gen), stride=2,
                                 padding=1)
        elif kind == "resize":
            h = resize_conv(h, torch.rand(channels, channels, 3, 3, generator=gen))
        else:  # ICNR 서브픽셀
            weight = upsampling.icnr_(torch.empty(4 * channels, channels, 3, 3), 2,
                                      init=lambda t: t.copy_(torch.rand(*t.shape, generator=gen)))
            h = sub_pixel_conv(h, weight)
        h = F.relu(h - h.mean())  # 평균을 빼서 ReLU 가 실제로 일하게 합니다
    margin = 2 * 2**layers  # 가장자리의 영향은 층마다 두 배로 번집니다
    inside = h[0, 0, margin:-margin, margin:-margin]  # 가장자리 영향을 뺀 안쪽
    gray = ((inside / inside.mean()) - 0.5).clamp(0, 1)  # 평균의 0.5~1.5 배를 0~1 로: 같은 눈금
    return gray.expand(3, -1, -1)  # RGB 로 그려야 그림마다 명암을 다시 맞추지 않습니다


random_row = [stacked_random_upsampler(kind) for kind in ("k3", "k4", "resize", "icnr")]
titles = ["전치 합성곱 k=3, s=2", "전치 합성곱 k=4, s=2", "최근접 ×2 + 3×3 합성곱",
          "서브픽셀 (ICNR)"]
fig = viz.image_grid([photo_row, random_row], titles=titles,
                     row_labels=["사진 (상자 커널)", "무작위 3층 (상수 입력)"], size=2.3)
plt.show()

# %% [markdown]
# 윗줄 왼쪽은 사진 위에 가는 격자 무늬가 보이고, 나머지는 매끈합니다. 아랫줄은 상수 입력인데도 전치 합성곱 두
# 개가 무늬를 만들고($k=4$도 무작위 커널에서는 무늬가 생깁니다), 크기 조정 후 합성곱과 ICNR 서브픽셀은 평평합니다.
# (ICNR은 **초기값**에서 무늬가 없다는 것이고, 학습하면서 블록의 칸들이 서로 달라지면 무늬가 생길 수 있습니다.)
#
# ### 같은 무늬가 기울기에도
#
# 2절에서 합성곱의 기울기는 전치 합성곱이라는 것을 보았습니다. 그렇다면 다운샘플링(down-sampling)을 하는 **스트라이드 합성곱**의 입력에
# 대한 기울기에도 같은 무늬가 생겨야 합니다 {cite}`odena2016`. 출력에서 모두 1인 기울기가 내려오면, 입력 칸마다
# 받는 기울기는 그 칸이 들어간 창의 수(커널이 모두 1일 때)입니다.

# %%
gradients = {}
for k in (3, 4):
    probe = torch.ones(1, 1, 12, 12, requires_grad=True)
    out = F.conv2d(probe, torch.ones(1, 1, k, k), stride=2, padding=k // 2 - (k % 2 == 0))
    (gradients[k],) = torch.autograd.grad(out.sum(), probe)
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
for ax, k in zip(axes, (3, 4)):
    corner = gradients[k][0, 0, 2:9, 2:9]
    diagrams.number_grid(ax, corner, groups=(corner == corner.max()).int() - 1,
                         title=f"스트라이드 2 합성곱 k={k}의 입력 기울기")
plt.show()
assert set(gradients[3][0, 0, 2:-2, 2:-2].unique().tolist()) == {1.0, 2.0, 4.0}  # 바둑판
assert set(gradients[4][0, 0, 2:-2, 2:-2].unique().tolist()) == {4.0}  # 고름

# %% [markdown]
# 분류 네트워크를 학습할 때는 이 고르지 않은 기울기가 입력 쪽 층의 가중치 갱신에 스며들고, 기울기로 이미지를 만드는
# 방법(5장의 스타일 전이(style transfer)처럼 픽셀을 최적화하는 방법)에서는 결과 이미지에 바둑판 무늬로 드러날 수 있습니다.
#
# ## 4. 쌍선형 초기화: 쌍선형 보간과 똑같은 전치 합성곱
#
# 학습을 시작할 때 전치 합성곱을 무작위로 두면 위와 같은 무늬에서 출발합니다. FCN은 업샘플링 층을 **쌍선형
# 보간**(bilinear interpolation)과 같은 커널로 초기화합니다. $f$배 확대의 1차원 쌍선형 커널은 크기
# $k = 2f - (f \bmod 2)$, 중심 $c = (k-1)/2$의 삼각형
#
# $$t_a = 1 - \frac{|a - c|}{f}, \qquad w_{ab} = t_a\, t_b$$
#
# 이고, 스트라이드 $f$, 패딩 $\lfloor f/2 \rfloor$로 쓰면 출력이 정확히 $f$배입니다. 채널끼리는 섞지 않습니다
# (채널 $c$에서 $c$로 가는 커널만 삼각형, 나머지는 0). {func}`lib.transposed_conv.bilinear_kernel`이 이 커널을 만듭니다.

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
# 정확히 1이기 때문입니다(연습문제 3). 그리고 `F.interpolate(mode="bilinear", align_corners=False)`와 가장자리를
# 뺀 모든 곳에서 같습니다. 전치 합성곱의 출력 격자가 2장 2.5절의 반 픽셀 중심 격자이기 때문이고,
# `align_corners=True`와는 같지 않습니다. 가장자리에서는 전치 합성곱이 바깥을 0으로 보고 보간은 가장자리 값을 늘려
# 쓰므로 다릅니다. 입력 가장자리를 한 칸 복제(replicate)해 두고 $f$칸씩 잘라 내면 어디서나 같습니다.

# %%
x_interp = torch.rand(1, 3, 6, 5)
rows = []
for factor in (2, 3, 4, 8):
    kernel = bilinear_kernel(factor, channels=3)
    by_transposed = conv_transpose2d(x_interp, kernel, stride=factor, padding=factor // 2)
    interpolated = {corners: F.interpolate(x_interp, scale_factor=factor, mode="bilinear",
                                           align_corners=corners) for corners in (False, True)}
    inside = (..., slice(factor, -factor), slice(factor, -factor))
    torch.testing.assert_close(by_transposed[inside], interpolated[False][inside], atol=1e-6,
                               rtol=1e-6)
    padded = F.pad(x_interp, (1, 1, 1, 1), mode="replicate")
    everywhere = conv_transpose2d(padded, kernel, stride=factor, padding=factor // 2)[inside]
    torch.testing.assert_close(everywhere, interpolated[False], atol=1e-6, rtol=1e-6)
    gap_true = (by_transposed - interpolated[True])[inside].abs().max().item()
    assert gap_true > 1e-2  # align_corners=True 와는 다름
    rows.append([f"f={factor}", f"{kernel.shape[-1]}×{kernel.shape[-1]}", 0.0,
                 (by_transposed - interpolated[False]).abs().max().item(), gap_true])
tables.show(tables.frame(rows, ["배율", "커널", "안쪽 차이 (False)", "가장자리 포함 차이 (False)",
                                "안쪽 차이 (True)"]),
            caption="쌍선형 커널의 전치 합성곱 vs F.interpolate (align_corners=False / True)",
            formats={"안쪽 차이 (False)": "{:.0f}", "가장자리 포함 차이 (False)": "{:.2f}",
                     "안쪽 차이 (True)": "{:.2f}"})

# %% [markdown]
# ## 5. 완전 합성곱 신경망 (FCN)
#
# Long 외 {cite}`long2015`의 FCN은 분류 CNN을 세 가지로 바꿉니다.
#
# 1. **완전 연결 층을 합성곱으로 바꾸기**: 분류기의 완전 연결(fully connected) 층을 같은 계산을 하는 합성곱으로 바꾸면
#    (1장에서 직접 해 보았습니다), 네트워크 전체가 합성곱뿐이므로 **어떤 크기의 입력**도 받고 위치마다 점수(score)를 냅니다.
# 2. **1×1 점수 층**: 마지막 특성 맵(feature map)의 위치마다 클래스 $K$개의 점수를 냅니다. 입력보다 32배 작은 격자입니다.
# 3. **전치 합성곱 업샘플링**: 점수 격자를 입력 크기로 키웁니다. 논문(4.3절)처럼 중간의 2배 업샘플링은 쌍선형으로
#    초기화한 뒤 학습하고, 마지막 업샘플링은 쌍선형으로 **고정**합니다.
#
# 32배를 한 번에 키우면 경계가 뭉개지므로, 더 고운 층의 점수를 더해 가며 키웁니다(**스킵 융합**, skip fusion).
# 마지막 업샘플링 직전 점수 격자의 간격, 곧 입력 픽셀 몇 칸마다 점수가 하나 있는지를 **출력 보폭**(output stride)이라
# 부릅니다.
#
# | 변형 | 점수 경로 | 출력 보폭 (마지막 업샘플링) |
# |---|---|---|
# | FCN-32s | 출력 보폭 32 점수 | 32 (×32) |
# | FCN-16s | 출력 보폭 32 점수 ×2 **+** 출력 보폭 16 점수 | 16 (×16) |
# | FCN-8s | (위의 합) ×2 **+** 출력 보폭 8 점수 | 8 (×8) |
#
# 스킵 점수 층은 논문처럼 0으로 초기화합니다. 그래서 학습을 시작할 때는 더 고운 변형도 거친 변형과 같은 정보만
# 쓰고, 도움이 되는 만큼만 고운 점수를 끌어씁니다.
#
# :::{admonition} 노트 바로잡기: "Pooling 없이 오직 컨볼루션만 사용", "입력 이미지가 어떤 크기든"
# :class: warning
# - 원래 FCN은 VGG-16 {cite}`simonyan2015`을 바탕으로 하므로 **최대 풀링 층이 다섯 개** 있습니다. "완전 합성곱"은
#   풀링이 없다는 뜻이 아니라 **완전 연결 층이 없다**는 뜻입니다. 이 책의 모델은 풀링 대신 2×2 스트라이드 2
#   합성곱(학습하는 풀링)을 쓰는데, 이것은 설계상의 선택일 뿐 FCN이 되는 조건은 아닙니다 {cite}`bishop2024`.
# - 입력 크기가 32의 배수가 아니면 내림 때문에 줄였다 키운 크기가 입력과 다릅니다. 어떤 크기에서도 같은 크기의
#   출력을 내려면 정책이 필요합니다. 원 논문은 입력에 100픽셀을 덧대고 출력을 잘라 냅니다(crop). 이 책의
#   {func}`lib.models.match_size`는 입력의 오른쪽·아래를 0으로 채워 32의 배수로 만들고, 출력의 같은 자리를 잘라 냅니다.
# :::
#
# {class}`lib.models.FCN`의 단계별 모양을 $64\times64$ 입력으로 확인합니다.

# %% tags=["nbval-check-output"]
num_classes = len(data.CLASS_NAMES)
fcn = models.FCN(3, num_classes, "8s", widths=CFG["widths"]).eval()
h = torch.zeros(1, 3, 64, 64)
stage_rows = []
with torch.no_grad():
    for k, stage in enumerate(fcn.stages):
        h = stage(h)
        role = {8: "스킵 (8s)", 16: "스킵 (16s, 8s)", 32: "점수 (모든 변형)"}.get(2**k, "")
        stage_rows.append([k, 2**k, type(stage).__name__, "×".join(map(str, h.shape[1:])), role])
tables.show(tables.frame(stage_rows, ["단계", "보폭", "부품", "C×H×W", "1×1 점수 층"]),
            caption="FCN 인코더의 단계 (64×64 입력)")

# %% [markdown]
# 출력이 어떤 크기에서도 입력과 같은지 확인합니다(1×1도, 32의 배수가 아닌 크기도).

# %% tags=["nbval-check-output"]
with torch.no_grad():
    for variant in models.FCN_VARIANTS:
        net = models.FCN(3, num_classes, variant, widths=CFG["widths"]).eval()
        for size in [(1, 1), (37, 50), (64, 64), (100, 30)]:
            assert net(torch.rand(2, 3, *size)).shape == (2, num_classes, *size)
print("세 변형 모두 (1, 1), (37, 50), (64, 64), (100, 30) 에서 출력 = (2, 4, H, W)")

# %% [markdown]
# ### torchvision의 `fcn_resnet50`은 FCN-8s가 아니다
#
# `torchvision.models.segmentation.fcn_resnet50`이라는 이름의 모델이 있지만, 이 장의 FCN-8s와는 다른 설계입니다.
# ResNet-50 {cite}`he2016resnet`의 마지막 두 단계가 스트라이드 대신 **팽창 합성곱**(dilated convolution)을 써서 해상도를 1/8에서 멈추고
# (출력 보폭 8, DeepLab {cite}`chen2018deeplab`의 방식), 점수 층 뒤에 학습하는 전치 합성곱이나 스킵 융합 없이
# `F.interpolate`(쌍선형)로 한 번에 8배 키웁니다. 가중치 없이 만들어(내려받지 않음) 확인합니다.

# %%
tv_fcn = torchvision.models.segmentation.fcn_resnet50(weights=None, weights_backbone=None,
                                                      num_classes=num_classes).eval()
with torch.no_grad():
    features = tv_fcn.backbone(torch.zeros(1, 3, 64, 64))["out"]
convs = [m for m in tv_fcn.backbone.modules() if isinstance(m, torch.nn.Conv2d)]
dilations = sorted({m.dilation[0] for m in convs})
transposed_layers = [m for m in tv_fcn.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
print(f"백본 출력: {tuple(features.shape)} → 출력 보폭 {64 // features.shape[-1]}")
print(f"백본 합성곱의 팽창: {dilations} | 전치 합성곱 층 수: {len(transposed_layers)}")
assert 64 // features.shape[-1] == 8 and max(dilations) > 1 and not transposed_layers

# %% [markdown]
# ## 6. 세 변형을 학습하고 비교하기
#
# [1장](01_conv_segmentation.ipynb)과 같은 합성 장면({func}`lib.data.make_scenes`)을 쓰되, 한 변을 128픽셀로 키웁니다.
# 64픽셀이면 FCN-32s의 점수 격자가 $2\times2$뿐이라 변형들의 차이가 격자의 크기로만 정해지기 때문입니다. 128픽셀이면
# FCN-32s, 16s, 8s의 격자가 $4\times4$, $8\times8$, $16\times16$입니다. 학습은 {func}`lib.train.fit`(픽셀별 교차 엔트로피,
# Adam {cite}`kingma2015`, 코사인 학습률(learning rate) 일정)이, 지표는 `lib.metrics`가 혼동 행렬(confusion matrix)에서 계산합니다.
#
# - 클래스 $c$의 IoU(intersection over union) $= \dfrac{TP_c}{TP_c + FP_c + FN_c}$,
#   mIoU는 그 평균(예측에도 정답에도 없는 클래스는 빼고),
# - 픽셀 정확도(pixel accuracy) $= \dfrac{\sum_c TP_c}{\text{픽셀 수}}$,
# - **경계 띠**(boundary band) 정확도: 정답에서 $5\times5$ 이웃 안에 다른 클래스가 있는 픽셀들만의 정확도.
#
# 기준선은 **학습 마스크의 최빈 클래스(배경)를 모든 픽셀에 답하는** 예측입니다. 배경이 대부분이라 픽셀 정확도는
# 높지만 mIoU는 낮습니다. 어떤 변형이 어떤 지표에서 이 기준선을 넘지 못한다면, 그 지표가 재는 것을 그 변형은 배우지
# 못한 것입니다.

# %%
scene_config = data.SceneConfig(size=CFG["scene_size"])
train_images, train_masks = data.make_scenes(CFG["n_train"], scene_config, seed=0)
val_images, val_masks = data.make_scenes(CFG["n_val"], scene_config, seed=1)
baseline = experiments.baseline(train_masks, val_masks, num_classes)
print(f"학습 {tuple(train_images.shape)}, 검증 {tuple(val_images.shape)}")
print(f"기준선: mIoU {baseline['miou']:.3f}, 픽셀 정확도 {baseline['accuracy']:.3f}, "
      f"경계 띠 {baseline['band']:.3f}")

# %%
builders = {f"FCN-{v}": (lambda v=v: models.FCN(3, num_classes, v, widths=CFG["widths"]))
            for v in models.FCN_VARIANTS}
trained = {}
results = experiments.compare(builders, (train_images, train_masks), (val_images, val_masks),
                              num_classes, seeds=CFG["seeds"], trained=trained,
                              epochs=CFG["epochs"], batch_size=CFG["batch_size"], lr=CFG["lr"],
                              schedule="cosine", val=(val_images, val_masks))
tables.show(experiments.summarize(results, extra_rows=[baseline]),
            caption=f"{CFG['scene_size']}×{CFG['scene_size']} 장면: 검증 {CFG['n_val']}장, "
                    f"시드 {len(CFG['seeds'])}개의 평균 ± 표준편차 (마지막 에폭)")

# %%
means = experiments.means(results)
print(means[["miou", "accuracy", "band"]].round(3))
if not config.is_fast():  # 결론은 full 프로필의 평균으로 확인합니다
    for name in builders:  # 모든 변형이 mIoU 와 픽셀 정확도에서 기준선을 넘습니다
        assert all(means.loc[name, m] > baseline[m] + 0.03 for m in ("miou", "accuracy")), name
    for name in ("FCN-16s", "FCN-8s"):  # 스킵 융합이 있는 변형은 경계 띠에서도 넘습니다
        assert means.loc[name, "band"] > baseline["band"] + 0.03, name
    # 32s는 경계에서 기준선 수준
    assert abs(means.loc["FCN-32s", "band"] - baseline["band"]) < 0.02
    band_of = means["band"]  # 출력 보폭이 32 → 16 → 8 로 줄수록 경계 띠 정확도가 오릅니다
    assert band_of["FCN-8s"] > band_of["FCN-16s"] + 0.03 > band_of["FCN-32s"] + 0.06
    assert means.loc["FCN-8s", "miou"] > means.loc["FCN-32s", "miou"] + 0.05

# %% [markdown]
# 세 변형 모두 mIoU와 픽셀 정확도에서 기준선을 분명히 넘습니다. 그런데 **FCN-32s는 경계 띠에서 기준선과 같은 수준**에
# 머뭅니다. 출력 보폭 32의 $4\times4$ 격자로는 도형이 대략 어디에 있는지는 알아도, 경계 근처의 픽셀에서는 "배경"이라고
# 답하는 것 이상을 하지 못한다는 뜻입니다. 스킵 융합으로 출력 보폭을 16, 8로 줄이면 경계 띠 정확도가 단계마다 분명히
# 오르고 mIoU도 함께 오릅니다.

# %% [markdown]
# 에폭(epoch)마다의 검증 mIoU입니다(시드 0). 코사인 학습률 일정은 학습률을 스텝(step), 곧 미니배치(mini-batch)
# 하나의 갱신마다 처음 값에서 0까지 부드럽게 줄입니다. 학습률이 큰 중간에는 곡선이 출렁이기도 하지만, 학습률이
# 0에 가까워지는 마지막 몇 에폭에서는 거의 움직이지 않으므로 마지막 에폭의 값을 표에 써도 됩니다.

# %%
first_seed = CFG["seeds"][0]
curves = {name: trained[(name, first_seed)][1].val_miou for name in builders}
curves["기준선"] = [baseline["miou"]] * CFG["epochs"]
viz.line_plot(range(1, CFG["epochs"] + 1), curves, xlabel="에폭", ylabel="검증 mIoU",
              title=f"학습 중 검증 mIoU (시드 {first_seed})", marker=None)
plt.show()

# %% [markdown]
# ### 비용: 곱셈-덧셈으로 세기
#
# 학습 시간은 같은 기계의 다른 작업에 흔들리므로, 변형들의 비용은 **곱셈-덧셈 수**(multiply-accumulate, MAC)로 셉니다. 세 변형은
# 인코더가 같고, 16s·8s가 더하는 것은 1×1 스킵 점수 층과 2배 업샘플링뿐입니다. 다만 마지막 업샘플링(고정된
# 쌍선형 전치 합성곱)의 비용은 출력 보폭에 따라 다릅니다. 전치 합성곱은 **입력 픽셀**마다 $K \cdot k^2$번 곱하므로
# (`conv_cost`의 규칙), 격자가 고울수록 입력 픽셀은 많고 커널은 작습니다.

# %%
cost_rows = []
for name, build in builders.items():
    net = build()
    cost = segmentation.conv_cost(net, (1, 3, CFG["scene_size"], CFG["scene_size"]))
    final = [macs for layer, _, macs in cost["layers"] if layer == "final_up"][0]
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    cost_rows.append([name, trainable, cost["macs"] / 1e6, final / 1e6,
                      net.final_up.kernel_size[0]])
columns = ["모델", "학습 파라미터", "전체 (백만 MAC)", "마지막 업샘플링 (백만 MAC)",
           "마지막 커널 한 변"]
tables.show(tables.frame(cost_rows, columns),
            caption=f"{CFG['scene_size']}×{CFG['scene_size']} 이미지 한 장의 순전파 비용")
costs = {row[0]: row[2] for row in cost_rows}
print(f"FCN-8s / FCN-32s 의 곱셈-덧셈 비: {costs['FCN-8s'] / costs['FCN-32s']:.3f}")
assert abs(costs["FCN-8s"] / costs["FCN-32s"] - 1) < 0.05  # 비용은 사실상 같음 (차이 5% 미만)

# %% [markdown]
# 세 변형의 비용은 몇 % 안에서 같고, 학습 파라미터 수도 거의 같습니다. 마지막 업샘플링은 고정이라 세지 않았는데,
# FCN-32s의 그것을 학습한다면 $64\times64$ 커널이 클래스 $K=4$개 사이의 모든 쌍에 하나씩 있어
# $K^2\cdot 64^2 = 65{,}536$개입니다. 아래에 그 수를 모델의 나머지와 비교해 찍었습니다. 게다가 그렇게 큰 커널은
# 격자 칸마다 도형 모양을 "찍어 내는" 법을 외울 수 있어 해석이 흐려집니다. 논문이 마지막 업샘플링을 고정한 까닭
# 하나입니다.

# %%
final_kernel = models.FCN(3, num_classes, "32s", widths=CFG["widths"]).final_up.weight.numel()
rest = cost_rows[0][1]
print(f"FCN-32s 의 마지막 업샘플링을 학습한다면 {final_kernel:,}개 "
      f"= 나머지 {rest:,}개의 {final_kernel / rest:.0%}")
assert final_kernel == num_classes**2 * 64**2

# %% [markdown]
# ### 논문의 숫자와 이 책의 숫자
#
# 원 논문은 PASCAL VOC 2011 검증 부분집합에서 FCN-32s, 16s, 8s의 평균 IU(mIoU)를 **59.4, 62.4, 62.7**로 보고했습니다
# ({cite:t}`long2015`의 표 2). 32s에서 16s로 3점, 16s에서 8s로 0.3점이 오른 것입니다. 이 책의 위 표와는 숫자의 크기도,
# 간격도 다를 수 있는데, 까닭은 설정이 거의 모두 다르기 때문입니다.
#
# | | 원 논문 | 이 책 |
# |---|---|---|
# | 데이터 | PASCAL VOC (사진, 21 클래스, 약 500×350픽셀) | 합성 장면 (4 클래스, 128×128) |
# | 인코더 | ImageNet으로 학습한 VGG-16 (약 1억 3천만 파라미터) | 처음부터 학습하는 작은 합성곱 인코더 (약 10만) |
# | 경계 | 물체의 경계가 복잡하고 정답 자체가 거침 | 경계가 기하학적으로 정확 |
# | 학습 | SGD, 단계별로 (32s → 16s → 8s) 이어서 | Adam, 변형마다 처음부터, 시드 3개 |
#
# 이 책의 장면은 경계가 정확하고 물체가 이미지에 비해 커서, 거친 격자의 손해가 크게 드러납니다. 한편 사진의 실제
# 물체에서는 경계 근처의 정답이 애매하고 mIoU의 대부분이 물체 안쪽에서 결정되므로, 고운 변형의 이득이 작게
# 나타납니다. 두 결과는 같은 방향(고운 격자가 경계에 낫다)을 가리키지만 크기는 설정의 몫입니다.

# %% [markdown]
# ### 왜 거친 변형은 경계를 흐리는가
#
# FCN-32s의 마지막 업샘플링 직전 점수 격자는 128×128 입력에서 $4\times4$입니다. 마지막 업샘플링은 쌍선형으로
# 고정되어 있으므로 출력 픽셀의 점수는 이 격자 값들의 쌍선형 보간이고, 클래스가 바뀌는 선도 32픽셀 간격 격자 위의
# 부드러운 곡선밖에 될 수 없습니다. FCN-16s는 $8\times8$, FCN-8s는 $16\times16$ 격자에서 키웁니다. 아래 그림의
# 윗줄은 마지막 업샘플링에 들어가는 점수 격자의 argmax, 아랫줄은 출력입니다(시드 0).

# %%
def coarse_scores(net: models.FCN, image: torch.Tensor) -> torch.Tensor:
    """마지막 업샘플링(final_up)에 들어가는 점수 격자 (K, H/s, W/s) 를 forward hook 으로 꺼냄."""
    captured = {}
    handle = net.final_up.register_forward_hook(
        lambda module, inputs, out: captured.update(score=inputs[0]))
    with torch.no_grad():
        net.eval()(image[None].to(next(net.parameters()).device))
    handle.remove()
    return captured["score"][0].cpu()


sample = 1
nets = {name: trained[(name, first_seed)][0] for name in builders}
predictions = {name: train.predict(net, val_images) for name, net in nets.items()}
coarse_row = [viz.colorize_mask(coarse_scores(net, val_images[sample]).argmax(0))
              for net in nets.values()]
final_row = [viz.colorize_mask(pred[sample]) for pred in predictions.values()]
grid_titles = [f"{name}: {c.shape[0]}×{c.shape[1]} 격자" for name, c in zip(nets, coarse_row)]
rows = [[val_images[sample]] + coarse_row, [viz.colorize_mask(val_masks[sample])] + final_row]
titles = [["이미지"] + grid_titles, ["정답"] + [f"{name} 출력" for name in nets]]
fig = viz.image_grid(rows, titles=titles, size=2.1)
plt.show()
grid_sides = [CFG["scene_size"] // s for s in models.FCN_VARIANTS.values()]
assert [c.shape[0] for c in coarse_row] == grid_sides
for net in nets.values():  # 학습 뒤에도 마지막 업샘플링은 정확히 쌍선형입니다
    assert torch.equal(net.final_up.weight.cpu(), bilinear_kernel(net.output_stride, num_classes))

# %% [markdown]
# 경계 띠 밖(안쪽)과 안의 정확도를 나누어 보면 같은 이야기를 숫자로 합니다. 시드마다 재어 평균 ± 표준편차로 씁니다.

# %%
band = metrics.boundary_band(val_masks)
band_rows, inner_gap = [], {}
for name in builders:
    correct = [train.predict(trained[(name, s)][0], val_images) == val_masks for s in CFG["seeds"]]
    inner = [c[~band].float().mean().item() for c in correct]
    edge = [c[band].float().mean().item() for c in correct]
    inner_gap[name] = np.mean(inner) - np.mean(edge)
    band_rows.append([name, tables.mean_sd(edge), tables.mean_sd(inner), f"{inner_gap[name]:.3f}"])
background = val_masks == 0
base_edge, base_inner = background[band].float().mean(), background[~band].float().mean()
band_rows.append(["기준선", f"{base_edge:.3f}", f"{base_inner:.3f}",
                  f"{base_inner - base_edge:.3f}"])
tables.show(tables.frame(band_rows, ["모델", "경계 띠 정확도", "안쪽 정확도", "차이"]),
            caption=f"경계 띠(픽셀의 {band.float().mean():.0%})와 안쪽의 정확도")
if not config.is_fast():
    assert all(gap > 0 for gap in inner_gap.values())  # 어느 변형이나 경계가 더 어렵습니다

# %% [markdown]
# ## 정리
#
# - 전치 합성곱은 입력 픽셀마다 커널 사본을 $s$칸 간격으로 놓고 **겹친 곳을 더하는** 연산이고, 0을 끼워 넣은 뒤
#   뒤집은 커널로 하는 보통의 합성곱과 같으며, 합성곱 행렬 $M$의 전치 $M^\top$을 곱하는 일이고, 합성곱의 역전파와
#   같습니다. 역합성곱(deconvolution)은 아닙니다.
# - 출력 칸마다 더해지는 커널 가중치의 합이 다르면 체커보드 아티팩트가 생깁니다. $k$가 $s$로 나누어떨어지지
#   않으면 그렇게 되기 쉽고, 나누어떨어져도 커널에 따라 생길 수 있으며, 스트라이드 합성곱의 기울기에도 생깁니다.
#   크기 조정 후 합성곱은 구조적으로, ICNR로 초기화한 서브픽셀 합성곱은 시작할 때 무늬가 없습니다.
# - 쌍선형 커널로 초기화한 전치 합성곱은 가장자리를 빼면 `align_corners=False` 쌍선형 보간과 정확히 같습니다.
# - FCN은 완전 연결 층 없이 합성곱만으로 위치마다 점수를 내고, 전치 합성곱으로 키웁니다. 32배를 한 번에 키우면
#   경계가 뭉개지므로 16s·8s는 고운 층의 점수를 **더해** 가며 키웁니다. 세 변형의 계산량은 몇 % 안에서 같습니다.
#
# 노트는 다음 절에서 U-Net이 "위치 정보 손실"을 해결한다고 말합니다. 정확히는 FCN-16s·8s도 이미 스킵 연결(skip connection)로
# 위치 정보를 되살립니다. U-Net의 차이는 스킵을 점수(클래스 $K$개)가 아니라 **특성 맵 전체**로 잇고, 키우는 길에도
# 합성곱을 여러 층 두어 고운 특징과 거친 특징을 함께 다시 계산한다는 점입니다. [4장](04_unet.ipynb)에서 만듭니다.
#
# ## 연습문제
#
# **1.** 한 변 16인 입력에 $3\times3$, 스트라이드 2, 패딩 1 합성곱을 하면 8이 됩니다. 같은 설정의 전치 합성곱으로
# 16으로 돌아가려면 `output_padding`이 얼마여야 합니까? 입력이 15였다면요?
#
# :::{admonition} 풀이
# :class: dropdown
# 공식 $H_{\text{out}} = (8-1)\cdot 2 - 2\cdot1 + (3-1) + p_{\text{out}} + 1 = 15 + p_{\text{out}}$이므로 16으로 가려면
# $p_{\text{out}} = 1$, 15로 가려면 $p_{\text{out}} = 0$입니다. 합성곱이 15와 16을 모두 8로 보내기 때문에 생기는
# 모호함을 `output_padding`이 풀어 줍니다. 1절의 "0 끼워 넣기" 관점에서는 오른쪽·아래에 0 한 줄을 더 붙이는 것입니다.
# :::

# %% tags=["hide-input"]
y8, w3 = torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 3, 3)
sizes = {op: conv_transpose2d(y8, w3, stride=2, padding=1, output_padding=op).shape[-1]
         for op in (0, 1)}
print("output_padding → 출력 한 변:", sizes)
assert sizes == {0: 15, 1: 16}
assert F.conv2d(torch.zeros(1, 1, 15, 15), w3, stride=2, padding=1).shape[-1] == 8

# %% [markdown]
# **2.** 전치 합성곱이 합성곱의 **수반**(adjoint)이라는 것, 곧 모든 $\mathbf{x}, \mathbf{y}$에 대해
# $\langle \operatorname{conv}(\mathbf{x}), \mathbf{y}\rangle = \langle \mathbf{x}, \operatorname{conv}^{\top}(\mathbf{y})\rangle$임을
# 행렬 없이 무작위 텐서로 확인해 보세요. 행렬 $M$을 만드는 것보다 어떤 점이 좋습니까?
#
# :::{admonition} 풀이
# :class: dropdown
# $\langle M\mathbf{x}, \mathbf{y}\rangle = \mathbf{y}^\top M \mathbf{x} = (M^\top \mathbf{y})^\top \mathbf{x}$입니다.
# $M$은 (출력 수)×(입력 수) 크기라 $64\times64$ 이미지 한 장, 채널 64개만 되어도 수십억 칸이 됩니다. 내적 검사는
# 행렬을 만들지 않고 큰 크기에서도 할 수 있습니다.
# :::

# %% tags=["hide-input"]
x = torch.randn(2, 3, 9, 9, dtype=torch.float64)
w = torch.randn(4, 3, 3, 3, dtype=torch.float64)
y = torch.randn(2, 4, 5, 5, dtype=torch.float64)
lhs = (F.conv2d(x, w, stride=2, padding=1) * y).sum()
rhs = (x * conv_transpose2d(y, w, stride=2, padding=1)).sum()
print(f"<conv(x), y> = {lhs.item():.10f}, <x, conv^T(y)> = {rhs.item():.10f}")
assert torch.allclose(lhs, rhs)

# %% [markdown]
# **3.** 배율 $f=3$의 쌍선형 커널은 $k=5$이므로 5가 3으로 나누어떨어지지 않습니다. 그런데도 상수 입력의 출력이
# (가장자리를 빼면) 상수인 까닭은 무엇입니까?
#
# :::{admonition} 풀이
# :class: dropdown
# 1차원 커널은 $t = (1/3,\ 2/3,\ 1,\ 2/3,\ 1/3)$입니다. 출력 칸 하나에는 커널 칸 번호 $a$를 3으로 나눈 나머지가
# 같은 것들만 더해지므로, 위상마다 $(t_0 + t_3,\ t_1 + t_4,\ t_2) = (1, 1, 1)$입니다. 겹친 **수**는 2, 2, 1로 고르지
# 않지만 겹친 **가중치의 합**이 모두 1이라 무늬가 없습니다. 체커보드의 진짜 조건은 "위상마다 가중치 합이 다름"이고,
# $k$가 $s$로 나누어떨어지지 않으면 그렇게 되기 쉬울 뿐입니다. 3절의 상자 커널($k=3$, 위상 합 2와 1)과 비교해 보세요.
# :::

# %% tags=["hide-input"]
t = bilinear_kernel(3)[0, 0, 2] / bilinear_kernel(3)[0, 0, 2, 2]  # 가운데 행 / 가운데 값 = t
phase_sums = [t[phase::3].sum().item() for phase in range(3)]
box_sums = [torch.ones(3)[phase::2].sum().item() for phase in range(2)]
print("쌍선형 f=3 의 위상별 합:", [round(v, 6) for v in phase_sums], "| 상자 k=3, s=2:", box_sums)
assert np.allclose(phase_sums, 1.0) and box_sums == [2.0, 1.0]
flat_input = torch.ones(1, 1, 16, 16)
bilinear_out = conv_transpose2d(flat_input, bilinear_kernel(3), stride=3, padding=1)
assert checkerboard_strength(bilinear_out) < 1e-6

# %% [markdown]
# **4.** FCN-4s를 만든다면 무엇을 더해야 합니까? 이 장의 설정($K=4$, 출력 보폭 4의 채널 24)에서 늘어나는 학습 파라미터
# 수를 세고, 128×128 입력에서 늘어나는 곱셈-덧셈 수를 세어 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 출력 보폭 4 특징(채널 24)에 1×1 점수 층($24\cdot4 + 4 = 100$)과 2배 업샘플링($4\cdot4\cdot4\cdot4 = 256$, 편향(bias) 없음)을
# 더해 학습 파라미터가 356개 늘고, 고정된 마지막 업샘플링은 ×8에서 ×4로 바뀝니다. 곱셈-덧셈은 아래 코드가 셉니다.
# 원 논문은 8s보다 고운 융합에서 얻는 것이 거의 없다고 보고했습니다. 출력 보폭 4 특징은 수용 영역(receptive field)이 작아 "이 픽셀이 어느
# 도형인가"를 판단하는 데 큰 도움이 되지 않기 때문입니다. `lib.models.FCN`은 스킵 출력 보폭을 (16, 8)로 정해 두었으므로,
# 학습해서 비교하려면 그 `forward`를 본떠 출력 보폭 4를 더한 모델을 만들어 보세요.
# :::

# %% tags=["hide-input"]
score_4 = torch.nn.Conv2d(CFG["widths"][2], num_classes, 1)  # 출력 보폭 4 특징(채널 24) → 점수
up_4 = models.BilinearUpsample(num_classes, 2)  # 출력 보폭 8 점수 → 출력 보폭 4
added = sum(p.numel() for p in [*score_4.parameters(), *up_4.parameters()])
side, k2 = CFG["scene_size"], num_classes * num_classes  # 전치 합성곱: 입력 원소마다 K·k² 번


def upsample_macs(grid: int, layer: torch.nn.ConvTranspose2d) -> int:
    """한 변 grid 인 K 채널 점수 격자를 layer 로 키우는 곱셈-덧셈 수 (conv_cost 의 규칙)."""
    return grid**2 * k2 * layer.kernel_size[0] ** 2


extra_macs = (side // 4) ** 2 * num_classes * CFG["widths"][2] + upsample_macs(side // 8, up_4)
final_8 = models.BilinearUpsample(num_classes, 8, trainable=False)
final_4 = models.BilinearUpsample(num_classes, 4, trainable=False)
final_change = upsample_macs(side // 4, final_4) - upsample_macs(side // 8, final_8)
print(f"늘어나는 학습 파라미터 {added}개, 스킵·업샘플링의 곱셈-덧셈 {extra_macs:,}회, "
      f"마지막 업샘플링의 곱셈-덧셈 변화 {final_change:+,}회")
assert added == 24 * 4 + 4 + 4 * 4 * 4 * 4
