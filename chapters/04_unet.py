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
# # 4장. U-Net
#
# [3장](03_fcn.ipynb)의 FCN은 입력을 32배까지 줄였다가 전치 합성곱(transposed convolution)으로 키웠습니다.
# U-Net {cite}`ronneberger2015`은 같은 "줄였다 키우기"를 **대칭인 U 자**로 짜고, 줄이는 길의 특성 맵(feature map)을
# 키우는 길의 같은 해상도 단계로 넘겨 **합칩니다**. 노트가 따라가는 교재 {cite}`bishop2024`의 10.5절도 같은 순서로
# 설명합니다. 이 장에서는
#
# 1. 노트가 말하는 "위치 정보 손실"이 정확히 무엇이고, FCN의 스킵과 U-Net의 스킵이 어떻게 다른지 정리합니다.
# 2. U 모양을 그림으로 그리고, 단계마다 텐서 모양을 출력해 수축 경로(contracting path)·확장 경로(expansive path)·
#    스킵을 따라갑니다.
# 3. 마지막 1×1 합성곱이 픽셀마다의 행렬 곱이라는 것을 확인합니다.
# 4. 스킵을 **이어 붙이기**(concatenation), **더하기**, **없음**으로 바꾼 세 U-Net을 시드 세 개로 학습해 비교하고, FCN-8s와의
#    차이에서 무엇이 스킵 덕분이고 무엇이 출력 해상도 덕분인지 잽니다.
# 5. 픽셀별 교차 엔트로피 옆에 Dice 손실을 식으로 쓰고, 구현을 직접 센 값과 맞춘 뒤 두 손실로 학습해 봅니다.
# 6. 원 논문이 한 일과 이 책이 한 일을 표로 비교하고, 논문의 **경계 가중치 지도**를 구현해 붙어 있는 물체로 잽니다.
# 7. 쓰는 사람이 실제로 만나는 문제(0/255나 색으로 저장된 마스크, 배치 1, 홀수 크기)와, 인터넷이 있을 때 쓸 수
#    있는 실제 데이터셋(Oxford-IIIT Pet)을 다룹니다.
#
# 노트에서 바로잡을 곳은 **노트 바로잡기** 상자로 고쳐 씁니다.

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
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from lib import config, data, diagrams, experiments, losses, metrics, models, tables, train, viz

viz.setup()
config.seed_everything(0)
print(config.describe())

# %% [markdown]
# 이 장의 크기 설정은 모두 아래 사전 하나에 있습니다. {func}`config.pick(fast 값, full 값) <lib.config.pick>`은
# 환경 변수 `BOOK_FAST=1`이면 앞의 값을, 아니면 뒤의 값을 고릅니다. 이 페이지의 결과는 full 프로필로 실행한 것입니다.

# %%
CFG = dict(
    scene_size=48,  # 합성 장면 한 변 (fast, full 같음): U-Net 이 2**depth = 8 로 나누어떨어지게
    n_train=config.pick(96, 768),  # 학습 장면 수
    n_val=config.pick(32, 96),  # 검증 장면 수
    epochs=config.pick(2, 14),  # 학습 에폭 수 (코사인 학습률 일정)
    batch_size=16,  # 미니배치 크기
    lr=3e-3,  # Adam 학습률의 시작 값
    seeds=(0, 1, 2),  # 비교 실험의 시드 (결론은 full 프로필의 평균으로 확인)
    base_channels=8,  # U-Net 첫 단계의 채널 수 B (단계 k 는 B·2**k)
    depth=3,  # U-Net 이 해상도를 절반으로 줄이는 횟수 (48 → 6)
    fcn_widths=(8, 16, 24, 32, 48, 64),  # 비교할 FCN-8s 의 인코더 채널 수 (3장과 같음)
    ceiling_steps=config.pick(40, 300),  # 출력 보폭 8 의 상한을 구하는 최적화 스텝 수
    touch_train=config.pick(64, 384),  # 붙은 쌍 장면 수 (학습)
    touch_epochs=config.pick(2, 12),  # 붙은 쌍 장면의 학습 에폭 수
    w0=10.0,  # 경계 가중치의 세기 (원 논문의 값)
    sigma=2.0,  # 경계 가중치가 퍼지는 폭 (픽셀; 원 논문은 큰 세포에 약 5)
    small_epochs=4,  # 7절의 짧은 학습 (0/255 마스크) 에폭 수
    pets_root="data",  # Oxford-IIIT Pet 을 둘 (또는 내려받을) 폴더
    pets_download=False,  # True 면 없을 때 내려받습니다 (약 800 MB, 인터넷 필요)
    pets_size=config.pick(64, 128),  # Pet 사진을 맞출 정사각형 한 변
    pets_train=config.pick(64, 2000),  # Pet 학습 사진 수 (trainval 앞에서부터)
    pets_epochs=config.pick(1, 10),  # Pet 학습 에폭 수
)
CFG

# %% [markdown]
# ## 1. 노트가 말하는 "위치 정보 손실"
#
# 노트는 "위 방법들엔 위치 정보(spatial information)가 손실된다는 심각한 문제가 있다"고 말합니다. 무엇이 어디서
# 사라지는지 정확히 말해 봅니다.
#
# - **줄이는 동안 "어디"가 흐려집니다.** 출력 보폭(output stride) $s$의 특성 맵에서 값 하나는 입력의 $s\times s$
#   블록 하나를 대표합니다. 깊은 층의 특징은 "이 근처에 원이 있다"(**무엇**)는 잘 알지만, 블록 **안의 어디**에
#   경계가 지나가는지는 채널 값 속에 희미하게만 남습니다. 48×48 입력을 8배 줄이면 격자가 6×6뿐입니다.
# - **키우는 것만으로는 되살아나지 않습니다.** 전치 합성곱이든 보간(interpolation)이든, 거친 격자에서 없는 정보를 만들어 낼 수는
#   없습니다. 3장의 FCN-32s가 경계를 흐린 까닭입니다.
# - **되살리는 방법은 고해상도 특징을 다시 가져오는 것**입니다. 얕은 층은 "무엇"은 잘 모르지만 "어디"는 픽셀
#   단위로 압니다. 스킵 연결(skip connection)은 그 정보를 키우는 길로 넘겨줍니다.
#
# :::{admonition} 노트 바로잡기: "위 방법들엔 심각힌 문제가 있는데 그건 바로 위치 정보(Spatial Information)가 손실된다는 점"
# :class: warning
# 3장의 FCN-16s·8s도 이미 스킵으로 위치 정보를 일부 되살립니다. 문제는 스킵이 **없다**는 것이 아니라 스킵이
# **무엇**을, **어떻게** 넘기느냐입니다 {cite}`bishop2024`.
#
# | | FCN-8s의 스킵 | U-Net의 스킵 |
# |---|---|---|
# | 넘기는 것 | 1×1 합성곱으로 만든 **클래스 점수**(score) $K$개 | **특성 맵 전체** (채널 $C$개) |
# | 합치는 방법 | **더하기** (summation) | 채널 방향 **이어 붙이기** |
# | 가장 고운 해상도 | 출력 보폭 8 | 출력 보폭 1 (입력 해상도) |
# | 합친 뒤 | 곧바로 업샘플링(up-sampling) (선형) | 3×3 합성곱 두 번 (비선형) |
#
# 더하기는 두 텐서의 채널 수가 같아야 하고, 합친 뒤에는 어느 쪽에서 온 값인지 구분할 수 없습니다. 이어 붙이기는 두
# 특성 맵을 나란히 두고 다음 합성곱이 둘을 **어떻게 섞을지 학습**하게 합니다. 다만 이것은 설계의 논리일 뿐이고,
# 실제로 얼마나 차이가 나는지는 4절에서 잽니다.
# :::
#
# 두 방법의 모양 차이를 직접 봅니다.

# %% tags=["nbval-check-output"]
deep = torch.rand(1, 16, 32, 32)  # 아래 단계에서 키워 올라온 특성 맵
shallow = torch.rand(1, 16, 32, 32)  # 수축 경로의 같은 해상도 특성 맵 (스킵)
summed = models.merge_skip(deep, shallow, "add")  # (1, 16, 32, 32): 어느 쪽 값인지 구분이 사라짐
stacked = models.merge_skip(deep, shallow, "concat")  # (1, 32, 32, 32): 둘 다 그대로 남음
print("더하기      :", tuple(summed.shape))
print("이어 붙이기 :", tuple(stacked.shape))
assert torch.equal(stacked[:, :16], shallow) and torch.equal(stacked[:, 16:], deep)
assert torch.equal(summed, deep + shallow)

# %% [markdown]
# ## 2. U 모양
#
# 노트의 설명대로 U-Net은 대칭입니다.
#
# - **수축 경로**(contracting path, 왼쪽 절반): 단계마다 해상도를 절반으로 줄이고 채널을 두 배로 늘립니다. 이
#   책의 부품은 3장과 같습니다: 3×3 합성곱 두 번(`ConvBlock`), 2×2 스트라이드(stride) 2 합성곱으로 줄이기(`Down`).
# - **확장 경로**(expansive path, 오른쪽 절반): 단계마다 2×2 업-합성곱(up-convolution, 커널 2·스트라이드 2의 전치
#   합성곱)으로 해상도를 두 배로 키우고 채널을 $2C$에서 $C$로 줄인 뒤, 수축 경로의 **같은 해상도** 특성 맵(채널
#   $C$)을 이어 붙여 $2C$ 채널을 만들고, 3×3 합성곱 두 번으로 다시 $C$ 채널로 줄입니다({class}`lib.models.Up`).
#   커널 2가 스트라이드 2로 나누어떨어지므로 3장의 체커보드 아티팩트(checkerboard artifact) 원인(고르지 않은 겹침)이
#   없습니다.
# - **출력층**: 1×1 합성곱이 픽셀마다 채널을 클래스 점수(score)로 바꿉니다.
#
# 단계 $k$의 채널은 $B\cdot 2^k$, 해상도는 $H/2^k$입니다 ($B$ = `base_channels`). 이 장의 설정($B=8$, 깊이 3,
# 48×48 입력)을 {func}`lib.diagrams.unet_diagram`으로 그리면 다음과 같습니다. 가로 점선이 스킵이고, 빗금 친 상자가
# 복사해 온 스킵, 흰 상자가 업-합성곱의 출력입니다.

# %%
num_classes = len(data.CLASS_NAMES)
ax = diagrams.unet_diagram(CFG["depth"], CFG["base_channels"], CFG["scene_size"], num_classes)
plt.show()

# %% [markdown]
# {class}`lib.models.UNet`을 만들고, 각 부품에 forward hook을 걸어 단계마다 들어가고 나오는 모양을 표로 봅니다.
# 확장 경로의 합성곱 블록(`Up.conv`)에 들어가는 채널이 업-합성곱 출력의 **두 배**인 것이 이어 붙이기의 흔적입니다.

# %% tags=["nbval-check-output"]
unet = models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"]).eval()
shape_rows = []


def record(name: str):
    """부품 이름과 입력·출력 모양을 표의 한 행으로 남기는 forward hook 을 만듭니다."""
    def hook(module, inputs, output):
        shapes = ["×".join(map(str, t.shape[1:])) for t in (inputs[0], output)]
        shape_rows.append([name, *shapes])
    return hook


parts = [("stem (ConvBlock)", unet.stem)]
parts += [(f"down{k + 1} (Down)", down) for k, down in enumerate(unet.downs)]
for k, up in enumerate(unet.ups):
    parts += [(f"up{k + 1}.up (업-합성곱)", up.up), (f"up{k + 1}.conv (이어 붙인 뒤)", up.conv)]
parts += [("head (1×1 합성곱)", unet.head)]
handles = [module.register_forward_hook(record(name)) for name, module in parts]
with torch.no_grad():
    out = unet(torch.zeros(1, 3, CFG["scene_size"], CFG["scene_size"]))
for handle in handles:
    handle.remove()
shape_caption = f"UNet(3, {num_classes}, {CFG['base_channels']}, {CFG['depth']})의 부품별 모양"
tables.show(tables.frame(shape_rows, ["부품", "입력 C×H×W", "출력 C×H×W"]), caption=shape_caption)
for up in unet.ups:  # 이어 붙이기: 합성곱 블록의 입력 채널 = 업-합성곱 출력 + 같은 수의 스킵 채널
    assert up.conv[0].in_channels == 2 * up.up.out_channels
assert out.shape == (1, num_classes, CFG["scene_size"], CFG["scene_size"])

# %% [markdown]
# ### 어떤 크기에서도
#
# 입력 한 변이 $2^{\text{depth}}$로 나누어떨어지지 않으면 줄였다 키운 크기가 스킵과 어긋납니다(예: 37 → 18 → 36).
# 원 논문은 패딩 없는 합성곱을 써서 스킵을 **잘라 내어**(crop) 맞췄습니다(6절). 이 책은 3장의 FCN과 같은 정책
# 하나({func}`lib.models.match_size`)를 씁니다: 입력의 오른쪽·아래를 0으로 채워 $2^{\text{depth}}$의 배수로 만들고,
# 출력을 원래 크기로 잘라 냅니다. 그러면 안에서는 스킵과 업샘플링 결과의 크기가 언제나 같습니다.

# %% tags=["nbval-check-output"]
with torch.no_grad():
    for depth in (1, 2, 3, 4):
        for skip in models.SKIP_MODES:
            net = models.UNet(3, num_classes, base_channels=4, depth=depth, skip=skip).eval()
            for size in [(1, 1), (37, 53), (48, 48), (100, 30)]:
                assert net(torch.rand(2, 3, *size)).shape == (2, num_classes, *size)
print("깊이 1~4, 스킵 세 방법 모두 (1, 1), (37, 53), (48, 48), (100, 30)에서 출력 = (2, 4, H, W)")

# %% [markdown]
# ## 3. 마지막 1×1 합성곱
#
# :::{admonition} 노트 바로잡기: "마지막 단계에서 1×11 컨볼루션을 사용하여"
# :class: warning
# 노트의 "1×11 컨볼루션"은 오타이고 **1×1 합성곱**(1×1 convolution)입니다. 1×11 커널이라면 가로로 11픽셀을 섞게
# 되어 까닭 없이 가로 방향만 넓게 보는 층이 됩니다. 출력층이 할 일은 공간을 섞는 것이 아니라 **픽셀**마다 채널
# $C$개를 클래스 점수 $K$개로 바꾸는 것이므로 커널은 1×1입니다 {cite}`ronneberger2015`.
# :::
#
# 1×1 합성곱은 모든 픽셀 $(i, j)$에 같은 $K\times C$ 행렬 $W$를 곱하는 일입니다.
#
# $$z_{k,ij} = \sum_{c=1}^{C} W_{kc}\, a_{c,ij} + b_k$$
#
# 확인해 봅니다. 그 뒤 픽셀마다 소프트맥스(softmax)를 취하면 클래스 확률이 됩니다. 학습에서는 `F.cross_entropy`가
# 소프트맥스와 음의 로그 가능도를 한 번에 계산하고, 예측에서는 소프트맥스가 순서를 바꾸지 않으므로 점수의
# argmax만 취합니다.

# %%
features = torch.rand(2, CFG["base_channels"], 5, 7)  # 확장 경로 마지막 특성 맵 (N, C, H, W)
weight = unet.head.weight[:, :, 0, 0]  # (K, C, 1, 1) -> (K, C)
with torch.no_grad():
    by_matrix = torch.einsum("kc,nchw->nkhw", weight, features) + unet.head.bias[:, None, None]
    by_conv = unet.head(features)  # (N, C, H, W) -> (N, K, H, W)
    torch.testing.assert_close(by_conv, by_matrix)
    probabilities = by_conv.softmax(dim=1)
assert torch.allclose(probabilities.sum(1), torch.ones(2, 5, 7))
assert torch.equal(probabilities.argmax(1), by_conv.argmax(1))
print("1×1 합성곱 = 픽셀마다 (K×C) 행렬 곱, 소프트맥스는 argmax를 바꾸지 않음: 확인")

# %% [markdown]
# ## 4. 스킵 절제 실험: 이어 붙이기, 더하기, 없음
#
# U-Net의 이득이 정말 **이어 붙이는 스킵**에서 오는지 보려면, 다른 것은 모두 같고 스킵만 다른 모델끼리 비교해야
# 합니다. 그래서 `UNet(..., skip=...)`은 인코더와 디코더가 같고 합치는 곳({func}`lib.models.merge_skip`)만 다른
# 세 모델을 만듭니다. 부품 하나를 바꾸어 그 몫을 재는 이런 실험을 절제 실험(ablation)이라 합니다.
#
# - `skip="concat"`: 원 논문처럼 이어 붙입니다. 확장 경로 단계마다 첫 3×3 합성곱이 $2C$ 채널을 받습니다.
# - `skip="add"`: 더합니다. 더하려면 채널 수가 같아야 하는데, 업-합성곱이 이미 채널을 $2C$에서 $C$로 줄이므로
#   (원 논문과 같은 설계) 스킵($C$)과 모양이 같습니다. 그래서 1×1 합성곱으로 스킵을 **사영하지 않고**, 디코더
#   너비도 그대로 둡니다. 첫 3×3 합성곱은 $C$ 채널을 받으므로 단계마다 파라미터(parameter)가 $9C^2$개 적습니다.
# - `skip="none"`: 스킵을 버립니다. 파라미터 수는 더하기와 **똑같습니다**. 둘의 차이는 스킵뿐입니다.
#
# 3장의 FCN-8s도 옆에 둡니다. 모든 모델을 같은 데이터, 같은 설정(Adam {cite}`kingma2015`, 학습률(learning rate)을
# 코사인 꼴로 0까지 줄이는 일정 {cite}`loshchilov2017`)으로 시드 세 개씩 학습합니다. 코사인 일정은 학습 끝의
# 학습률을 0에 가깝게 만들어, 마지막 에폭(epoch)의 점수가 에폭마다 크게 흔들리는 일을 줄입니다. 비교 기준은 가장
# 강한 '배우지 않은' 답, 곧 학습 마스크의 최빈 클래스(배경)를 모든 픽셀에 답하는 것입니다.
#
# 학습 자료는 1·3장과 같은 합성 장면(synthetic scene)이고, 이번에는 한 변 48픽셀입니다(2코어 CPU에서 이 장 전체를
# 15분 안에 돌리기 위해서입니다).

# %%
scene_config = data.SceneConfig(size=CFG["scene_size"])
train_images, train_masks = data.make_scenes(CFG["n_train"], scene_config, seed=0)
val_images, val_masks = data.make_scenes(CFG["n_val"], scene_config, seed=1)
baseline = experiments.baseline(train_masks, val_masks, num_classes)
print(f"학습 {tuple(train_images.shape)}, 검증 {tuple(val_images.shape)}")
print("최빈 클래스 기준:", {k: round(v, 3) for k, v in baseline.items() if k != "model"})


def unet_builder(skip: str):
    return lambda: models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"], skip=skip)


builders = {
    "U-Net (스킵 없음)": unet_builder("none"),
    "U-Net (더하기)": unet_builder("add"),
    "U-Net (이어 붙이기)": unet_builder("concat"),
    "FCN-8s": lambda: models.FCN(3, num_classes, "8s", widths=CFG["fcn_widths"]),
}
fit_options = dict(epochs=CFG["epochs"], batch_size=CFG["batch_size"], lr=CFG["lr"],
                   schedule="cosine")
trained = {}  # (모델 이름, 시드) -> (학습한 모델, History)
results = experiments.compare(builders, (train_images, train_masks), (val_images, val_masks),
                              num_classes, seeds=CFG["seeds"], trained=trained,
                              val=(val_images, val_masks), **fit_options)

# %%
summary = experiments.summarize(results, extra_rows=[baseline])
params = results.groupby("model", sort=False)["params"].first()
summary.insert(2, "파라미터", [params.get(name, 0) for name in summary["모델"]])
caption = f"검증 장면 {CFG['n_val']}개, 시드 {len(CFG['seeds'])}개의 평균 ± 표준편차 (마지막 에폭)"
tables.show(summary, caption=caption)
means = experiments.means(results)
if not config.is_fast():  # 모든 모델이 최빈 클래스 기준보다 모든 지표에서 낫습니다
    for name in builders:
        assert all(means.loc[name, m] > baseline[m] for m in ("miou", "accuracy", "band")), name

# %% [markdown]
# 경계 띠(boundary band)는 3장처럼 정답에서 $5\times5$ 이웃 안에 다른 클래스가 있는 픽셀이고, 경계 띠 정확도는 그
# 띠 안의 픽셀 정확도(pixel accuracy)입니다. 위치 정보를 잘 되살리는 모델일수록 이 값이 높습니다.
#
# 학습 곡선(시드 0의 에폭마다 검증 mIoU)을 보면 코사인 일정 아래에서 마지막 몇 에폭이 평평해지는지 알 수 있습니다.

# %%
curves = {name: trained[(name, CFG["seeds"][0])][1].val_miou for name in builders}
curves["최빈 클래스 기준"] = [baseline["miou"]] * CFG["epochs"]
side = CFG["scene_size"]
ax = viz.line_plot(range(1, CFG["epochs"] + 1), curves, "에폭", "검증 mIoU", marker=None,
                   title=f"시드 {CFG['seeds'][0]}의 학습 곡선 (합성 장면 {side}×{side})")
plt.show()

# %% [markdown]
# 차이를 시드마다 짝지어 봅니다. 같은 시드의 모델은 같은 미니배치(mini-batch) 순서로 학습했으므로, 짝지은 차이가
# 시드 사이의 흔들림보다 일정한지가 결론의 근거가 됩니다.

# %%
by_seed = results.pivot(index="seed", columns="model", values=["miou", "band"])
pairs = [("U-Net (이어 붙이기)", "U-Net (스킵 없음)"), ("U-Net (더하기)", "U-Net (스킵 없음)"),
         ("U-Net (이어 붙이기)", "U-Net (더하기)")]
pair_rows = []
for a, b in pairs:
    for metric, label in (("miou", "mIoU"), ("band", "경계 띠 정확도")):
        gaps = (by_seed[metric][a] - by_seed[metric][b]).to_numpy()
        pair_rows.append([f"{a} − {b}", label, tables.mean_sd(gaps), int((gaps > 0).sum())])
pair_columns = ["비교", "지표", "차이 (평균 ± 표준편차)", "앞쪽이 나은 시드 수"]
tables.show(tables.frame(pair_rows, pair_columns), caption="같은 시드끼리 짝지은 차이")

# %% [markdown]
# 읽을 수 있는 것과 없는 것을 나눠 봅니다.
#
# - **스킵은 도움이 됩니다.** 파라미터 수가 똑같고 스킵만 다른 더하기와 없음을 짝지으면, 세 시드 모두에서 더하기가
#   mIoU(+0.032 ± 0.021)와 경계 띠 정확도(+0.050 ± 0.008)에서 앞섭니다. 튜닝에 쓰지 않은 시드 3, 4로 다시 돌려도
#   더하기 0.822 ± 0.009, 없음 0.758 ± 0.007로 같은 방향이었습니다.
# - **이어 붙이기가 더하기보다 낫다고는 말할 수 없습니다.** 시드 0~2에서는 이어 붙이기가 평균 0.041 앞서지만 세 시드
#   중 두 시드에서만 앞서고, 차이의 표준편차(0.043)가 차이만큼 큽니다. 시드 3, 4에서는 이어 붙이기 모델 하나가 다른
#   모델들보다 한참 낮은 곳에 머물러 평균이 0.669 ± 0.168이었습니다(더하기는 0.822). 이어 붙이기 모델은 파라미터도
#   12% 많습니다(107,764 대 95,668). 이 장의 크기에서 둘의 차이는 시드의 흔들림에 묻힙니다.
# - 시드 하나의 마지막 에폭만 보면 "이어 붙이기가 가장 좋다"는 결론이 나오기 쉽지만(시드 0과 2가 그렇습니다),
#   다른 시드에서는 뒤집힙니다. 코사인 일정은 에폭 사이의 흔들림을 줄였지만, 이어 붙이기 모델이 가끔 나쁜 곳에
#   머무는 일까지 없애지는 못했습니다.

# %%
if not config.is_fast():  # 결론은 full 프로필의 평균으로 (fast 의 짧은 학습은 순서가 흔들림)
    for metric in ("miou", "band"):  # 스킵의 몫: 파라미터 수가 같은 더하기와 없음의 비교
        assert means.loc["U-Net (더하기)", metric] > means.loc["U-Net (스킵 없음)", metric]

# %% [markdown]
# ### FCN-8s와 비교할 때 섞여 있는 것
#
# FCN-8s와 U-Net은 스킵의 종류만 다른 것이 아닙니다. 세 가지가 한꺼번에 다릅니다.
#
# 1. **출력 보폭**: FCN-8s가 마지막으로 **학습하는** 층은 출력 보폭 8의 점수 격자이고, 그 뒤는 고정된 쌍선형 ×8
#    업샘플링입니다. U-Net은 출력 보폭 1(입력 해상도)까지 3×3 합성곱으로 학습합니다.
# 2. **인코더 깊이**: FCN-8s의 인코더는 출력 보폭 32까지 내려가고(더 넓은 문맥), 이 장의 U-Net은 8에서 멈춥니다.
# 3. **스킵이 넘기는 것**: 클래스 점수를 더하기(FCN) 대 특성 맵 전체를 합친 뒤 합성곱(U-Net).
#
# 그러니 FCN-8s와 U-Net의 차이를 스킵의 종류 탓으로 돌릴 수는 없습니다. 스킵의 몫은 위의 세 U-Net 비교가 잽니다.
# 여기서는 1번, 곧 **출력 보폭 8 자체가 얼마나 잃는지**를 학습 없이 잽니다. 검증 장면마다 $K\times6\times6$ 점수
# 격자를 **정답에 직접 맞추어**(최적화) FCN-8s와 같은 고정 쌍선형 ×8 업샘플링에 통과시키면, 출력 보폭 8인 모델이
# 그릴 수 있는 가장 좋은 지도에 가까운 것이 나옵니다. 어떤 네트워크도 이 격자를 정답보다 더 잘 알 수는 없으므로
# 이것은 출력 보폭 8의 **상한에 가까운 추정**입니다(교차 엔트로피를 최소화한 격자라서 정확한 상한은 아닙니다).

# %%
stride8_up = models.BilinearUpsample(num_classes, 8, trainable=False)  # FCN-8s 의 마지막 층과 같음
grid_side = CFG["scene_size"] // 8
grid = torch.zeros(len(val_masks), num_classes, grid_side, grid_side, requires_grad=True)
optimizer = torch.optim.Adam([grid], lr=0.3)
for _ in range(CFG["ceiling_steps"]):
    fitted = models.match_size(stride8_up(grid), val_masks.shape[-2:])  # -> (N, K, 48, 48)
    loss = F.cross_entropy(fitted, val_masks)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
ceiling = metrics.scores(fitted.argmax(1), val_masks, num_classes)
ceiling_rows = [["출력 보폭 8의 상한 추정 (정답에 맞춘 격자)", ceiling["miou"], ceiling["band"]]]
ceiling_rows += [[name, means.loc[name, "miou"], means.loc[name, "band"]]
                 for name in ("FCN-8s", "U-Net (스킵 없음)", "U-Net (이어 붙이기)")]
tables.show(tables.frame(ceiling_rows, ["", "mIoU", "경계 띠 정확도"]),
            caption="출력 보폭 8이 그릴 수 있는 것과 학습한 모델 (모델은 시드 평균)",
            formats={"mIoU": "{:.3f}", "경계 띠 정확도": "{:.3f}"})

# %% [markdown]
# 정답에 맞춘 $6\times6$ 격자를 ×8로 키우기만 해도 mIoU 0.903, 경계 띠 정확도 0.895입니다. FCN-8s(0.580, 0.703)는
# 이 상한에 한참 못 미치므로, 이 장면에서 FCN-8s를 붙잡는 것은 출력 보폭 8이 아닙니다. 남은 두 차이, 곧 48픽셀 장면을
# 출력 보폭 32($2\times2$ 격자)까지 줄이는 인코더와, 클래스 점수만 더하는 선형 스킵이 FCN-8s의 몫을 깎습니다.
# 거꾸로 스킵이 있는 U-Net은 경계 띠에서 이 상한에 닿거나 넘고(이어 붙이기 0.923, 더하기 0.904), 스킵 없는 U-Net(0.854)은
# 못 미칩니다. 출력 보폭 1까지 학습하는 디코더와 고해상도 특징이 **함께** 있어야 출력 보폭 8의 격자가 그릴 수 없는
# 경계를 그립니다.

# %%
if not config.is_fast():
    assert means.loc["FCN-8s", "band"] < means.loc["U-Net (스킵 없음)", "band"]
    # 스킵이 있는 U-Net 은 출력 보폭 8 의 상한 추정에 닿음 (스킵 없는 U-Net 은 못 미침)
    assert means.loc["U-Net (더하기)", "band"] > ceiling["band"] - 0.02
    assert means.loc["U-Net (스킵 없음)", "band"] < ceiling["band"] - 0.02

# %% [markdown]
# ### 클래스 불균형: 클래스별 IoU
#
# 픽셀의 대부분은 배경입니다. 그래서 픽셀 정확도는 "모두 배경"만으로도 높고, 클래스마다 IoU를 따로 낸 뒤 평균하는
# mIoU가 작은 클래스의 실패를 드러냅니다. 클래스별 픽셀 비율과 IoU(시드 평균 ± 표준편차)를 나란히 봅니다.

# %%
fractions = torch.bincount(train_masks.flatten(), minlength=num_classes) / train_masks.numel()
class_rows = [["학습 픽셀 비율", *[f"{f:.3f}" for f in fractions.tolist()]]]
per_class = {}
for name in builders:
    guesses = [train.predict(trained[(name, s)][0], val_images) for s in CFG["seeds"]]
    per_class[name] = torch.stack([metrics.iou_per_class(g, val_masks, num_classes)
                                   for g in guesses])  # (시드, K)
    class_rows.append([name, *[tables.mean_sd(iou) for iou in per_class[name].T.numpy()]])
tables.show(tables.frame(class_rows, ["", *data.CLASS_NAMES]),
            caption="클래스별 IoU (시드 평균 ± 표준편차)")

# %% [markdown]
# 배경(픽셀의 74%)은 모든 모델이 0.94 이상입니다. 차이는 작은 클래스에서 납니다. 가장 작은 삼각형(6%)에서 FCN-8s는
# 0.430, 스킵 없는 U-Net은 0.653, 스킵이 있는 두 U-Net은 0.699와 0.761입니다. 1장의 패치(patch) CNN이 삼각형을 거의 찾지
# 못했던 것(IoU 0.004)과 비교하면, 같은 합성 장면에서 구조가 무엇을 바꾸는지 보입니다. 픽셀 정확도만 보면 FCN-8s도
# 0.883으로 높아 보이지만, 그 대부분은 배경입니다.
#
# 예측을 나란히 봅니다(시드 0). 열은 정답과 네 모델의 예측입니다.

# %%
shown = slice(0, 4)
predictions = {name: train.predict(trained[(name, CFG["seeds"][0])][0], val_images[shown])
               for name in builders}
short = {name: name.removeprefix("U-Net (").removesuffix(")") for name in builders}
fig = viz.segmentation_grid(val_images[shown], {"정답": val_masks[shown]} |
                            {short[name]: pred for name, pred in predictions.items()}, size=1.5,
                            suptitle=f"검증 장면 4개, 시드 {CFG['seeds'][0]}의 모델")
plt.show()

# %% [markdown]
# ## 5. 손실 함수: 교차 엔트로피와 Dice
#
# 지금까지의 학습은 픽셀마다의 교차 엔트로피(cross-entropy)를 평균했습니다. 픽셀 $x$의 정답 클래스를
# $\ell(x)$, 소프트맥스 확률을 $p_k(x)$, 이미지의 픽셀 집합을 $\Omega$라 하면
#
# $$L_{\text{CE}} = -\frac{1}{|\Omega|} \sum_{x \in \Omega} \log p_{\ell(x)}(x)$$
#
# 입니다. 픽셀 하나하나가 같은 무게이므로, 배경이 대부분인 이미지에서는 배경을 맞히는 일이 손실의 대부분을
# 차지합니다. **Dice 점수**는 클래스 $k$의 예측 영역 $P_k$와 정답 영역 $G_k$가 얼마나 겹치는지를 잽니다.
#
# $$D_k = \frac{2\,|P_k \cap G_k|}{|P_k| + |G_k|}, \qquad D_k = \frac{2 J_k}{1 + J_k}$$
#
# 여기서 $J_k$는 같은 클래스의 IoU입니다(둘 다 $|P_k \cap G_k|$와 $|P_k \cup G_k|$로 쓰면 나옵니다). Milletari 외
# {cite}`milletari2016`는 집합 대신 확률을 넣은 **부드러운 Dice**를 손실로 썼습니다. 원-핫 정답을 $g_k(x)$라 하면
#
# $$
# \begin{aligned}
# L_{\text{Dice}} &= 1 - \frac{1}{K} \sum_{k=1}^{K} \frac{2 \sum_{x} p_k(x)\, g_k(x) + \epsilon}
#   {\sum_{x} p_k(x) + \sum_{x} g_k(x) + \epsilon}
# \end{aligned}
# $$
#
# 이고, 합은 미니배치의 모든 픽셀에 걸쳐 합니다. 클래스마다 **비율**을 재므로 작은 클래스도 큰 클래스와 같은 무게를
# 받습니다. ($\epsilon$은 미니배치에 없는 클래스의 0/0을 막습니다. Milletari 외는 분모에 제곱합
# $\sum p^2 + \sum g^2$를 썼는데, 확률이 원-핫이면 둘은 같습니다.) {func}`lib.losses.dice_score`와
# {func}`lib.losses.dice_loss`가 이 두 식입니다. 먼저 직접 센 값과 맞춰 봅니다.

# %% tags=["nbval-check-output"]
generator = torch.Generator().manual_seed(0)
toy_pred = torch.randint(0, 3, (2, 6, 7), generator=generator)
toy_target = torch.randint(0, 3, (2, 6, 7), generator=generator)
dice = losses.dice_score(toy_pred, toy_target, 3)
for k in range(3):  # 집합으로 직접 세기
    predicted = set(torch.nonzero((toy_pred == k).flatten()).flatten().tolist())
    truth = set(torch.nonzero((toy_target == k).flatten()).flatten().tolist())
    assert dice[k].item() == 2 * len(predicted & truth) / (len(predicted) + len(truth))
iou = metrics.iou_per_class(toy_pred, toy_target, 3)
torch.testing.assert_close(dice, 2 * iou / (1 + iou))  # D = 2J / (1 + J)
one_hot_logits = 50.0 * F.one_hot(toy_pred, 3).permute(0, 3, 1, 2).float()  # 확률이 사실상 원-핫
soft = losses.dice_loss(one_hot_logits, toy_target, eps=0.0).item()
assert abs(soft - (1 - dice.mean().item())) < 1e-6
print("클래스별 Dice:", [round(v, 3) for v in dice.tolist()])
print("원-핫 확률의 Dice 손실 = 1 − 평균 Dice: 확인")

# %% [markdown]
# 이제 4절의 이어 붙이기 U-Net을 **Dice 손실로만** 같은 설정·같은 시드로 학습해, 교차 엔트로피로 학습한 4절의
# 결과와 나란히 봅니다. 평균 Dice 점수(클래스별 Dice의 평균)도 함께 잽니다.

# %%
dice_name = "U-Net (이어 붙이기, Dice 손실)"
ce_name = "U-Net (이어 붙이기)"
dice_results = experiments.compare({dice_name: unet_builder("concat")}, (train_images, train_masks),
                                   (val_images, val_masks), num_classes, seeds=CFG["seeds"],
                                   trained=trained, loss=losses.dice_loss, **fit_options)
ce_results = results[results["model"] == ce_name].replace({ce_name: f"{ce_name}, 교차 엔트로피"})
loss_results = pd.concat([ce_results, dice_results], ignore_index=True)
mean_dice = {name: [losses.dice_score(train.predict(trained[(name, s)][0], val_images), val_masks,
                                      num_classes).nanmean().item() for s in CFG["seeds"]]
             for name in (ce_name, dice_name)}
loss_results["dice"] = mean_dice[ce_name] + mean_dice[dice_name]
loss_table = experiments.summarize(loss_results, metric_names=("miou", "dice", "accuracy", "band"))
tables.show(loss_table.rename(columns={"dice": "평균 Dice"}),
            caption="같은 U-Net, 두 손실 (시드 평균 ± 표준편차)")
loss_means = experiments.means(loss_results)
if not config.is_fast():  # Dice 손실만으로도 학습이 됩니다: 기준선보다 모든 지표에서 낫습니다
    assert all(loss_means.loc[dice_name, m] > baseline[m] for m in ("miou", "accuracy", "band"))

# %% [markdown]
# Dice 손실만으로 학습한 모델은 평균으로 모든 지표에서 교차 엔트로피보다 낮고(mIoU 0.692 ± 0.135 대 0.840 ± 0.014,
# 평균 Dice 0.798 대 0.910), 시드 사이의 흔들림이 열 배 가까이 큽니다. 시드 2에서는 학습 손실이 0.321에서 멈췄습니다.
# 튜닝에 쓰지 않은 시드 3, 4에서도 0.711 ± 0.174로 같은 모습이었습니다. Dice 손실은 클래스마다 비율을 재므로 물체가
# 픽셀의 1%도 안 되는 의료 영상에서 힘을 쓰지만, 가장 작은 클래스도 6%인 이 장면에서는 그 이점이 드러나지 않고
# 학습이 덜 안정했습니다. 실무에서 Dice를 쓸 때 흔히 교차 엔트로피와 더해 쓰는 까닭의 하나입니다(이 장에서 재지는
# 않았습니다).

# %% [markdown]
# ## 6. 원 논문과 이 책
#
# 이 책의 U-Net은 원 논문 {cite}`ronneberger2015`의 구조를 그대로 옮긴 것이 아닙니다. 무엇이 같고 무엇이 다르며
# 왜 다른지 정리합니다.
#
# | | Ronneberger 외 (2015) | 이 책 | 왜 다른가 |
# |---|---|---|---|
# | 합성곱의 패딩 | 패딩 없는(valid) 3×3 합성곱: 572×572 입력 → 388×388 출력. 큰 이미지는 겹치는 타일(overlap-tile)로 나누고, 가장자리는 거울 반사로 채움 | 패딩 1 (`same`), 출력 = 입력 크기, 크기가 맞지 않으면 오른쪽·아래를 0으로 채우고 잘라 냄 (2절) | 작은 장면을 한 번에 예측하므로 타일이 필요 없고, 스킵을 잘라 맞추는 계산이 없습니다. 대신 가장자리 픽셀은 0 채움을 봅니다 |
# | 줄이기 | 2×2 최대 풀링 | 2×2 스트라이드 2 합성곱 (`Down`) | 3장의 FCN과 같은 부품 (학습하는 풀링) |
# | 정규화 | 배치 정규화(batch normalization) 없음 (같은 해에 나옴 {cite}`ioffe2015`) | 합성곱마다 배치 정규화 | 작은 배치와 높은 학습률에서도 안정합니다. 대가로 배치 1 학습에 조건이 붙습니다 (7절) |
# | 초기화 | 표준편차 $\sqrt{2/N}$의 가우시안 ($N$ = 입력 연결 수) | PyTorch 기본값 | 배치 정규화가 층마다 크기를 다시 맞춥니다 |
# | 크기 | 채널 64 → 1024, 깊이 4, 약 3,100만 파라미터 | 채널 8 → 64, 깊이 3, 약 11만 | 2코어 CPU에서 장 하나를 15분 안에 |
# | 업샘플링 | 2×2 업-합성곱, 채널 절반 | 같음 | |
# | 스킵 | 잘라 낸 특성 맵을 이어 붙이기 | 이어 붙이기 (더하기·없음은 4절의 절제 실험) | |
# | 손실 | 픽셀별 소프트맥스 + 가중치 지도 $w(x)$를 곱한 교차 엔트로피 | 교차 엔트로피 (5절의 Dice, 아래의 가중치 지도는 선택) | 합성 장면의 물체는 대부분 서로 다른 클래스로 붙어 있어 경계 가중치가 할 일이 적습니다. 아래에서 잽니다 |
# | 데이터 증강 | 탄성 변형(3×3 격자의 무작위 변위, 표준편차 10픽셀), 이동·회전, 회색값 변화 | 없음 | 학습 이미지가 30장뿐인 논문과 달리, 장면 생성기가 시드마다 새 장면을 얼마든지 만듭니다 |
# | 드롭아웃 | 수축 경로 끝에 | 없음 | 모델이 작고 장면이 많아 과적합보다 학습 부족이 문제입니다 |
# | 최적화 | SGD, 모멘텀 0.99, 배치 1 (큰 타일 한 장) | Adam, 배치 16, 코사인 일정 | 작은 장면 여러 장을 한 배치로 |
#
# ### 경계 가중치 지도
#
# 논문의 과제(현미경 세포)에서는 **같은 클래스의 물체가 서로 맞닿아** 있고, 둘을 가르는 것은 몇 픽셀 폭의 배경
# 틈뿐입니다. 픽셀별 교차 엔트로피에서 이 틈은 전체 픽셀의 아주 작은 몫이라, 모델이 틈을 메워 두 세포를 한 덩어리로
# 그려도 손실이 거의 늘지 않습니다. 그래서 논문은 픽셀마다 가중치를 곱합니다(식 2).
#
# $$w(x) = w_c(x) + w_0 \cdot \exp\!\left(-\frac{\big(d_1(x) + d_2(x)\big)^2}{2\sigma^2}\right)$$
#
# $d_1$, $d_2$는 배경 픽셀 $x$에서 가장 가까운 물체와 두 번째로 가까운 물체의 경계까지의 거리이고, $w_c$는 클래스
# 빈도를 맞추는 가중치입니다(여기서는 1). 두 물체 사이의 좁은 틈에서는 $d_1 + d_2$가 작아 가중치가 $w_c + w_0$에
# 가깝습니다. 논문은 $w_0 = 10$, $\sigma \approx 5$픽셀을 썼습니다. 이 장의 물체는 논문의 세포보다 훨씬 작으므로
# $\sigma = 2$로 줄입니다. {func}`lib.losses.border_weights`가 이 식이고, 물체는 정답 마스크에서 클래스마다 이어진
# 덩어리로 찾습니다({func}`lib.data.label_instances`).
#
# 이것을 시험하려면 맞닿은 같은 클래스 물체가 있어야 합니다. `SceneConfig(touching=True)`는 같은 종류·같은 색의
# 도형 두 개를 겹치게 놓고 둘째에서 첫째 둘레 `gap`픽셀을 배경으로 깎아, 세포처럼 좁은 배경 틈만 남깁니다. 논문의
# 과제처럼 물체냐 배경이냐(클래스 2개)만 가립니다. 왼쪽이 장면, 가운데가 마스크, 오른쪽이 가중치 지도입니다.

# %%
touch_config = data.SceneConfig(size=CFG["scene_size"], touching=True, gap=1.5)
touch_train_images, touch_train_masks = data.make_scenes(CFG["touch_train"], touch_config, seed=10)
touch_val_images, touch_val_masks = data.make_scenes(CFG["n_val"], touch_config, seed=11)
touch_train_masks = (touch_train_masks > 0).long()  # 물체(1) / 배경(0)
touch_val_masks = (touch_val_masks > 0).long()
touch_weights = losses.border_weights(touch_val_masks[:4], CFG["w0"], CFG["sigma"])
fig, axes = plt.subplots(3, 4, figsize=(6.4, 5.0), layout="constrained")
for i in range(4):
    axes[0, i].imshow(viz.to_numpy_image(touch_val_images[i]))
    axes[1, i].imshow(touch_val_masks[i], cmap="gray")
    image = axes[2, i].imshow(touch_weights[i], cmap="magma", vmin=1, vmax=1 + CFG["w0"])
for ax, label in zip(axes[:, 0], ["장면", "정답 (흰색 = 물체)", "가중치 w(x)"]):
    ax.set_ylabel(label, fontsize=9)
for ax in axes.flat:
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(image, ax=axes[2, :], shrink=0.8, label="w(x)")
fig.suptitle(f"붙은 쌍 장면과 경계 가중치 (w0 = {CFG['w0']:g}, σ = {CFG['sigma']:g})", fontsize=10)
plt.show()

# %% [markdown]
# 같은 이어 붙이기 U-Net을 교차 엔트로피와 가중치 지도를 곱한 교차 엔트로피({class}`lib.losses.BorderWeightedLoss`)로
# 시드 세 개씩 학습합니다. 지표는 mIoU, 경계 띠 정확도, 그리고 **붙은 쌍을 갈라놓은 비율**입니다
# ({func}`lib.data.separated_pairs`: 정답에서 3픽셀 안에 붙어 있는 물체 쌍 가운데, 예측에서 두 물체가 서로 다른
# 덩어리로 남은 쌍의 비율). 틈을 한 픽셀이라도 메우면 실패로 셉니다.

# %%
touch_losses = {"교차 엔트로피": None,
                "경계 가중치 × 교차 엔트로피": losses.BorderWeightedLoss(CFG["w0"], CFG["sigma"])}
touch_trained, touch_results = {}, []
for name, loss_fn in touch_losses.items():
    build = lambda: models.UNet(3, 2, CFG["base_channels"], CFG["depth"])  # noqa: E731
    touch_results.append(experiments.compare(
        {name: build}, (touch_train_images, touch_train_masks),
        (touch_val_images, touch_val_masks), 2, seeds=CFG["seeds"], trained=touch_trained,
        loss=loss_fn, **(fit_options | {"epochs": CFG["touch_epochs"]})))
touch_results = pd.concat(touch_results, ignore_index=True)
separated = []
for name in touch_losses:
    for seed in CFG["seeds"]:
        guess = train.predict(touch_trained[(name, seed)][0], touch_val_images)
        kept_apart, touching_pairs = data.separated_pairs(guess, touch_val_masks)
        separated.append(kept_apart / max(touching_pairs, 1))
touch_results["separated"] = separated
touch_baseline = experiments.baseline(touch_train_masks, touch_val_masks, 2)
touch_baseline["separated"] = 0.0  # 모두 배경이면 물체가 없으므로 가른 쌍도 없음
touch_table = experiments.summarize(touch_results, metric_names=("miou", "band", "separated"),
                                    extra_rows=[touch_baseline])
print(f"검증 장면에서 붙어 있는 쌍: {touching_pairs}쌍")
tables.show(touch_table.rename(columns={"separated": "붙은 쌍을 가른 비율"}),
            caption=f"붙은 쌍 장면 (물체/배경), 시드 {len(CFG['seeds'])}개의 평균 ± 표준편차")
touch_means = experiments.means(touch_results)
if not config.is_fast():  # 경계 가중치는 mIoU 를 거의 바꾸지 않습니다 (틈은 픽셀의 작은 몫)
    weighted = touch_means.loc["경계 가중치 × 교차 엔트로피"]
    plain = touch_means.loc["교차 엔트로피"]
    assert min(weighted["miou"], plain["miou"]) > touch_baseline["miou"] + 0.3
    assert abs(weighted["miou"] - plain["miou"]) < 0.01

# %% [markdown]
# mIoU와 경계 띠 정확도는 두 손실 모두 0.99 안팎으로 거의 같습니다. 좁은 틈은 픽셀의 아주 작은 몫이라 이 지표들을
# 움직이지 못합니다. 붙은 쌍을 가른 비율에서는 다릅니다: 경계 가중치로 학습하면 0.829 ± 0.062, 교차 엔트로피만으로는
# 0.451 ± 0.113입니다. 튜닝에 쓰지 않은 시드 3, 4에서도 0.805 대 0.385였습니다. 논문이 가중치 지도를 쓴 까닭이 바로
# 이것입니다: 평균 지표에는 보이지 않는 몇 픽셀의 틈이 "물체 두 개"와 "물체 하나"를 가릅니다.

# %%
touch_shown = slice(0, 4)
touch_predictions = {name: train.predict(touch_trained[(name, CFG["seeds"][0])][0],
                                         touch_val_images[touch_shown]) for name in touch_losses}
fig = viz.segmentation_grid(touch_val_images[touch_shown], {"정답": touch_val_masks[touch_shown]} |
                            {"교차 엔트로피": touch_predictions["교차 엔트로피"],
                             "경계 가중치": touch_predictions["경계 가중치 × 교차 엔트로피"]},
                            class_names=("배경", "물체"), size=1.6,
                            suptitle=f"붙은 쌍 장면, 시드 {CFG['seeds'][0]}의 모델")
plt.show()

# %% [markdown]
# ## 7. 쓰는 사람이 만나는 문제
#
# ### 0/255로 저장된 마스크
#
# 물체/배경 마스크는 흔히 흰색(255)과 검은색(0)의 PNG로 저장됩니다. 이것을 그대로 클래스 번호로 쓰면 어떻게
# 될까요? 4절의 장면을 물체/배경 두 클래스로 바꾸고, 마스크를 파일에 저장된 모양(0/255)으로 만들어 봅니다.
# 먼저 그대로 학습에 넣으면 교차 엔트로피가 클래스 번호 255를 찾지 못해 멈춥니다. (이 시도는 CPU에서 합니다.
# GPU에서는 같은 실수가 알아보기 힘든 장치 오류로 나타나고 커널을 다시 시작해야 합니다.)

# %%
binary_train, binary_val = (train_masks > 0).long(), (val_masks > 0).long()  # 올바른 0/1 정답
stored = (binary_train * 255).to(torch.uint8)  # 파일에 저장된 모양: 0 = 배경, 255 = 물체
small = slice(0, 32)
try:
    train.fit(models.UNet(3, 2, CFG["base_channels"], CFG["depth"]), train_images[small],
              stored[small].long(), 2, epochs=1, batch_size=16, progress=False, device="cpu")
except IndexError as error:
    print(f"{type(error).__name__}: {error}")

# %% [markdown]
# 오류가 나면 차라리 다행입니다. 더 나쁜 경우는 조용히 틀리는 것입니다. PASCAL VOC {cite}`everingham2010`는 물체
# 둘레의 애매한 픽셀에 255를 적고 "세지 않음"으로 정했기 때문에, VOC용으로 짠 학습 코드는 흔히
# `ignore_index=255`를 씁니다. 그 코드에 0/255 마스크를 넣으면 **물체 픽셀이 모두 무시되고** 배경만 배웁니다.

# %%
def voc_loss(logits, masks):
    """VOC 식 학습 코드의 손실: 255 는 '세지 않음'."""
    return F.cross_entropy(logits, masks, ignore_index=255)



short_options = dict(epochs=CFG["small_epochs"], batch_size=CFG["batch_size"], lr=CFG["lr"],
                     schedule="cosine")
config.seed_everything(0)
ignored_model = models.UNet(3, 2, CFG["base_channels"], CFG["depth"])
train.fit(ignored_model, train_images, stored.long(), 2, loss=voc_loss,
          desc="0/255 + ignore_index=255", **short_options)
config.seed_everything(0)
fixed_model = models.UNet(3, 2, CFG["base_channels"], CFG["depth"])
fixed_masks = data.as_class_indices(stored)  # 0/255 -> 0/1
train.fit(fixed_model, train_images, fixed_masks, 2, desc="as_class_indices로 바꾼 뒤",
          **short_options)
binary_rows = []
for name, model in (("0/255 + ignore_index=255", ignored_model),
                    ("as_class_indices로 바꾼 뒤", fixed_model)):
    guess = train.predict(model, val_images)
    iou = metrics.iou_per_class(guess, binary_val, 2)
    binary_rows.append([name, (guess == 1).float().mean().item(), iou[0].item(), iou[1].item()])
binary_columns = ["학습한 마스크", "물체라고 답한 픽셀 비율", "배경 IoU", "물체 IoU"]
tables.show(tables.frame(binary_rows, binary_columns),
            caption=f"물체/배경 검증 장면 (물체 픽셀 비율 {binary_val.float().mean():.3f})",
            formats={c: "{:.3f}" for c in binary_columns[1:]})
assert torch.equal(fixed_masks, binary_train)
assert binary_rows[0][1] < 0.01 and binary_rows[0][3] < 0.05  # 무시된 물체: 모두 배경이라고 답함
if not config.is_fast():  # 짧은 fast 학습에서는 물체를 아직 덜 배움
    assert binary_rows[1][3] > 0.5

# %% [markdown]
# {func}`lib.data.as_class_indices`는 0/255와 0/1을 알아서 0/1로 바꾸고, 색으로 칠한 마스크는 **팔레트**(색 →
# 클래스)를 받아 바꿉니다. 설명할 수 없는 값이 있으면 추측하지 않고 그 값들을 나열하는 오류를 냅니다. 색 마스크를
# 쌍선형으로 줄이면 경계에 팔레트에 없는 섞인 색이 생기는데, 바로 그런 경우입니다. 마스크는 최근접 보간(nearest-neighbor interpolation)으로만
# 크기를 바꿔야 합니다.

# %%
palette_rgb = (viz.PALETTE[:num_classes] * 255).round().astype(np.uint8)  # 클래스 → 색
palette = {tuple(int(v) for v in colour): k for k, colour in enumerate(palette_rgb)}  # 색 → 클래스
coloured = palette_rgb[val_masks.numpy()]  # (N, H, W, 3): 색으로 칠해 저장된 마스크
assert torch.equal(data.as_class_indices(coloured, palette), val_masks)
as_chw = torch.from_numpy(coloured[:1]).permute(0, 3, 1, 2)  # (1, H, W, 3) -> (1, 3, H, W)
blurred = F.interpolate(as_chw.float(), scale_factor=0.5, mode="bilinear")  # 쌍선형으로 줄이기
blurred = blurred.round().to(torch.uint8).permute(0, 2, 3, 1).numpy()
try:
    data.as_class_indices(blurred, palette)
except ValueError as error:
    print(f"ValueError: {str(error)[:160]} …")
nearest = as_chw[..., ::2, ::2].permute(0, 2, 3, 1).numpy()  # 최근접으로 줄이기
nearest_classes = data.as_class_indices(nearest, palette)
assert torch.equal(nearest_classes, val_masks[:1, ::2, ::2])
print("최근접으로 줄인 색 마스크는 그대로 바뀝니다:", tuple(nearest_classes.shape))

# %% [markdown]
# ### 배치 1로 학습하기
#
# 원 논문은 큰 타일 한 장을 배치로 썼습니다. 이 책의 U-Net에는 배치 정규화가 있고, 학습 모드의 배치 정규화는
# 미니배치의 평균과 분산을 채널마다 계산합니다 {cite}`ioffe2015`. 배치가 1이어도 가장 깊은 특성 맵에 값이 여럿이면
# (48×48 장면이면 6×6 = 36개) 계산할 수 있으므로 학습이 됩니다. 가장 깊은 특성 맵이 1×1이 될 만큼 작은 입력에
# 배치 1이면 평균·분산을 낼 수 없으므로, 모델이 배치 크기를 이름으로 들어 거절합니다.

# %%
config.seed_everything(0)
single = models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"])
history = train.fit(single, train_images[:16], train_masks[:16], num_classes, epochs=1,
                    batch_size=1, lr=1e-3, desc="배치 1")
assert len(history.loss) == 1 and np.isfinite(history.loss[0])
try:
    single.train()(torch.rand(1, 3, 8, 8))  # 가장 깊은 특성 맵이 1×1
except ValueError as error:
    print(f"ValueError: {error}")

# %% [markdown]
# ### 홀수 크기의 입력
#
# 2절의 크기 정책 덕분에, 48×48로 학습한 모델을 잘라 낸 37×45 조각에 그대로 쓸 수 있습니다. 출력은 입력과 같은
# 크기이고, 같은 픽셀의 예측은 전체 장면에서 낸 예측과 거의 같습니다(조각의 가장자리 근처만 0 채움을 봅니다).

# %%
concat_model = trained[("U-Net (이어 붙이기)", CFG["seeds"][0])][0]
crop = (slice(None), slice(None), slice(5, 42), slice(0, 45))
crop_pred = train.predict(concat_model, val_images[crop])
full_pred = train.predict(concat_model, val_images)[:, crop[2], crop[3]]
assert crop_pred.shape == (len(val_images), 37, 45)
agree = (crop_pred == full_pred).float().mean().item()
print(f"37×45 조각의 예측 모양 {tuple(crop_pred.shape)}, 전체 장면의 예측과 같은 픽셀 {agree:.3f}")
assert agree > 0.9

# %% [markdown]
# ## 8. 실제 데이터: Oxford-IIIT Pet
#
# 합성 장면은 인터넷 없이 어디서나 같은 결과를 내지만, 실제 사진은 더 어렵습니다. Oxford-IIIT Pet
# {cite}`parkhi2012`은 고양이·개 사진 7,349장에 **트라이맵**(배경 / 동물 / 경계 띠)을 붙인 데이터셋입니다.
# {func}`lib.data.load_pets`가 `torchvision.datasets.OxfordIIITPet`로 읽어, 사진은 $S\times S$의 [0, 1] 텐서로,
# 트라이맵은 0 = 배경, 1 = 동물, 2 = 경계의 클래스 번호(최근접 보간)로 바꿉니다. 인터넷이 있는 곳(Colab 등)에서
# `CFG["pets_download"] = True`로 두면 처음 한 번 내려받습니다(약 800 MB). 이 책의 페이지를 만든 기계에는 데이터가
# 없으므로 아래 셀은 한 줄만 찍고 넘어갑니다.

# %%
pets_folder = Path(CFG["pets_root"]) / "oxford-iiit-pet"
if pets_folder.is_dir() or (CFG["pets_download"] and not config.offline()):
    pet_train = data.load_pets(CFG["pets_root"], "trainval", CFG["pets_size"],
                               download=CFG["pets_download"], limit=CFG["pets_train"])
    pet_val = data.load_pets(CFG["pets_root"], "test", CFG["pets_size"],
                             limit=CFG["pets_train"] // 4)
    pet_builders = {"U-Net (이어 붙이기)": lambda: models.UNet(3, 3, 16, 4),
                    "U-Net (스킵 없음)": lambda: models.UNet(3, 3, 16, 4, skip="none")}
    pet_trained = {}
    pet_results = experiments.compare(pet_builders, pet_train, pet_val, 3, seeds=(0,),
                                      trained=pet_trained, epochs=CFG["pets_epochs"], batch_size=16,
                                      lr=CFG["lr"], schedule="cosine")
    pet_baseline = experiments.baseline(pet_train[1], pet_val[1], 3)
    tables.show(experiments.summarize(pet_results, extra_rows=[pet_baseline]),
                caption=f"Oxford-IIIT Pet ({CFG['pets_size']}×{CFG['pets_size']}, 시드 하나)")
    pet_pred = {name: train.predict(pet_trained[(name, 0)][0], pet_val[0][:4])
                for name in pet_builders}
    fig = viz.segmentation_grid(pet_val[0][:4], {"정답": pet_val[1][:4]} | pet_pred,
                                class_names=data.PET_CLASSES, size=1.6)
    plt.show()
else:
    print(f"Oxford-IIIT Pet이 {pets_folder}에 없어 이 절의 학습은 건너뜁니다 "
          "(CFG['pets_download'] = True면 내려받습니다).")

# %% [markdown]
# ## 정리
#
# - 줄이는 동안 사라지는 것은 경계가 $s\times s$ 블록 **안의 어디**를 지나는지입니다. 키우기만으로는 되살릴 수
#   없고, 고해상도 특징을 다시 가져와야 합니다.
# - FCN-8s는 출력 보폭 16·8의 **클래스 점수**를 **더합니다**. U-Net은 출력 보폭 1까지 모든 단계의 **특성 맵
#   전체**를 합치고, 3×3 합성곱 두 번으로 "무엇"과 "어디"를 다시 계산합니다.
# - 스킵의 몫은 파라미터 수가 같은 두 U-Net(더하기, 없음)으로 잽니다: 다섯 시드 모두에서 스킵이 있는 쪽이 mIoU와
#   경계 띠 정확도가 높았습니다. 이어 붙이기와 더하기의 차이는 시드의 흔들림보다 작아 이 장의 크기에서는 가를 수
#   없습니다. FCN-8s는 출력 보폭 8의 상한보다 한참 낮으므로, 그 한계는 출력 보폭만이 아닙니다.
# - Dice 손실만으로는 이 장면에서 교차 엔트로피보다 낮고 불안정했습니다. 경계 가중치 지도는 mIoU를 거의 바꾸지
#   않으면서 붙은 물체를 두 배 가까이 자주 갈라 놓았습니다.
# - 마지막 1×1 합성곱(노트의 "1×11"은 오타)은 픽셀마다 같은 $K\times C$ 행렬을 곱하는 일입니다.
# - 저장된 마스크는 학습 전에 클래스 번호로 바꿉니다({func}`lib.data.as_class_indices`). 0/255 마스크는
#   오류로 멈추거나, `ignore_index=255`와 만나면 조용히 "모두 배경" 모델을 만듭니다.
#
# 다음 [5장](05_style_transfer.ipynb)은 같은 합성곱 특징을 세그멘테이션(segmentation)이 아니라 **스타일**(style)을
# 재는 데 씁니다.
#
# ## 연습문제
#
# **1. 파라미터 수.** `UNet(3, K, base_channels=B, depth=d, skip=...)`의 파라미터 수를 $B$, $d$, $K$로 세는 식을
# 세우고, 이 장의 설정과 원 논문 설정($B=64$, $d=4$, $K=2$, 흑백 입력)에서 계산해
# `sum(p.numel() for p in net.parameters())`와 맞춰 보세요. 3×3 합성곱은 바로 뒤에 배치 정규화가 있어
# 편향(bias)을 두지 않습니다. 세 스킵 방법은 얼마나 다릅니까?
#
# :::{admonition} 풀이
# :class: dropdown
# `ConvBlock(a, c)`는 $9ac + 9c^2 + 4c$(배치 정규화 두 개가 채널마다 2개씩), `Down(a, c)`는 $4ac + 9c^2 + 4c$,
# `Up(a, c)`는 업-합성곱 $4ac + c$(편향 있음)에 `ConvBlock(2c, c)`(이어 붙이기) 또는 `ConvBlock(c, c)`(더하기·없음),
# 출력층은 $BK + K$입니다. 이어 붙이기는 확장 경로 단계마다 $9c^2$개 많습니다. 원 논문 모델(약 3,100만 개)보다
# 적은 것은 이 책의 `Down`이 최대 풀링 + 3×3 합성곱($9ac$) 대신 2×2 스트라이드 2 합성곱($4ac$)으로 줄이기
# 때문입니다. 채널이 단계마다 두 배이므로 파라미터 대부분은 가장 깊은 두 단계에 있습니다.
# :::

# %% tags=["hide-input"]
def count_parameters(c_in: int, k: int, b: int, d: int, skip: str = "concat") -> int:
    widths = [b * 2**i for i in range(d + 1)]

    def block(a, c):
        return 9 * a * c + 9 * c * c + 4 * c

    total = block(c_in, b) + sum(4 * a * c + 9 * c * c + 4 * c for a, c in zip(widths, widths[1:]))
    total += sum(4 * a * c + c + block(2 * c if skip == "concat" else c, c)
                 for a, c in zip(widths[:0:-1], widths[-2::-1]))
    return total + b * k + k


count_rows = []
for c_in, k, b, d in [(3, num_classes, CFG["base_channels"], CFG["depth"]), (1, 2, 64, 4)]:
    row = [f"입력 {c_in}, K={k}, B={b}, 깊이 {d}"]
    for skip in models.SKIP_MODES:
        net = models.UNet(c_in, k, b, d, skip=skip)
        assert count_parameters(c_in, k, b, d, skip) == sum(p.numel() for p in net.parameters())
        row.append(count_parameters(c_in, k, b, d, skip))
    count_rows.append(row)
tables.show(tables.frame(count_rows, ["설정", *models.SKIP_MODES]),
            caption="식으로 센 파라미터 수 (= PyTorch)")

# %% [markdown]
# **2. 크기 정책.** 깊이 3의 U-Net에 $37\times53$ 이미지를 넣으면 안에서 어떤 크기로 계산합니까? 이 책의 정책이
# 출력 픽셀 $(i, j)$를 입력 픽셀 $(i, j)$와 같은 자리에 두는 까닭은 무엇입니까?
#
# :::{admonition} 풀이
# :class: dropdown
# $2^3 = 8$의 배수로 올려 $40\times56$에서 계산합니다(바닥은 $5\times7$). 0은 오른쪽·아래에만 채우고 출력은
# 왼쪽 위에서 잘라 내므로 격자가 옮겨지지 않습니다. 가운데 정렬로 채웠다면 잘라 낼 때도 같은 만큼 옮겨야 하고,
# 한쪽만 틀리면 예측 전체가 몇 픽셀 밀립니다. 아래 코드는 직접 0을 채운 $40\times56$ 입력의 출력 왼쪽 위가 원래
# 입력의 출력과 같다는 것을 확인합니다.
# :::

# %% tags=["hide-input"]
policy_net = models.UNet(3, 4, 4, 3).eval()
odd_image = torch.rand(1, 3, 37, 53)
padded = torch.zeros(1, 3, 40, 56)
padded[..., :37, :53] = odd_image
with torch.no_grad():
    torch.testing.assert_close(policy_net(odd_image), policy_net(padded)[..., :37, :53])
print("37×53 → 안에서 40×56, 출력의 왼쪽 위 37×53 = 원래 입력의 출력: 확인")

# %% [markdown]
# **3. mIoU와 평균 Dice는 같은 순서를 줄까?** 클래스 하나에서는 $D = 2J/(1+J)$가 $J$의 증가 함수이므로, 두 예측의
# 순서는 IoU로 재든 Dice로 재든 같습니다. 그렇다면 클래스 평균인 mIoU와 평균 Dice도 늘 같은 순서로 모델을 줄
# 세울까요? 두 클래스짜리 예를 만들어 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 아닙니다. $D = 2J/(1+J)$는 오목 함수라서, 평균을 내기 전에 작은 IoU를 상대적으로 크게 올려 줍니다. 큰 클래스
# 0(20픽셀)과 작은 클래스 1(10픽셀)이 있을 때, 예측 A가 모두 클래스 0이라고 답하면 IoU는 0.667과 0이라 mIoU는
# 0.333, 평균 Dice는 0.4입니다. 예측 B가 클래스 0의 13픽셀을 1로, 클래스 1의 3픽셀을 0으로 틀리면 두 IoU가 모두
# 0.304라 mIoU는 0.304로 A보다 낮지만, 평균 Dice는 0.467로 A보다 높습니다. 아래 코드가 두 예측을 실제 지도로
# 만들어 확인합니다. 어느 지표로 모델을 고르느냐에 따라 답이 바뀔 수 있으므로, 이 책의 표는 mIoU와 함께 경계 띠
# 정확도 같은 다른 지표를 늘 나란히 보입니다.
# :::

# %% tags=["hide-input"]
truth = torch.zeros(1, 3, 10, dtype=torch.long)
truth[0, 2] = 1  # 위 두 줄 20픽셀 = 클래스 0, 아랫줄 10픽셀 = 클래스 1
guess_a = torch.zeros_like(truth)  # A: 모두 클래스 0
guess_b = truth.clone()
guess_b[0, 0, :] = 1  # B: 클래스 0 의 13픽셀을 1 로 (첫 줄 10 + 둘째 줄 3)
guess_b[0, 1, :3] = 1
guess_b[0, 2, :3] = 0  # 클래스 1 의 3픽셀을 0 으로
rank_rows = []
for name, guess in (("A (모두 클래스 0)", guess_a), ("B (두 클래스를 고르게 틀림)", guess_b)):
    iou = metrics.iou_per_class(guess, truth, 2).tolist()
    rank_rows.append([name, *iou, metrics.mean_iou(guess, truth, 2),
                      losses.dice_score(guess, truth, 2).mean().item()])
rank_columns = ["예측", "IoU 0", "IoU 1", "mIoU", "평균 Dice"]
tables.show(tables.frame(rank_rows, rank_columns), caption="mIoU와 평균 Dice가 다른 순서를 주는 예",
            formats={c: "{:.3f}" for c in rank_columns[1:]})
(_, _, _, miou_a, dice_a), (_, _, _, miou_b, dice_b) = rank_rows
assert (miou_a > miou_b) != (dice_a > dice_b)  # 두 지표의 순서가 엇갈림
