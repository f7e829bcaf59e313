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
# # 1장. 합성곱 세그멘테이션
#
# 이미지 분류는 사진 한 장에 답 하나를 냅니다. **이미지 세그멘테이션**(image segmentation)은 픽셀마다 답을 냅니다.
# 픽셀 하나하나를 클래스 $K$개 중 하나에 배정해서, "이 사진에 고양이가 있다"가 아니라 "이 픽셀들이 고양이다"라고
# 말하는 것이죠 {cite}`bishop2024`.
#
# 이 장은 노트의 첫 절 *Convolutional Segmentation*을 따라갑니다.
#
# 1. 세그멘테이션(segmentation)의 세 가지 뜻(시맨틱, 인스턴스, 파놉틱)을 구분하고, 이 책 전체에서 쓸 합성 장면(synthetic scene) 데이터를 봅니다.
# 2. **고전적인 방법**: 픽셀마다 그 주변 패치(patch)를 잘라 CNN으로 분류합니다.
# 3. 같은 계산을 세 가지로 구현합니다. (a) 픽셀마다 반복, (b) 모든 패치를 한 배치로 묶기, (c) 패딩·풀링 없는
#    스트라이드(stride) 1 CNN을 이미지 전체에 **한 번** 적용하기(노트의 "그룹화"). 세 결과가 같음을 확인합니다.
# 4. 곱셈-덧셈(multiply-accumulate, MAC) 수를 세어 (c)가 얼마나 아끼는지 예측하고, 실제 시간과 비교합니다.
# 5. 조밀한 순전파(dense)로 작은 네트워크를 학습시키고, 이 모델이 **무엇을 못 하는지**, 그 까닭이 수용 영역(receptive field)인지
#    대조 실험으로 시험합니다.
# 6. 그래도 여전히 비싼 까닭, 그래서 2장의 다운샘플링(down-sampling)·업샘플링(up-sampling)이 필요한 까닭을 봅니다.

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
import pandas as pd
import torch
import torch.nn.functional as F

from lib import (
    config,
    data,
    diagrams,
    experiments,
    metrics,
    segmentation,
    tables,
    timing,
    train,
    viz,
)

viz.setup()
config.seed_everything(0)
print(config.describe())

# %% [markdown]
# 이 장의 크기 설정은 모두 아래 사전 하나에 있습니다. {func}`config.pick(fast 값, full 값) <lib.config.pick>`은 환경 변수
# `BOOK_FAST=1`이면 앞의 값을, 아니면 뒤의 값을 고릅니다. 이 페이지의 결과는 full 프로필로 실행한 것입니다.

# %%
CFG = dict(
    scene_size=config.pick(32, 48),  # 학습용 합성 장면 한 변 (픽셀)
    width=16,  # 패치 CNN 의 은닉 채널 수
    depth=6,  # 3×3 합성곱 층 수 → 수용 영역 1 + 2·depth
    deep_depth=config.pick(10, 16),  # 대조 실험: 수용 영역이 도형을 덮는 더 깊은 패치 CNN
    timing_size=config.pick(32, 64),  # 세 방법을 비교하는 이미지 한 변
    loop_sizes=config.pick([8, 16], [8, 16, 32, 64]),  # 반복·배치 방식의 시간을 잴 크기들
    dense_sizes=config.pick([8, 16, 32, 64], [8, 16, 32, 64, 128, 256, 512]),  # 조밀한 방식
    train_scenes=config.pick(64, 240),  # 학습 장면 수
    val_scenes=config.pick(32, 100),  # 검증 장면 수
    epochs=config.pick(3, 30),  # 학습 에폭
    lr=2e-3,  # Adam 학습률 (코사인 일정으로 0 까지 줄임)
    seeds=config.pick((0,), (0, 1, 2)),  # 비교 실험의 시드
)
CFG

# %% [markdown]
# ## 1. 세그멘테이션: 픽셀마다 하나의 클래스
#
# 입력 이미지를 $x \in \mathbb{R}^{3 \times H \times W}$라고 하면, 세그멘테이션 모델은 픽셀 $(i, j)$마다
# 클래스 $K$개의 점수(score) $s_{ij} \in \mathbb{R}^{K}$, 곧 로짓(logit)을 내고, 소프트맥스(softmax)로 확률을 만들어 가장 큰
# 클래스를 고릅니다.
#
# $$\hat{y}_{ij} = \arg\max_{k} \; \mathrm{softmax}(s_{ij})_k, \qquad \hat{y} \in \{0, \dots, K-1\}^{H \times W}.$$
#
# 정답 $y$도 같은 모양의 **클래스 지도**(label map)입니다. 학습은 픽셀마다의 교차 엔트로피(cross-entropy)를
# 평균한 손실로 합니다.
#
# ### 1.1 세그멘테이션의 세 가지 뜻
#
# "세그멘테이션"이라는 말은 세 가지 과제를 가리킵니다 {cite}`kirillov2019`.
#
# - **시맨틱 세그멘테이션**(semantic segmentation): 픽셀마다 클래스 하나. 같은 클래스의 물체 두 개가 맞닿으면
#   한 덩어리가 되어 구분되지 않습니다. 이 책의 1~4장이 푸는 과제입니다.
# - **인스턴스 세그멘테이션**(instance segmentation): 셀 수 있는 물체(things)마다 번호를 붙입니다. 배경처럼 셀 수
#   없는 영역(stuff)은 다루지 않습니다.
# - **파놉틱 세그멘테이션**(panoptic segmentation): 둘을 합쳐, 모든 픽셀에 (클래스, 물체 번호)를 줍니다.
#   stuff 픽셀은 클래스만, things 픽셀은 클래스와 번호를 갖습니다.
#
# 아래 장면에서 원 두 개가 맞닿아 있습니다. 시맨틱 답에서는 주황 덩어리 하나지만, 인스턴스·파놉틱 답에서는 두
# 물체입니다. 합성 장면은 도형을 그린 순서를 알고 있으므로 세 가지 답을 모두 정확히 만들 수 있습니다.

# %%
kinds_config = data.SceneConfig(size=64, min_shapes=3, max_shapes=4)
kinds_image, kinds_semantic, kinds_shapes = data.make_scene(np.random.default_rng(0), kinds_config)
kinds_instances = np.zeros_like(kinds_semantic)
for number, shape in enumerate(kinds_shapes, start=1):  # 나중에 그린 도형이 위에 옵니다
    kinds_instances[data.shape_mask(shape, kinds_config.size)] = number
fig = diagrams.segmentation_kinds(torch.from_numpy(kinds_image), kinds_semantic, kinds_instances,
                                  data.CLASS_NAMES)
plt.show()
print("시맨틱 답의 클래스:", sorted(set(kinds_semantic.flatten().tolist())),
      "| 인스턴스 수:", kinds_instances.max())

# %% [markdown]
# ### 1.2 합성 장면: 이 책의 데이터
#
# 실제 데이터셋(PASCAL VOC {cite}`everingham2010`, Cityscapes {cite}`cordts2016` 등)은 내려받아야 하므로, 이 책은
# `lib.data`가 만드는 **합성 장면**(synthetic scene)을 씁니다. 질감(texture) 있는 배경 위에 원·사각형·삼각형을 그리고,
# 그림을 그린 바로 그 판정식으로 정답 마스크를 만들기 때문에 마스크가 픽셀 단위로 정확합니다. 도형의 색과 질감은
# 무작위라서, 색만 보고는 클래스를 알 수 없고 **모양**을 봐야 합니다.

# %%
scene_config = data.SceneConfig(size=CFG["scene_size"])
images, masks = data.make_scenes(CFG["train_scenes"] + CFG["val_scenes"], scene_config, seed=0)
train_images, train_masks = images[:CFG["train_scenes"]], masks[:CFG["train_scenes"]]
val_images, val_masks = images[CFG["train_scenes"]:], masks[CFG["train_scenes"]:]
print("이미지:", tuple(images.shape), images.dtype, "| 마스크:", tuple(masks.shape), masks.dtype)
fig = viz.segmentation_grid(images[:4], {"정답 마스크": masks[:4]}, size=1.8)
plt.show()

# %% [markdown]
# 클래스마다 픽셀이 얼마나 되는지도 봐 둡니다. 배경이 대부분이므로, "모두 배경"이라고만 답해도 픽셀 정확도(pixel accuracy)는
# 꽤 높게 나옵니다. 그래서 세그멘테이션은 클래스마다의 IoU(교집합/합집합)와 그 평균 mIoU로 평가합니다. 이 책은
# 모든 비교에서 이 "아무것도 배우지 않은" 답, 곧 **학습 마스크의 최빈 클래스를 모든 픽셀에 답하기**를 기준선으로
# 둡니다. 모델이 이것보다 나아야 무언가를 배운 것입니다.

# %%
num_classes = len(data.CLASS_NAMES)
fractions = torch.bincount(masks.flatten(), minlength=num_classes).double() / masks.numel()
tables.show(tables.frame({"클래스": data.CLASS_NAMES, "픽셀 비율": fractions.tolist()}),
            caption="합성 장면의 클래스별 픽셀 비율")
baseline = experiments.baseline(train_masks, val_masks, num_classes)
print(f"기준선 ('{baseline['model']}'): 픽셀 정확도 {baseline['accuracy']:.3f}, "
      f"mIoU {baseline['miou']:.3f}")

# %% [markdown]
# ## 2. 고전적인 방법: 픽셀마다 패치를 분류
#
# 이미 잘 아는 도구는 이미지 **분류기**입니다. 그러니 픽셀 $(i, j)$의 클래스를 알고 싶으면, 그 픽셀을 가운데 둔
# $r \times r$ 패치 $P_{ij}$를 잘라 분류기 $g$에 넣으면 됩니다($r$은 홀수; 곧 보듯 분류기의 수용 영역과 같게 고릅니다).
#
# $$s_{ij} = g(P_{ij}), \qquad P_{ij} = \tilde{x}[:,\, i : i + r,\, j : j + r].$$
#
# 여기서 $\tilde{x}$는 $x$의 사방을 $h = \lfloor r/2 \rfloor$픽셀씩 0으로 채운 이미지, 곧 제로 패딩(zero padding)한
# 이미지입니다.
# 가장자리 픽셀도 가운데에 두려면 이미지 바깥의 값이 필요하기 때문입니다. 0으로 채우는 것이 가장 흔한 선택이지만,
# 네트워크는 가장자리에서 "검은 테두리"라는 실제로는 없는 무늬를 보게 됩니다(연습문제 4).
#
# 아래 그림에서 점선 안이 원래 이미지, 바깥이 채운 영역입니다. 왼쪽 위 모서리 픽셀의 패치(주황)는 절반 이상이
# 채운 0이고, 가운데 픽셀의 패치(하늘색)는 이미지 안에 온전히 들어갑니다.

# %%
patch_model = segmentation.PatchCNN(3, num_classes, width=CFG["width"], depth=CFG["depth"]).eval()
p = segmentation.receptive_field(patch_model)
fig, ax = plt.subplots(figsize=(4, 4))
center = CFG["scene_size"] // 2
diagrams.patch_figure(images[0], p, [(0, 0), (center, center)], ax=ax)
plt.show()

# %% [markdown]
# ### 분류기: 패딩도 풀링도 없는 스트라이드 1 CNN
#
# 노트가 말하는 개선안의 핵심은 분류기를 특별한 모양으로 만드는 것입니다. **패딩 없이, 풀링 없이, 스트라이드 1**로만
# 움직이는 합성곱(convolution)을 쌓고, 마지막에 $1 \times 1$ 합성곱을 분류기로 둡니다({class}`lib.segmentation.PatchCNN`).
#
# 패딩 없는 $3 \times 3$ 합성곱은 가장자리를 한 줄씩 깎습니다. $L$층을 지나면 한 변이 $2L$만큼 줄어들어서,
# $r = 1 + 2L$ 크기의 패치가 정확히 $1 \times 1$ 출력, 곧 그 패치의 가운데 픽셀에 대한 로짓 $K$개가 됩니다.
# 이 $r$이 네트워크의 **수용 영역**(receptive field), 출력 한 칸이 볼 수 있는 입력의 범위입니다. 커널 크기가 $k_l$,
# 팽창(dilation)이 $d_l$인 층들이라면
#
# $$r = 1 + \sum_{l=1}^{L} (k_l - 1)\, d_l .$$

# %% tags=["nbval-check-output"]
print(patch_model)
print(f"수용 영역 r = 1 + {CFG['depth']}·(3-1) = {p}")
assert p == 1 + 2 * CFG["depth"]
assert patch_model(torch.zeros(1, 3, p, p)).shape == (1, num_classes, 1, 1)  # p×p 패치 → 1×1 로짓

# %% [markdown]
# 그림으로 보면 더 분명합니다. 맨 위 출력 한 칸은 바로 아래 층의 3칸에, 그 3칸은 다시 아래 층의 5칸에 의존합니다.
# 층을 하나 내려갈 때마다 양쪽으로 한 칸씩 넓어져서, 입력에서는 $r$칸이 됩니다(2차원에서는 $r \times r$).

# %%
ax = diagrams.receptive_field_diagram(CFG["depth"], kernel_size=3)
plt.show()

# %% [markdown]
# ## 3. 같은 답을 세 가지로 계산하기
#
# ### (a) 픽셀마다 한 번씩: 반복문
#
# 정의 그대로입니다. 한 픽셀에 대해 해 보면:

# %%
image = data.make_scenes(1, data.SceneConfig(size=CFG["timing_size"]), seed=1)[0]  # (1, 3, S, S)
padded = segmentation.pad_for_patches(image, p)  # (1, 3, S + p - 1, S + p - 1)
i, j = 10, 20
patch = padded[:, :, i:i + p, j:j + p]  # 픽셀 (10, 20) 을 가운데 둔 p×p 패치
with torch.no_grad():
    logits_ij = patch_model(patch)[0, :, 0, 0]  # (K,)
print("패딩한 이미지:", tuple(padded.shape), "| 패치:", tuple(patch.shape),
      "| 로짓:", logits_ij.numpy().round(4))

# %% [markdown]
# 이것을 $H \times W$번 반복하면 (a)입니다.
# {func}`sliding_window_predict(model, image, p, batch_size=1) <lib.segmentation.sliding_window_predict>`가
# 바로 이 반복을 합니다. 패치 하나를 잘라 모델을 한 번 부르고, 다음 픽셀로 넘어갑니다.
#
# ### (b) 모든 패치를 한 배치로
#
# 순전파(forward pass)를 $HW$번 따로 부르는 대신, 모든 패치를 쌓아 $(HW, 3, r, r)$ 배치 하나로 한 번에 넣을 수 있습니다.
# 파이썬 반복과 함수 호출의 부담은 사라지지만, **계산량은 그대로**입니다. 게다가 패치들은 서로 크게 겹치므로,
# 쌓은 배치는 원래 이미지보다 약 $r^2$배 큽니다.

# %%
n_pixels = CFG["timing_size"] ** 2
batch_bytes = n_pixels * 3 * p * p * 4
print(f"패치 배치: ({n_pixels}, 3, {p}, {p}) = {batch_bytes / 2**20:.1f} MiB, "
      f"원래 이미지의 {batch_bytes / (image.numel() * 4):.0f}배 (= p² = {p * p})")

# %% [markdown]
# ### (c) 한 번의 조밀한 순전파: 노트의 "그룹화"
#
# 스트라이드 1·패딩 없는 합성곱의 출력 $(i, j)$는 입력의 $(i, j)$에서 시작하는 $k \times k$ 창만 봅니다.
# 층을 쌓아도 마찬가지여서, 마지막 출력 $(i, j)$는 입력의 $\tilde{x}[:, i:i+r, j:j+r]$만 봅니다. 그런데 패치 크기가 수용 영역과 같은 $r$이고
# $\tilde{x}$가 사방을 $\lfloor r/2 \rfloor$만큼 채운 이미지이므로, 이 창은 **정확히 $P_{ij}$**입니다.
# 그러니 채운 이미지 전체 $(3, H + r - 1, W + r - 1)$에 모델을 한 번만 적용하면 $(K, H, W)$ 출력의 칸 $(i, j)$가
# 곧 $g(P_{ij})$입니다. 노트가 "서로 다른 위치의 포워드 패스를 하나의 네트워크로 **그룹화**"한다고 말한 것이 바로
# 이 방법입니다. 모든 출력 유닛이 같은 가중치(weight)를 공유하고(합성곱), 픽셀마다 소프트맥스를 적용합니다.
#
# 이웃한 두 픽셀의 패치는 $r \times (r-1)$만큼 겹칩니다. (a)와 (b)는 겹친 부분의 중간 계산을 패치마다 다시 하고,
# (c)는 한 번만 합니다. 세 방법이 같은 로짓을 내는지 확인합시다.

# %%
loop_logits = segmentation.sliding_window_predict(patch_model, image, p, batch_size=1,
                                                  progress=True)
batched_logits = segmentation.sliding_window_predict(patch_model, image, p)
dense_logits = segmentation.dense_predict(patch_model, image, p)
print("출력 모양:", tuple(dense_logits.shape))
print(f"최대 차이: (a)-(c) {(loop_logits - dense_logits).abs().max():.2e}, "
      f"(b)-(c) {(batched_logits - dense_logits).abs().max():.2e}")
assert torch.allclose(loop_logits, dense_logits, atol=1e-5)
assert torch.allclose(batched_logits, dense_logits, atol=1e-5)
assert torch.allclose(loop_logits[0, :, i, j], logits_ij, atol=1e-5)  # 손으로 자른 패치와도 같음

# %% [markdown]
# :::{admonition} 노트 바로잡기: "각 레이어가 입력 이미지와 동일한 차원을 가지며, 패딩과 풀링 없이"
# :class: warning
# 두 조건은 함께 성립할 수 없습니다. 패딩 없는 $3 \times 3$ 합성곱은 층마다 한 변을 2씩 줄이기 때문입니다. 길은 두 가지입니다.
#
# - **입력을 한 번만 채우기** (이 장의 방법): 입력의 사방을 $(r-1)/2$만큼 채우면 중간 특성 맵(feature map)은 입력보다
#   크고, 층마다 줄어 마지막 출력이 정확히 $H \times W$가 됩니다. 모든 출력이 픽셀마다의 분류와 **정확히** 같습니다.
# - **층마다 채우기**('same' 패딩): 층마다 사방을 1씩 채우면 모든 층이 입력과 같은 크기입니다(노트의 말). 하지만
#   가장자리 근처에서는 중간 층의 0이 "채운 이미지"가 아니라 "채운 특성 맵"에 들어가므로 결과가 다릅니다. 같은 것은
#   수용 영역 전체가 이미지 안에 들어가는 **안쪽** 픽셀, 곧 가장자리에서 $(r-1)/2$ 이상 떨어진 픽셀뿐입니다.
#
# 아래 코드는 같은 가중치로 두 방법을 계산해 이것을 확인합니다. 노트의 문장은 "층마다 채우기"를 말한 것으로 읽어야
# 하고, 그러면 가장자리에서는 픽셀마다의 분류와 같은 함수가 아닙니다.
# :::

# %%
same_padding = torch.nn.Sequential(*[  # 같은 가중치, 3×3 합성곱마다 사방 1 씩 채움
    torch.nn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, padding=m.kernel_size[0] // 2)
    if isinstance(m, torch.nn.Conv2d) else m for m in patch_model])
same_padding.load_state_dict(patch_model.state_dict())
with torch.no_grad():
    per_layer = same_padding(image)  # (1, K, S, S): 모든 층이 S×S
half = p // 2
inside = (..., slice(half, -half), slice(half, -half))
gap = (per_layer - dense_logits).abs().amax(1)[0]  # (S, S) 픽셀마다 가장 큰 차이
interior_gap = gap[half:-half, half:-half]
print(f"안쪽 {interior_gap.numel()}픽셀의 최대 차이 {interior_gap.max():.1e}, "
      f"가장자리 띠(폭 {half})의 최대 차이 {gap.max():.2f}")
assert torch.allclose(per_layer[inside], dense_logits[inside], atol=1e-5)  # 안쪽은 같고
assert gap.max() > 1e-3  # 가장자리는 다릅니다

# %% [markdown]
# ### 완전 연결 분류기도 합성곱이 된다
#
# 분류기가 합성곱이 아니라 **완전 연결 층**(fully connected layer)이라도 같은 이야기가 성립합니다. $r \times r$ 패치를
# 펼쳐 `Linear(3r² → h)`에 넣는 것은 $r \times r$ 커널의 합성곱을 한 위치에 적용하는 것과 같은 계산이기 때문입니다.
# 가중치의 모양만 $(h, 3r^2)$에서 $(h, 3, r, r)$로 바꾸면 되고, 그다음 `Linear(h → K)`는 $1 \times 1$ 합성곱이
# 됩니다. FCN 논문 3.1절의 "완전 연결 층을 합성곱으로 바꾸기"(convolutionalization)가 이것이고
# {cite}`long2015,sermanet2014`, 그렇게 바꾼 네트워크는 **어떤 크기의 이미지**에도 한 번에 적용됩니다
# ({func}`lib.segmentation.convolutionalize`).

# %%
torch.manual_seed(0)
mlp = segmentation.patch_mlp(3, num_classes, patch_size=p, hidden=32)  # 패치를 펼쳐 Linear 두 개
as_conv = segmentation.convolutionalize(mlp, 3, p)
print(as_conv)
mlp_logits = segmentation.sliding_window_predict(mlp, image, p)  # 패치마다 MLP
conv_logits = segmentation.dense_predict(as_conv, image, p)  # 합성곱으로 바꾼 MLP, 한 번에
print(f"최대 차이 {(mlp_logits - conv_logits).abs().max():.1e}")
assert torch.allclose(mlp_logits, conv_logits, atol=1e-5)

# %% [markdown]
# ## 4. 얼마나 빠른가: 곱셈-덧셈 세기와 측정
#
# ### 예측: 층마다의 중복 계산
#
# 합성곱 층 $l$의 곱셈-덧셈(multiply-accumulate, MAC) 수는 (출력 위치 수) × $C_{l-1} C_l k_l^2$입니다.
# 패치 하나를 넣으면 층 $l$의 출력은 $s_l \times s_l$, $s_l = r - \sum_{m \le l}(k_m - 1)$입니다. 따라서
#
# $$\begin{aligned}
# \text{MAC}_{\text{픽셀마다}} &= H W \sum_{l} s_l^2 \, C_{l-1} C_l k_l^2, \\
# \text{MAC}_{\text{조밀}} &= \sum_{l} (H + s_l - 1)(W + s_l - 1)\, C_{l-1} C_l k_l^2 .
# \end{aligned}$$
#
# (편향(bias)의 덧셈은 곱셈이 없으므로 세지 않습니다.) 층 $l$에서 픽셀마다의 방식은 조밀한 방식보다 $\frac{H W s_l^2}{(H + s_l - 1)(W + s_l - 1)} \approx s_l^2$배 많이
# 계산합니다. 출력이 큰 **앞쪽 층일수록 중복이 큽니다**. {func}`lib.segmentation.conv_cost`로 층마다 세어 봅니다.

# %%
size = CFG["timing_size"]
per_patch = segmentation.conv_cost(patch_model, (1, 3, p, p))
dense_cost = segmentation.conv_cost(patch_model, (1, 3, size + p - 1, size + p - 1))
rows = []
layers = zip(per_patch["layers"], dense_cost["layers"])
for k, ((_, patch_shape, patch_macs), (_, _, dense_macs)) in enumerate(layers, start=1):
    name = "1×1 분류기" if k == len(per_patch["layers"]) else f"3×3 합성곱 {k}"
    rows.append([name, f"{patch_shape[-1]}×{patch_shape[-1]}", size * size * patch_macs / 1e6,
                 dense_macs / 1e6, size * size * patch_macs / dense_macs])
predicted_speedup = size * size * per_patch["macs"] / dense_cost["macs"]
rows.append(["합계", "", size * size * per_patch["macs"] / 1e6, dense_cost["macs"] / 1e6,
             predicted_speedup])
columns = ["층", "패치의 출력 s_l", "픽셀마다 (백만 MAC)", "조밀 (백만 MAC)", "중복 배수"]
tables.show(tables.frame(rows, columns),
            caption=f"{size}×{size} 이미지, 패치 {p}×{p}: 층마다의 MAC")

# %% [markdown]
# 계산량만 보면 조밀한 방식이 위 표의 합계 행의 배수만큼 빨라야 합니다. 이제 이 컴퓨터에서 실제로 재어 봅니다.
# {func}`lib.timing.best_time`은 미리 한 번 실행한 뒤 몇 번 재어 가장 짧은 시간을 돌려줍니다. 한 번의 측정은 기계마다,
# 실행마다 달라지므로 아래 표는 "이 실행에서 잰 값"입니다. 여러 번 번갈아 잰 값은 `benchmarks/conv_segmentation.py`가
# 표로 찍고, 부록의 성능 표에 실려 있습니다.

# %%
ways = {  # 세 방법: 같은 이미지, 같은 모델
    "loop": lambda x: segmentation.sliding_window_predict(patch_model, x, p, batch_size=1),
    "batched": lambda x: segmentation.sliding_window_predict(patch_model, x, p),
    "dense": lambda x: segmentation.dense_predict(patch_model, x, p),
}
loop_time = timing.best_time(lambda: ways["loop"](image), repeat=1, warmup=0)
batched_time = timing.best_time(lambda: ways["batched"](image), repeat=2)
dense_time = timing.best_time(lambda: ways["dense"](image), repeat=5)
rows = [["(a) 픽셀마다 반복", loop_time, loop_time / dense_time, predicted_speedup],
        ["(b) 패치 한 배치", batched_time, batched_time / dense_time, predicted_speedup],
        ["(c) 조밀한 한 번", dense_time, 1.0, 1.0]]
tables.show(tables.frame(rows, ["방법", "시간 (초)", "(c) 대비 잰 배수", "MAC으로 예측한 배수"]),
            caption=f"{size}×{size} 이미지, 장치 {config.device()}: 이 실행에서 잰 값")

# %% [markdown]
# 잰 배수는 보통 MAC으로 예측한 배수와 다릅니다. 까닭은 두 가지입니다.
#
# - (a)는 모델을 $HW$번 부릅니다. 호출마다 파이썬과 PyTorch의 디스패치(dispatch) 부담이 층마다 붙고, $r \times r$ 같은
#   작은 입력으로는 CPU의 벡터 연산을 제대로 채우지 못합니다. 그래서 MAC 예측보다 훨씬 느려지곤 합니다.
# - (b)는 호출은 한 번이지만 $r^2$배로 불어난 배치를 메모리에 만들고 읽어야 합니다. 계산량은 (a)와 같습니다.
#
# 같은 측정을 크기별로 반복해 봅니다. 반복·배치 방식은 오래 걸리므로 작은 크기까지만 잽니다. 로그-로그 그래프에서
# 경사가 2이면 시간이 픽셀 수 $HW$에 비례한다는 뜻입니다. 그림 아래에 곡선마다 맞춘 직선의 경사를 찍습니다.

# %%
names = {"loop": "(a) 픽셀마다 반복", "batched": "(b) 패치 한 배치", "dense": "(c) 조밀한 한 번"}
sizes = {"loop": CFG["loop_sizes"], "batched": CFG["loop_sizes"], "dense": CFG["dense_sizes"]}
sweep = {}
for way, sides_ in sizes.items():
    repeat, warmup = (1, 0) if way == "loop" else (3, 1)  # 반복 방식은 느려서 한 번만 잽니다
    sweep[way] = [timing.best_time(lambda s=s: ways[way](torch.rand(1, 3, s, s)), repeat, warmup)
                  for s in sides_]
ax = viz.line_plot(None, {names[w]: (sizes[w], times) for w, times in sweep.items()},
                   "이미지 한 변 (픽셀)", "시간 (초)", logx=True, logy=True,
                   title=f"수용 영역 {p}인 패치 CNN의 예측 시간")
plt.show()


def loglog_slope(sides_, times):
    """로그-로그 그래프에서 최소제곱으로 맞춘 직선의 경사."""
    return np.polyfit(np.log(sides_), np.log(times), 1)[0]


print("맞춘 경사:", {names[w]: round(loglog_slope(sizes[w], t), 2) for w, t in sweep.items()})
slope_small = loglog_slope(sizes["dense"][:3], sweep["dense"][:3])
slope_large = loglog_slope(sizes["dense"][-3:], sweep["dense"][-3:])
print(f"(c) 의 경사: 작은 크기 {sizes['dense'][:3]} 에서 {slope_small:.2f}, "
      f"큰 크기 {sizes['dense'][-3:]} 에서 {slope_large:.2f}")

# %% [markdown]
# 반복과 배치 방식의 시간은 픽셀 수에 비례해 자랍니다(경사 2 안팎). 조밀한 방식은 작은 크기에서 경사가 2보다
# 작습니다. 계산이 적어 호출 부담이 시간의 큰 몫을 차지하는 구간이기 때문이고, 이미지가 커질수록 계산이 지배해
# 경사가 2에 다가갑니다(위에 찍은 두 경사를 비교해 보세요). 세 방법의 차이는 결국 **상수배**이고, 그 상수가
# 수십~수백 배입니다.

# %% [markdown]
# ## 5. 조밀한 방식으로 학습하기
#
# 조밀한 순전파가 픽셀마다의 분류와 **같은 함수**이므로, 학습도 조밀하게 할 수 있습니다. 채운 이미지를 넣어
# $(K, H, W)$ 로짓을 얻고, 픽셀마다의 교차 엔트로피를 평균합니다.
#
# $$\mathcal{L} = -\frac{1}{HW} \sum_{i,j} \log \mathrm{softmax}(s_{ij})_{y_{ij}} .$$
#
# ### 패치 단위 학습은 손실을 표본 추출하는 것
#
# 고전적인 방법은 픽셀(패치)을 무작위로 골라 분류기를 학습했습니다. FCN 논문 3.4절은 이것이 조밀한 손실의 **일부
# 항만 고르는 것**(loss sampling)과 같다고 지적합니다 {cite}`long2015`. 패치 $B$개의 평균 손실의 기울기(gradient)는, 이미지
# 전체에 한 번 순전파한 뒤 그 $B$개 픽셀의 손실만 평균한 것의 기울기와 똑같습니다. 직접 확인해 봅니다.

# %%
torch.manual_seed(0)
sample_model = segmentation.PatchCNN(3, num_classes, width=8, depth=3)
r = segmentation.receptive_field(sample_model)
scene, scene_mask = images[:1], masks[:1]
chosen = torch.randperm(scene_mask.numel())[:64]  # 무작위로 고른 픽셀 64 개 (행 우선 번호)
rows_, cols_ = chosen // scene_mask.shape[-1], chosen % scene_mask.shape[-1]

windows = segmentation.pad_for_patches(scene, r).unfold(2, r, 1).unfold(3, r, 1)  # (1,3,H,W,r,r)
patches = windows[0, :, rows_, cols_].permute(1, 0, 2, 3)  # (64, 3, r, r): 고른 픽셀의 패치
patch_loss = F.cross_entropy(sample_model(patches)[:, :, 0, 0], scene_mask[0, rows_, cols_])
grads_patch = torch.autograd.grad(patch_loss, list(sample_model.parameters()))

dense_logits_all = sample_model(segmentation.pad_for_patches(scene, r))  # (1, K, H, W): 한 번에
pixel_loss = F.cross_entropy(dense_logits_all, scene_mask, reduction="none")  # (1, H, W)
sampled_loss = pixel_loss[0, rows_, cols_].mean()  # 고른 픽셀의 손실만 평균
grads_dense = torch.autograd.grad(sampled_loss, list(sample_model.parameters()))
gap = max((a - b).abs().max().item() for a, b in zip(grads_patch, grads_dense))
print(f"손실: 패치 {patch_loss.item():.6f}, 조밀 {sampled_loss.item():.6f} | "
      f"기울기의 최대 차이 {gap:.1e}")
assert torch.isclose(patch_loss, sampled_loss, atol=1e-6) and gap < 1e-5

# %% [markdown]
# 그러니 무작위 패치로 학습하는 것은, 조밀한 손실에서 픽셀 일부만 골라 쓰는 것입니다. Long 외는 모든 픽셀을 쓰는
# 조밀한 학습이 같은 시간에 더 잘 수렴한다는 것을 보였고, 이후의 세그멘테이션 모델은 모두 조밀하게 학습합니다.
# 이 책의 학습 반복문 {func}`lib.train.fit`도 그렇습니다.
#
# ### 무엇을 배우고 무엇을 못 배우는가: 수용 영역 대조 실험
#
# 이 장의 패치 CNN은 수용 영역이 $r = 13$입니다. 그런데 합성 장면의 도형은 지름이 대략 장면 한 변의 1/4~1/2
# (48픽셀 장면이면 12~24픽셀, 삼각형은 더 큼)입니다. 원·사각형·삼각형의 차이는 **윤곽 전체의 모양**에 있으므로,
# 도형 안쪽의 픽셀을 맡은 $13 \times 13$ 창에는 윤곽이 아예 없고 가장자리의 창에도 짧은 조각만 들어 있습니다.
# 그렇다면 이 모델은 도형이 **어디** 있는지는 찾아도, **무슨** 도형인지는 잘 가리지 못할 것입니다.
#
# 이 설명을 시험하려면 대조군이 필요합니다. 층만 더 쌓아 수용 영역이 도형을 덮게 한 패치 CNN
# (3×3 합성곱 16층, $r = 33$)을 같은 데이터·같은 설정(Adam, 코사인 학습률(learning rate) 일정 {cite}`loshchilov2017`)으로 학습해,
# 기준선과 함께 시드 세 개의 평균 ± 표준편차로 비교합니다. 설명이 맞다면 깊은 쪽이 특히 **도형 클래스의 IoU**에서
# 크게 나아야 합니다.

# %%
builders = {
    f"패치 CNN (r = {1 + 2 * CFG['depth']})":
        lambda: segmentation.PatchCNN(3, num_classes, width=CFG["width"], depth=CFG["depth"]),
    f"깊은 패치 CNN (r = {1 + 2 * CFG['deep_depth']})":
        lambda: segmentation.PatchCNN(3, num_classes, width=CFG["width"], depth=CFG["deep_depth"]),
}
results, trained, per_class = [], {}, {}
for name, build in builders.items():
    field = segmentation.receptive_field(build())
    train_in = segmentation.pad_for_patches(train_images, field)  # (N, 3, S + r - 1, S + r - 1)
    val_in = segmentation.pad_for_patches(val_images, field)
    results.append(experiments.compare(
        {name: build}, (train_in, train_masks), (val_in, val_masks), num_classes,
        seeds=CFG["seeds"], trained=trained, epochs=CFG["epochs"], batch_size=16, lr=CFG["lr"],
        schedule="cosine", val=(val_in, val_masks)))
    per_class[name] = torch.stack([
        metrics.iou_per_class(train.predict(trained[(name, s)][0], val_in), val_masks, num_classes)
        for s in CFG["seeds"]])  # (시드, K)
results = pd.concat(results, ignore_index=True)
caption = f"검증 장면 {CFG['val_scenes']}개, 시드 {len(CFG['seeds'])}개의 평균 ± 표준편차"
tables.show(experiments.summarize(results, extra_rows=[baseline]), caption=caption)

# %% [markdown]
# 평균만 보면 차이가 크지 않을 수 있습니다. 배경이 픽셀의 대부분이고, 배경과 도형을 가르는 일은 색과 질감만으로도
# 되기 때문입니다. 설명이 예측하는 차이는 **클래스별** IoU에서 보여야 합니다.

# %%
class_rows = [[name] + [tables.mean_sd(iou[:, c].numpy()) for c in range(num_classes)]
              for name, iou in per_class.items()]
tables.show(tables.frame(class_rows, ["모델", *data.CLASS_NAMES]),
            caption="클래스별 IoU (시드 평균 ± 표준편차)")
shape_iou = {name: iou[:, 1:].mean().item() for name, iou in per_class.items()}
print("도형 세 클래스의 평균 IoU:", {name: round(v, 3) for name, v in shape_iou.items()})

# %% [markdown]
# 학습 곡선(시드 0의 에폭(epoch)마다 검증 mIoU)도 봅니다. 더 학습하면 나아질 모델인지, 이미 평평해졌는지를 알려 줍니다.

# %%
curves = {name: trained[(name, CFG["seeds"][0])][1].val_miou for name in builders}
curves["기준선"] = [baseline["miou"]] * CFG["epochs"]
ax = viz.line_plot(range(1, CFG["epochs"] + 1), curves, "에폭", "검증 mIoU",
                   title=f"시드 {CFG['seeds'][0]}의 학습 곡선", marker=None)
plt.show()

# %%
means = experiments.means(results)
shallow_name, deep_name = builders
if not config.is_fast():  # 결론은 full 프로필의 평균으로 확인합니다
    for name in builders:  # 두 모델 모두 기준선보다 모든 지표에서 낫습니다
        assert all(means.loc[name, m] > baseline[m] for m in ("miou", "accuracy", "band")), name

# %% [markdown]
# 예측을 나란히 봅니다(시드 0). 열은 정답, 얕은 모델, 깊은 모델입니다.

# %%
shown = slice(0, 4)
predictions = {}
for name in builders:
    model = trained[(name, CFG["seeds"][0])][0]
    field = segmentation.receptive_field(model)
    predictions[name] = train.predict(model, segmentation.pad_for_patches(val_images, field))
short = {shallow_name: f"r = {1 + 2 * CFG['depth']}", deep_name: f"r = {1 + 2 * CFG['deep_depth']}"}
fig = viz.segmentation_grid(val_images[shown], {"정답": val_masks[shown]} |
                            {short[n]: pred[shown] for n, pred in predictions.items()}, size=1.8)
plt.show()

# %% [markdown]
# ### 어디서 틀리는가: 혼동 행렬
#
# 혼동 행렬(confusion matrix)의 행은 정답 클래스, 열은 예측 클래스입니다. 행마다 비율로 바꾸면 "정답이 원인 픽셀을
# 무엇으로 예측했는가"가 한 줄에 보입니다. 두 모델을 나란히 그립니다(시드 0).

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, (name, pred) in zip(axes, predictions.items()):
    matrix = metrics.confusion_matrix(pred, val_masks, num_classes)
    viz.confusion_matrix_figure(matrix, data.CLASS_NAMES, ax=ax, title=short[name])
fig.tight_layout()
plt.show()
shape_pixels = val_masks > 0
shape_counts = torch.bincount(val_masks[shape_pixels], minlength=num_classes)[1:]
majority_shape = (shape_counts.max() / shape_counts.sum()).item()  # 늘 가장 흔한 도형이라고 답하면
print(f"도형 픽셀에 늘 가장 흔한 도형 '{data.CLASS_NAMES[1 + shape_counts.argmax()]}'이라고 답하면 "
      f"맞는 비율 {majority_shape:.3f}")
found, right = {}, {}
for name, pred in predictions.items():
    found[name] = (pred[shape_pixels] > 0).float().mean().item()
    right[name] = (pred[shape_pixels] == val_masks[shape_pixels]).float().mean().item()
    print(f"{short[name]}: 도형 픽셀 중 '도형'으로 찾은 비율 {found[name]:.3f}, "
          f"맞는 도형으로 분류한 비율 {right[name]:.3f}")
if not config.is_fast():
    assert all(f > 0.9 for f in found.values())  # "어디": 도형 픽셀의 90% 넘게 찾음
    assert all(r < majority_shape + 0.05 for r in right.values())  # "무엇": 최빈 도형 답과 비슷

# %% [markdown]
# 두 모델 모두 도형이 **어디 있는지**(배경과 도형의 구분)는 잘 찾습니다. 배경은 회색조이고 도형은 진한 색이어서,
# 그것은 작은 창 안의 색과 질감만으로 알 수 있기 때문입니다. 그런데 **무슨 도형인지**는 두 모델 모두 거의 가리지
# 못합니다. 맞는 도형으로 분류한 비율이 "도형이면 늘 가장 흔한 도형이라고 답하기"와 비슷하고, 혼동 행렬에서 원·사각형·
# 삼각형의 세 행이 거의 같은 모양입니다. 얕은 모델은 도형 픽셀 대부분을 사각형이라 답하고, 깊은 모델은 원과 사각형으로
# 나누어 답할 뿐 정답에 따라 답을 바꾸지 못합니다. 삼각형은 어느 쪽도 거의 답하지 않습니다.
#
# 그러니 이 대조 실험은 장의 설명을 **그대로 지지하지는 않습니다**. 수용 영역이 도형보다 작으면 모양을 볼 수 없다는
# 것은 사실이지만(그래서 얕은 모델은 답을 한 클래스로 모읍니다), 수용 영역을 도형 크기로 넓혀도 이만한 데이터와
# 학습으로는 해상도를 유지하는 16층 네트워크가 모양을 배우지 못했습니다. 깊은 모델의 mIoU가 조금 높은 것은 주로
# 원을 더 자주 답한 덕분입니다. 수용 영역은 모양을 가리는 데 **필요**하지만 **충분**하지 않습니다. 같은 종류의
# 합성 장면에서 다운샘플링을 쓰는 3장의 FCN과 4장의 U-Net은 도형을 가립니다. 해상도를 줄이며 넓게 보는 구조가
# 같은 계산으로 더 많은 것을 배운다는 뜻이고, 다음 절은 그 계산의 크기를 셉니다.

# %% [markdown]
# ## 6. 그래도 비싸다: 해상도를 유지하는 네트워크의 비용
#
# 조밀한 방식은 중복을 없앴지만, 모든 층이 **입력과 같은 해상도**로 계산한다는 점은 그대로입니다. 노트의 말대로
# 복잡한 내부 표현을 배우려면 층과 채널이 많아야 하고, 위에서 보았듯 수용 영역도 물체 크기만큼 넓어야 합니다.
# 예를 들어 3×3 합성곱만으로 수용 영역 67을 얻으려면 33층이 필요합니다.
#
# 비교를 위해, 같은 수용 영역을 **다운샘플링**으로 얻는 네트워크를 생각합니다. 3×3 합성곱 두 번씩의 단계 네 개 사이에
# 2×2 최대 풀링을 세 번 넣고, 채널은 단계마다 두 배(64에서 512까지)로 늘립니다({func}`lib.segmentation.downsampling_cnn`).
# 풀링할 때마다 한 칸이 입력에서 두 배 넓은 간격을 대표하므로, 같은 3×3 커널이 더 넓은 범위를 봅니다. 수용 영역
# 공식에 출력 보폭(output stride) $j_l = \prod_{m<l} \mathrm{stride}_m$이 곱해지기 때문입니다: $r = 1 + \sum_l (k_l - 1)\, d_l\, j_l$.
# 두 네트워크의 계산량과 활성값 메모리를 이미지 크기별로 셉니다. 실제로 계산하지 않도록 `meta` 장치(모양만 추적)에서
# 셉니다.

# %%
with torch.device("meta"):
    pooled_net = segmentation.downsampling_cnn(stages=4, width=64)
    full_res_net = segmentation.PatchCNN(3, num_classes, width=64,
                                         depth=(segmentation.receptive_field(pooled_net) - 1) // 2)
print("수용 영역: 해상도 유지", segmentation.receptive_field(full_res_net),
      "| 다운샘플링", segmentation.receptive_field(pooled_net))

sides = [64, 128, 256, 512, 1024]
full_res_name = f"해상도 유지 (3×3 합성곱 {len(full_res_net) // 2}층, 64채널)"
pooled_name = "다운샘플링 (2×2 풀링 3번, 채널 64~512)"
border = segmentation.receptive_field(full_res_net) - 1  # 해상도 유지 쪽은 채운 이미지를 받음
costs = {full_res_name: [segmentation.conv_cost(full_res_net, (1, 3, s + border, s + border))
                         for s in sides],
         pooled_name: [segmentation.conv_cost(pooled_net, (1, 3, s, s)) for s in sides]}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
side_label = "이미지 한 변 (픽셀)"
viz.line_plot(sides, {n: [c["macs"] / 1e9 for c in cs] for n, cs in costs.items()}, side_label,
              "순전파 곱셈-덧셈 (십억)", logx=True, logy=True, ax=axes[0])
viz.line_plot(sides, {n: [c["activations"] * 4 / 2**20 for c in cs] for n, cs in costs.items()},
              side_label, "활성값 메모리 (MiB, float32)", logx=True, logy=True, ax=axes[1])
plt.show()
ratio = costs[full_res_name][2]["macs"] / costs[pooled_name][2]["macs"]
memory_ratio = costs[full_res_name][2]["activations"] / costs[pooled_name][2]["activations"]
print(f"256×256 에서 해상도 유지 네트워크는 다운샘플링 네트워크의 {ratio:.1f}배 계산, "
      f"{memory_ratio:.1f}배 활성값")
assert ratio > 3 and memory_ratio > 3

# %% [markdown]
# 두 곡선 모두 픽셀 수에 비례해 자라지만, 해상도를 유지하는 쪽은 처음부터 몇 배 비쌉니다. 학습할 때는 역전파를
# 위해 이 활성값을 모두 저장해야 하므로, 1024×1024 한 장에 기가바이트 단위의 메모리가 듭니다.
#
# 다운샘플링하면 싸고 넓게 볼 수 있지만, 출력도 $1/8$ 해상도가 됩니다. 세그멘테이션은 **모든 픽셀**에 답해야
# 하므로, 줄인 해상도를 다시 키우는 **업샘플링**(up-sampling)이 필요합니다. 이것이 2장의 주제입니다.
#
# ## 정리
#
# - 세그멘테이션은 픽셀마다 클래스를 고르는 문제(시맨틱)이고, 물체마다 번호를 붙이면 인스턴스, 둘을 합치면
#   파놉틱 세그멘테이션입니다.
# - 가장 단순한 해법은 픽셀마다 패치를 분류하는 것입니다. 패딩·풀링 없는 스트라이드 1 CNN은 이미지 전체에 한 번
#   적용해도 픽셀마다의 분류와 **정확히 같은** 로짓을 냅니다(노트의 "그룹화"). 겹치는 패치의 중간 계산을 나눠 쓰기
#   때문이며, 층 $l$에서 약 $s_l^2$배의 중복이 사라집니다. 완전 연결 분류기도 합성곱으로 바꾸면 같은 일이 됩니다.
# - 층마다 'same' 패딩을 하면 모든 층이 입력 크기가 되지만, 픽셀마다의 분류와 같은 것은 안쪽 픽셀뿐입니다.
# - 무작위 패치로 학습하는 것은 조밀한 손실의 일부 항만 쓰는 것입니다.
# - 패치 CNN은 도형이 "어디" 있는지는 찾아도 "무엇"인지는 가리지 못했습니다. 수용 영역을 도형 크기로 넓힌 대조군도
#   마찬가지였으므로, 수용 영역은 필요하지만 충분하지 않습니다. 해상도를 유지한 채 수용 영역을 넓히려면 층이 아주
#   많아야 하고 비쌉니다. → 다운샘플링으로 넓게 보고, 업샘플링으로 해상도를 되찾는 구조(2~4장).

# %% [markdown]
# ## 연습문제
#
# **1. 팽창 합성곱(dilated convolution).** 팽창 $d$인 $3 \times 3$ 합성곱은 커널 칸 사이를 $d - 1$칸씩 띄워서
# $1 + 2d$칸을 봅니다. 팽창이 1, 2, 4, 8인 $3 \times 3$ 합성곱 네 층의 수용 영역은 얼마일까요?
# 같은 수용 영역을 팽창 없는 $3 \times 3$ 합성곱으로 얻으려면 몇 층이 필요할까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 층마다 $(k - 1)\,d = 2d$만큼 넓어지므로 $r = 1 + 2(1 + 2 + 4 + 8) = 31$입니다. 팽창 없이 같은 $r$을 얻으려면
# $(31 - 1)/2 = 15$층이 필요합니다. 아래 코드가 확인합니다. 팽창 합성곱은 해상도를 줄이지 않고 수용 영역을
# 지수적으로 넓히는 또 하나의 방법입니다 {cite}`yu2016,chen2018deeplab`. `PatchCNN(dilations=...)`도 같은 계산량으로
# 수용 영역만 넓힙니다.
# :::

# %% tags=["hide-input"]
dilated = segmentation.PatchCNN(3, num_classes, width=4, dilations=(1, 2, 4, 8))
plain = segmentation.PatchCNN(3, num_classes, width=4, depth=15)
print("팽창 1, 2, 4, 8:", segmentation.receptive_field(dilated), "| 팽창 없는 15층:",
      segmentation.receptive_field(plain))
assert segmentation.receptive_field(dilated) == segmentation.receptive_field(plain) == 31

# %% [markdown]
# **2. 반복 방식의 비용 예측.** 3절의 패치 CNN으로 $128 \times 128$ 이미지를 (a) 방식으로 처리하면 곱셈-덧셈이 몇 번
# 필요할까요? 조밀한 방식 (c)와 비교하면 몇 배일까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 픽셀마다의 비용은 이미지 크기와 무관하게 `per_patch["macs"]`이므로, 총량은 $128^2 \times$ 그 값입니다. 조밀한
# 방식은 $(128 + r - 1)^2$ 크기의 채운 이미지에 한 번 적용하는 비용입니다. 아래 코드가 셉니다. 배수는 4절의 표의
# 합계 행과 거의 같습니다(이미지가 클수록 가장자리 몫이 줄어 조금 커집니다).
# :::

# %% tags=["hide-input"]
loop_macs = per_patch["macs"] * 128**2
dense_macs_128 = segmentation.conv_cost(patch_model, (1, 3, 128 + p - 1, 128 + p - 1))["macs"]
print(f"(a) {loop_macs:.3g} MAC, (c) {dense_macs_128:.3g} MAC, "
      f"배수 {loop_macs / dense_macs_128:.1f}")
assert loop_macs / dense_macs_128 > predicted_speedup  # 가장자리의 몫이 줄어 배수가 큼

# %% [markdown]
# **3. 배치 정규화(batch normalization).** `PatchCNN`의 합성곱 뒤에 `nn.BatchNorm2d`를 넣고 **학습 모드**
# (`model.train()`)에서 (a)와 (c)를 비교하면 결과가 달라집니다. 왜일까요? 평가 모드(`model.eval()`)에서는 어떨까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 학습 모드의 배치 정규화 {cite}`ioffe2015`는 **현재 배치의 평균과 분산**으로 정규화합니다. (b)에서 첫 배치 정규화가
# 보는 값은 패치 64개의 $3 \times 3$ 특성 맵(겹친 위치는 여러 번, 가장자리 위치는 적게 셈)이고, (c)에서는 채운 이미지
# 한 장의 $10 \times 10$ 특성 맵이라서 통계가 달라지고, 그래서 출력이 달라집니다. ((a)처럼 패치 하나씩이면 마지막
# 층의 값이 채널마다 하나뿐이라 학습 모드의 배치 정규화가 아예 계산되지 않습니다.) 평가 모드에서는 저장된 이동
# 평균을 쓰므로 픽셀마다 같은 아핀 변환이 되어 다시 같아집니다. "같은 함수"라는 논증은 각 층이 **위치마다
# 독립인 국소 연산**일 때만 성립합니다.
# :::

# %% tags=["hide-input"]
torch.manual_seed(0)
with_bn = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.BatchNorm2d(8), torch.nn.ReLU(),
                              torch.nn.Conv2d(8, num_classes, 3))  # 수용 영역 5
small_image = torch.rand(1, 3, 8, 8)
gaps = {}
for mode in ("train", "eval"):
    with_bn.train(mode == "train")
    by_patches = segmentation.sliding_window_predict(with_bn, small_image, 5)  # (b): 패치 64 개
    by_image = segmentation.dense_predict(with_bn, small_image, 5)  # (c): 채운 이미지 한 장
    gaps[mode] = (by_patches - by_image).abs().max().item()
print(f"학습 모드의 최대 차이 {gaps['train']:.3f}, 평가 모드의 최대 차이 {gaps['eval']:.1e}")
assert gaps["train"] > 1e-3 and gaps["eval"] < 1e-5

# %% [markdown]
# **4. 가장자리 처리.** `torch.nn.functional.pad(image, (h, h, h, h), mode="reflect")`로 채운 이미지에 모델을
# 적용하면 0으로 채울 때와 어느 픽셀의 출력이 달라질까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 가장자리에서 $\lfloor r/2 \rfloor$픽셀 이내, 곧 패치가 채운 영역에 걸치는 픽셀만 달라집니다. 안쪽 픽셀의 패치는
# 채운 값을 하나도 포함하지 않기 때문입니다. 3절의 'same' 패딩과 같은 구조의 답입니다.
# :::

# %% tags=["hide-input"]
with torch.no_grad():  # 이 셀은 CPU 에서: 반사로 채운 이미지에 모델을 직접 적용
    reflect = patch_model.cpu()(F.pad(image, (half, half, half, half), mode="reflect"))
changed = (reflect - dense_logits).abs().amax(1)[0] > 1e-6  # (H, W)
print(f"달라진 픽셀 {changed.sum().item()}개, 모두 가장자리 띠(폭 {half}) 안:",
      not changed[half:-half, half:-half].any().item())
assert changed.any() and not changed[half:-half, half:-half].any()
