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
# 앞의 네 장에서 CNN 은 픽셀마다 "이것은 무엇인가"를 답했습니다. 이 장에서는 같은 CNN 의 특징을 거꾸로 씁니다.
# 네트워크는 그대로 두고 **이미지의 픽셀을 최적화**해서, 한 사진의 내용(content)을 다른 그림의 화풍(style)으로
# 다시 그립니다. 이것이 **신경 스타일 전이**(neural style transfer; Gatys, Ecker, Bethge 2016)입니다.
#
# 노트의 요점은 이렇습니다. CNN 의 앞쪽 층은 가장자리·색 같은 단순한 특징을, 뒤쪽 층은 물체처럼 복잡한 특징을
# 배웁니다. 그러니 "내용"은 한 층의 특징 지도 그 자체로, "화풍"은 특징들이 **함께 나타나는 방식**으로 잴 수
# 있습니다. 이 장에서는
#
# 1. 노트의 두 손실을 식 그대로 구현해 작은 예로 확인하고,
# 2. 층마다 무엇이 남는지(콘텐츠 재구성, 질감 합성)를 그림으로 다시 그린 뒤,
# 3. 여러 층으로 넓힌 전이를 오프라인 이미지로 실행하고, 가중치 비율·최적화기·초기값을 비교합니다.
#
# 노트에 없는 것(여러 층의 가중합, 층별 정규화, 총변동 항)은 "노트를 넘어서"라고 표시합니다.

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
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.ticker import FuncFormatter, NullFormatter
from torch import nn

from lib import config, data, style, textures, vgg, viz

print(config.describe())
_ = config.seed_everything(0)

# %% [markdown]
# 이 장의 크기 설정은 모두 아래 사전 하나에 있습니다. `config.pick(fast, full)` 의 앞 값이 테스트·CI 용 fast
# 프로필, 뒤 값이 이 책에 실린 결과(full 프로필)입니다.

# %%
CFG = dict(
    size=config.pick(56, 192),  # 전이 결과의 긴 변, 픽셀 (fast, full)
    small=config.pick(40, 128),  # 재구성·비교 실험의 긴 변
    steps=config.pick(25, 200),  # 전이 한 번의 목적 함수 평가(순전파+역전파) 횟수
    small_steps=config.pick(20, 100),  # 재구성·비교 실험의 평가 횟수
    style_weight=20.0,  # 정규화한 스타일 항의 가중치 b (콘텐츠 항의 가중치 a = 1)
    tv_weight=1.0,  # 총변동(매끈함) 항의 가중치 c
    pool="avg",  # VGG 의 풀링: "avg" (Gatys 외의 권고) 또는 "max"
)
CFG

# %% [markdown]
# ## 5.1 목적 함수: 두 이미지에서 새 이미지 하나
#
# 콘텐츠 이미지 $C$ 와 스타일 이미지 $S$ 가 주어지면, 새 이미지 $G$ 를 다음 에너지(손실)가 작아지도록 만듭니다.
#
# $$E(G) = E_{\text{content}}(G, C) + E_{\text{style}}(G, S)$$
#
# 기호는 모두 **한 층**의 특징 지도에 대한 것입니다.
#
# | 기호 | 뜻 |
# |---|---|
# | $G, C, S$ | 만드는 이미지(generated), 콘텐츠 이미지, 스타일 이미지 |
# | $a_{ijk}(X)$ | 이미지 $X$ 를 넣었을 때 그 층의 위치 $(i, j)$, 채널 $k$ 의 **사전 활성화**(pre-activation): 합성곱의 출력, 곧 ReLU 에 들어가기 직전의 값 |
# | $I, J$ | 특징 지도의 세로·가로 위치 수 ($I \times J$ 위치) |
# | $K$ | 채널(필터) 수 |
# | $F_{kk'}(X)$ | 스타일 행렬: 채널 $k$ 와 $k'$ 가 같은 위치에서 함께 켜지는 정도 |
#
# $$E_{\text{content}}(G, C) = \sum_{i,j,k} \left( a_{ijk}(G) - a_{ijk}(C) \right)^2$$
#
# $$F_{kk'}(G) = \sum_{i=1}^{I} \sum_{j=1}^{J} a_{ijk}(G)\, a_{ijk'}(G), \qquad
# E_{\text{style}}(G, S) = \frac{1}{(2IJK)^2} \sum_{k=1}^{K} \sum_{k'=1}^{K} \left( F_{kk'}(G) - F_{kk'}(S) \right)^2$$
#
# 네트워크의 가중치는 고정하고, 변수는 $G$ 의 픽셀 $3 \times H \times W$ 개뿐입니다. 기울기 $\partial E / \partial G$ 는
# 역전파로 얻습니다. 학습이 아니라 **이미지 한 장에 대한 최적화**입니다.
#
# 노트를 읽을 때 바로잡을 점 세 가지:
#
# - 노트의 $E(G)$ 에는 두 항 사이에 가중치가 없습니다. 두 항의 크기는 층·가중치·이미지 크기에 따라 수십 자릿수까지
#   달라지므로, 실제로는 $E = a\,E_{\text{content}} + b\,E_{\text{style}}$ 처럼 **비율** $b/a$ 를 정해야 합니다
#   (Gatys 외는 $\alpha/\beta = 10^{-3} \sim 10^{-4}$). 5.8절에서 이 비율을 바꿔 봅니다.
# - 노트는 $F$ 를 "교차 상관 행렬"이라 부르지만, 평균을 빼지도 크기로 나누지도 않으므로 통계의 상관 행렬이 아니라
#   **그람 행렬**(Gram matrix)입니다. 스타일 손실 앞의 $1/(2IJK)^2$ 은 Gatys 외의 $1/(4N_l^2M_l^2)$ 과 같습니다
#   ($N_l = K$ 채널, $M_l = IJ$ 위치).
# - 노트는 콘텐츠 손실에 대해 "저차원 특징(가장자리, 질감)을 더 잘 맞춘다"고 쓰지만, 정확히는 **낮은 층을 쓰면 픽셀까지
#   거의 그대로**, **높은 층을 쓰면 배치(구조)만** 맞춥니다. 5.5절의 재구성 그림이 이 차이를 보여 줍니다. 그래서
#   전이에서는 높은 층(`conv4_2`) 하나를 콘텐츠에 씁니다: 구조는 지키고 픽셀 값은 스타일이 바꿀 여지를 남깁니다.

# %% [markdown]
# ## 5.2 콘텐츠 손실과 스타일 행렬을 손으로
#
# 특징 지도가 채널 두 개($K=2$), 위치 $3 \times 3$($I=J=3$)인 아주 작은 예를 봅시다. 채널 0 은 "점",
# 채널 1 은 "모서리"에 반응하는 필터라고 상상합니다.

# %% tags=["nbval-check-output"]
# (N, K, I, J) = (1, 2, 3, 3)
a_x = torch.tensor([[[[1., 0., 1.], [0., 1., 0.], [1., 0., 1.]],    # 채널 0
                     [[2., 0., 2.], [0., 0., 0.], [2., 0., 2.]]]])  # 채널 1: 채널 0 과 같은 곳(네 귀퉁이)에서 켜짐
F_x = style.gram_matrix(a_x)[0]
by_hand = torch.tensor([[1 + 1 + 1 + 1 + 1, 4 * (1 * 2)],   # F_00 = sum a_0^2 (1 이 다섯 개), F_01 = 귀퉁이 네 곳의 1*2
                        [4 * (2 * 1), 4 * (2 * 2)]])         # F_11 = 귀퉁이 네 곳의 2^2
print(F_x)
assert torch.equal(F_x, by_hand.float())

# %% [markdown]
# 대각선 $F_{kk}$ 는 채널 $k$ 의 세기(제곱합)이고, 비대각선 $F_{kk'}$ 은 두 채널이 **같은 위치에서 함께** 켜진 정도,
# 곧 **공동 발생**(co-occurrence)입니다. 두 가지 실험으로 그람 행렬이 무엇을 기억하고 무엇을 버리는지 봅니다.
#
# 1. 위치를 뒤섞기: 모든 채널에 **같은** 순열을 적용해 위치만 바꾸면, 합 $\sum_{ij}$ 은 순서와 무관하므로 $F$ 는 그대로입니다.
#    그러나 콘텐츠 손실은 0 이 아닙니다. 스타일은 "어디에"를 잊습니다.
# 2. 공동 발생만 바꾸기: 채널 1 을 채널 0 이 꺼진 자리로 옮기면 각 채널의 세기($F_{00}, F_{11}$)는 같지만
#    $F_{01}$ 이 0 이 됩니다. 스타일은 "무엇과 무엇이 함께"를 기억합니다.

# %% tags=["nbval-check-output"]
perm = torch.randperm(9, generator=torch.Generator().manual_seed(1))
a_shuffled = a_x.flatten(2)[..., perm].view_as(a_x)  # 두 채널에 같은 위치 순열
a_apart = a_x.clone()
a_apart[0, 1] = torch.tensor([[0., 2., 0.], [2., 0., 2.], [0., 2., 0.]])  # 채널 1 을 채널 0 이 꺼진 자리로

for name, a in [("위치를 뒤섞음", a_shuffled), ("채널 1 을 옮김", a_apart)]:
    print(f"{name:10s} F = {style.gram_matrix(a)[0].tolist()}  "
          f"E_content = {style.content_loss(a, a_x).item():5.1f}  E_style = {style.style_loss(a, a_x).item():.4f}")
assert torch.equal(style.gram_matrix(a_shuffled), style.gram_matrix(a_x))
assert style.style_loss(a_shuffled, a_x) == 0 < style.content_loss(a_shuffled, a_x)
# 채널 1 을 옮긴 경우: F_01 만 8 → 0, 대각선은 같음 → E_style = 2 * 8^2 / (2*3*3*2)^2
assert torch.isclose(style.style_loss(a_apart, a_x), torch.tensor(2 * 8**2 / (2 * 3 * 3 * 2) ** 2))

# %% [markdown]
# `lib.style` 의 세 함수는 노트의 식을 그대로 옮긴 것입니다 (테스트 `tests/test_style.py` 가 바깥곱을 하나씩 더하는
# 독립 계산과 비교합니다). 그람 행렬은 특징 지도를 $(K, IJ)$ 행렬 $A$ 로 펼치면 $F = A A^\top$ 한 번의 행렬곱입니다.
#
# ```python
# flat = a.flatten(2)                    # (N, K, I, J) -> (N, K, IJ)
# F = flat @ flat.transpose(1, 2)        # (N, K, IJ) @ (N, IJ, K) -> (N, K, K)
# E_style = (F_g - F_s).pow(2).sum() / (2 * I * J * K) ** 2
# ```

# %% [markdown]
# ## 5.3 VGG19 의 사전 활성화, 그리고 제자리 ReLU 의 함정
#
# 특징은 ImageNet 으로 학습한 VGG19 (Simonyan & Zisserman 2015)에서 꺼냅니다. 층 이름은 블록 번호와 블록 안의 순서로
# `conv1_1, relu1_1, conv1_2, ..., pool5` 처럼 부릅니다. 노트는 **사전 활성화**를 쓰라고 하므로 `convB_I` 의
# 출력을 그대로 가져와야 합니다.
#
# 여기에 함정이 있습니다. torchvision 의 VGG 는 메모리를 아끼려고 `ReLU(inplace=True)` 를 씁니다. 합성곱 출력을
# 변수에 담아 두어도, 바로 다음 ReLU 가 **같은 메모리**를 덮어써서 음수가 모두 0 이 됩니다. 오류도 경고도 없이
# 사후 활성화(post-activation)를 쓰게 되는 것입니다.

# %%
conv, inplace_relu = nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True)
stored = conv(torch.randn(1, 3, 16, 16))  # 합성곱 출력(사전 활성화)을 저장했다고 생각하지만...
negative_before = (stored < 0).float().mean().item()
inplace_relu(stored)  # ... 다음 층이 제자리에서 덮어씀
negative_after = (stored < 0).float().mean().item()
print(f"저장한 텐서의 음수 비율: ReLU 전 {negative_before:.0%} → 제자리 ReLU 후 {negative_after:.0%}")
assert negative_before > 0.2 and negative_after == 0

# %% [markdown]
# 참고로 Gatys 외의 원래 구현(Caffe)에서도 ReLU 는 제자리 연산이라, `conv4_2` 라는 이름으로 읽은 값은 사실 ReLU 를
# 지난 값이었습니다. 이 책은 노트를 따라 사전 활성화를 쓰고, 연습문제 3 에서 사후 활성화와 비교합니다.
#
# `lib.vgg.VGGFeatures` 는 torchvision 과 같은 번호의 층을 `inplace=False` ReLU 로 만들고, 요청한 가장 깊은 층
# 다음은 아예 만들지 않습니다(잘라냄). ImageNet 정규화(평균·표준편차)가 안에 들어 있어 $[0, 1]$ 이미지를 그대로
# 넣으면 되고, 평가 모드에 파라미터는 고정입니다. 가중치는 ImageNet 가중치를 불러올 수 있으면(Colab, 또는 torch
# 허브 캐시에 파일이 있을 때) 그것을, 아니면 **무작위 가중치**를 쓰고 그렇다고 알립니다.

# %%
LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv4_2", "conv5_1")
extractor = vgg.VGGFeatures(LAYERS, pool=CFG["pool"]).to(config.device())
print("쓰는 가중치:", extractor.weights, "| 모듈 수:", len(extractor.features), "/ 37 (conv5_1 에서 잘라냄)")
probe = extractor(data.load_sample("astronaut", 64).to(config.device()))
for name, a in probe.items():
    print(f"{name}: (N, K, I, J) = {tuple(a.shape)}, 음수 비율 {(a < 0).float().mean().item():.0%}")
assert all((a < 0).any() for a in probe.values()), "사전 활성화에는 음수가 있어야 합니다"

# %% [markdown]
# 위 출력에 `[알림]` 이 있다면 이 실행은 **무작위 가중치**를 썼습니다(이 책의 그림은 인터넷이 없는 기계에서
# 만들었으므로 그렇습니다). 학습하지 않은 VGG 로도 질감 합성과 스타일 전이가 꽤 잘 된다는 것이 알려져 있습니다
# (He, Wang & Hopcroft 2016; Ustyuzhaninov 외 2017). 무작위 필터도 색과 작은 무늬의 공동 발생 통계를 충분히
# 풍부하게 잡기 때문입니다. 다만 층마다 특징의 크기가 제멋대로라서 **층별 정규화**가 필요합니다(5.7절).
# ImageNet 가중치라면 무엇이 달라지는지는 5.11절에 정리했습니다.

# %% [markdown]
# ## 5.4 오늘의 이미지들
#
# 콘텐츠는 scikit-image 와 matplotlib 에 들어 있는 사진(인터넷 불필요)을, 스타일은 `lib.textures` 가 코드로 그린
# 두 그림을 씁니다: 소용돌이를 따라 붓 터치를 겹친 그림(고흐풍 흉내)과 보로노이 스테인드글라스.
# `coffee` 는 가로로 긴 사진이고 `camera` 는 흑백입니다. `lib.style.transfer` 는 크기·비율이 다른 이미지를 받고
# (PyTorch 튜토리얼은 같은 크기만 받습니다) 흑백·RGBA 는 RGB 로 바꿉니다.

# %%
contents = {name: data.load_sample(name, 512) for name in ("astronaut", "coffee", "camera")}
styles = {"소용돌이": textures.swirl_strokes(256, seed=0), "스테인드글라스": textures.mosaic(256, seed=0)}
fig = viz.image_grid([*contents.values(), *styles.values()], titles=[*contents, *styles], size=2.2)
print({name: tuple(img.shape) for name, img in {**contents, **styles}.items()})

# %% [markdown]
# ## 5.5 층마다 남는 것 (1): 콘텐츠 재구성
#
# 노트의 그림(Gatys 외 2016 의 그림 1)이 보여 주는 것을 다시 그립니다. 잡음에서 출발해 **콘텐츠 손실 하나만**
# 최소화하면, 그 층의 사전 활성화가 원본과 같은 이미지를 찾게 됩니다. 그 층이 무엇을 기억하는지가 그대로 보입니다.
# (`transfer` 에 스타일 이미지 대신 `None` 을 주면 콘텐츠 항만 씁니다.)

# %%
RECON_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
content_small = data.load_sample("astronaut", CFG["small"])
recon = {}
for layer in RECON_LAYERS:
    recon[layer], _ = style.transfer(content_small, None, extractor=extractor, content_layers=[layer], init="noise",
                                     image_size=CFG["small"], steps=CFG["small_steps"], desc=layer)
pixel_error = {layer: (img - content_small).pow(2).mean().item() for layer, img in recon.items()}
fig = viz.image_grid([content_small, *recon.values()], titles=["원본", *RECON_LAYERS], size=2.0,
                     suptitle="콘텐츠 재구성: 잡음에서 출발해 한 층의 사전 활성화만 맞춤")
print("픽셀 평균 제곱 오차:", {k: round(v, 4) for k, v in pixel_error.items()})
assert pixel_error["conv1_1"] < pixel_error["conv3_1"] < pixel_error["conv5_1"]

# %% [markdown]
# 낮은 층(`conv1_1`, `conv2_1`)은 픽셀을 거의 그대로 되살립니다: 64개 필터가 $3 \times 3 \times 3 = 27$ 차원의
# 작은 조각을 빠짐없이 담을 만큼 많기 때문입니다. 층이 깊어질수록 풀링을 여러 번 지나 위치가 뭉개지고, 손실이
# "보지 못하는" 방향(고주파 잡음 등)이 늘어나 배치와 큰 윤곽만 남습니다. 높은 층의 특징이 같아도 픽셀은 다를 수
# 있다는 것, 이것이 전이에서 높은 층을 콘텐츠로 쓰는 이유입니다.

# %% [markdown]
# ## 5.6 층마다 남는 것 (2): 스타일 재구성 = 질감 합성
#
# 이번에는 콘텐츠 없이 **스타일 손실만**, 쓰는 층을 `conv1_1` 에서 시작해 `conv5_1` 까지 하나씩 늘려 가며
# 최소화합니다 (여러 층은 가중합 $\sum_l w_l E^l_{\text{style}}$, $w_l = 1/L$ — 노트를 넘어서).
# 결과는 스타일 이미지의 **질감**(texture)입니다: 색과 무늬는 같지만 배치는 다릅니다.

# %%
style_small = textures.swirl_strokes(CFG["small"], seed=0)
synth, synth_history = {}, {}
for depth in range(1, len(style.STYLE_LAYERS) + 1):
    layers = style.STYLE_LAYERS[:depth]
    synth[depth], synth_history[depth] = style.transfer(
        None, style_small, extractor=extractor, style_layers=layers, init="noise", image_size=CFG["small"],
        steps=CFG["small_steps"], desc=f"~{layers[-1]}")
titles = ["스타일", *[f"conv1_1~{style.STYLE_LAYERS[d - 1]}" for d in synth]]
fig = viz.image_grid([style_small, *synth.values()], titles=titles, size=2.0,
                     suptitle="질감 합성: 잡음에서 출발해 그람 행렬만 맞춤 (사용 층을 점점 깊게)")

# %%
final_texture = synth[len(style.STYLE_LAYERS)]
relative_style = synth_history[5]["style"][-1] / synth_history[5]["style"][0]
pixel_gap = (final_texture - style_small).pow(2).mean().item()
shift_gap = (style_small.roll(CFG["small"] // 2, dims=-1) - style_small).pow(2).mean().item()
color_gap = (final_texture.mean((2, 3)) - style_small.mean((2, 3))).abs().max().item()
print(f"스타일 손실: 처음의 {relative_style:.2%} 로 줄어듦 | 평균 색 차이 {color_gap:.3f}")
print(f"픽셀 평균 제곱 오차: 합성 질감 vs 스타일 {pixel_gap:.3f}, 스타일을 반 바퀴 민 것 vs 스타일 {shift_gap:.3f}")
assert relative_style < 0.05 and color_gap < 0.15  # 통계(색·공동 발생)는 맞고
assert pixel_gap > 0.5 * shift_gap  # 픽셀 배치는 원본을 밀어 놓은 것만큼이나 다릅니다

# %% [markdown]
# `conv1_1` 만 쓰면 $3 \times 3$ 조각 안의 색 통계뿐이라 잘게 흩어진 색 잡음이 됩니다. 층을 더할수록 수용
# 영역(receptive field)이 넓어져 붓 터치만 한 색 덩어리와 어두운 바탕 같은 더 큰 구조가 나타납니다. 다만 무작위
# 가중치에서는 붓 터치의 길쭉한 모양과 소용돌이의 방향까지는 살아나지 않습니다(5.11절). 그리고 합성한 질감은 스타일 이미지와 픽셀
# 단위로는 전혀 같지 않습니다: 그람 행렬이 위치를 버리기 때문입니다(5.2절).

# %% [markdown]
# ## 5.7 층 사이의 균형: 정규화는 자료마다 다르다
#
# 여러 층을 더하면 "각 층을 얼마나 세게 볼지"가 정규화 상수에 숨어 들어갑니다. 자료마다 상수가 다릅니다
# ($N$ 은 배치 크기, 여기서는 1).
#
# | 출처 | 그람 행렬 | 층의 스타일 손실 | 노트의 식과의 비 |
# |---|---|---|---|
# | 노트 = Gatys 외 | $F$ | $\sum (\Delta F)^2 / (2IJK)^2$ | 1 |
# | CS231n 과제 | $F/(KIJ)$ | $\sum (\Delta \cdot)^2$ (합) | $4$ |
# | PyTorch 튜토리얼 | $F/(NKIJ)$ | MSE: 평균 (나누기 $K^2$) | $4/(N^2K^2)$ |
# | d2l (Dive into Deep Learning) | $F/(KIJ)$ | 평균 (나누기 $K^2$) | $4/K^2$ |
# | 이 책의 `normalize=True` | $F$ | $\sum (\Delta F)^2 / \sum F(S)^2$ (상대 오차) | 층마다 다름 |
#
# CS231n 은 노트의 식에 상수 4 를 곱한 것뿐이라 **층 사이의 균형은 노트와 같습니다**. PyTorch 튜토리얼과 d2l 은
# 평균을 내면서 $K^2$ 로 한 번 더 나누므로, 채널이 많은 깊은 층(`conv5_1`: $K=512$)이 얕은 층(`conv1_1`: $K=64$)에
# 비해 $64$ 배 약해집니다. 콘텐츠 이미지에서 출발한 시점의 층별 스타일 손실로 직접 확인해 봅니다.

# %%
content_img = data.load_sample("astronaut", CFG["small"]).to(config.device())
style_img = textures.swirl_strokes(CFG["small"], seed=0).to(config.device())
with torch.no_grad():
    feats_c, feats_s = extractor(content_img), extractor(style_img)

NORMALIZERS = {  # 층의 스타일 손실 = sum (F(G) - F(S))^2 / 분모
    "노트": lambda k, i, j, f_s: (2 * i * j * k) ** 2,
    "CS231n": lambda k, i, j, f_s: (k * i * j) ** 2,
    "PyTorch·d2l": lambda k, i, j, f_s: (k * i * j) ** 2 * k**2,
    "상대 오차": lambda k, i, j, f_s: f_s.pow(2).sum(),
}
per_layer = {}
for norm_name, denominator in NORMALIZERS.items():
    values = []
    for layer in style.STYLE_LAYERS:
        k, i, j = feats_c[layer].shape[1:]
        f_s = style.gram_matrix(feats_s[layer])
        values.append(((style.gram_matrix(feats_c[layer]) - f_s).pow(2).sum() / denominator(k, i, j, f_s)).item())
    per_layer[norm_name] = np.array(values)
for norm_name, values in per_layer.items():
    print(f"{norm_name:11s}", "  ".join(f"{v:9.3g}" for v in values))
notes_loss = np.array([style.style_loss(feats_c[n], feats_s[n]).item() for n in style.STYLE_LAYERS])
np.testing.assert_allclose(per_layer["노트"], notes_loss, rtol=1e-5)  # 위 표의 '노트' 행 = lib.style.style_loss
np.testing.assert_allclose(per_layer["CS231n"], 4 * per_layer["노트"], rtol=1e-5)

# %%
shares = {name: values / values.sum() for name, values in per_layer.items()}
fig, ax = plt.subplots(figsize=(7.5, 3.4))
width = 0.8 / len(shares)
for n, (name, share) in enumerate(shares.items()):
    ax.bar(np.arange(len(style.STYLE_LAYERS)) + (n - 1.5) * width, share, width, label=name)
ax.set_xticks(range(len(style.STYLE_LAYERS)), style.STYLE_LAYERS)
ax.set_yscale("log")  # 몫이 여러 자릿수에 걸쳐 있으므로 로그 눈금
ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 눈금을 ASCII 로 (글꼴에 없는 '−' 를 피함)
ax.yaxis.set_minor_formatter(NullFormatter())
ax.set_ylabel("전체 스타일 손실 중 그 층의 몫")
ax.set_title("같은 G, 같은 층 가중치 1/L: 정규화에 따라 달라지는 층의 몫")
ax.legend(ncol=2, fontsize=9)
fig.tight_layout()
assert shares["PyTorch·d2l"][-1] < shares["노트"][-1]  # K^2 로 나누면 깊은 층(K=512)의 몫이 줄어듦
assert np.allclose(shares["CS231n"], shares["노트"])

# %% [markdown]
# 같은 이미지, 같은 층 가중치인데도 정규화 하나로 어느 층이 손실을 지배하는지가 바뀝니다. 노트의 식 그대로라면
# 층의 몫은 그 층 특징의 크기(가중치의 크기)에 따라 정해지는데, 이는 ImageNet 가중치와 무작위 가중치에서 전혀
# 다릅니다. 위 표(무작위 가중치라면)에서는 `conv1_1` 과 `conv5_1` 의 손실이 네다섯 자릿수 차이가 나서, 노트의 식으로
# 다섯 층을 더하면 사실상 `conv1_1` 하나만 쓰는 셈입니다. 이 책의 `transfer` 는 기본값 `normalize=True` 로, 층마다 노트의 손실을 "$G = 0$ 일 때의 값"
# $\sum F(S)^2/(2IJK)^2$ 로 나눕니다 (콘텐츠 항도 $\sum a(C)^2$ 로 나눔). 그러면 각 층의 항이 단위 없는 상대 오차가
# 되어 특징의 크기에 상관없이 $w_l$ 이 그대로 층의 비중이 되고, 두 항의 비율 $b/a$ 도 가중치와 무관한 뜻을
# 갖습니다. 노트의 식 그대로 쓰려면 `normalize=False` 입니다. (분모는 상수이므로 최적화하는 함수의 모양은 노트의
# 식에 층별 가중치를 곱한 것과 같습니다.)

# %% [markdown]
# ## 5.8 전이
#
# 이제 모두 합칩니다 (노트를 넘어서: 여러 층, 정규화, 총변동 항).
#
# $$E(G) = a \sum_{l \in \text{콘텐츠 층}} \frac{E^l_{\text{content}}(G, C)}{\sum a^l(C)^2}
#        + b \sum_{l \in \text{스타일 층}} w_l \frac{E^l_{\text{style}}(G, S)}{E^l_{\text{style}}(0, S)}
#        + c\, \mathrm{TV}(G)$$
#
# 콘텐츠 층은 `conv4_2`, 스타일 층은 `conv1_1 ~ conv5_1` (각 $w_l = 1/5$)이고, 총변동
# $\mathrm{TV}(G)$ 는 이웃 픽셀 차이의 제곱 평균으로 잔 얼룩을 누릅니다. 콘텐츠 이미지에서 출발해 L-BFGS 로
# 최적화합니다. 스타일 이미지의 크기는 `match_area` 가 비율을 지킨 채 $G$ 와 넓이가 같도록 맞춥니다.

# %%
PAIRS = [("astronaut", "소용돌이"), ("coffee", "스테인드글라스"), ("camera", "소용돌이")]
results = {}
start = time.perf_counter()
for content_name, style_name in PAIRS:
    results[content_name], history = style.transfer(
        contents[content_name], styles[style_name], extractor=extractor, image_size=CFG["size"],
        style_weight=CFG["style_weight"], tv_weight=CFG["tv_weight"], steps=CFG["steps"],
        desc=f"{content_name} + {style_name}")
    assert min(history["total"]) < 0.5 * history["total"][0]
print(f"전이 {len(PAIRS)}번: {time.perf_counter() - start:.0f}초")
rows = [[data.resize_max_side(contents[c], CFG["size"]), styles[s], results[c]] for c, s in PAIRS]
fig = viz.image_grid(rows, titles=["콘텐츠", "스타일", "결과"], size=2.6)

# %%
for content_name, _ in PAIRS:
    assert results[content_name].shape[-2:] == data.resize_max_side(contents[content_name], CFG["size"]).shape[-2:]
    assert results[content_name].min() >= 0 and results[content_name].max() <= 1
print({name: tuple(img.shape) for name, img in results.items()})

# %% [markdown]
# 흑백 `camera` 도 RGB 로 바뀌어 색을 얻었고, 가로로 긴 `coffee` 는 비율을 지킨 채 정사각형 스타일 이미지를
# 받았습니다.
#
# ### 콘텐츠와 스타일의 비율
#
# 가중치 비율 $b/a$ 를 바꾸면 결과가 콘텐츠 쪽에서 스타일 쪽으로 옮겨 갑니다.

# %%
RATIOS = (1, 10, 100, 1000)
content_in = contents["astronaut"]
by_ratio = {}
for ratio in RATIOS:
    image, history = style.transfer(content_in, styles["소용돌이"], extractor=extractor, image_size=CFG["small"],
                                    style_weight=ratio, tv_weight=CFG["tv_weight"], steps=CFG["small_steps"],
                                    desc=f"b/a = {ratio}")
    best = int(np.argmin(history["total"]))  # transfer 가 돌려준 이미지 = 손실이 가장 작았던 평가
    by_ratio[ratio] = (image, history["content"][best], history["style"][best] / ratio)
fig = viz.image_grid([img for img, _, _ in by_ratio.values()], titles=[f"b/a = {r}" for r in RATIOS], size=2.3)
for ratio, (_, e_content, e_style) in by_ratio.items():
    print(f"b/a = {ratio:5d}: 정규화 콘텐츠 손실 {e_content:.3f}, 정규화 스타일 손실 {e_style:.4f}")
contents_loss = [v[1] for v in by_ratio.values()]
styles_loss = [v[2] for v in by_ratio.values()]
assert contents_loss[0] < contents_loss[-1] and styles_loss[0] > styles_loss[-1]

# %% [markdown]
# ## 5.9 L-BFGS 와 Adam
#
# 변수가 이미지 한 장뿐이고 목적 함수가 결정적(미니배치 잡음 없음)이라, 곡률 정보를 쓰는 준-뉴턴 방법 L-BFGS 가
# 잘 맞습니다 (Gatys 외도 L-BFGS 를 썼습니다). `lib.style.transfer` 는 강한 Wolfe 선 탐색(line search)을 쓰는
# `torch.optim.LBFGS` 를 씁니다. 한 가지 함정: L-BFGS 는 기울기를 `view(-1)` 로 펼치므로 최적화하는 이미지 텐서가
# 연속(contiguous)이어야 합니다 — 그렇지 않으면 "view size is not compatible" 오류가 납니다. `transfer` 는 시작
# 이미지를 항상 연속 텐서로 만듭니다.
#
# 공정한 비교를 위해 두 방법 모두 **목적 함수 평가 횟수**(순전파+역전파 한 번)를 같게 둡니다. L-BFGS 는 선 탐색의
# 평가도 셉니다.

# %%
curves, runs = {}, {}
for optimizer in ("lbfgs", "adam"):
    runs[optimizer] = image, history = style.transfer(content_in, styles["소용돌이"], extractor=extractor, image_size=CFG["small"],
                                style_weight=CFG["style_weight"], tv_weight=CFG["tv_weight"], optimizer=optimizer,
                                lr=0.02, steps=2 * CFG["small_steps"], desc=optimizer)
    curves[optimizer] = history["total"]
ax = viz.line_plot(range(1, len(curves["lbfgs"]) + 1), {"L-BFGS": curves["lbfgs"], "Adam (lr 0.02)": curves["adam"]},
                   xlabel="목적 함수 평가 횟수", ylabel="전체 손실 E(G)", logy=True, marker=None,
                   title="같은 계산량에서의 수렴")
print({name: round(min(c), 4) for name, c in curves.items()})
assert min(curves["lbfgs"]) < min(curves["adam"])

# %% [markdown]
# ## 5.10 콘텐츠에서 출발할까, 잡음에서 출발할까
#
# Gatys 외는 흰 잡음에서 출발했습니다. 콘텐츠 이미지에서 출발하면 콘텐츠 손실이 0 인 곳에서 시작해 스타일만
# 입히면 되므로, 같은 평가 횟수에서 콘텐츠 손실이 더 낮게 남습니다. 손실 함수는 볼록하지 않아서, 두 출발점은
# 전체 손실이 비슷한 **서로 다른** 해로 갑니다. 잡음에서 출발한 해는 시드마다 다르고, 원본의 구조를 스타일의
# 질감이 더 많이 대신합니다.

# %%
by_init = {"content": runs["lbfgs"]}  # 5.9절의 L-BFGS 실행이 바로 콘텐츠에서 출발한 것
by_init["noise"] = style.transfer(content_in, styles["소용돌이"], extractor=extractor, image_size=CFG["small"],
                                  style_weight=CFG["style_weight"], tv_weight=CFG["tv_weight"], init="noise",
                                  steps=2 * CFG["small_steps"], desc="noise")
fig = viz.image_grid([by_init["content"][0], by_init["noise"][0]], titles=["콘텐츠에서 출발", "잡음에서 출발"],
                     size=2.6)
finals = {}
for init, (_, history) in by_init.items():
    best = int(np.argmin(history["total"]))
    finals[init] = {term: history[term][best] for term in ("total", "content", "style", "tv")}
    print(f"{init:8s}", "  ".join(f"{term} {value:.4f}" for term, value in finals[init].items()))
assert finals["content"]["content"] < finals["noise"]["content"]

# %% [markdown]
# ## 5.11 ImageNet 가중치였다면
#
# 이 책의 그림은 인터넷이 없는 기계에서 무작위 가중치로 만들었습니다. Colab 에서 실행하면 ImageNet 가중치가
# 내려받아지고(548 MB, 한 번), 같은 코드가 그대로 돌아갑니다. 달라지는 점은 다음과 같습니다.
#
# - **콘텐츠 재구성**(5.5절): 무작위 가중치에서도 높은 층은 배치만 남기지만, ImageNet 가중치의 높은 층은 물체를
#   알아보는 데 필요한 정보(얼굴, 눈, 헬멧의 모양)를 남기고 나머지(정확한 색과 질감)를 버립니다. 재구성이 "물체는
#   알아볼 수 있지만 그림처럼 변한" 모습이 됩니다. 무작위 가중치는 무엇이 중요한지 모르므로 정보를 골고루 잃습니다.
# - **질감 합성**(5.6절): 무작위 VGG 도 색과 작은 무늬는 잘 재현하지만, 학습한 필터는 더 긴 붓 터치나 반복되는
#   물체 조각 같은 큰 구조를 더 잘 잡습니다(Gatys 외 2015 의 질감 합성; Ustyuzhaninov 외 2017 은 얕은 무작위
#   네트워크도 여러 크기의 필터를 충분히 많이 쓰면 상당히 따라온다는 것을 보였습니다).
# - **전이**(5.8절): 학습한 특징은 얼굴처럼 의미 있는 부분을 더 잘 지키고, 스타일을 물체의 윤곽을 따라 입힙니다.
#   무작위 가중치의 결과는 색과 붓 터치는 옮기지만 윤곽이 더 거칠게 남습니다.
# - **비율과 정규화**: `normalize=True` 덕분에 $b/a$ 의 뜻(상대 오차의 비율)은 두 가중치에서 같습니다. 다만 좋은
#   값은 다를 수 있으니 5.8절의 격자를 다시 그려 보세요. `normalize=False`(노트의 식 그대로)로는 가중치가 바뀔 때마다
#   $b/a$ 를 여러 자릿수 다시 찾아야 합니다.
#
# 이 장의 `assert` 들은 두 가중치 모두에서 성립하는 사실만 확인합니다.

# %% [markdown]
# ## 정리
#
# - 노트의 두 손실: 콘텐츠 = 한 층의 사전 활성화의 제곱 오차, 스타일 = 그람 행렬 $F_{kk'} = \sum_{ij} a_{ijk}a_{ijk'}$
#   의 제곱 오차 $\times 1/(2IJK)^2$. 그람 행렬은 채널의 공동 발생을 기억하고 위치를 버립니다.
# - 낮은 층은 픽셀을, 높은 층은 배치를 기억합니다(콘텐츠 재구성). 그람 행렬을 여러 층에서 맞추면 질감이 생깁니다.
# - 여러 층을 더할 때는 정규화가 층 사이의 균형을 정합니다. 자료마다 다르며(노트·CS231n 은 같고, PyTorch·d2l 은
#   깊은 층을 $K^2$ 배 약하게 봄), 이 책은 상대 오차로 맞춥니다.
# - 가중치 비율 $b/a$ 가 콘텐츠와 스타일 사이의 위치를, L-BFGS 가 같은 계산량에서 더 낮은 손실을 줍니다.
# - 사전 활성화를 꺼내려면 제자리 ReLU 를 피해야 하고, L-BFGS 에는 연속 텐서가 필요합니다.
#
# 속도: `benchmarks/style_transfer.py` 가 이미지 크기별로 반복(순전파+역전파) 한 번의 시간과 역전파용 저장 메모리를
# 잽니다. 이 책을 만든 2코어 CPU(다른 작업과 공유)에서 반복당 128 px 0.15 초, 256 px 0.57 초, 512 px 2.6 초로 넓이에
# 거의 비례했고, 256 px 에서 L-BFGS 300회는 약 170 초였습니다. conv5_1 에서 잘라낸 추출기는 자르지 않은 VGG19
# 전체(pool5 까지, hook 으로 복사)와 속도가 거의 같습니다: 잘라낸 conv5_2 이후는 1/16 해상도라 계산의 몇 % 뿐이고,
# 시간은 전체 해상도의 `conv1`·`conv2` 블록이 대부분 씁니다. 대신 역전파용 저장 메모리가 128 px 에서 27%, 256 px 에서
# 17% 적습니다. 이 장의 full 프로필 전체 실행은 같은 기계에서 약 10 분이 걸렸습니다.

# %% [markdown]
# ## 연습문제
#
# **1.** 5.2절의 예에서 채널 1 의 값을 모두 두 배로 하면 $F$ 와 $E_{\text{style}}$ 은 어떻게 변하나요? 스타일 손실이
# 특징의 크기에 몇 제곱으로 민감한지 말하고, 이것이 5.7절의 정규화와 어떻게 이어지는지 설명하세요.
#
# :::{admonition} 풀이
# :class: dropdown
# $F_{11}$ 은 4배, $F_{01}, F_{10}$ 은 2배가 되고 $F_{00}$ 은 그대로입니다. 특징 전체를 $s$ 배 하면 $F$ 는 $s^2$ 배,
# $E_{\text{style}}$ 은 $s^4$ 배가 됩니다. 층마다 특징의 크기가 다르면(특히 무작위 가중치) 층의 몫이 크기의 네제곱에
# 따라 정해지므로, 목표 $\sum F(S)^2$ 로 나누는 상대 오차가 이 의존성을 없앱니다.
#
# ```python
# a2 = a_x.clone(); a2[0, 1] *= 2
# print(style.gram_matrix(a2)[0])            # [[5, 16], [16, 64]]
# s = 3.0
# assert torch.isclose(style.style_loss(s * a_apart, s * a_x), s**4 * style.style_loss(a_apart, a_x))
# ```
# :::
#
# **2.** 콘텐츠 층을 `conv2_1` 로 바꿔 5.8절의 전이를 다시 해 보세요. 무엇이 달라지고 왜 그런가요?
#
# :::{admonition} 풀이
# :class: dropdown
# `conv2_1` 은 픽셀을 거의 그대로 기억하므로(5.5절) 콘텐츠 항이 픽셀 값을 붙잡아, 스타일이 색과 붓 터치를 바꿀
# 여지가 줄어듭니다. 같은 $b/a$ 에서 결과가 원본 사진에 훨씬 가깝고, 스타일은 얇은 잡무늬처럼만 얹힙니다.
#
# ```python
# img, _ = style.transfer(contents["astronaut"], styles["소용돌이"], extractor=extractor,
#                         content_layers=["conv2_1"], image_size=CFG["small"], style_weight=CFG["style_weight"],
#                         steps=CFG["small_steps"])
# ```
# :::
#
# **3.** 노트는 사전 활성화를 쓰지만, 원래 구현은 (제자리 ReLU 때문에) 사후 활성화를 썼습니다. `VGGFeatures` 는
# `relu1_1` 같은 이름도 받습니다. 스타일 층을 `relu1_1, relu2_1, ..., relu5_1` 로 바꿔 질감을 합성하고 비교하세요.
#
# :::{admonition} 풀이
# :class: dropdown
# ReLU 는 음수를 0 으로 만드는 비선형 함수라서, 사후 활성화의 그람 행렬은 사전 활성화의 그람 행렬이 담지 못하는
# 정보(부호가 엇갈리는 조합, 더 높은 차수의 통계)를 조금 더 담습니다. 차이는 주로 대비와 무늬의 선명도에서
# 보입니다. 사전 활성화의 그람 행렬 $W\,\Sigma\,W^\top$ 는 바로 앞 층 출력의 공분산 $\Sigma$ 를 선형으로
# 옮긴 것이기 때문입니다.
#
# ```python
# relu_layers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"]
# ex_relu = vgg.VGGFeatures(relu_layers, pool=CFG["pool"])
# tex, _ = style.transfer(None, style_small, extractor=ex_relu, style_layers=relu_layers, init="noise",
#                         image_size=CFG["small"], steps=CFG["small_steps"])
# ```
# :::
#
# **4.** 5.7절의 표에서 PyTorch 튜토리얼의 정규화로 바꾸면서 층 사이의 균형을 노트와 같게 유지하려면 층 가중치
# $w_l$ 을 어떻게 잡아야 하나요?
#
# :::{admonition} 풀이
# :class: dropdown
# PyTorch 튜토리얼의 층 손실은 노트의 $4/K_l^2$ 배(배치 1)이므로 $w_l \propto K_l^2$ 로 잡으면 됩니다: `conv1_1`
# ($K=64$)에 비해 `conv5_1` ($K=512$)에 $64$ 배의 가중치를 줍니다. 전체 크기는 스타일 가중치 $b$ 가 흡수합니다.
# :::
#
# **5.** `style_scale` 을 0.5 와 2 로 바꿔 전이하면 결과의 붓 터치 크기가 어떻게 달라지나요? 왜 그런가요?
#
# :::{admonition} 풀이
# :class: dropdown
# `match_area` 가 스타일 이미지를 $G$ 넓이의 `style_scale`$^2$ 배로 맞추므로, 2 면 스타일 이미지가 두 배로 커져
# 같은 층의 수용 영역 안에 붓 터치가 더 적게 들어옵니다. 그람 행렬은 "수용 영역 크기의 조각"의 통계이므로,
# 결과의 붓 터치가 그만큼 커집니다. 0.5 면 반대로 잘고 촘촘해집니다.
# :::
