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
# 분류(classification) CNN은 층을 지날수록 특성 맵(feature map)을 **줄입니다**. 이것이 다운샘플링(down-sampling)입니다.
# 그런데 시맨틱 세그멘테이션(semantic segmentation)은 입력의 픽셀마다 답을 내야 하므로, 줄어든 특성 맵을
# 다시 입력 해상도로 **키워야** 합니다. 이것이 업샘플링(up-sampling)입니다 {cite}`bishop2024`. 이 장에서는
#
# 1. CNN이 왜 줄이는지 짧게 되짚고(비용은 [1장](01_conv_segmentation.ipynb)의 6절에서 셌습니다),
# 2. 학습할 파라미터(parameter)가 없는 세 가지 언풀링(unpooling), 곧 평균 언풀링(average unpooling), 못 침대(bed of nails), 최대 언풀링
#    (max-unpooling)을 정의에서부터 만들어 숫자 격자로 그리고, 보간(interpolation)과 `align_corners`를 살핀 뒤,
# 3. 노트의 두 문장("입력을 정확히 복원", "원본 특성 정보를 더 잘 보존")을 사진과 드문 신호로 재어 바로잡고,
# 4. 같은 인코더에 업샘플링만 다른 디코더를 붙여 **학습시켜** 비교합니다.
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

from lib import (
    config,
    data,
    decoders,
    diagrams,
    experiments,
    segmentation,
    tables,
    train,
    upsampling,
    viz,
    widgets,
)

viz.setup()
config.seed_everything(0)
print(config.describe())

# %%
CFG = dict(
    image_side=config.pick(96, 240),  # 사진 한 변: 2·3·4·6·8 의 배수라 어느 k 로도 잘리지 않습니다
    kernel_sizes=(2, 4, 8),  # PSNR 표의 줄이는 배율 k
    star_density=0.01,  # 점 이미지에서 밝은 점의 비율
    scene_size=config.pick(32, 64),  # 디코더 비교에 쓰는 합성 장면 한 변
    n_train=config.pick(48, 400),  # 학습 장면 수
    n_val=config.pick(24, 100),  # 검증 장면 수
    epochs=config.pick(2, 12),  # 학습 에폭 (코사인 학습률 일정)
    width=16,  # 인코더 첫 단계의 채널 수
    seeds=config.pick((0,), (0, 1, 2)),  # 비교 실험의 시드
)
CFG

# %% [markdown]
# ## 1. CNN은 왜 줄이는가
#
# 분류 CNN은 두 가지 방법으로 특성 맵의 해상도를 줄입니다.
#
# - **스트라이드 합성곱**(strided convolution): 커널을 $s$칸씩 건너뛰며 적용합니다.
# - **풀링**(pooling): $k\times k$ 창마다 값 하나(최댓값 또는 평균)만 남깁니다.
#
# 어느 쪽이든 한 변이 $H$인 입력의 출력 한 변은
#
# $$H_{\text{out}} = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1$$
#
# 입니다($k$: 커널 크기, $s$: 스트라이드, $p$: 패딩). 보통 해상도를 반으로 줄일 때마다 채널 수를 두 배로
# 늘립니다. 위치는 적게, 채널은 많이. 그러면 같은 층 수로 훨씬 넓은 영역, 곧 더 큰 수용 영역(receptive field)을 보아
# 고수준 특징(high-level features)을 만들 수 있고, 위치 수가 $1/4$로 줄어 계산과 메모리가 줄어듭니다. 1장 6절에서
# 같은 수용 영역을 가진 두 네트워크의 곱셈-덧셈(multiply-accumulate, MAC) 수를 세어, 줄이는 쪽이 몇 배 싸다는 것을 보았습니다.
#
# 먼저 $4\times4$ 입력 하나에 최대 풀링, 평균 풀링, 스트라이드 2 합성곱을 적용해 모양을 확인합니다.

# %% tags=["nbval-check-output"]
x = torch.arange(16.0).reshape(1, 1, 4, 4)
stride_conv = nn.Conv2d(1, 8, kernel_size=3, stride=2, padding=1)  # 채널 1 → 8, 해상도 1/2
outputs = {"최대 풀링 2×2": F.max_pool2d(x, 2), "평균 풀링 2×2": F.avg_pool2d(x, 2),
           "스트라이드 2 합성곱": stride_conv(x)}
shape_rows = [[name, str(tuple(x.shape)), str(tuple(out.shape))] for name, out in outputs.items()]
tables.show(tables.frame(shape_rows, ["연산", "입력 모양", "출력 모양"]),
            caption="해상도를 줄이는 세 연산")
print(F.max_pool2d(x, 2)[0, 0].tolist(), F.avg_pool2d(x, 2)[0, 0].tolist())

# %% [markdown]
# 대가는 출력입니다. 줄이는 네트워크가 내놓는 클래스 점수(score) 지도는 입력보다 작아서, 픽셀마다 답을 내려면 다시
# 키워야 합니다. 1장의 비교용 다운샘플링 CNN(풀링 2번)으로 확인합니다.

# %% tags=["nbval-check-output"]
small_net = segmentation.downsampling_cnn(stages=3, width=8, num_classes=4)
scores = small_net(torch.zeros(1, 3, 64, 64))
print("입력 (1, 3, 64, 64) -> 클래스 점수", tuple(scores.shape))
assert scores.shape[-2:] == (16, 16)

# %% [markdown]
# ## 2. 세 가지 언풀링
#
# 풀링이 $k\times k$ 블록을 값 하나로 줄였다면, 언풀링은 값 하나를 $k\times k$ 블록으로 되돌립니다.
# 블록 안 어느 칸에 무엇을 둘지에 따라 방법이 나뉩니다. 입력 $x$의 칸 $(i, j)$는 출력의 블록
# $\{(ki + a,\ kj + b) : 0 \le a, b < k\}$를 맡습니다.
#
# ### 2.1 평균 언풀링 (노트의 "평균 풀링 기반 업샘플링")
#
# 값을 블록의 모든 칸에 그대로 복사합니다.
#
# $$y_{ki+a,\ kj+b} = x_{ij} \qquad (0 \le a, b < k)$$
#
# 행과 열을 각각 $k$번씩 반복하는 것과 같습니다. 먼저 `repeat_interleave`로 직접 만들고, `lib`의 함수와 비교합니다.

# %% tags=["nbval-check-output"]
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]])[None, None]  # (1, 1, 2, 2)
by_hand = x.repeat_interleave(2, dim=-2).repeat_interleave(2, dim=-1)  # 행을 2번씩, 열을 2번씩
print(by_hand[0, 0])
assert torch.equal(upsampling.avg_unpool2d(x, 2), by_hand)

# %% [markdown]
# ### 2.2 못 침대 (bed of nails)
#
# 값을 블록의 왼쪽 위 칸에만 두고 나머지는 0으로 채웁니다. 못이 듬성듬성 박힌 판처럼 보여서 붙은 이름입니다.
#
# $$y_{ki+a,\ kj+b} = \begin{cases} x_{ij} & a = b = 0 \\ 0 & \text{그 밖} \end{cases}$$

# %% tags=["nbval-check-output"]
by_hand = torch.zeros(1, 1, 4, 4)
by_hand[..., ::2, ::2] = x  # 2칸마다 하나씩
print(by_hand[0, 0])
assert torch.equal(upsampling.bed_of_nails2d(x, 2), by_hand)

# %% [markdown]
# 노트의 첫 번째 그림을 숫자 격자로 다시 그립니다. 색은 "어느 입력 값에서 왔는가"를 뜻합니다(흰 칸은 0으로 채운
# 칸). 비교를 위해 셋째 줄에 쌍선형 보간(bilinear interpolation, 2.4절)도 넣었습니다. 여러 입력이 섞이므로 색을
# 칠하지 않았습니다.

# %%
nails = upsampling.bed_of_nails2d(x, 2)[0, 0]
blocks4 = diagrams.block_groups(4, 4, 2)
source = dict(values=x[0, 0], groups=diagrams.block_groups(2, 2, 1), title="입력 2×2")
fig = diagrams.number_grid_flow([
    [source, "평균 언풀링 ×2",
     dict(values=upsampling.avg_unpool2d(x, 2)[0, 0], groups=blocks4, title="출력 4×4")],
    [source, "못 침대 ×2",
     dict(values=nails, groups=np.where(nails.numpy() != 0, blocks4, -1), title="출력 4×4")],
    [source, "쌍선형 보간 ×2",
     dict(values=F.interpolate(x, scale_factor=2, mode="bilinear")[0, 0], fmt="{:.2f}",
          title="출력 4×4")],
])
plt.show()

# %% [markdown]
# ### 2.3 최대 언풀링 (max-unpooling)
#
# 최대 풀링은 블록마다 최댓값만 남기는데, 이때 **최댓값이 있던 위치**(indices)를 함께 저장할 수 있습니다
# (`return_indices=True`). 최대 언풀링은 새 값을 그 위치에 되돌려 놓고 나머지 칸을 0으로 채웁니다.
# 위치는 출력 평면을 행 우선으로 편 번호 $r \cdot W_{\text{out}} + c$로 저장됩니다.
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
small_groups = diagrams.block_groups(2, 2, 1)
fig = diagrams.number_grid_flow([[
    dict(values=grid[0, 0], groups=blocks4, marked=argmax, title="입력 4×4"), "최대 풀링 2×2",
    dict(values=pooled[0, 0], groups=small_groups, title="최댓값"), "다음 층들",
    dict(values=changed[0, 0], groups=small_groups, title="바뀐 값"), "최대 언풀링",
    dict(values=restored[0, 0], groups=np.where(argmax, blocks4, -1), marked=argmax,
         title="출력 4×4"),
]])
plt.show()

# %% [markdown]
# 정의 그대로 만들어 봅니다. 평면을 한 줄로 펴고, 저장된 번호 자리에 값을 써 넣은 뒤 다시 접습니다.
# {func}`lib.upsampling.max_unpool2d`와 `torch.nn.functional.max_unpool2d`가 같은 결과를 내는지 확인합니다.

# %%
flat = torch.zeros(1, 1, 16)
flat[0, 0, indices.flatten()] = changed.flatten()  # y[idx] = x
by_hand = flat.reshape(1, 1, 4, 4)
assert torch.equal(upsampling.max_unpool2d(changed, indices, 2), by_hand)
assert torch.equal(F.max_unpool2d(changed, indices, 2), by_hand)

# %% [markdown]
# **창이 겹칠 때.** `stride < kernel_size`이면 한 칸이 여러 창의 최댓값일 수 있어서, 같은 위치 번호가 여러 번
# 저장됩니다. 아래에서 가운데 값 9는 3×3 창 네 개(스트라이드 2)의 최댓값이라 네 번 모두 번호 12가 나옵니다.
# 언풀링은 그 칸에 값을 네 번 쓰는데, 최대 풀링에서 온 값이라면 모두 같으므로 결과는 하나입니다.
# (같은 칸을 가리키는 값이 서로 다르면 `lib`는 읽는 순서로 마지막 값을 남깁니다. torch가 CPU 한 스레드에서 내는
# 결과와 같고, torch는 여러 스레드나 GPU에서는 이 경우의 결과를 정하지 않습니다.)

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
# **원래 크기 고르기.** 풀링 출력 크기 공식의 내림($\lfloor\cdot\rfloor$) 때문에 크기 5와 4가 모두 2로 줄어드는
# 것처럼, 여러 입력 크기가 같은 풀링 출력을 냅니다. 언풀링의 기본 출력 크기는 $d = (H-1)s + k - 2p$이고, 다른 크기가
# 필요하면 `output_size`로 고릅니다. 고를 수 있는 범위는 $d \pm s$의 열린 구간입니다(연습문제 3).

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
# 영상 처리의 보간도 학습할 것이 없는 업샘플링입니다(`F.interpolate`).
#
# - **최근접 보간**(nearest): 출력 칸마다 가장 가까운 입력 칸의 값. 정수 배율이면 평균 언풀링과 **똑같습니다**.
# - **쌍선형 보간**(bilinear): 가장 가까운 입력 네 칸을 거리에 따라 섞습니다. 한 축에서 출력 칸의 중심이 입력 좌표
#   $u$에 놓이면 $(1 - t)\,x_{\lfloor u \rfloor} + t\,x_{\lfloor u \rfloor + 1}$, $t = u - \lfloor u \rfloor$이고,
#   가로·세로에 차례로 적용합니다.

# %%
x = torch.rand(2, 3, 5, 7)
assert torch.equal(upsampling.avg_unpool2d(x, 3), F.interpolate(x, scale_factor=3, mode="nearest"))
print("평균 언풀링 == 최근접 보간 (정수 배율 3)")

# %% [markdown]
# ### 2.5 출력 칸의 중심은 어디인가: `align_corners`
#
# 쌍선형 보간에서 "출력 칸의 중심이 입력 좌표 $u$에 놓인다"고 할 때 $u$를 정하는 약속이 두 가지 있고, PyTorch는
# `align_corners` 인자로 고릅니다. 입력 칸 $i$가 구간 $[i, i+1)$을 차지한다고 보면(중심 $i + \tfrac12$):
#
# - `align_corners=False` (기본값, **반 픽셀 중심**): 출력도 같은 구간을 $f$배 잘게 나눈 칸입니다. 출력 칸 $o$의
#   중심은 입력 좌표 $(o + \tfrac12)/f$, 곧 입력 칸 번호로 $u = (o + \tfrac12)/f - \tfrac12$입니다.
# - `align_corners=True`: 양 끝 출력 칸의 중심을 양 끝 입력 칸의 중심에 맞추고, 그 사이를 고르게 나눕니다:
#   $u = o \cdot \frac{H_{\text{in}} - 1}{H_{\text{out}} - 1}$.
#
# 아래 그림은 4칸을 8칸으로 키울 때 두 약속의 출력 칸 중심입니다. `False`에서는 출력 칸 두 개가 입력 칸 하나 안에
# 대칭으로 놓이고, `True`에서는 간격이 $3/7$이라 입력 격자와 어긋납니다.

# %%
ax = diagrams.interpolation_grids(in_size=4, factor=2)
plt.show()
ramp = torch.tensor([0.0, 1.0, 2.0, 3.0])[None, None]  # 입력 값 = 입력 칸 번호
rows = [[f"align_corners={corners}"] + F.interpolate(ramp, size=8, mode="linear",
                                                     align_corners=corners)[0, 0].tolist()
        for corners in (False, True)]
tables.show(tables.frame(rows, ["약속"] + [f"출력 {o}" for o in range(8)]),
            caption="값이 칸 번호인 입력 [0, 1, 2, 3]을 8칸으로: 출력 = 출력 칸이 읽는 좌표 u",
            formats={f"출력 {o}": "{:.3f}" for o in range(8)})
u_false = (torch.arange(8) + 0.5) / 2 - 0.5
assert torch.allclose(F.interpolate(ramp, size=8, mode="linear")[0, 0], u_false.clamp(0, 3))

# %% [markdown]
# `False`의 첫 칸과 끝 칸은 $u = -0.25$, $3.25$로 입력 밖이라 가장자리 값으로 잘립니다(표의 0과 3). 두 약속 중
# 어느 것이 맞다는 것은 없지만, 섞어 쓰면 결과가 반 픽셀쯤 밀립니다. 3장에서 만나는 중요한 사실 하나는 **배율 $f$,
# 스트라이드 $f$의 전치 합성곱을 쌍선형 커널로 초기화하면 `align_corners=False`의 쌍선형 보간과 (가장자리를 빼고)
# 정확히 같다**는 것입니다. 전치 합성곱의 출력 격자가 "입력 칸 하나를 $f$칸으로 나눈" 반 픽셀 중심 격자이기
# 때문이고, `align_corners=True`와는 같지 않습니다(3장에서 확인합니다). 이 책은 어디서나 `align_corners=False`를
# 씁니다.
#
# ## 3. 노트 바로잡기: 언풀링은 입력을 "정확히 복원"하는가?
#
# :::{admonition} 노트 바로잡기: "입력을 정확히 복원할 수 있음"
# :class: warning
# 노트는 평균 풀링 기반 업샘플링이 "입력을 정확히 복원할 수 있음"이라고 적었습니다. 순서에 따라 답이 다릅니다.
#
# - **언풀링한 뒤 풀링하면** 입력이 정확히 돌아옵니다. 블록의 모든 칸이 $x_{ij}$이므로 평균도 $x_{ij}$입니다:
#   $\text{avgpool}(\text{avgunpool}(x)) = x$.
# - **풀링한 뒤 언풀링하면** 일반적으로 돌아오지 않습니다. 풀링은 $k^2$개의 값을 하나로 합치므로 평균이 같은
#   서로 다른 블록(예: $[1, 3; 5, 7]$과 $[4, 4; 4, 4]$)을 구별하지 못합니다. 정보가 사라졌으니 어떤 업샘플링도
#   모든 입력을 되돌릴 수 없습니다.
#
# 수학의 말로는, 평균 언풀링은 평균 풀링의 오른쪽 역(right inverse)이지만 왼쪽 역(left inverse)은 아닙니다.
# 세그멘테이션(segmentation) 네트워크에서 업샘플링의 목적은 입력을 되살리는 것이 아니라 **픽셀마다 답할 수 있는 해상도**를 되찾는
# 것이고, 잃은 세부는 다른 곳(4장의 스킵 연결(skip connection))에서 가져와야 합니다 {cite}`bishop2024`.
# :::

# %%
x = torch.rand(2, 3, 6, 10)
assert torch.equal(F.avg_pool2d(upsampling.avg_unpool2d(x, 2), 2), x)  # 언풀링 → 풀링: 정확히 x
assert not torch.allclose(upsampling.avg_unpool2d(F.avg_pool2d(x, 2), 2), x)  # 풀링 → 언풀링: 아님
print("언풀링 뒤 풀링 = 입력 (정확히), 풀링 뒤 언풀링 ≠ 입력")

# %%
block = torch.tensor([[1.0, 3.0], [5.0, 7.0]])[None, None]
down = F.avg_pool2d(block, 2)
up_again = upsampling.avg_unpool2d(down, 2)
fig = diagrams.number_grid_flow([[
    dict(values=block[0, 0], title="입력"), "평균 풀링",
    dict(values=down[0, 0], groups=[[0]], title="평균"), "평균 언풀링",
    dict(values=up_again[0, 0], groups=diagrams.block_groups(2, 2, 2), title="≠ 입력"),
]])
plt.show()

# %% [markdown]
# ### 사진으로 재기: PSNR
#
# 사진을 $k$배로 줄였다가 각 방법으로 다시 키우고, 원본과의 차이를 **PSNR**(peak signal-to-noise ratio)로 잽니다.
#
# $$\text{PSNR} = 10 \log_{10} \frac{1}{\text{MSE}} \ \text{dB} \qquad (\text{픽셀 값 범위 } [0, 1])$$
#
# 높을수록 원본에 가깝고, 정확히 같으면 $\infty$입니다. 최대 언풀링은 최대 풀링과, 나머지는 평균 풀링과 짝지었습니다
# ({func}`lib.upsampling.roundtrip`).

# %%
photo = upsampling.crop_to_multiple(data.load_sample("astronaut", CFG["image_side"]), 24)
camera = upsampling.crop_to_multiple(data.load_sample("camera", CFG["image_side"]), 24)
table = {m: [upsampling.psnr(upsampling.roundtrip(photo, m, k), photo) for k in CFG["kernel_sizes"]]
         for m in upsampling.METHODS}
tables.show(tables.frame([[upsampling.METHOD_NAMES[m]] + row for m, row in table.items()],
                         ["방법"] + [f"k={k}" for k in CFG["kernel_sizes"]]),
            caption=f"astronaut 전체 {tuple(photo.shape[-2:])}: 줄였다 키운 사진의 PSNR (dB)",
            formats={f"k={k}": "{:.1f}" for k in CFG["kernel_sizes"]})

# %%
assert all(math.isfinite(v) for row in table.values() for v in row)  # 정확히 복원하는 방법 없음
assert table["avg_unpool"] == table["nearest"]  # 같은 연산
for i in range(len(CFG["kernel_sizes"])):
    assert table["bilinear"][i] > table["avg_unpool"][i] > table["max_unpool"][i] + 5
    assert table["max_unpool"][i] >= table["bed_of_nails"][i]
print("쌍선형 > 평균 언풀링 = 최근접 >> 최대 언풀링 ≥ 못 침대 (모든 k)")

# %% [markdown]
# 사진에서는 쌍선형 보간이 가장 낫고, 평균 언풀링(= 최근접)이 그다음입니다. 최대 언풀링과 못 침대는 블록의
# $k^2 - 1$칸을 0으로 두므로 사진이 거의 검게 되어 PSNR이 아주 낮습니다(최대 언풀링의 색 점은 RGB 채널마다
# 최댓값 위치가 달라서 생깁니다). 아래 그림은 **얼굴 부분만 잘라** 같은 왕복을 한 것이므로, 제목의 PSNR은 위 표(사진
# 전체)와 조금 다릅니다. 위 줄은 $k=2$, 아래 줄은 $k=4$입니다.

# %%
face = photo[..., : photo.shape[-2] // 2, photo.shape[-1] // 4: 3 * photo.shape[-1] // 4]
fig = widgets.upsampling_overview(face, kernel_sizes=(2, 4), name="얼굴 부분")
plt.show()

# %% [markdown]
# :::{admonition} 노트 바로잡기: 최대 언풀링은 "원본 특성 정보를 더 잘 보존합니다"
# :class: warning
# 반만 맞습니다. 최대 언풀링은 살아남은 값을 **원래 있던 바로 그 픽셀**에 놓으므로 **위치**는 잘 보존합니다.
# 하지만 값의 크기로 재면(PSNR) 사진에서는 평균 언풀링보다 크게 나쁩니다(위 표의 $k=2$에서 약 20 dB 차이). 블록의
# 나머지 칸을 0으로 두기 때문입니다. 최대 언풀링이 값으로도 이기는 것은 대부분이 0이고 강한 값이 드문드문 있는
# 신호, 예를 들어 ReLU 뒤의 특성 맵 같은 **드문**(sparse) 신호뿐입니다. 아래에서 잽니다.
# :::
#
# ### 최대 언풀링이 잘하는 것: 값을 제자리에
#
# 평균 언풀링과 보간은 값을 블록 전체에 번지게 해 가장자리(edge)의 위치가 블록 크기만큼 흐려지지만, 최대 언풀링은
# 가장 강한 응답을 제자리에 둡니다. 밝은 점이 드문드문 있는 점 이미지, 카메라맨 사진의 가장자리 세기(가로·세로 차분의
# 절댓값 합), 그리고 한 픽셀 두께의 가는 선으로 비교합니다.

# %%
gray = camera.mean(dim=1, keepdim=True)  # (1, 1, H, W)
dx, dy = F.pad(gray.diff(dim=-1), (0, 1)), F.pad(gray.diff(dim=-2), (0, 0, 0, 1))
edges = (dx.abs() + dy.abs()).clamp(0, 1)  # 가장자리 세기
generator = torch.Generator().manual_seed(0)
stars = torch.rand(gray.shape, generator=generator)
stars = (torch.rand(gray.shape, generator=generator) < CFG["star_density"]) * stars  # 드문 점
line = torch.zeros(1, 1, 40, 40)
line[0, 0, torch.arange(5, 35), torch.arange(5, 35)] = 1.0  # 한 픽셀 두께의 사선
k = 2
signals = {"점 이미지": stars, "가장자리 세기": edges, "가는 선": line, "사진 (흑백)": gray}
psnr_of = {name: {m: upsampling.psnr(upsampling.roundtrip(image, m, k), image)
                  for m in upsampling.METHODS} for name, image in signals.items()}
method_names = [upsampling.METHOD_NAMES[m] for m in upsampling.METHODS]
psnr_rows = [[name, *row.values()] for name, row in psnr_of.items()]
psnr_table = tables.frame(psnr_rows, ["신호", *method_names])
tables.show(psnr_table, caption=f"k={k}로 줄였다 키운 신호의 PSNR (dB)",
            formats={m: "{:.1f}" for m in method_names})
stars_psnr, photo_psnr = psnr_of["점 이미지"], psnr_of["사진 (흑백)"]
assert stars_psnr["max_unpool"] > stars_psnr["avg_unpool"] + 5  # 드문 신호: 최대 언풀링이 앞섬
assert photo_psnr["avg_unpool"] > photo_psnr["max_unpool"] + 5  # 사진: 평균 언풀링이 앞섬

# %% [markdown]
# 점 이미지에서는 최대 언풀링이 크게 앞서고, 사진에서는 크게 뒤집니다. 가장자리 세기와 가는 선은 그 사이입니다.
# 가는 선을 확대해 보면 두 방법의 성격이 그대로 보입니다. 평균 언풀링은 선을 두 배 두께의 흐린 띠로 번지게 하고,
# 최대 언풀링은 선의 픽셀을 제자리에 두지만 블록마다 하나만 살려 선이 끊깁니다.

# %%
restored_line = {m: upsampling.roundtrip(line, m, k) for m in ("avg_unpool", "max_unpool")}
fig = viz.image_grid([line[0], restored_line["avg_unpool"][0], restored_line["max_unpool"][0]],
                     titles=["가는 선 (40×40)", f"평균 언풀링 k={k}: 두껍고 흐림",
                             f"최대 언풀링 k={k}: 제자리, 끊김"], size=2.6)
plt.show()
on_line = line[0, 0] > 0
kept = restored_line["max_unpool"][0, 0] > 0
print(f"최대 언풀링이 남긴 픽셀 {kept.sum().item()}개 중 선 위 {(kept & on_line).sum().item()}개 | "
      f"평균 언풀링이 0 아닌 값을 둔 픽셀 {(restored_line['avg_unpool'][0, 0] > 0).sum().item()}개 "
      f"(원래 선 {on_line.sum().item()}픽셀)")

# %% [markdown]
# 빈 칸을 채우는 일은 최대 언풀링 뒤의 합성곱 층이 맡습니다. 그 구조가 다음 절의 SegNet입니다.
#
# ## 4. 디코더를 학습시켜 비교하기
#
# ### 최대 언풀링에는 인코더의 위치가 필요하다: SegNet 식 짝짓기
#
# 최대 언풀링의 위치 정보는 언풀링 자신이 만들 수 없습니다. 그 정보는 **같은 해상도의 최대 풀링**에서만 나옵니다.
# 그래서 SegNet {cite}`badrinarayanan2017` 같은 인코더-디코더(encoder-decoder) 구조는 인코더의 $i$번째 풀링과
# 디코더에서 같은 해상도로 돌아오는 언풀링을 짝지어, 풀링이 저장한 위치를 언풀링에 넘깁니다. 특성 맵 전체(4장
# U-Net의 스킵 연결이 넘기는 것)가 아니라 위치만 넘기므로 저장할 것이 적습니다. SegNet 논문은 2×2 창마다 2비트로
# 저장합니다. 같은 무렵의 DeconvNet {cite}`noh2015`도 최대 언풀링과 전치 합성곱을 번갈아 쌓았습니다.

# %%
ax = diagrams.pool_unpool_pairing(depth=3)
plt.show()

# %% [markdown]
# ### 같은 인코더, 다른 업샘플링
#
# 업샘플링 방법이 세그멘테이션 결과를 얼마나 바꾸는지 재려면, 다른 것은 모두 같게 두어야 합니다.
# {class}`lib.decoders.EncoderDecoder`는 SegNet 모양의 작은 인코더-디코더입니다. 인코더는 단계마다 3×3 합성곱 다음
# 2×2 최대 풀링(위치 저장)을 세 번 하고, 디코더는 단계마다 **업샘플링 한 번** 다음 3×3 합성곱을 합니다. 스킵 연결은
# 없으므로 디코더가 받는 위치 정보는 업샘플링 방법이 주는 것뿐입니다. 바꾸는 것은 업샘플링 한 가지입니다.
#
# - 최대 언풀링 (SegNet, 짝이 되는 풀링의 위치),
# - 최근접 보간, 쌍선형 보간 (학습할 것 없음),
# - 2×2 스트라이드 2 전치 합성곱 (학습함; 3장의 주제. 이 모델만 단계마다 $C \times C \times 4 + C$개의 가중치가 더
#   있습니다).
#
# 1장과 같은 합성 장면(synthetic scene)으로, 시드 세 개씩 학습해 평균 ± 표준편차를 기준선과 함께 봅니다.

# %%
num_classes = len(data.CLASS_NAMES)
scene_config = data.SceneConfig(size=CFG["scene_size"])
train_images, train_masks = data.make_scenes(CFG["n_train"], scene_config, seed=0)
val_images, val_masks = data.make_scenes(CFG["n_val"], scene_config, seed=1)
builders = {name: (lambda up=up: decoders.EncoderDecoder(3, num_classes, up, width=CFG["width"]))
            for up, name in decoders.UP_METHODS.items()}
trained = {}
results = experiments.compare(builders, (train_images, train_masks), (val_images, val_masks),
                              num_classes, seeds=CFG["seeds"], trained=trained,
                              epochs=CFG["epochs"], batch_size=16, lr=3e-3, schedule="cosine")
baseline = experiments.baseline(train_masks, val_masks, num_classes)
summary = experiments.summarize(results, extra_rows=[baseline])
summary["학습 파라미터"] = [*results.groupby("model", sort=False)["params"].first(), 0]
tables.show(summary, caption=f"업샘플링만 다른 디코더: 검증 장면 {CFG['n_val']}개, "
                             f"시드 {len(CFG['seeds'])}개의 평균 ± 표준편차")

# %%
means = experiments.means(results)
print(means[["miou", "accuracy", "band"]].round(3))
# 가장 좋은 방법과 가장 나쁜 방법의 평균 mIoU 차이
spread = means["miou"].max() - means["miou"].min()
gap = means["miou"].min() - baseline["miou"]  # 가장 나쁜 방법과 기준선의 차이
print(f"방법 사이의 평균 mIoU 차이 {spread:.3f} | 가장 나쁜 방법과 기준선의 차이 {gap:.3f}")
if not config.is_fast():  # 결론은 full 프로필의 평균으로 확인합니다
    for name in builders:  # 어느 디코더나 기준선보다 모든 지표에서 낫습니다
        for m in ("miou", "accuracy", "band"):
            assert means.loc[name, m] > baseline[m] + 0.05, (name, m)
    assert spread < 0.1 and gap > 0.25  # 방법 사이의 차이는 기준선과의 차이보다 훨씬 작음

# %% [markdown]
# 예측을 나란히 봅니다(시드 0).

# %%
shown = slice(0, 4)
predictions = {name: train.predict(trained[(name, CFG["seeds"][0])][0], val_images[shown])
               for name in builders}
fig = viz.segmentation_grid(val_images[shown], {"정답": val_masks[shown]} | predictions, size=1.6)
plt.show()

# %% [markdown]
# 표의 모든 모델은 업샘플링 말고는 같으므로, 행 사이의 차이가 곧 업샘플링 방법의 효과입니다. 경계 띠(boundary band;
# 정답에서 $5 \times 5$ 이웃 안에 다른 클래스가 있는 픽셀)의 정확도는 "위치 정보를 얼마나 되살리는가"를 재는
# 눈금입니다. 결과는 예상보다 밋밋합니다.
#
# - 네 방법 모두 기준선을 모든 지표에서 크게 넘습니다.
# - 방법 사이의 평균 mIoU 차이(위에 찍은 값)는 기준선과의 차이보다 훨씬 작고, 시드 사이의 표준편차와 비슷한
#   크기입니다. 이 크기의 실험으로는 어느 업샘플링이 낫다고 말할 수 없습니다. 학습하지 않는 보간(최근접, 쌍선형)이
#   위치를 넘겨받는 최대 언풀링이나 가중치를 학습하는 전치 합성곱보다 못하지 않았다는 것이 말할 수 있는 전부입니다.
# - 이 책을 쓰며 학습에 쓰지 않은 시드 세 개(3, 4, 5)로 다시 재었을 때도 같은 그림이었습니다. 최대 언풀링과 전치
#   합성곱의 평균이 조금 낮았지만 차이는 역시 표준편차 안팎이었습니다.
#
# 업샘플링 방법보다 중요한 것은 디코더에 **어떤 정보가 들어오는지**입니다. 이 디코더들은 인코더가 $1/8$로 줄인 특성 맵과
# (최대 언풀링의 경우) 위치만 받습니다. 잃은 세부를 특성 맵 째로 다시 가져오는 스킵 연결이 4장 U-Net의 출발점입니다.

# %% [markdown]
# ## 5. 학습할 것이 없다 → 전치 합성곱으로
#
# 세 언풀링과 두 보간 모두 **학습할 파라미터가 없습니다**. 블록 안에 값을 어떻게 퍼뜨릴지가 미리 정해져 있습니다.
# 평균 언풀링과 못 침대는 사실 정해진 $k\times k$ 커널을 가진 전치 합성곱(스트라이드 $k$)입니다. 평균 언풀링은
# 모든 칸이 1인 커널, 못 침대는 왼쪽 위만 1인 커널입니다. (최대 언풀링은 위치가 입력마다 달라 고정된 커널로 쓸 수
# 없습니다.)

# %%
x = torch.rand(2, 3, 5, 4)
planes = x.reshape(6, 1, 5, 4)  # 채널마다 따로: (N·C, 1, H, W)
ones = torch.ones(1, 1, 2, 2)
nail = torch.zeros(1, 1, 2, 2)
nail[0, 0, 0, 0] = 1.0
# (N·C, 1, H, W) -> (N·C, 1, 2H, 2W) -> (N, C, 2H, 2W)
by_ones = F.conv_transpose2d(planes, ones, stride=2).reshape(2, 3, 10, 8)
by_nail = F.conv_transpose2d(planes, nail, stride=2).reshape(2, 3, 10, 8)
assert torch.equal(by_ones, upsampling.avg_unpool2d(x, 2))
assert torch.equal(by_nail, upsampling.bed_of_nails2d(x, 2))
print("평균 언풀링 = 전치 합성곱(커널 [[1,1],[1,1]]), 못 침대 = 전치 합성곱(커널 [[1,0],[0,0]])")

# %% [markdown]
# 커널을 고정하지 말고 **학습하면** 어떨까요? 노트의 다음 절, 3장의 전치 합성곱이 바로 이 생각입니다. 입력 값마다
# 학습한 커널을 곱한 사본을 출력에 흩뿌리고, 겹치는 곳은 더합니다.
#
# ## 6. 직접 해 보기: 탐색기
#
# 아래 탐색기(살아 있는 커널에서만 움직입니다)로 방법, 커널 크기, 이미지를 바꿔 가며 원본·축소본·복원본·오차를
# 비교해 보세요. HTML 책에서는 그 아래의 정적 그림이 같은 함수로 그린 한 예입니다.

# %%
widgets.upsampling_explorer({"astronaut": photo, "camera": camera, "가장자리 세기": edges,
                             "점 이미지": stars})

# %%
fig = widgets.roundtrip_figure(photo, "bilinear", 4)
plt.show()

# %% [markdown]
# ## 정리
#
# - CNN은 해상도를 줄여 같은 비용으로 더 넓은 영역을 보고 계산과 메모리를 아낍니다(1장 6절). 세그멘테이션은 그
#   결과를 다시 입력 해상도로 키워야 합니다.
# - 평균 언풀링(= 최근접 보간)은 값을 블록에 복사하고, 못 침대는 왼쪽 위에만 두고, 최대 언풀링은 인코더가 저장한
#   위치에 둡니다. `lib.upsampling.max_unpool2d`는 겹치는 창과 `output_size`까지 torch와 같은 값을 냅니다.
# - 쌍선형 보간의 `align_corners=False`는 반 픽셀 중심의 격자이고, 3장의 쌍선형 전치 합성곱이 이것과 같습니다.
# - **노트 바로잡기**: 언풀링 뒤 풀링은 입력을 정확히 돌려주지만, 풀링 뒤 언풀링은 돌려주지 못합니다. 최대 언풀링은
#   위치를 보존하고 드문 신호에서는 값으로도 이기지만, 사진에서는 PSNR이 크게 낮습니다.
# - 같은 인코더에 업샘플링만 바꾼 디코더를 학습시키면, 어느 방법이든 기준선을 크게 넘지만 방법 사이의 차이는 시드
#   사이의 흔들림과 비슷한 크기였습니다. 디코더가 무엇을 받는지(4장의 스킵 연결)가 더 중요합니다.
# - 어느 방법에도 학습할 파라미터가 없습니다. → 3장의 전치 합성곱.
#
# ## 연습문제
#
# **1.** 최대 풀링 뒤 최대 언풀링을 한 번 더 풀링하면, 곧 `F.max_pool2d(max_unpool2d(p, i, 2), 2)`는 언제 `p`와
# 같을까요? 평균 언풀링의 성질 $\text{avgpool}(\text{avgunpool}(x)) = x$와 비교해 보세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 블록 안에는 `p`의 값 하나와 0들만 있으므로 최대 풀링 결과는 $\max(p, 0)$입니다. 따라서 `p`의 값이 모두 0
# 이상일 때만(예: ReLU 뒤) 같습니다. 음수가 있으면 0이 이깁니다. 평균으로 풀링하면 $p / k^2$가 되므로, 못 침대와
# 최대 언풀링은 평균 풀링의 오른쪽 역이 아닙니다($k^2$을 곱하면 됩니다).
# :::

# %% tags=["hide-input"]
p_values = torch.randn(1, 1, 3, 3)
rows_, cols_ = torch.arange(3)[:, None], torch.arange(3)[None, :]
some_positions = (rows_ * 12 + cols_ * 2)[None, None]  # 6×6 출력에서 블록마다 왼쪽 위 칸
unpooled = upsampling.max_unpool2d(p_values, some_positions, 2)
assert torch.equal(F.max_pool2d(unpooled, 2), p_values.clamp(min=0))
assert torch.allclose(F.avg_pool2d(unpooled, 2) * 4, p_values)
print("최대 풀링(최대 언풀링(p)) = max(p, 0), 평균 풀링 × 4 = p")

# %% [markdown]
# **2.** 가로로 0, 1이 번갈아 나오는 줄무늬 이미지(한 픽셀 폭)를 $k=2$로 평균 풀링한 뒤 평균 언풀링하면 PSNR은
# 몇 dB일까요?
#
# :::{admonition} 풀이
# :class: dropdown
# 모든 블록의 평균이 0.5이므로 복원은 모든 칸이 0.5, 오차는 모든 칸에서 $\pm 0.5$입니다. MSE $= 0.25$,
# PSNR $= 10 \log_{10}(1/0.25) \approx 6.02$ dB. 줄무늬의 정보는 풀링에서 완전히 사라졌습니다.
# :::

# %% tags=["hide-input"]
stripes = (torch.arange(8) % 2).float().expand(1, 1, 8, 8)
stripes_psnr = upsampling.psnr(upsampling.roundtrip(stripes, "avg_unpool", 2), stripes)
print(f"{stripes_psnr:.4f} dB")
assert abs(stripes_psnr - 10 * math.log10(4)) < 1e-9

# %% [markdown]
# **3.** 커널 $k$, 스트라이드 $s$, 패딩 $p$인 최대 풀링의 출력이 $H$칸일 때, 원래 입력은 몇 칸이었을 수 있을까요?
# `ceil_mode=False`(기본값, 내림)와 `ceil_mode=True`(올림)로 나누어 답하고, `max_unpool2d`의 `output_size`가
# 기본 크기 $d = (H-1)s + k - 2p$에 대해 $d - s < H_{\text{out}} < d + s$만 허용하는 까닭을 설명하세요.
#
# :::{admonition} 풀이
# :class: dropdown
# 내림이면 $\lfloor (H_{\text{in}} + 2p - k)/s \rfloor + 1 = H$를 만족하는 $H_{\text{in}}$은 $d, d+1, \dots, d+s-1$의
# $s$개입니다(나머지 $0, \dots, s-1$을 버리므로). 올림이면 $\lceil (H_{\text{in}} + 2p - k)/s \rceil + 1 = H$이므로
# $d-s+1, \dots, d$의 $s$개입니다. 두 경우를 합친 $d-s+1, \dots, d+s-1$이 정확히 열린 구간 $(d-s, d+s)$의
# 정수들이고, torch의 `output_size` 규칙이 이것입니다. 그 밖의 크기는 그 풀링에서 나온 위치일 수가 없으므로
# 오류로 막습니다. (올림 모드에서 마지막 창이 입력 밖에서만 시작하는 경우는 PyTorch가 그 창을 버리므로 제외됩니다.)
# 아래 코드가 작은 크기를 모두 훑어 확인합니다.
# :::

# %% tags=["hide-input"]
check_rows = []
for kernel, stride in [(2, 2), (3, 2), (3, 3)]:
    for h_out in (2, 3, 4):
        d = (h_out - 1) * stride + kernel
        found = {mode: [n for n in range(kernel, 4 * d) if F.max_pool2d(
            torch.zeros(1, 1, n, 1), (kernel, 1), (stride, 1), ceil_mode=mode).shape[-2] == h_out]
            for mode in (False, True)}
        assert found[False] == list(range(d, d + stride))  # 내림: d .. d+s-1
        assert found[True] == list(range(d - stride + 1, d + 1))  # 올림: d-s+1 .. d
        check_rows.append([f"k={kernel}, s={stride}", h_out, d, str(found[False]),
                           str(found[True])])
columns = ["풀링", "출력 H", "기본 크기 d", "내림: 가능한 입력", "올림: 가능한 입력"]
tables.show(tables.frame(check_rows, columns), caption="풀링의 출력 크기로부터 가능한 입력 크기")

# %% [markdown]
# **4.** 못 침대를 `F.conv_transpose2d`로 만들었던 것처럼, 쌍선형 보간($k=2$)도 전치 합성곱으로 쓸 수 있을까요?
# 커널은?
#
# :::{admonition} 풀이
# :class: dropdown
# 가장자리를 빼면 쓸 수 있습니다. 1차원 커널 $[0.25, 0.75, 0.75, 0.25]$의 바깥곱으로 된 $4\times4$ 커널, 스트라이드 2,
# 패딩 1인 전치 합성곱이 `align_corners=False` 쌍선형 보간과 안쪽 픽셀에서 같습니다(가장자리는 `F.interpolate`가
# 값을 복제해 채우므로 다릅니다). 2.5절에서 말한 대로 `align_corners=True`와는 같지 않습니다. FCN은 전치 합성곱
# 커널을 바로 이 쌍선형 커널로 초기화한 뒤 학습합니다(3장).
# :::

# %% tags=["hide-input"]
w1 = torch.tensor([0.25, 0.75, 0.75, 0.25])
kernel = torch.outer(w1, w1)[None, None]
x = torch.rand(1, 1, 6, 6)
by_kernel = F.conv_transpose2d(x, kernel, stride=2, padding=1)
inner = (..., slice(1, -1), slice(1, -1))
half_pixel = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
corner_aligned = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
print(f"안쪽 최대 차이: align_corners=False {(by_kernel - half_pixel)[inner].abs().max():.1e}, "
      f"True {(by_kernel - corner_aligned)[inner].abs().max():.2f}")
assert torch.allclose(by_kernel[inner], half_pixel[inner], atol=1e-6)
assert not torch.allclose(by_kernel[inner], corner_aligned[inner], atol=1e-2)
