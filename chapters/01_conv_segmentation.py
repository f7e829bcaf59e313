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
# 이미지 분류는 사진 한 장에 답 하나를 냅니다. **이미지 세그멘테이션(image segmentation)** 은 픽셀마다 답을 냅니다.
# 픽셀 하나하나를 클래스 $C$ 중 하나에 배정해서 "이 사진에 고양이가 있다"가 아니라 "이 픽셀들이 고양이다"라고
# 말하는 것이죠.
#
# 이 장에서는 노트의 첫 절 *Convolutional Segmentation* 을 따라갑니다.
#
# 1. 세그멘테이션 문제를 정의하고, 이 책 전체에서 쓸 합성 장면(synthetic scene) 데이터를 봅니다.
# 2. **고전적인 방법**: 픽셀마다 그 주변 패치(patch)를 잘라 CNN 으로 분류합니다.
# 3. 같은 계산을 세 가지로 구현합니다 — (a) 픽셀마다 반복, (b) 모든 패치를 한 배치로 묶기(노트의 "그룹화"),
#    (c) 패딩·풀링 없는 스트라이드 1 CNN 을 이미지 전체에 **한 번** 적용. 세 결과가 같음을 확인하고 속도를 잽니다.
# 4. 곱셈-덧셈 수를 세어 속도 차이를 예측하고 측정값과 비교합니다.
# 5. 조밀한(dense) 방식으로 작은 네트워크를 학습시켜 첫 세그멘테이션 결과를 봅니다.
# 6. 그런데도 왜 여전히 비싼지, 그래서 2장의 다운샘플링·업샘플링이 왜 필요한지 봅니다.

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

from lib import config, data, metrics, segmentation, timing, train, viz

print(config.describe())
config.seed_everything(0)

# %% [markdown]
# 이 장의 크기 설정은 모두 아래 사전 하나에 있습니다. `config.pick(fast 값, full 값)` 은 환경 변수 `BOOK_FAST=1`
# 이면 앞의 값을, 아니면 뒤의 값을 고릅니다. 이 페이지의 결과는 full 프로필로 실행한 것입니다.

# %%
CFG = dict(
    scene_size=config.pick(32, 64),  # 학습용 합성 장면 한 변 (픽셀)
    width=32,  # 패치 CNN 의 은닉 채널 수
    depth=6,  # 3×3 합성곱 층 수 → 수용 영역 1 + 2·depth
    timing_size=config.pick(32, 64),  # 세 방법을 비교하는 이미지 한 변
    loop_sizes=config.pick([8, 16], [8, 16, 32, 64]),  # 반복·배치 방식의 시간을 잴 크기들
    dense_sizes=config.pick([8, 16, 32, 64], [8, 16, 32, 64, 128, 256, 512]),  # 조밀한 방식의 시간을 잴 크기들
    train_scenes=config.pick(256, 400),  # 학습 장면 수
    val_scenes=config.pick(32, 100),  # 검증 장면 수
    epochs=config.pick(8, 15),  # 학습 에폭
    lr=3e-3,  # Adam 학습률
)
CFG

# %% [markdown]
# ## 1. 세그멘테이션: 픽셀마다 하나의 클래스
#
# 입력 이미지를 $x \in \mathbb{R}^{3 \times H \times W}$ 라고 하면, 세그멘테이션 모델은 픽셀 $(i, j)$ 마다
# 클래스 $K$ 개의 점수(로짓, logit) $s_{ij} \in \mathbb{R}^{K}$ 를 내고, 소프트맥스(softmax)로 확률을 만들어 가장 큰
# 클래스를 고릅니다.
#
# $$\hat{y}_{ij} = \arg\max_{k} \; \mathrm{softmax}(s_{ij})_k, \qquad \hat{y} \in \{0, \dots, K-1\}^{H \times W}.$$
#
# 정답 $y$ 도 같은 모양의 **클래스 지도(label map)** 입니다. 학습은 픽셀마다의 교차 엔트로피를 평균한 손실로 합니다.
#
# 실제 데이터셋(PASCAL VOC, Cityscapes 등)은 내려받아야 하므로, 이 책은 `lib.data` 가 만드는 **합성 장면** 을 씁니다.
# 질감 있는 배경 위에 원·사각형·삼각형을 그리고, 그림을 그린 바로 그 판정식으로 정답 마스크를 만들기 때문에 마스크가
# 픽셀 단위로 정확합니다. 도형의 색과 질감은 무작위라서, 색만 보고는 클래스를 알 수 없고 **모양** 을 봐야 합니다.

# %%
scene_config = data.SceneConfig(size=CFG["scene_size"])
images, masks = data.make_scenes(CFG["train_scenes"] + CFG["val_scenes"], scene_config, seed=0)
print("이미지:", tuple(images.shape), images.dtype, "| 마스크:", tuple(masks.shape), masks.dtype)
print("클래스:", dict(enumerate(data.CLASS_NAMES)))
fig = viz.segmentation_grid(images[:4], {"정답 마스크": masks[:4]}, size=1.8)

# %% [markdown]
# 클래스마다 픽셀이 얼마나 되는지도 봐 둡니다. 배경이 대부분이므로, "모두 배경"이라고만 답해도 픽셀 정확도는
# 꽤 높게 나옵니다. 그래서 세그멘테이션은 클래스마다의 IoU(교집합/합집합)와 그 평균 mIoU 로 평가합니다.

# %%
fractions = torch.bincount(masks.flatten(), minlength=len(data.CLASS_NAMES)).double() / masks.numel()
print(timing.format_table(["클래스", "픽셀 비율"], [[n, float(f)] for n, f in zip(data.CLASS_NAMES, fractions)]))
val_images, val_masks = images[CFG["train_scenes"]:], masks[CFG["train_scenes"]:]
all_background = torch.zeros_like(val_masks)
baseline_miou = metrics.mean_iou(all_background, val_masks, len(data.CLASS_NAMES))
baseline_accuracy = metrics.pixel_accuracy(all_background, val_masks, len(data.CLASS_NAMES))
print(f"'모두 배경' 예측: 픽셀 정확도 {baseline_accuracy:.3f}, mIoU {baseline_miou:.3f}")

# %% [markdown]
# ## 2. 고전적인 방법: 픽셀마다 패치를 분류
#
# 이미 잘 아는 도구는 이미지 **분류기** 입니다. 그러니 픽셀 $(i, j)$ 의 클래스를 알고 싶으면, 그 픽셀을 가운데 둔
# $p \times p$ 패치 $P_{ij}$ 를 잘라 분류기 $g$ 에 넣으면 됩니다.
#
# $$s_{ij} = g(P_{ij}), \qquad P_{ij} = \tilde{x}[:,\, i : i + p,\, j : j + p].$$
#
# 여기서 $\tilde{x}$ 는 $x$ 의 사방을 $h = \lfloor p/2 \rfloor$ 픽셀씩 0 으로 채운(zero padding) 이미지입니다.
# 가장자리 픽셀도 가운데에 두려면 이미지 바깥의 값이 필요하기 때문입니다. 0 으로 채우는 것이 가장 흔한 선택이지만,
# 네트워크는 가장자리에서 "검은 테두리"라는 실제로는 없는 무늬를 보게 됩니다 (연습문제 4).
#
# 아래 그림에서 점선 안이 원래 이미지, 바깥이 채운 영역입니다. 왼쪽 위 모서리 픽셀의 패치(주황)는 절반 이상이
# 채운 0 이고, 가운데 픽셀의 패치(하늘색)는 이미지 안에 온전히 들어갑니다.

# %%
patch_model = segmentation.PatchCNN(3, len(data.CLASS_NAMES), width=CFG["width"], depth=CFG["depth"]).eval()
p = segmentation.receptive_field(patch_model)
fig, ax = plt.subplots(figsize=(4, 4))
viz.patch_figure(images[0], p, [(0, 0), (CFG["scene_size"] // 2, CFG["scene_size"] // 2)], ax=ax)
plt.show()

# %% [markdown]
# ### 분류기: 패딩도 풀링도 없는 스트라이드 1 CNN
#
# 노트가 말하는 개선안의 핵심은 분류기를 특별한 모양으로 만드는 것입니다. **패딩 없이, 풀링 없이, 스트라이드 1**
# 로만 움직이는 합성곱을 쌓고, 마지막에 $1 \times 1$ 합성곱을 분류기로 둡니다 (`lib.segmentation.PatchCNN`).
#
# 패딩 없는 $3 \times 3$ 합성곱은 가장자리를 한 줄씩 깎습니다. $L$ 층을 지나면 한 변이 $2L$ 만큼 줄어들어서,
# $p = 1 + 2L$ 크기의 패치가 정확히 $1 \times 1$ 출력, 즉 그 패치의 가운데 픽셀에 대한 로짓 $K$ 개가 됩니다.
# 이 $p$ 가 네트워크의 **수용 영역(receptive field)**, 출력 한 칸이 볼 수 있는 입력의 범위입니다. 커널 크기가 $k_l$
# 인 층들이라면
#
# $$r = 1 + \sum_{l=1}^{L} (k_l - 1).$$

# %% tags=["nbval-check-output"]
print(patch_model)
print(f"수용 영역 r = 1 + {CFG['depth']}·(3-1) = {p}")
assert p == 1 + 2 * CFG["depth"]
one_patch = torch.zeros(1, 3, p, p)
assert patch_model(one_patch).shape == (1, len(data.CLASS_NAMES), 1, 1)  # p×p 패치 → 1×1 로짓

# %% [markdown]
# 그림으로 보면 더 분명합니다. 맨 위 출력 한 칸은 바로 아래 층의 3칸에, 그 3칸은 다시 아래 층의 5칸에 의존합니다.
# 층을 하나 내려갈 때마다 양쪽으로 한 칸씩 넓어져서, 입력에서는 $r$ 칸이 됩니다 (2차원에서는 $r \times r$).

# %%
ax = viz.receptive_field_diagram(CFG["depth"], kernel_size=3)
plt.show()

# %% [markdown]
# ## 3. 같은 답을 세 가지로 계산하기
#
# ### (a) 픽셀마다 한 번씩: 반복문
#
# 정의 그대로입니다. 한 픽셀에 대해 해 보면:

# %%
image = data.make_scenes(1, data.SceneConfig(size=CFG["timing_size"]), seed=1)[0]  # (1, 3, S, S), S = timing_size
padded = segmentation.pad_for_patches(image, p)  # (1, 3, S + p - 1, S + p - 1)
i, j = 10, 20
patch = padded[:, :, i:i + p, j:j + p]  # 픽셀 (10, 20) 을 가운데 둔 p×p 패치
with torch.no_grad():
    logits_ij = patch_model(patch)[0, :, 0, 0]  # (K,)
print("패딩한 이미지:", tuple(padded.shape), "| 패치:", tuple(patch.shape), "| 로짓:", logits_ij.numpy().round(4))

# %% [markdown]
# 이것을 $H \times W$ 번 반복하면 (a) 입니다. `lib.segmentation.sliding_window_predict(model, image, p, batch_size=1)`
# 이 바로 이 반복을 합니다 — 패치 하나를 잘라 모델을 한 번 부르고, 다음 픽셀로 넘어갑니다.
#
# ### (b) 모든 패치를 한 배치로: 노트의 "그룹화"
#
# 순전파를 $H W$ 번 따로 부르는 대신, 모든 패치를 쌓아 $(HW, 3, p, p)$ 배치 하나로 한 번에 넣을 수 있습니다.
# 파이썬 반복과 함수 호출의 부담은 사라지지만, **계산량은 그대로** 입니다. 게다가 패치들은 서로 크게 겹치므로,
# 쌓은 배치는 원래 이미지보다 약 $p^2$ 배 큽니다.

# %%
n_pixels = CFG["timing_size"] ** 2
batch_bytes = n_pixels * 3 * p * p * 4
print(f"패치 배치: ({n_pixels}, 3, {p}, {p}) = {batch_bytes / 2**20:.1f} MiB, "
      f"원래 이미지의 {batch_bytes / (image.numel() * 4):.0f}배 (= p² = {p * p})")

# %% [markdown]
# ### (c) 한 번의 조밀한 순전파
#
# 스트라이드 1·패딩 없는 합성곱의 출력 $(i, j)$ 는 입력의 $(i, j)$ 에서 시작하는 $k \times k$ 창만 봅니다.
# 층을 쌓아도 마찬가지여서, 마지막 출력 $(i, j)$ 는 입력의 $\tilde{x}[:, i:i+r, j:j+r]$ 만 봅니다. 그런데 $r = p$ 이고
# $\tilde{x}$ 가 사방을 $\lfloor p/2 \rfloor$ 만큼 채운 이미지이므로, 이 창은 **정확히 $P_{ij}$** 입니다.
# 그러니 채운 이미지 전체 $(3, H + p - 1, W + p - 1)$ 에 모델을 한 번만 적용하면 $(K, H, W)$ 출력의 칸 $(i, j)$ 가
# 곧 $g(P_{ij})$ 입니다. 모든 출력 유닛이 같은 가중치를 공유하고(합성곱), 픽셀마다 소프트맥스를 적용하는 구조 —
# 노트가 말한 그대로입니다.
#
# 이웃한 두 픽셀의 패치는 $p \times (p-1)$ 만큼 겹칩니다. (a)와 (b)는 겹친 부분의 중간 계산을 패치마다 다시 하고,
# (c)는 한 번만 합니다. 세 방법이 같은 로짓을 내는지 확인합시다.

# %%
loop_logits = segmentation.sliding_window_predict(patch_model, image, p, batch_size=1, progress=True)
batched_logits = segmentation.sliding_window_predict(patch_model, image, p)
dense_logits = segmentation.dense_predict(patch_model, image, p)
print("출력 모양:", tuple(dense_logits.shape))
print(f"최대 차이: (a)-(c) {(loop_logits - dense_logits).abs().max():.2e}, "
      f"(b)-(c) {(batched_logits - dense_logits).abs().max():.2e}")
assert torch.allclose(loop_logits, dense_logits, atol=1e-5)
assert torch.allclose(batched_logits, dense_logits, atol=1e-5)
assert torch.allclose(loop_logits[0, :, i, j], logits_ij, atol=1e-5)  # 위에서 손으로 자른 패치와도 같음

# %% [markdown]
# ## 4. 얼마나 빠른가: 곱셈-덧셈 세기와 측정
#
# ### 예측: 층마다의 중복 계산
#
# 합성곱 층 $l$ 의 곱셈-덧셈(multiply-accumulate, MAC) 수는 (출력 위치 수) × $C_{l-1} C_l k_l^2$ 입니다.
# 패치 하나를 넣으면 층 $l$ 의 출력은 $s_l \times s_l$, $s_l = p - \sum_{m \le l}(k_m - 1)$ 입니다. 따라서
#
# $$\text{MAC}_{\text{픽셀마다}} = H W \sum_{l} s_l^2 \, C_{l-1} C_l k_l^2, \qquad
#   \text{MAC}_{\text{조밀}} = \sum_{l} (H + s_l - 1)(W + s_l - 1)\, C_{l-1} C_l k_l^2 .$$
#
# 층 $l$ 에서 픽셀마다의 방식은 조밀한 방식보다 $\frac{H W s_l^2}{(H + s_l - 1)(W + s_l - 1)} \approx s_l^2$ 배 많이
# 계산합니다. 출력이 큰 **앞쪽 층일수록 중복이 큽니다**. `lib.segmentation.conv_cost` 로 층마다 세어 봅니다.

# %%
size = CFG["timing_size"]
per_patch = segmentation.conv_cost(patch_model, (1, 3, p, p))
dense_cost = segmentation.conv_cost(patch_model, (1, 3, size + p - 1, size + p - 1))
rows = []
layers = zip(per_patch["layers"], dense_cost["layers"])
for k, ((_, patch_shape, patch_macs), (_, _, dense_macs)) in enumerate(layers, start=1):
    name = "1×1 분류기" if k == len(per_patch["layers"]) else f"3×3 합성곱 {k}"
    rows.append([name, f"{patch_shape[-1]}×{patch_shape[-1]}", size * size * patch_macs / 1e6, dense_macs / 1e6,
                 size * size * patch_macs / dense_macs])
predicted_speedup = size * size * per_patch["macs"] / dense_cost["macs"]
rows.append(["합계", "", size * size * per_patch["macs"] / 1e6, dense_cost["macs"] / 1e6, predicted_speedup])
print(f"{size}×{size} 이미지, 패치 {p}×{p}")
print(timing.format_table(["층", "패치 출력 s_l", "픽셀마다 (백만 MAC)", "조밀 (백만 MAC)", "중복 배수"], rows))

# %% [markdown]
# 계산량만 보면 조밀한 방식이 위 표의 마지막 줄(합계)의 배수만큼 빨라야 합니다. 이제 실제로 재어 봅니다.
# `lib.timing.best_time` 은 미리 한 번 실행한 뒤 몇 번 재어 가장 짧은 시간을 돌려줍니다.

# %%
loop_time = timing.best_time(lambda: segmentation.sliding_window_predict(patch_model, image, p, batch_size=1),
                             repeat=1, warmup=0)
batched_time = timing.best_time(lambda: segmentation.sliding_window_predict(patch_model, image, p), repeat=2)
dense_time = timing.best_time(lambda: segmentation.dense_predict(patch_model, image, p), repeat=5)
rows = [
    ["(a) 픽셀마다 반복", loop_time, loop_time / dense_time, predicted_speedup],
    ["(b) 패치 한 배치", batched_time, batched_time / dense_time, predicted_speedup],
    ["(c) 조밀한 한 번", dense_time, 1.0, 1.0],
]
print(f"{size}×{size} 이미지, 장치 {config.device()}")
print(timing.format_table(["방법", "시간 (초)", "(c) 대비 측정 배수", "MAC 으로 예측한 배수"], rows))
assert dense_time * 10 < loop_time and dense_time * 10 < batched_time
assert loop_time / dense_time > predicted_speedup  # 호출 부담까지 더해져 MAC 예측보다 큼 (아래 설명)

# %% [markdown]
# 측정한 배수가 MAC 으로 예측한 배수보다 큰 이유는 두 가지입니다.
#
# - (a)는 모델을 $HW$ 번 부릅니다. 호출마다 파이썬과 PyTorch 의 디스패치(dispatch) 부담이 층마다 붙고,
#   $13 \times 13$ 같은 작은 입력에서는 CPU 의 벡터 연산을 제대로 채우지 못합니다.
# - (b)는 호출은 한 번이지만 $p^2$ 배로 불어난 배치를 메모리에 만들고 읽어야 합니다. 계산량은 (a)와 같습니다.
#
# 같은 측정을 크기별로 반복해 봅시다. 반복·배치 방식은 시간이 오래 걸리므로 작은 크기까지만 잽니다.

# %%
sweep = {"(a) 픽셀마다 반복": [], "(b) 패치 한 배치": [], "(c) 조밀한 한 번": []}
for s in CFG["loop_sizes"]:
    x = torch.rand(1, 3, s, s)
    sweep["(a) 픽셀마다 반복"].append(timing.best_time(
        lambda: segmentation.sliding_window_predict(patch_model, x, p, batch_size=1), repeat=1, warmup=0))
    sweep["(b) 패치 한 배치"].append(timing.best_time(lambda: segmentation.sliding_window_predict(patch_model, x, p)))
for s in CFG["dense_sizes"]:
    x = torch.rand(1, 3, s, s)
    sweep["(c) 조밀한 한 번"].append(timing.best_time(lambda: segmentation.dense_predict(patch_model, x, p)))

sizes = {name: CFG["dense_sizes"] if name.startswith("(c)") else CFG["loop_sizes"] for name in sweep}
ax = viz.line_plot(None, {name: (sizes[name], times) for name, times in sweep.items()}, "이미지 한 변 (픽셀)",
                   "시간 (초)", title=f"수용 영역 {p}인 패치 CNN 의 예측 시간", logx=True, logy=True)
plt.show()

# %% [markdown]
# 세 곡선 모두 기울기가 약 2입니다: 시간이 픽셀 수 $HW$ 에 비례합니다. 차이는 **상수배** 이고, 그 상수가
# 수십~수백 배입니다. 작은 크기에서 (c)의 곡선이 평평한 것은 계산보다 호출 부담이 큰 구간이기 때문입니다.

# %% [markdown]
# ## 5. 조밀한 방식으로 학습하기
#
# 조밀한 순전파가 픽셀마다의 분류와 **같은 함수** 이므로, 학습도 조밀하게 할 수 있습니다. 채운 이미지를 넣어
# $(K, H, W)$ 로짓을 얻고, 픽셀마다의 교차 엔트로피를 평균합니다.
#
# $$\mathcal{L} = -\frac{1}{HW} \sum_{i,j} \log \mathrm{softmax}(s_{ij})_{y_{ij}} .$$
#
# 이것은 모든 픽셀의 패치를 하나씩 분류기에 넣어 학습하는 것과 같은 손실, 같은 기울기입니다. 단지 겹치는 계산을
# 나눠 쓸 뿐입니다. 학습 반복문은 3·4장에서도 쓰는 `lib.train.fit` 입니다.

# %%
config.seed_everything(0)
model = segmentation.PatchCNN(3, len(data.CLASS_NAMES), width=CFG["width"], depth=CFG["depth"])
train_inputs = segmentation.pad_for_patches(images[:CFG["train_scenes"]], p)  # (N, 3, H + p - 1, W + p - 1)
val_inputs = segmentation.pad_for_patches(val_images, p)
history = train.fit(model, train_inputs, masks[:CFG["train_scenes"]], num_classes=len(data.CLASS_NAMES),
                    epochs=CFG["epochs"], batch_size=16, lr=CFG["lr"], val=(val_inputs, val_masks),
                    desc="패치 CNN 학습")
print(f"학습 시간 {history.seconds:.1f}초 ({config.device()})")

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
epochs = range(1, CFG["epochs"] + 1)
viz.line_plot(epochs, {"학습 손실": history.loss}, "에폭", "교차 엔트로피", ax=axes[0])
viz.line_plot(epochs, {"검증 mIoU": history.val_miou, "검증 픽셀 정확도": history.val_accuracy}, "에폭", "값",
              ax=axes[1])
axes[1].axhline(baseline_miou, color="gray", ls="--", lw=1)
axes[1].text(1, baseline_miou + 0.02, "'모두 배경'의 mIoU", color="gray", fontsize=8)
plt.show()

# %% [markdown]
# 검증 장면에서 클래스별 IoU 를 봅니다. 이 모델은 아무리 학습해도 볼 수 있는 범위가 $p \times p$ 뿐이라는 점을
# 기억하세요.

# %%
pred = train.predict(model, val_inputs)
iou = metrics.iou_per_class(pred, val_masks, len(data.CLASS_NAMES))
model_miou = metrics.mean_iou(pred, val_masks, len(data.CLASS_NAMES))
model_accuracy = metrics.pixel_accuracy(pred, val_masks, len(data.CLASS_NAMES))
print(timing.format_table(["클래스", "IoU"], [[n, float(v)] for n, v in zip(data.CLASS_NAMES, iou)]))
print(f"mIoU {model_miou:.3f} (모두 배경: {baseline_miou:.3f}) | "
      f"픽셀 정확도 {model_accuracy:.3f} (모두 배경: {baseline_accuracy:.3f})")
assert model_miou > baseline_miou and model_accuracy > baseline_accuracy

# %%
fig = viz.segmentation_grid(val_images[:4], {"정답": val_masks[:4], "예측": pred[:4]}, size=1.8)

# %% [markdown]
# ### 어디서 틀리는가: 혼동 행렬
#
# 혼동 행렬(confusion matrix)의 행은 정답 클래스, 열은 예측 클래스입니다. 행마다 비율로 바꾸면 "정답이 원인 픽셀을
# 무엇으로 예측했는가"가 한 줄에 보입니다.

# %%
matrix = metrics.confusion_matrix(pred, val_masks, len(data.CLASS_NAMES))
ax = viz.confusion_matrix_figure(matrix, data.CLASS_NAMES)
plt.show()
shape_rows = matrix[1:].double()  # 정답이 도형인 픽셀들
found = (shape_rows[:, 1:].sum() / shape_rows.sum()).item()  # 어떤 도형이든 도형으로 예측한 비율
right_shape = (shape_rows[:, 1:].diagonal().sum() / shape_rows.sum()).item()  # 맞는 도형으로 예측한 비율
print(f"도형 픽셀 중 '도형'으로 찾은 비율 {found:.3f} | 그중 맞는 도형으로 분류한 비율 {right_shape:.3f}")
assert found > right_shape + 0.1

# %% [markdown]
# 모델은 도형이 **어디 있는지** (배경과 도형의 구분)는 꽤 잘 찾지만, 그것이 **무슨 도형인지** 는 잘 구분하지 못합니다.
# 배경은 회색조이고 도형은 진한 색이어서 배경/도형은 $p \times p$ 창 안의 색과 질감만으로 알 수 있습니다. 하지만 원과
# 사각형과 삼각형의 차이는 **윤곽 전체의 모양** 에 있고, 도형의 지름(16~32픽셀)이 수용 영역 $p = 13$ 보다 큽니다.
# 도형 안쪽의 패치에는 윤곽이 아예 없고, 가장자리의 패치에도 윤곽의 짧은 조각만 들어 있습니다.
# 더 잘하려면 **수용 영역이 물체 전체를 덮을 만큼** 넓어야 합니다.

# %% [markdown]
# ## 6. 그래도 비싸다: 해상도를 유지하는 네트워크의 비용
#
# 조밀한 방식은 중복을 없앴지만, 모든 층이 **입력과 같은 해상도** 로 계산한다는 점은 그대로입니다. 노트의 말대로
# 복잡한 내부 표현을 배우려면 층과 채널이 많아야 하고, 위에서 보았듯 수용 영역도 물체 크기만큼 넓어야 합니다.
# 예를 들어 3×3 합성곱만으로 수용 영역 67 을 얻으려면 33 층이 필요합니다.
#
# 비교를 위해, 같은 수용 영역을 **다운샘플링** 으로 얻는 네트워크를 생각합니다: 3×3 합성곱 두 번씩의 단계 네 개 사이에
# 2×2 최대 풀링을 세 번 넣고, 채널은 단계마다 두 배(64 → 512)로 늘립니다 (`lib.segmentation.downsampling_cnn`). 풀링할 때마다 한 칸이 입력에서 두 배 넓은 간격을 대표하므로,
# 같은 3×3 커널이 더 넓은 범위를 봅니다 (수용 영역 공식에 보폭 $j_l = \prod_{m<l} \mathrm{stride}_m$ 이 곱해집니다:
# $r = 1 + \sum_l (k_l - 1) j_l$). 두 네트워크의 계산량과 활성값 메모리를 이미지 크기별로 셉니다. 실제로 계산하지 않도록
# `meta` 장치(모양만 추적)에서 셉니다.

# %%
with torch.device("meta"):
    pooled_net = segmentation.downsampling_cnn(stages=4, width=64)
    full_res_net = segmentation.PatchCNN(3, len(data.CLASS_NAMES), width=64,
                                         depth=(segmentation.receptive_field(pooled_net) - 1) // 2)
print("수용 영역: 해상도 유지", segmentation.receptive_field(full_res_net),
      "| 다운샘플링", segmentation.receptive_field(pooled_net))

sides = [64, 128, 256, 512, 1024]
full_res_name = f"해상도 유지 (3×3 × {len(full_res_net) // 2}층, 64채널)"
pooled_name = "다운샘플링 (2×2 풀링 3번, 64→512채널)"
border = segmentation.receptive_field(full_res_net) - 1  # 해상도 유지 네트워크는 채운 이미지를 받습니다
costs = {full_res_name: [segmentation.conv_cost(full_res_net, (1, 3, s + border, s + border)) for s in sides],
         pooled_name: [segmentation.conv_cost(pooled_net, (1, 3, s, s)) for s in sides]}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
viz.line_plot(sides, {n: [c["macs"] / 1e9 for c in cs] for n, cs in costs.items()}, "이미지 한 변 (픽셀)",
              "순전파 곱셈-덧셈 (십억)", logx=True, logy=True, ax=axes[0])
viz.line_plot(sides, {n: [c["activations"] * 4 / 2**20 for c in cs] for n, cs in costs.items()},
              "이미지 한 변 (픽셀)", "활성값 메모리 (MiB, float32)", logx=True, logy=True, ax=axes[1])
plt.show()
ratio = costs[full_res_name][2]["macs"] / costs[pooled_name][2]["macs"]
print(f"256×256 에서 해상도 유지 네트워크의 계산량은 다운샘플링 네트워크의 {ratio:.1f}배")
assert ratio > 3

# %% [markdown]
# 두 곡선 모두 픽셀 수에 비례해 자라지만, 해상도를 유지하는 쪽은 처음부터 몇 배 비쌉니다. 학습할 때는 역전파를
# 위해 이 활성값을 모두 저장해야 하므로, 1024×1024 한 장에 기가바이트 단위의 메모리가 듭니다.
#
# 다운샘플링하면 싸고 넓게 볼 수 있지만, 출력도 $1/8$ 해상도가 됩니다. 세그멘테이션은 **모든 픽셀** 에 답해야
# 하므로, 줄인 해상도를 다시 키우는 **업샘플링(up-sampling)** 이 필요합니다. 이것이 2장의 주제입니다.
#
# ## 정리
#
# - 세그멘테이션은 픽셀마다 클래스를 고르는 문제이고, 가장 단순한 해법은 픽셀마다 패치를 분류하는 것입니다.
# - 패딩·풀링 없는 스트라이드 1 CNN 은 이미지 전체에 한 번 적용해도 픽셀마다의 분류와 **정확히 같은** 로짓을 냅니다.
#   겹치는 패치의 중간 계산을 나눠 쓰기 때문이며, 층 $l$ 에서 약 $s_l^2$ 배의 중복이 사라집니다.
# - 그래도 모든 층을 원래 해상도로 계산하면 비싸고, 수용 영역을 넓히려면 층이 아주 많아야 합니다.
#   → 다운샘플링으로 넓게 보고, 업샘플링으로 해상도를 되찾는 구조(2~4장)가 필요합니다.

# %% [markdown]
# ## 연습문제
#
# **1. 팽창 합성곱(dilated convolution).** 팽창 $d$ 인 $3 \times 3$ 합성곱은 커널 칸 사이를 $d - 1$ 칸씩 띄워서
# $1 + 2d$ 칸을 봅니다. 팽창이 1, 2, 4, 8 인 $3 \times 3$ 합성곱 네 층의 수용 영역은 얼마일까요?
# 같은 수용 영역을 팽창 없는 $3 \times 3$ 합성곱으로 얻으려면 몇 층이 필요할까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 층마다 $(k - 1)\,d = 2d$ 만큼 넓어지므로 $r = 1 + 2(1 + 2 + 4 + 8) = 31$ 입니다. 팽창 없이 같은 $r$ 을 얻으려면
# $(31 - 1)/2 = 15$ 층이 필요합니다. 코드로 확인:
#
# ```python
# net = torch.nn.Sequential(*[torch.nn.Conv2d(3, 3, 3, dilation=d) for d in (1, 2, 4, 8)])
# assert segmentation.receptive_field(net) == 31
# ```
# 팽창 합성곱은 해상도를 줄이지 않고 수용 영역을 지수적으로 넓히는 또 하나의 방법입니다 (DeepLab 계열).
# :::
#
# **2. 반복 방식의 비용 예측.** 이 장의 모델로 $128 \times 128$ 이미지를 (a) 방식으로 처리하면 곱셈-덧셈이 몇 번
# 필요할까요? 위의 측정 시간으로 걸리는 시간을 예측해 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 픽셀마다의 비용은 이미지 크기와 무관하게 `per_patch["macs"]` (약 163만 MAC) 이므로, 총량은
# $128^2 \times$ 그 값 $\approx 2.7 \times 10^{10}$ 입니다. 시간도 픽셀 수에 비례하므로 $64 \times 64$ 측정값의 약 4배입니다.
# `segmentation.conv_cost(patch_model, (1, 3, p, p))["macs"] * 128**2` 로 확인하세요.
# :::
#
# **3. 배치 정규화(batch normalization).** `PatchCNN` 의 합성곱 뒤에 `nn.BatchNorm2d` 를 넣고 **학습 모드**
# (`model.train()`)에서 (a)와 (c)를 비교하면 결과가 달라집니다. 왜일까요? 평가 모드(`model.eval()`)에서는 어떨까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 학습 모드의 배치 정규화는 **현재 배치의 평균과 분산** 으로 정규화합니다. (a)에서 배치는 패치 하나, (c)에서는
# 이미지 전체라서 통계가 달라지고, 그래서 출력이 달라집니다. 평가 모드에서는 저장된 이동 평균을 쓰므로 픽셀마다
# 같은 아핀 변환이 되어 세 방법이 다시 같아집니다. "같은 함수"라는 논증은 각 층이 **위치마다 독립인 국소 연산** 일
# 때만 성립합니다.
# :::
#
# **4. 가장자리 처리.** `torch.nn.functional.pad(image, (h, h, h, h), mode="reflect")` 로 채운 이미지에 모델을
# 적용하면 0 으로 채울 때와 어느 픽셀의 출력이 달라질까요? 직접 확인해 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 가장자리에서 $\lfloor p/2 \rfloor$ 픽셀 이내, 즉 패치가 채운 영역에 걸치는 픽셀만 달라집니다. 안쪽 픽셀의 패치는
# 채운 값을 하나도 포함하지 않기 때문입니다.
#
# ```python
# h = p // 2
# reflect = patch_model(torch.nn.functional.pad(image, (h, h, h, h), mode="reflect"))
# changed = (reflect - dense_logits).abs().amax(1)[0] > 1e-6   # (H, W)
# assert not changed[h:-h, h:-h].any()
# ```
# :::
