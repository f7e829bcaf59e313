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
# [3장](03_fcn.ipynb)의 FCN 은 입력을 32 배까지 줄였다가 전치 합성곱으로 키웠습니다. U-Net(Ronneberger et al., 2015)은
# 같은 "줄였다 키우기"를 **대칭인 U 자**로 짜고, 줄이는 길의 특성 맵을 키우는 길의 같은 해상도 단계에 **이어 붙입니다**
# (concatenation). 이 장에서는
#
# 1. 노트가 말하는 "위치 정보 손실"이 정확히 무엇이고, FCN 의 스킵과 U-Net 의 스킵이 어떻게 다른지 정리합니다.
# 2. U 모양을 그림으로 그리고, 단계마다 텐서 모양을 출력해 수축 경로·확장 경로·스킵을 따라갑니다.
# 3. 마지막 1×1 합성곱이 픽셀마다의 행렬 곱이라는 것을 확인합니다.
# 4. 작은 U-Net 을 3장과 같은 합성 장면으로 학습해 FCN-8s 와 비교하고, 스킵을 뺀 U-Net 으로 절제 실험(ablation)을 합니다.
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
import matplotlib.pyplot as plt
import torch

from lib import config, data, metrics, models, train, viz
from lib.timing import format_table

config.seed_everything(0)
print(config.describe())

# %%
CFG = dict(
    scene_size=64,  # 합성 장면 한 변 (fast, full 같음; 3장과 같음)
    n_train=config.pick(160, 768),  # 학습 장면 수 (fast, full; 3장과 같음)
    n_val=config.pick(48, 96),  # 검증 장면 수 (3장과 같음)
    epochs=config.pick(4, 24),  # 학습 에폭 수 (3장과 같음)
    batch_size=config.pick(8, 16),  # 미니배치 크기 (3장과 같음)
    lr=1e-2,  # Adam 학습률 (3장과 같음)
    base_channels=8,  # U-Net 첫 단계의 채널 수 (단계 k 는 8·2**k)
    depth=3,  # U-Net 이 해상도를 절반으로 줄이는 횟수 (64 → 8)
    fcn_widths=(8, 16, 24, 32, 48, 64),  # 비교할 FCN-8s 의 인코더 채널 수 (3장과 같음)
)

# %% [markdown]
# ## 1. 노트가 말하는 "위치 정보 손실"
#
# 노트는 "위 방법들엔 위치 정보(spatial information)가 손실된다는 심각한 문제가 있다"고 말합니다. 무엇이 어디서
# 사라지는지 정확히 말해 봅니다.
#
# - **줄이는 동안 "어디"가 흐려집니다.** 보폭(stride) $s$ 의 특성 맵에서 값 하나는 입력의 $s\times s$ 블록 하나를
#   대표합니다. 깊은 층의 특징은 "이 근처에 원이 있다"(**무엇**)는 잘 알지만, 블록 **안의 어디**에 경계가 지나가는지는
#   채널 값 속에 희미하게만 남습니다. 64×64 입력을 32 배 줄이면 격자가 2×2 뿐입니다.
# - **키우는 것만으로는 되살아나지 않습니다.** 전치 합성곱이든 보간이든, 거친 격자에서 없는 정보를 만들어 낼 수는 없습니다.
#   3장의 FCN-32s 가 경계를 흐린 까닭입니다.
# - **되살리는 방법은 고해상도 특징을 다시 가져오는 것**입니다. 얕은 층은 "무엇"은 잘 모르지만 "어디"는 픽셀 단위로
#   압니다. 스킵 연결(skip connection)은 그 정보를 키우는 길로 넘겨줍니다.
#
# :::{admonition} 노트 바로잡기: "위 방법들"의 문제와 U-Net 의 차이
# :class: warning
# 3장의 FCN-16s·8s 도 이미 스킵으로 위치 정보를 일부 되살립니다. 문제는 스킵이 **없다**는 것이 아니라 스킵이
# **무엇을, 어떻게** 넘기느냐입니다.
#
# | | FCN-8s 의 스킵 | U-Net 의 스킵 |
# |---|---|---|
# | 넘기는 것 | 1×1 합성곱으로 만든 **클래스 점수** $K$ 개 | **특성 맵 전체** (채널 $C$ 개) |
# | 합치는 방법 | **더하기** (summation) | 채널 방향 **이어 붙이기** (concatenation) |
# | 가장 고운 해상도 | 보폭 8 | 보폭 1 (입력 해상도) |
# | 합친 뒤 | 곧바로 업샘플링 (선형) | 3×3 합성곱 두 번 (비선형) |
#
# 더하기는 두 텐서의 채널 수가 같아야 하고, 합친 뒤에는 어느 쪽에서 온 값인지 구분할 수 없습니다. 이어 붙이기는 두
# 특성 맵을 나란히 두고 다음 합성곱이 둘을 **어떻게 섞을지 학습**하게 합니다. 그래서 U-Net 은 깊은 층의 "무엇"과 얕은
# 층의 "어디"를 단계마다 다시 계산해 결합합니다.
# :::
#
# 두 방법의 모양 차이를 직접 봅니다.

# %% tags=["nbval-check-output"]
deep = torch.rand(1, 16, 32, 32)  # 아래 단계에서 키워 올라온 특성 맵
shallow = torch.rand(1, 16, 32, 32)  # 수축 경로의 같은 해상도 특성 맵 (스킵)
summed = deep + shallow  # FCN 식: (1, 16, 32, 32), 어느 쪽 값인지 구분이 사라짐
stacked = torch.cat([shallow, deep], dim=1)  # U-Net 식: (1, 32, 32, 32), 둘 다 그대로 남음
print("더하기      :", tuple(summed.shape))
print("이어 붙이기 :", tuple(stacked.shape))
assert torch.equal(stacked[:, :16], shallow) and torch.equal(stacked[:, 16:], deep)
assert summed.shape[1] == 16 and stacked.shape[1] == 32

# %% [markdown]
# ## 2. U 모양
#
# 노트의 설명대로 U-Net 은 대칭입니다.
#
# - **수축 경로**(contracting path, 왼쪽 절반): 단계마다 해상도를 절반으로 줄이고 채널을 두 배로 늘립니다. 이 책의
#   부품은 3장과 같습니다: 3×3 합성곱 두 번(`ConvBlock`), 2×2 스트라이드 2 합성곱으로 줄이기(`Down`).
# - **확장 경로**(expansive path, 오른쪽 절반): 단계마다 2×2 업-합성곱(up-convolution, 커널 2·스트라이드 2 의 전치
#   합성곱)으로 해상도를 두 배로 키우고 채널을 절반으로 줄인 뒤, 수축 경로의 **같은 해상도** 특성 맵을 이어 붙이고
#   3×3 합성곱 두 번을 합니다(`lib.models.Up`). 커널 2 가 스트라이드 2 로 나누어떨어지므로 3장의 체커보드 원인
#   (고르지 않은 겹침)이 없습니다.
# - **출력층**: 1×1 합성곱이 픽셀마다 채널을 클래스 점수로 바꿉니다.
#
# 단계 $k$ 의 채널은 $B\cdot 2^k$, 해상도는 $H/2^k$ 입니다 ($B$ = `base_channels`). 이 장의 설정($B=8$, 깊이 3,
# 64×64 입력)을 그리면 다음과 같습니다. 가로 점선이 스킵(이어 붙이기)입니다.

# %%
viz.unet_diagram(CFG["depth"], CFG["base_channels"], CFG["scene_size"], num_classes=len(data.CLASS_NAMES))
plt.show()

# %% [markdown]
# `lib.models.UNet` 을 만들고, 각 부품에 forward hook 을 걸어 단계마다 들어가고 나오는 모양을 출력합니다.
# 확장 경로의 합성곱 블록(`Up.conv`)에 들어가는 채널이 업-합성곱 출력의 **두 배**인 것이 이어 붙이기의 흔적입니다.

# %% tags=["nbval-check-output"]
num_classes = len(data.CLASS_NAMES)
unet = models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"]).eval()
shape_rows = []


def record(name: str):
    """부품 이름과 입력·출력 모양을 표의 한 행으로 남기는 forward hook 을 만듭니다."""
    def hook(module, inputs, output):
        shape_rows.append([name, "x".join(map(str, inputs[0].shape[1:])), "x".join(map(str, output.shape[1:]))])
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
print(format_table(["부품", "입력 C×H×W", "출력 C×H×W"], shape_rows))
for up in unet.ups:  # 이어 붙이기: 합성곱 블록의 입력 채널 = 업-합성곱 출력 + 같은 수의 스킵 채널
    assert up.conv[0].in_channels == 2 * up.up.out_channels
assert out.shape == (1, num_classes, CFG["scene_size"], CFG["scene_size"])

# %% [markdown]
# ### 어떤 크기에서도
#
# 입력 한 변이 $2^{\text{depth}}$ 로 나누어떨어지지 않으면 줄였다 키운 크기가 스킵과 어긋납니다(예: 37 → 18 → 36).
# 원 논문은 패딩 없는 합성곱을 써서 스킵을 **잘라 내어**(crop) 맞췄습니다. 이 책은 3장의 FCN 과 같은 정책 하나를
# 씁니다(`lib.models.match_size`): 입력의 오른쪽·아래를 0 으로 채워 $2^{\text{depth}}$ 의 배수로 만들고, 출력을 원래
# 크기로 잘라 냅니다. 그러면 안에서는 스킵과 업샘플 결과의 크기가 언제나 같습니다.

# %% tags=["nbval-check-output"]
with torch.no_grad():
    for depth in (1, 2, 3, 4):
        net = models.UNet(3, num_classes, base_channels=4, depth=depth).eval()
        for size in [(1, 1), (37, 53), (64, 64), (100, 30)]:
            assert net(torch.rand(2, 3, *size)).shape == (2, num_classes, *size)
print("깊이 1~4 모두 (1, 1), (37, 53), (64, 64), (100, 30) 에서 출력 = (2, 4, H, W)")

# %% [markdown]
# ## 3. 마지막 1×1 합성곱
#
# :::{admonition} 노트 바로잡기: "1×11 컨볼루션"
# :class: warning
# 노트의 "1×11 컨볼루션"은 오타이고 **1×1 합성곱**(1×1 convolution)입니다. 1×11 커널이라면 가로로 11 픽셀을 섞게 되어
# 까닭 없이 가로 방향만 넓게 보는 층이 됩니다. 출력층이 할 일은 공간을 섞는 것이 아니라 **픽셀마다** 채널 $C$ 개를
# 클래스 점수 $K$ 개로 바꾸는 것이므로 커널은 1×1 입니다.
# :::
#
# 1×1 합성곱은 모든 픽셀 $(i, j)$ 에 같은 $K\times C$ 행렬 $W$ 를 곱하는 일입니다.
#
# $$z_{k,ij} = \sum_{c=1}^{C} W_{kc}\, a_{c,ij} + b_k$$
#
# 확인해 봅니다. 그 뒤 픽셀마다 소프트맥스(softmax)를 취하면 클래스 확률이 됩니다. 학습에서는 `F.cross_entropy` 가
# 소프트맥스와 음의 로그 가능도를 한 번에 계산하고, 예측에서는 소프트맥스가 순서를 바꾸지 않으므로 점수의 argmax 만
# 취합니다.

# %%
features = torch.rand(2, CFG["base_channels"], 5, 7)  # 확장 경로 마지막 특성 맵 (N, C, H, W)
weight = unet.head.weight[:, :, 0, 0]  # (K, C, 1, 1) -> (K, C)
by_matrix = torch.einsum("kc,nchw->nkhw", weight, features) + unet.head.bias[:, None, None]
with torch.no_grad():
    by_conv = unet.head(features)  # (N, C, H, W) -> (N, K, H, W)
    torch.testing.assert_close(by_conv, by_matrix.detach())
    probabilities = by_conv.softmax(dim=1)
assert torch.allclose(probabilities.sum(1), torch.ones(2, 5, 7))
assert torch.equal(probabilities.argmax(1), by_conv.argmax(1))
print("1×1 합성곱 = 픽셀마다 (K×C) 행렬 곱, 소프트맥스는 argmax 를 바꾸지 않음: 확인")

# %% [markdown]
# ## 4. 학습하고 FCN-8s 와 비교하기
#
# 3장과 **같은 데이터 크기와 학습 설정**(장면 수, 에폭, 미니배치, 학습률)으로 세 모델을 학습합니다.
#
# - **U-Net** (이 장의 설정),
# - **FCN-8s** (3장의 모델, 같은 노트북에서 다시 학습),
# - **스킵 없는 U-Net** (`skip_connections=False`): 구조는 같고 이어 붙이기만 뺀 절제 실험입니다.
#
# 모두 배경이라고 답하는 예측이 비교 기준입니다.

# %%
scene_config = data.SceneConfig(size=CFG["scene_size"])
train_images, train_masks = data.make_scenes(CFG["n_train"], scene_config, seed=0)
val_images, val_masks = data.make_scenes(CFG["n_val"], scene_config, seed=1)
all_background = torch.zeros_like(val_masks)
baseline_miou = metrics.mean_iou(all_background, val_masks, num_classes)
print(f"학습 {tuple(train_images.shape)}, 검증 {tuple(val_images.shape)}")
print(f"모두 배경이라고 답하면: mIoU {baseline_miou:.3f}")

# %%
builders = {
    "U-Net": lambda: models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"]),
    "FCN-8s": lambda: models.FCN(3, num_classes, "8s", widths=CFG["fcn_widths"]),
    "U-Net (스킵 없음)": lambda: models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"],
                                             skip_connections=False),
}
nets, histories = {}, {}
for name, build in builders.items():
    config.seed_everything(0)  # 같은 미니배치 순서로 시작합니다
    nets[name] = build()
    histories[name] = train.fit(nets[name], train_images, train_masks, num_classes, CFG["epochs"],
                                batch_size=CFG["batch_size"], lr=CFG["lr"], val=(val_images, val_masks), desc=name)

# %% [markdown]
# 3장처럼 **경계 띠**(boundary band; 정답에서 $5\times5$ 이웃 안에 다른 클래스가 있는 픽셀)의 정확도도 잽니다.
# 위치 정보를 잘 되살리는 모델일수록 경계 띠에서 낫습니다.

# %%
band = metrics.boundary_band(val_masks)
predictions = {name: train.predict(net, val_images) for name, net in nets.items()}
scores, result_rows = {}, []
for name, pred in predictions.items():
    scores[name] = dict(miou=metrics.mean_iou(pred, val_masks, num_classes),
                        band=(pred == val_masks)[band].float().mean().item())
    params = sum(p.numel() for p in nets[name].parameters() if p.requires_grad)
    step_ms = train.step_seconds(builders[name](), train_images[:CFG["batch_size"]],
                                 train_masks[:CFG["batch_size"]]) * 1e3  # 새 모델로 학습 한 걸음의 시간
    result_rows.append([name, params, f"{histories[name].seconds:.0f}", f"{step_ms:.0f}",
                        f"{scores[name]['miou']:.3f}", f"{scores[name]['band']:.3f}"])
result_rows.append(["모두 배경", 0, "-", "-", f"{baseline_miou:.3f}", f"{(val_masks == 0)[band].float().mean():.3f}"])
print(format_table(["모델", "학습 파라미터", "학습(초)", "걸음(ms)", "검증 mIoU", "경계 띠 정확도"], result_rows))
for name, s in scores.items():
    assert s["miou"] > baseline_miou + 0.03, f"{name} 가 '모두 배경' 보다 낫지 않습니다"

# %% [markdown]
# 이 책의 full 출력에서 U-Net 은 FCN-8s 보다 mIoU(0.842 대 0.736)도, 경계 띠 정확도(0.925 대 0.779)도 높습니다.
# 학습 파라미터 수는 거의 같으므로(약 10 만 개) 차이는 크기가 아니라 **구조**에서 옵니다. 모두 배경(0.184)보다는 세
# 모델 모두 훨씬 낫습니다. 다만 4 에폭만 학습하는 fast 프로필에서는 U-Net 과 FCN-8s 의 순서가 바뀔 수 있어서 이
# 비교는 assert 하지 않았습니다. 학습이 짧으면 점수 몇 개만 더하는 FCN 이 먼저 자리를 잡기도 합니다.
#
# 비용은 다릅니다. **걸음(ms)** 를 보면 U-Net 이 FCN-8s 의 약 두 배입니다. 파라미터 때문이 아니라, 확장 경로가 입력
# 해상도(64×64)까지 내려와 거기서도 3×3 합성곱 두 번을 하기 때문입니다. 합성곱의 계산량은 파라미터 수 × 출력 픽셀
# 수이므로 고해상도 층은 파라미터가 적어도 비쌉니다. **학습(초)** 는 `fit` 이 잰 전체 시간이라
# 같은 기계에서 다른 프로그램이 돌면 크게 흔들리므로, 모델끼리의 비용 비교에는 걸음(ms)을 보세요.

# %% [markdown]
# 에폭마다의 검증 mIoU 입니다.

# %%
epochs = range(1, CFG["epochs"] + 1)
curves = {name: h.val_miou for name, h in histories.items()} | {"모두 배경": [baseline_miou] * len(epochs)}
viz.line_plot(epochs, curves, xlabel="에폭", ylabel="검증 mIoU", title="학습 중 검증 mIoU")
plt.show()

# %% [markdown]
# 예측을 나란히 봅니다. 열은 정답과 세 모델의 예측입니다.

# %%
show = slice(0, 4)
fig = viz.segmentation_grid(val_images[show], {"정답": val_masks[show]} |
                            {name: pred[show] for name, pred in predictions.items()}, size=1.7)
plt.show()

# %% [markdown]
# ### 절제 실험: 스킵을 빼면
#
# 스킵 없는 U-Net 은 파라미터가 조금 적을 뿐(확장 경로의 첫 합성곱이 받는 채널이 절반) 나머지 구조와 학습 설정이
# 같습니다. 그런데도 8×8 바닥에서 키운 정보만으로 경계를 그려야 하므로 mIoU 와 경계 띠 정확도 모두 뒤처지고, 위 그림에서도
# 모서리가 뭉툭하고 한 도형 안에 클래스가 섞입니다. 이어 붙인
# 고해상도 특징이 "어디"를 되살린다는 것을 이 차이가 보여 줍니다.

# %%
skip_gain = {key: scores["U-Net"][key] - scores["U-Net (스킵 없음)"][key] for key in ("miou", "band")}
print(f"스킵 연결로 얻은 것: mIoU {skip_gain['miou']:+.3f}, 경계 띠 정확도 {skip_gain['band']:+.3f}")
assert skip_gain["band"] > 0 and skip_gain["miou"] > 0  # 이어 붙이기 스킵이 도움이 됩니다
no_skip = models.UNet(3, num_classes, CFG["base_channels"], CFG["depth"], skip_connections=False)
assert [up.conv[0].in_channels for up in no_skip.ups] == [up.up.out_channels for up in no_skip.ups]

# %% [markdown]
# ## 정리
#
# - 줄이는 동안 사라지는 것은 경계가 $s\times s$ 블록 **안의 어디**를 지나는지입니다. 키우기만으로는 되살릴 수 없고,
#   고해상도 특징을 다시 가져와야 합니다.
# - FCN-8s 는 보폭 16·8 의 **클래스 점수**를 **더합니다**. U-Net 은 보폭 1 까지 모든 단계의 **특성 맵 전체**를
#   **이어 붙이고**, 3×3 합성곱 두 번으로 "무엇"과 "어디"를 다시 계산합니다.
# - 마지막 1×1 합성곱(노트의 "1×11" 은 오타)은 픽셀마다 같은 $K\times C$ 행렬을 곱하는 일입니다.
# - 입력 크기가 $2^{\text{depth}}$ 의 배수가 아니어도 3장과 같은 크기 정책(오른쪽·아래 0 채우기 → 잘라 내기)으로
#   어떤 크기의 출력도 입력과 같은 크기입니다.
#
# 다음 [5장](05_style_transfer.ipynb)은 같은 합성곱 특징을 세그멘테이션이 아니라 **스타일**을 재는 데 씁니다.
#
# ## 연습문제
#
# 1. `UNet(3, K, base_channels=B, depth=d)` 의 파라미터 수를 $B$, $d$, $K$ 로 세는 식을 세우고, 이 장의 설정과
#    원 논문 설정($B=64$, $d=4$, $K=2$, 흑백 입력)에서 계산해 `sum(p.numel() for p in net.parameters())` 와 맞춰 보세요.
#    3×3 합성곱은 바로 뒤에 배치 정규화(BN)가 있어 bias 를 두지 않습니다.
#
# :::{admonition} 풀이
# :class: dropdown
# `ConvBlock(a, c)` 는 $9ac + 9c^2 + 4c$ (BN 두 개가 채널마다 2 개씩), `Down(a, c)` 는 $4ac + 9c^2 + 4c$,
# `Up(a, c)` 는 업-합성곱 $4ac + c$ (bias 있음)에 `ConvBlock(2c, c)`, 출력층은 $BK + K$ 입니다.
# ```python
# def count(c_in, K, B, d):
#     w = [B * 2**i for i in range(d + 1)]
#     block = lambda a, c: 9 * a * c + 9 * c * c + 4 * c
#     total = block(c_in, B) + sum(4 * a * c + 9 * c * c + 4 * c for a, c in zip(w, w[1:]))
#     total += sum(4 * a * c + c + block(2 * c, c) for a, c in zip(w[:0:-1], w[-2::-1]))
#     return total + B * K + K
# for args in [(3, 4, 8, 3), (1, 2, 64, 4)]:
#     net = models.UNet(args[0], args[1], args[2], args[3])
#     assert count(*args) == sum(p.numel() for p in net.parameters())
#     print(args, count(*args))
# ```
# 이 장의 설정은 107,764 개, 원 논문 설정은 27,554,946 개입니다. 원 논문 모델(약 3,100만 개)보다 적은 것은 이 책의
# `Down` 이 최대 풀링 + 3×3 합성곱($9ac$) 대신 2×2 스트라이드 2 합성곱($4ac$)으로 줄이기 때문입니다. 채널이 단계마다
# 두 배이므로 파라미터 대부분은 가장 깊은 두 단계에 있습니다.
# :::
#
# 2. 깊이 3 의 U-Net 에 $37\times53$ 이미지를 넣으면 안에서 어떤 크기로 계산합니까? 이 책의 정책이 출력 픽셀
#    $(i, j)$ 를 입력 픽셀 $(i, j)$ 와 같은 자리에 두는 까닭은 무엇입니까?
#
# :::{admonition} 풀이
# :class: dropdown
# $2^3 = 8$ 의 배수로 올려 $40\times56$ 에서 계산합니다(바닥은 $5\times7$). 0 은 오른쪽·아래에만 채우고 출력은
# 왼쪽 위에서 잘라 내므로 격자가 옮겨지지 않습니다. 가운데 정렬로 채웠다면 잘라 낼 때도 같은 만큼 옮겨야 하고,
# 한쪽만 틀리면 예측 전체가 몇 픽셀 밀립니다.
# ```python
# net = models.UNet(3, 4, 4, 3).eval()
# image = torch.rand(1, 3, 37, 53)
# padded = torch.zeros(1, 3, 40, 56); padded[..., :37, :53] = image
# with torch.no_grad():
#     torch.testing.assert_close(net(image), net(padded)[..., :37, :53])
# ```
# :::
#
# 3. 스킵을 이어 붙이기 대신 **더하기**로 바꾸면(FCN 식) 확장 경로의 첫 합성곱이 받는 채널 수와 파라미터 수는
#    어떻게 바뀝니까? 더하기 버전을 노트북에서 만들어 학습하고 이 장의 표와 비교해 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 업-합성곱 출력과 스킵의 채널 수가 $c$ 로 같으므로 더하기도 가능하고, 그러면 `ConvBlock` 의 입력이 $2c$ 에서 $c$ 로
# 줄어 단계마다 $9c^2$ 개가 줄어듭니다 — 정확히 스킵 없는 U-Net 과 같은 파라미터 수입니다. 더하기는 파라미터를
# 늘리지 않고 고해상도 정보를 넣지만, 두 특성 맵이 같은 채널에 섞여 다음 합성곱이 둘을 따로 가중할 수 없습니다.
# `lib.models.Up` 의 `forward` 를 본떠 `x = self.up(x) + skip` 로 바꾼 부품을 만들어 실험해 보세요. 이 장처럼 작은
# 장면에서는 더하기도 스킵 없음보다는 대개 낫고, 이어 붙이기와의 차이는 작을 수 있습니다. 결론을 내기 전에 시드를
# 바꿔 여러 번 재어 보세요.
# :::
