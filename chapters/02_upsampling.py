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
# # 2장. 업샘플링: 풀링과 그 역연산
#
# 분류(classification) CNN 은 층을 지날수록 특성 맵(feature map)을 **줄입니다**(다운샘플링, down-sampling).
# 그런데 시맨틱 세그멘테이션(semantic segmentation)은 입력의 픽셀마다 답을 내야 하므로, 줄어든 특성 맵을
# 다시 입력 해상도로 **키워야** 합니다(업샘플링, up-sampling). 이 장에서는
#
# 1. CNN 이 왜 줄이는지를 [1장](01_conv_segmentation.ipynb)의 비용 계산으로 다시 확인하고,
# 2. 학습할 파라미터가 없는 세 가지 언풀링(unpooling) — 평균 언풀링, 못 침대(bed of nails), 최대 언풀링
#    (max-unpooling) — 을 정의에서부터 만들어 숫자 격자로 그려 보고, 보간(interpolation)과 비교한 뒤,
# 3. 노트의 "입력을 정확히 복원할 수 있음" 이라는 문장을 정확하게 고쳐 쓰고 사진으로 재어 봅니다.
#
# 마지막에는 이 방법들에 학습할 파라미터가 없다는 점에서 3장의 전치 합성곱(transposed convolution)으로 넘어갑니다.

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
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from lib import config, data, segmentation, upsampling, viz, widgets
from lib.timing import format_table

config.seed_everything(0)
print(config.describe())

# %%
CFG = dict(
    image_side=config.pick(96, 240),  # 사진 한 변 (fast, full): 2·3·4·6·8 의 배수라 어느 k 로도 잘리지 않습니다
    cost_sizes=config.pick([32, 64, 96], [32, 64, 128, 256]),  # 비용 그래프의 이미지 한 변
    width=config.pick(16, 32),  # 비용 비교용 CNN 의 첫 단계 채널 수
    kernel_sizes=(2, 4, 8),  # PSNR 표의 줄이는 배율 k
    star_density=0.01,  # 점 이미지에서 밝은 점의 비율
)

# %% [markdown]
# ## 1. CNN 은 왜 줄이는가
#
# 분류 CNN 은 두 가지 방법으로 특성 맵의 해상도를 줄입니다.
#
# - **스트라이드 합성곱**(strided convolution): 커널을 $s$ 칸씩 건너뛰며 적용합니다.
# - **풀링**(pooling): $k\times k$ 창마다 값 하나(최댓값 또는 평균)만 남깁니다.
#
# 어느 쪽이든 한 변이 $H$ 인 입력의 출력 한 변은
#
# $$H_{\text{out}} = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1$$
#
# 입니다 ($k$: 커널 크기, $s$: 스트라이드, $p$: 패딩). 보통 해상도를 반으로 줄일 때마다 채널 수를 두 배로
# 늘립니다: 위치는 적게, 채널은 많이. 이렇게 하면
#
# - 같은 층 수로 훨씬 넓은 영역(수용 영역, receptive field)을 보게 되어 고차원 특징(high-order features)을 만들 수 있고,
# - 위치 수가 $1/4$ 로 줄어드니 계산과 메모리가 줄어듭니다.
#
# 먼저 $4\times4$ 입력 하나에 최대 풀링, 평균 풀링, 스트라이드 2 합성곱을 적용해 모양을 확인합니다.

# %% tags=["nbval-check-output"]
x = torch.arange(16.0).reshape(1, 1, 4, 4)
stride_conv = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)  # 채널 1 → 8, 해상도 1/2
for name, out in [("최대 풀링 2×2", F.max_pool2d(x, 2)), ("평균 풀링 2×2", F.avg_pool2d(x, 2)),
                  ("스트라이드 2 합성곱", stride_conv(x))]:
    print(f"{name:12s} {tuple(x.shape)} -> {tuple(out.shape)}")
print(F.max_pool2d(x, 2)[0, 0].tolist(), F.avg_pool2d(x, 2)[0, 0].tolist())

# %% [markdown]
# ### 1장의 비용 그래프로 돌아가기
#
# [1장](01_conv_segmentation.ipynb)의 마지막 그래프는 해상도를 줄이지 않는 픽셀 분류기의 곱셈-덧셈 수(MAC)와
# 활성값 수가 이미지 넓이에 비례해 커진다는 것을 보였습니다. 여기서는 **같은 수용 영역**을 가진 두 네트워크를
# 비교합니다.
#
# - 줄이지 않는 네트워크: 1장의 `PatchCNN` (패딩 없는 3×3 합성곱을 쌓은 것). 층마다 수용 영역이 2 씩 자라므로
#   32 이상을 보려면 16층(수용 영역 33)이 필요합니다.
# - 줄이는 네트워크: 3×3 합성곱 두 번마다 2×2 최대 풀링, 채널은 단계마다 두 배. 합성곱 6층으로 수용 영역 32.
#
# 두 네트워크 모두 `lib.segmentation.conv_cost` 로 셉니다. 1장처럼 `PatchCNN` 은 가장자리를 0 으로 채운 입력에서 잽니다.

# %%
small_net = segmentation.downsampling_cnn(stages=3, width=CFG["width"], num_classes=4)
full_net = segmentation.PatchCNN(3, 4, width=CFG["width"], depth=16)
field_small, field_full = segmentation.receptive_field(small_net), segmentation.receptive_field(full_net)
print(f"수용 영역: 줄이는 네트워크 {field_small}, 줄이지 않는 네트워크 {field_full}")
assert field_full >= field_small == 32

models = {  # 이름: (모델, 사방 0 채움의 합 — 1장처럼 출력이 side×side 가 되도록)
    "줄이지 않음 (PatchCNN 16층)": (full_net, field_full - 1),
    "줄임 (풀링 2번)": (small_net, 0),
}
costs = {name: [] for name in models}
activations = {name: [] for name in models}
for side in tqdm(CFG["cost_sizes"], desc="비용 세기"):
    for name, (model, pad) in models.items():
        cost = segmentation.conv_cost(model, (1, 3, side + pad, side + pad))
        costs[name].append(cost["macs"] / 1e6)
        activations[name].append(cost["activations"] / 1e3)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
viz.line_plot(CFG["cost_sizes"], costs, "이미지 한 변 (픽셀)", "곱셈-덧셈 (백만)", logx=True, logy=True, ax=axes[0])
viz.line_plot(CFG["cost_sizes"], activations, "이미지 한 변 (픽셀)", "활성값 (천 개)", logx=True, logy=True,
              ax=axes[1])
for ax in axes:  # 로그 축의 눈금을 이미지 크기 그대로
    ax.set_xticks(CFG["cost_sizes"], labels=[str(side) for side in CFG["cost_sizes"]], minor=False)
    ax.xaxis.set_minor_locator(plt.NullLocator())
plt.show()
ratios = [a / b for a, b in zip(*costs.values())]
print("곱셈-덧셈 비 (줄이지 않음 / 줄임):", [f"{r:.1f}" for r in ratios])
assert all(r > 2 for r in ratios)
assert all(a > 2 * b for a, b in zip(*activations.values()))

# %% [markdown]
# 같은 넓이(수용 영역)를 보는데도 줄이는 네트워크가 곱셈-덧셈과 활성값 메모리 모두 몇 배 적게 씁니다. 작은 이미지에서 비가 더
# 큰 것은 `PatchCNN` 이 0 으로 채운 가장자리(사방 16픽셀)까지 계산하기 때문이고, 이미지가 커질수록 두 곡선 모두 넓이에
# 비례하게 되어(로그 그래프의 기울기 2) 비는 픽셀당 비용의 비 — 곱셈-덧셈 약 3.7 배 — 로 다가갑니다.
#
# 대가는 출력입니다. 줄이는 네트워크가 내놓는 클래스 점수 지도는 입력의 $1/4 \times 1/4$ 크기라서,
# 픽셀마다 답을 내려면 다시 키워야 합니다.

# %% tags=["nbval-check-output"]
scores = small_net(torch.zeros(1, 3, 64, 64))
print("입력 (1, 3, 64, 64) -> 클래스 점수", tuple(scores.shape))
assert scores.shape[-2:] == (16, 16)

# %% [markdown]
# ## 2. 세 가지 언풀링
#
# 풀링이 $k\times k$ 블록을 값 하나로 줄였다면, 언풀링은 값 하나를 $k\times k$ 블록으로 되돌립니다.
# 블록 안 어느 칸에 무엇을 둘지에 따라 방법이 나뉩니다. 입력 $x$ 의 칸 $(i, j)$ 는 출력의 블록
# $\{(ki + a,\ kj + b) : 0 \le a, b < k\}$ 를 맡습니다.
#
# ### 2.1 평균 언풀링 (노트의 "평균 풀링 기반 업샘플링")
#
# 값을 블록의 모든 칸에 그대로 복사합니다.
#
# $$y_{ki+a,\ kj+b} = x_{ij} \qquad (0 \le a, b < k)$$
#
# 행과 열을 각각 $k$ 번씩 반복하는 것과 같습니다. 먼저 `repeat_interleave` 로 직접 만들고, `lib` 의 함수와 비교합니다.

# %% tags=["nbval-check-output"]
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])[None, None]  # (1, 1, 2, 2)
by_hand = x.repeat_interleave(2, dim=-2).repeat_interleave(2, dim=-1)  # 행을 2번씩, 열을 2번씩
print(by_hand[0, 0])
assert torch.equal(upsampling.avg_unpool2d(x, 2), by_hand)

# %% [markdown]
# ### 2.2 못 침대 (bed of nails)
#
# 값을 블록의 왼쪽 위 칸에만 두고 나머지는 0 으로 채웁니다. 못이 듬성듬성 박힌 판처럼 보여서 붙은 이름입니다.
#
# $$y_{ki+a,\ kj+b} = \begin{cases} x_{ij} & a = b = 0 \\ 0 & \text{그 밖} \end{cases}$$

# %% tags=["nbval-check-output"]
by_hand = torch.zeros(1, 1, 4, 4)
by_hand[..., ::2, ::2] = x  # 2칸마다 하나씩
print(by_hand[0, 0])
assert torch.equal(upsampling.bed_of_nails2d(x, 2), by_hand)

# %% [markdown]
# 노트의 첫 번째 그림을 숫자 격자로 다시 그립니다. 색은 "어느 입력 값에서 왔는가" 를 뜻합니다 (흰 칸 = 0 으로 채운 칸).
# 비교를 위해 셋째 줄에 쌍선형 보간(bilinear interpolation, 2.4절)도 넣었습니다: 여러 입력이 섞이므로 색을 칠하지 않았습니다.

# %%
nails = upsampling.bed_of_nails2d(x, 2)[0, 0]
blocks4 = viz.block_groups(4, 4, 2)
fig = viz.number_grid_flow([
    [dict(values=x[0, 0], groups=viz.block_groups(2, 2, 1), title="입력 2×2"), "평균 언풀링 ×2",
     dict(values=upsampling.avg_unpool2d(x, 2)[0, 0], groups=blocks4, title="출력 4×4")],
    [dict(values=x[0, 0], groups=viz.block_groups(2, 2, 1), title="입력 2×2"), "못 침대 ×2",
     dict(values=nails, groups=np.where(nails.numpy() != 0, blocks4, -1), title="출력 4×4")],
    [dict(values=x[0, 0], groups=viz.block_groups(2, 2, 1), title="입력 2×2"), "쌍선형 보간 ×2",
     dict(values=F.interpolate(x, scale_factor=2, mode="bilinear")[0, 0], fmt="{:.2f}", title="출력 4×4")],
])
plt.show()

# %% [markdown]
# ### 2.3 최대 언풀링 (max-unpooling)
#
# 최대 풀링은 블록마다 최댓값만 남기는데, 이때 **최댓값이 있던 위치**(indices)를 함께 저장할 수 있습니다
# (`return_indices=True`). 최대 언풀링은 새 값을 그 위치에 되돌려 놓고 나머지 칸을 0 으로 채웁니다.
# 위치는 출력 평면을 행 우선으로 편 번호 $r \cdot W_{\text{out}} + c$ 로 저장됩니다.
#
# $$y_{\,\text{idx}_{ij}} = x_{ij}, \qquad \text{그 밖의 칸은 } 0$$
#
# 노트의 두 번째 그림을 다시 그립니다. 굵은 테두리가 저장된 최댓값 위치입니다. 풀링과 언풀링 사이에서 값은
# 다음 층들을 지나며 바뀌어도($[5, 6; 7, 8] \to [1, 2; 3, 4]$) 위치는 그대로 쓰입니다.

# %% tags=["nbval-check-output"]
grid = torch.tensor([[1.0, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]])[None, None]
pooled, indices = F.max_pool2d(grid, 2, return_indices=True)
print("최댓값:", pooled[0, 0].tolist(), " 위치(행 우선 번호):", indices[0, 0].tolist())
changed = torch.tensor([[1.0, 2.0], [3.0, 4.0]])[None, None]  # 다음 층들을 지나 바뀐 값
restored = upsampling.max_unpool2d(changed, indices, 2)
print(restored[0, 0])

# %%
argmax = torch.zeros(16, dtype=torch.bool)
argmax[indices.flatten()] = True
argmax = argmax.reshape(4, 4).numpy()
fig = viz.number_grid_flow([[
    dict(values=grid[0, 0], groups=blocks4, marked=argmax, title="입력 4×4"), "최대 풀링 2×2",
    dict(values=pooled[0, 0], groups=viz.block_groups(2, 2, 1), title="최댓값"), "다음 층들",
    dict(values=changed[0, 0], groups=viz.block_groups(2, 2, 1), title="바뀐 값"), "최대 언풀링",
    dict(values=restored[0, 0], groups=np.where(argmax, blocks4, -1), marked=argmax, title="출력 4×4"),
]])
plt.show()

# %% [markdown]
# 정의 그대로 만들어 봅니다: 평면을 한 줄로 펴고, 저장된 번호 자리에 값을 써 넣은 뒤 다시 접습니다.
# `lib.upsampling.max_unpool2d` 와 `torch.nn.functional.max_unpool2d` 가 같은 결과를 내는지 확인합니다.

# %%
flat = torch.zeros(1, 1, 16)
flat[0, 0, indices.flatten()] = changed.flatten()  # y[idx] = x
by_hand = flat.reshape(1, 1, 4, 4)
assert torch.equal(upsampling.max_unpool2d(changed, indices, 2), by_hand)
assert torch.equal(F.max_unpool2d(changed, indices, 2), by_hand)

# %% [markdown]
# **창이 겹칠 때.** `stride < kernel_size` 이면 한 칸이 여러 창의 최댓값일 수 있어서, 같은 위치 번호가 여러 번
# 저장됩니다. 아래에서 가운데 값 9 는 3×3 창 네 개(스트라이드 2)의 최댓값이라 네 번 모두 번호 12 가 나옵니다.
# 언풀링은 그 칸에 값을 네 번 쓰는데, 최대 풀링에서 온 값이라면 모두 같으므로 결과는 하나입니다.
# (같은 칸을 가리키는 값이 서로 다르면 `lib` 는 읽는 순서로 마지막 값을 남깁니다: torch 가 CPU 한 스레드에서 내는 결과와
# 같고, torch 는 여러 스레드나 GPU 에서는 이 경우의 결과를 정하지 않습니다.)

# %% tags=["nbval-check-output"]
peak = torch.zeros(1, 1, 5, 5)
peak[0, 0, 2, 2] = 9.0
peak[0, 0, 0, 4] = 1.0
pooled3, indices3 = F.max_pool2d(peak, 3, stride=2, return_indices=True)
print("최댓값:", pooled3[0, 0].tolist(), " 위치:", indices3[0, 0].tolist())
restored3 = upsampling.max_unpool2d(pooled3, indices3, 3, stride=2)
print(restored3[0, 0])
assert torch.equal(restored3, F.max_unpool2d(pooled3, indices3, 3, stride=2))

# %% [markdown]
# **원래 크기 고르기.** 풀링 출력 크기 공식의 내림($\lfloor\cdot\rfloor$) 때문에 크기 5 와 4 가 모두 2 로 줄어드는 것처럼,
# 여러 입력 크기가 같은 풀링 출력을 냅니다. 언풀링의 기본 출력 크기는 $(H-1)s + k - 2p$ 이고, 다른 크기가 필요하면
# `output_size` 로 고릅니다. 고를 수 있는 범위는 기본 크기 $\pm s$ 의 열린 구간입니다.

# %% tags=["nbval-check-output"]
odd = torch.randn(2, 3, 7, 9)
pooled_odd, indices_odd = F.max_pool2d(odd, 2, return_indices=True)  # (2, 3, 7, 9) -> (2, 3, 3, 4)
try:  # 기본 크기 (3-1)·2 + 2 = 6, (4-1)·2 + 2 = 8: 7×9 평면의 위치 번호를 담을 수 없습니다
    upsampling.max_unpool2d(pooled_odd, indices_odd, 2)
except ValueError as error:
    print("기본 크기 6×8 → ValueError:", error)
back = upsampling.max_unpool2d(pooled_odd, indices_odd, 2, output_size=odd.shape)
print("output_size 로 고른 크기:", tuple(back.shape))
assert torch.equal(back, F.max_unpool2d(pooled_odd, indices_odd, 2, output_size=odd.shape))
try:  # 고를 수 있는 범위: 6 ± 2, 8 ± 2 의 열린 구간
    upsampling.max_unpool2d(pooled_odd, indices_odd, 2, output_size=(9, 9))
except ValueError as error:
    print("output_size=(9, 9) → ValueError:", error)

# %% [markdown]
# ### 2.4 비교: 최근접 보간과 쌍선형 보간
#
# 영상 처리의 보간도 학습할 것이 없는 업샘플링입니다 (`F.interpolate`).
#
# - **최근접 보간**(nearest): 출력 칸마다 가장 가까운 입력 칸의 값. 정수 배율이면 평균 언풀링과 **똑같습니다**.
# - **쌍선형 보간**(bilinear): 가장 가까운 입력 네 칸을 거리에 따라 섞습니다. 한 축에서 출력 칸 중심이 입력 좌표
#   $u$ 에 놓이면 $(1 - t)\,x_{\lfloor u \rfloor} + t\,x_{\lfloor u \rfloor + 1}$, $t = u - \lfloor u \rfloor$ 이고,
#   가로·세로에 차례로 적용합니다.

# %%
x = torch.rand(2, 3, 5, 7)
assert torch.equal(upsampling.avg_unpool2d(x, 3), F.interpolate(x, scale_factor=3, mode="nearest"))
print("평균 언풀링 == 최근접 보간 (정수 배율 3)")

# %% [markdown]
# ## 3. 노트 바로잡기: 언풀링은 입력을 "정확히 복원" 하는가?
#
# 노트는 평균 풀링 기반 업샘플링이 "입력을 정확히 복원할 수 있음" 이라고 적었습니다. 순서에 따라 답이 다릅니다.
#
# - **언풀링한 뒤 풀링하면** 입력이 정확히 돌아옵니다. 블록의 모든 칸이 $x_{ij}$ 이므로 평균도 $x_{ij}$ 입니다:
#   $\text{avgpool}(\text{avgunpool}(x)) = x$.
# - **풀링한 뒤 언풀링하면** 일반적으로 돌아오지 않습니다. 풀링은 $k^2$ 개의 값을 하나로 합치므로 평균이 같은
#   서로 다른 블록(예: $[1, 3; 5, 7]$ 과 $[4, 4; 4, 4]$)을 구별하지 못합니다. 정보가 사라졌으니 어떤 업샘플링도 모든
#   입력을 되돌릴 수 없습니다.
#
# 수학의 말로는, 평균 언풀링은 평균 풀링의 오른쪽 역(right inverse)이지만 왼쪽 역(left inverse)은 아닙니다.

# %%
x = torch.rand(2, 3, 6, 10)
assert torch.equal(F.avg_pool2d(upsampling.avg_unpool2d(x, 2), 2), x)  # 언풀링 → 풀링: 정확히 x
assert not torch.allclose(upsampling.avg_unpool2d(F.avg_pool2d(x, 2), 2), x)  # 풀링 → 언풀링: x 가 아님
print("언풀링 뒤 풀링 = 입력 (정확히), 풀링 뒤 언풀링 ≠ 입력")

# %%
block = torch.tensor([[1.0, 3.0], [5.0, 7.0]])[None, None]
down = F.avg_pool2d(block, 2)
up_again = upsampling.avg_unpool2d(down, 2)
fig = viz.number_grid_flow([[
    dict(values=block[0, 0], title="입력"), "평균 풀링", dict(values=down[0, 0], groups=[[0]], title="평균"),
    "평균 언풀링", dict(values=up_again[0, 0], groups=viz.block_groups(2, 2, 2), title="≠ 입력"),
]])
plt.show()

# %% [markdown]
# ### 사진으로 재기: PSNR
#
# 사진을 $k$ 배로 줄였다가 각 방법으로 다시 키우고, 원본과의 차이를 **PSNR**(peak signal-to-noise ratio)로 잽니다.
#
# $$\text{PSNR} = 10 \log_{10} \frac{1}{\text{MSE}} \ \text{dB} \qquad (\text{픽셀 값 범위 } [0, 1])$$
#
# 높을수록 원본에 가깝고, 정확히 같으면 $\infty$ 입니다. 최대 언풀링은 최대 풀링과, 나머지는 평균 풀링과 짝지었습니다
# (`lib.upsampling.roundtrip`).

# %%
photo = upsampling.crop_to_multiple(data.load_sample("astronaut", CFG["image_side"]), 24)
camera = upsampling.crop_to_multiple(data.load_sample("camera", CFG["image_side"]), 24)
table = {m: [upsampling.psnr(upsampling.roundtrip(photo, m, k), photo) for k in CFG["kernel_sizes"]]
         for m in upsampling.METHODS}
print(f"astronaut {tuple(photo.shape[-2:])}, PSNR (dB)")
print(format_table(["방법"] + [f"k={k}" for k in CFG["kernel_sizes"]],
                   [[upsampling.METHOD_NAMES[m]] + [f"{v:.1f}" for v in row] for m, row in table.items()]))

# %%
assert all(math.isfinite(v) for row in table.values() for v in row)  # 어느 방법도 정확히 복원하지 못함
assert table["avg_unpool"] == table["nearest"]  # 같은 연산
for i in range(len(CFG["kernel_sizes"])):
    assert table["bilinear"][i] > table["avg_unpool"][i] > table["max_unpool"][i] + 5
    assert table["max_unpool"][i] >= table["bed_of_nails"][i]
print("쌍선형 > 평균 언풀링 = 최근접 >> 최대 언풀링 ≥ 못 침대 (모든 k)")

# %% [markdown]
# 사진에서는 쌍선형 보간이 가장 낫고, 평균 언풀링(= 최근접)이 그다음입니다. 최대 언풀링과 못 침대는 블록의
# $k^2 - 1$ 칸을 0 으로 두므로 사진이 거의 검게 되어 PSNR 이 아주 낮습니다 (최대 언풀링의 색 점은 RGB 채널마다
# 최댓값 위치가 달라서 생깁니다). 아래 그림의 위 줄은 $k=2$, 아래 줄은
# $k=4$ 입니다 (얼굴 부분을 확대).

# %%
face = photo[..., : photo.shape[-2] // 2, photo.shape[-1] // 4: 3 * photo.shape[-1] // 4]  # 얼굴 주변
fig = widgets.upsampling_overview(face, kernel_sizes=(2, 4))
plt.show()

# %% [markdown]
# ### 최대 언풀링이 잘하는 것: 값을 제자리에
#
# 그렇다면 최대 언풀링은 왜 쓸까요? 최대 언풀링은 살아남은 값을 **원래 있던 바로 그 픽셀**에 놓습니다.
# 평균 언풀링과 보간은 값을 블록 전체에 번지게 해 가장자리(edge)의 위치가 블록 크기만큼 흐려지지만, 최대 언풀링은
# 가장 강한 가장자리 응답을 제자리에 둡니다. ReLU 뒤의 특성 맵처럼 대부분이 0 이고 강한 응답이 드문드문 있는
# 신호라면 이 성질이 PSNR 에서도 이깁니다. 카메라맨 사진의 가장자리 세기(가로·세로 차분의 절댓값 합)와, 밝은
# 점이 드문드문 있는 점 이미지로 확인합니다.

# %%
gray = camera.mean(dim=1, keepdim=True)  # (1, 1, H, W)
edges = (F.pad(gray.diff(dim=-1), (0, 1)).abs() + F.pad(gray.diff(dim=-2), (0, 0, 0, 1)).abs()).clamp(0, 1)
generator = torch.Generator().manual_seed(0)
stars = torch.rand(gray.shape, generator=generator)
stars = (torch.rand(gray.shape, generator=generator) < CFG["star_density"]) * stars  # 드문드문 밝은 점

k = 2
for name, image in [("가장자리 세기", edges), ("점 이미지", stars)]:
    scores = {upsampling.METHOD_NAMES[m]: upsampling.psnr(upsampling.roundtrip(image, m, k), image)
              for m in upsampling.METHODS}
    print(f"{name} (k={k}):", ", ".join(f"{m} {v:.1f}" for m, v in scores.items()))

restored_max = upsampling.roundtrip(edges, "max_unpool", k)
restored_avg = upsampling.roundtrip(edges, "avg_unpool", k)
kept = restored_max != 0
assert torch.equal(restored_max[kept], edges[kept])  # 최대 언풀링이 놓은 값은 모두 원래 그 픽셀의 값
on_target = (restored_avg == edges).float().mean().item()
print(f"최대 언풀링: 0 이 아닌 {kept.float().mean():.1%} 의 픽셀이 모두 원래 값 그대로. "
      f"평균 언풀링: 원래 값과 같은 픽셀 {on_target:.1%}")
assert upsampling.psnr(upsampling.roundtrip(stars, "max_unpool", k), stars) > \
    upsampling.psnr(upsampling.roundtrip(stars, "avg_unpool", k), stars) + 5

# %%
crop = (slice(None), slice(None), slice(edges.shape[-2] // 4, edges.shape[-2] // 4 + 40),
        slice(edges.shape[-1] // 3, edges.shape[-1] // 3 + 40))
def brighter(t):  # (1, 1, h, w) -> (3, h, w): 세 그림을 같은 밝기 눈금으로 (×2)
    return (2 * t[0]).clamp(0, 1).expand(3, -1, -1)


fig = viz.image_grid([brighter(edges[crop]), brighter(restored_avg[crop]), brighter(restored_max[crop])],
                     titles=["가장자리 세기 (확대, 밝기 ×2)", f"평균 언풀링 k={k}: 블록으로 번짐",
                             f"최대 언풀링 k={k}: 제자리"], size=2.8)
plt.show()

# %% [markdown]
# 가장자리 세기 지도에서도 PSNR 은 평균 언풀링이 높지만(빈 칸을 0 으로 두는 손해가 크므로), 최대 언풀링이 놓은 값은
# 하나도 빠짐없이 원래 픽셀의 값이고 가장자리 선이 블록으로 번지지 않습니다. 점 이미지처럼 드문 신호에서는 PSNR 로도
# 최대 언풀링이 크게 앞섭니다. 빈 칸을 채우는 일은 최대 언풀링 뒤의 합성곱 층이 맡습니다 — 그것이 다음 절의 구조입니다.
#
# ## 4. 최대 언풀링에는 인코더의 위치가 필요하다: SegNet 식 짝짓기
#
# 최대 언풀링의 위치 정보는 언풀링 자신이 만들 수 없습니다. 그 정보는 **같은 해상도의 최대 풀링**에서만 나옵니다.
# 그래서 SegNet 같은 인코더-디코더(encoder-decoder) 구조는 인코더의 $i$ 번째 풀링과 디코더에서 같은 해상도로
# 돌아오는 언풀링을 짝지어, 풀링이 저장한 위치를 언풀링에 넘깁니다. 특성 맵 전체(4장 U-Net 의 스킵 연결이 넘기는 것)가
# 아니라 위치만 넘기므로 저장할 것이 적습니다 — SegNet 논문은 2×2 창마다 2비트로 저장합니다.

# %%
ax = viz.pool_unpool_pairing(depth=3)
plt.show()


# %% [markdown]
# 작은 인코더-디코더로 짝짓기를 확인합니다. 입력이 홀수 크기(37×45)라 풀링이 행·열 하나씩을 버리므로, 각 언풀링은
# 짝이 되는 풀링 **전**의 크기를 `output_size` 로 받아야 원래 크기로 돌아옵니다.

# %%
class TinySegNet(nn.Module):
    """이 장의 보기: 합성곱 → 최대 풀링 (위치 저장) ×2, 그리고 짝이 되는 최대 언풀링 → 합성곱 ×2."""

    def __init__(self, channels: int = 8, num_classes: int = 4):
        super().__init__()
        self.enc1 = nn.Conv2d(3, channels, 3, padding=1)
        self.enc2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.dec2 = nn.Conv2d(2 * channels, channels, 3, padding=1)
        self.dec1 = nn.Conv2d(channels, num_classes, 3, padding=1)

    def forward(self, image):
        feats1 = F.relu(self.enc1(image))  # (N, c, H, W)
        pooled1, where1 = F.max_pool2d(feats1, 2, return_indices=True)  # -> (N, c, H/2, W/2), 위치 저장
        feats2 = F.relu(self.enc2(pooled1))
        pooled2, where2 = F.max_pool2d(feats2, 2, return_indices=True)  # -> (N, 2c, H/4, W/4)
        up2 = upsampling.max_unpool2d(pooled2, where2, 2, output_size=feats2.shape)  # 짝: 두 번째 풀링의 위치
        up1 = upsampling.max_unpool2d(F.relu(self.dec2(up2)), where1, 2, output_size=feats1.shape)  # 짝: 첫 번째
        return self.dec1(up1)  # (N, classes, H, W)


net = TinySegNet()
image = torch.rand(1, 3, 37, 45)
print("입력", tuple(image.shape), "-> 출력", tuple(net(image).shape))
assert net(image).shape == (1, 4, 37, 45)

# %% [markdown]
# ## 5. 학습할 것이 없다 → 전치 합성곱으로
#
# 세 언풀링과 두 보간 모두 **학습할 파라미터가 없습니다**. 블록 안에 값을 어떻게 퍼뜨릴지가 미리 정해져 있습니다.
# 평균 언풀링과 못 침대는 사실 정해진 $k\times k$ 커널을 가진 전치 합성곱(스트라이드 $k$)입니다: 평균 언풀링은
# 모든 칸이 1 인 커널, 못 침대는 왼쪽 위만 1 인 커널. (최대 언풀링은 위치가 입력마다 달라 고정된 커널로 쓸 수 없습니다.)

# %%
x = torch.rand(2, 3, 5, 4)
planes = x.reshape(6, 1, 5, 4)  # 채널마다 따로: (N·C, 1, H, W)
ones = torch.ones(1, 1, 2, 2)
nail = torch.zeros(1, 1, 2, 2)
nail[0, 0, 0, 0] = 1.0
# (N·C, 1, H, W) -> (N·C, 1, 2H, 2W) -> (N, C, 2H, 2W)
assert torch.equal(F.conv_transpose2d(planes, ones, stride=2).reshape(2, 3, 10, 8), upsampling.avg_unpool2d(x, 2))
assert torch.equal(F.conv_transpose2d(planes, nail, stride=2).reshape(2, 3, 10, 8),
                   upsampling.bed_of_nails2d(x, 2))
print("평균 언풀링 = 전치 합성곱(커널 [[1,1],[1,1]]), 못 침대 = 전치 합성곱(커널 [[1,0],[0,0]])")

# %% [markdown]
# 커널을 고정하지 말고 **학습하면** 어떨까요? 노트의 다음 절, 3장의 전치 합성곱이 바로 이 생각입니다: 입력 값마다 학습한
# 커널을 곱한 사본을 출력에 흩뿌리고, 겹치는 곳은 더합니다.
#
# ## 6. 직접 해 보기: 탐색기
#
# 아래 탐색기(살아 있는 커널에서만 움직입니다)로 방법, 커널 크기, 이미지를 바꿔 가며 원본·축소본·복원본·오차를 비교해
# 보세요. HTML 책에서는 그 아래의 정적 그림이 같은 함수로 그린 한 예입니다.

# %%
widgets.upsampling_explorer({"astronaut": photo, "camera": camera, "가장자리 세기": edges, "점 이미지": stars})

# %%
fig = widgets.roundtrip_figure(photo, "bilinear", 4)
plt.show()

# %% [markdown]
# ## 정리
#
# - CNN 은 해상도를 줄여 같은 비용으로 더 넓은 영역을 보고(수용 영역 32 를 합성곱 6층으로), 계산과 메모리를 아낍니다.
#   세그멘테이션은 그 결과를 다시 입력 해상도로 키워야 합니다.
# - 평균 언풀링(= 최근접 보간)은 값을 블록에 복사하고, 못 침대는 왼쪽 위에만 두고, 최대 언풀링은 인코더가 저장한
#   위치에 둡니다. `lib.upsampling.max_unpool2d` 는 겹치는 창과 `output_size` 까지 torch 와 같은 값을 냅니다.
# - **노트 바로잡기**: 언풀링 뒤 풀링은 입력을 정확히 돌려주지만, 풀링 뒤 언풀링은 돌려주지 못합니다(풀링이 정보를 버림).
#   사진에서는 쌍선형 보간 > 평균 언풀링 ≫ 최대 언풀링 ≥ 못 침대 (PSNR). 최대 언풀링은 값을 제자리에 두는 대신 빈 칸을
#   0 으로 남기므로 뒤따르는 합성곱이 필요합니다.
# - 어느 방법에도 학습할 파라미터가 없습니다 → 3장의 전치 합성곱.
#
# ## 연습문제
#
# 1. 최대 풀링 뒤 최대 언풀링을 한 번 더 풀링하면, 즉 `F.max_pool2d(max_unpool2d(p, i, 2), 2)` 는 언제 `p` 와 같을까요?
#    평균 언풀링의 성질 $\text{avgpool}(\text{avgunpool}(x)) = x$ 와 비교해 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 블록 안에는 `p` 의 값 하나와 0 들만 있으므로 최대 풀링 결과는 $\max(p, 0)$ 입니다. 따라서 `p` 의 값이 모두 0 이상일 때만
# (예: ReLU 뒤) 같습니다. 음수가 있으면 0 이 이깁니다. 평균으로 풀링하면 $p / k^2$ 가 되므로, 못 침대와 최대 언풀링은
# 평균 풀링의 오른쪽 역이 아닙니다 ($k^2$ 을 곱하면 됩니다).
# ```python
# p = torch.randn(1, 1, 3, 3)
# idx = torch.arange(0, 36, 2).reshape(6, 3)[::2][None, None]  # 아무 블록 안 위치
# torch.equal(F.max_pool2d(upsampling.max_unpool2d(p, idx, 2), 2), p.clamp(min=0))  # True
# ```
# :::
#
# 2. 가로로 0, 1 이 번갈아 나오는 줄무늬 이미지(한 픽셀 폭)를 $k=2$ 로 평균 풀링한 뒤 평균 언풀링하면 PSNR 은 몇 dB 일까요?
#    손으로 계산한 뒤 코드로 확인하세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 모든 블록의 평균이 0.5 이므로 복원은 모든 칸이 0.5, 오차는 모든 칸에서 $\pm 0.5$ 입니다. MSE $= 0.25$,
# PSNR $= 10 \log_{10}(1/0.25) \approx 6.02$ dB. 줄무늬의 정보는 풀링에서 완전히 사라졌습니다.
# ```python
# stripes = (torch.arange(8) % 2).float().expand(1, 1, 8, 8)
# upsampling.psnr(upsampling.roundtrip(stripes, "avg_unpool", 2), stripes)  # 6.0206
# ```
# :::
#
# 3. `max_unpool2d` 의 `output_size` 는 왜 기본 크기 $d = (H-1)s + k - 2p$ 에 대해 $d - s < H_{\text{out}} < d + s$ 만
#    허용할까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 풀링 출력 크기 $\lfloor (H_{\text{out}} + 2p - k)/s \rfloor + 1 = H$ 를 만족하는 원래 크기 $H_{\text{out}}$ 는 $d$ 부터
# $d + s - 1$ 까지 $s$ 개입니다 (내림이 나머지 $0, \dots, s-1$ 을 버리므로). torch 는 여기에 조금 더 너그럽게 $d - s$ 와
# $d + s$ 사이(양 끝 제외)를 받습니다. 그 밖의 크기라면 그 풀링에서 나온 위치일 수가 없으므로 오류로 막습니다.
# :::
#
# 4. 못 침대를 `F.conv_transpose2d` 로 만들었던 것처럼, 쌍선형 보간($k=2$)도 전치 합성곱으로 쓸 수 있을까요? 커널은?
#
# :::{admonition} 풀이
# :class: dropdown
# 가장자리를 빼면 쓸 수 있습니다. 1차원 커널 $[0.25, 0.75, 0.75, 0.25]$ 의 바깥곱으로 된 $4\times4$ 커널, 스트라이드 2,
# 패딩 1 인 전치 합성곱이 `align_corners=False` 쌍선형 보간과 안쪽 픽셀에서 같습니다 (가장자리는 F.interpolate 가 값을
# 복제해 채우므로 다릅니다). FCN 은 전치 합성곱 커널을 바로 이 쌍선형 커널로 초기화한 뒤 학습합니다 — 3장.
# ```python
# w1 = torch.tensor([0.25, 0.75, 0.75, 0.25])
# kernel = torch.outer(w1, w1)[None, None]
# x = torch.rand(1, 1, 6, 6)
# a = F.conv_transpose2d(x, kernel, stride=2, padding=1)
# b = F.interpolate(x, scale_factor=2, mode="bilinear")
# torch.allclose(a[..., 1:-1, 1:-1], b[..., 1:-1, 1:-1])  # True
# ```
# :::
