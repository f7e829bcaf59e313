"""VGG19 특징 추출기: 노트가 말하는 사전 활성화(pre-activation) ``a_ijk`` 를 이름 붙은 층에서 꺼냅니다.

- 층 이름은 ``conv1_1, relu1_1, conv1_2, ..., pool5`` 로, torchvision ``vgg19().features`` 의 37개 모듈과 같은
  순서입니다. ``convB_I`` 의 출력이 ReLU 에 들어가기 전의 값, 곧 사전 활성화입니다.
- 함정: torchvision 의 VGG 는 ``ReLU(inplace=True)`` 라서, 합성곱 출력을 저장해 두어도 바로 다음 ReLU 가 그
  텐서를 덮어써 음수가 0 이 됩니다(사후 활성화가 됩니다). 여기서는 ReLU 를 ``inplace=False`` 로 만듭니다.
- 가중치: ImageNet 가중치를 불러올 수 있으면(Colab, torch 허브 캐시에 파일이 있을 때) 그것을, 아니면 무작위
  가중치를 쓰고 그 사실과 무엇이 달라지는지를 한국어 안내로 출력합니다. 조용히 바꾸지 않습니다.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from . import checks, config, images

# 블록마다 합성곱의 출력 채널 수 (VGG19 = 설정 "E"). 블록 끝에는 2x2 최대 풀링.
VGG19_BLOCKS = ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512), (512, 512, 512, 512))
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# torchvision 의 VGG19_Weights.IMAGENET1K_V1 과 같은 파일
IMAGENET_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"

RANDOM_WEIGHTS_NOTICE = (
    "[알림] ImageNet 으로 학습한 VGG19 가중치를 불러오지 못했습니다 ({reason}).\n"
    "       대신 무작위 가중치(He 초기화, 시드 {seed})로 만든 VGG19 를 씁니다. 달라지는 점:\n"
    "       - 특징이 '물체'를 알아보지 못합니다. 높은 층의 콘텐츠 재구성이 물체의 구조 대신\n"
    "         주로 밝기·윤곽을 지킵니다.\n"
    "       - 스타일(질감)은 여전히 옮겨지지만 붓 터치 같은 큰 구조는 약해집니다 (He 외 2016; Ustyuzhaninov 외 2017).\n"
    "       - 층마다 손실의 크기가 제멋대로라서, 층별 손실을 목표의 크기로 나누는 정규화(normalize=True)가\n"
    "         꼭 필요합니다.\n"
    "       Colab 이나 인터넷이 되는 곳에서 실행하면 ImageNet 가중치(548 MB)를 자동으로 내려받습니다."
)


def layer_names() -> tuple[str, ...]:
    """``vgg19().features`` 의 37개 모듈 이름: conv1_1, relu1_1, conv1_2, relu1_2, pool1, conv2_1, ..., pool5."""
    names = []
    for block, channels in enumerate(VGG19_BLOCKS, start=1):
        for i in range(1, len(channels) + 1):
            names += [f"conv{block}_{i}", f"relu{block}_{i}"]
        names.append(f"pool{block}")
    return tuple(names)


LAYER_NAMES = layer_names()


def build_features(depth: int, seed: int = 0, pool: str = "max") -> nn.Sequential:
    """``vgg19().features`` 의 앞 ``depth`` 개 모듈을 같은 번호로 만듭니다 (ReLU 는 제자리 연산이 아님).

    가중치는 torchvision 과 같은 방식(He 정규분포, fan_out, 편향 0)으로, ``seed`` 로 정해진 무작위 값입니다.
    ``pool="avg"`` 면 최대 풀링 대신 평균 풀링 (Gatys 외 2016: 기울기가 고르게 퍼져 결과가 조금 더 매끈함).
    """
    if not 1 <= depth <= len(LAYER_NAMES):
        raise ValueError(f"depth 는 1 ~ {len(LAYER_NAMES)} 이어야 합니다 (받은 값: {depth})")
    if pool not in ("max", "avg"):
        raise ValueError(f"pool 은 'max' 또는 'avg' 여야 합니다 (받은 값: {pool!r})")
    generator = torch.Generator().manual_seed(seed)
    modules, in_channels = [], 3
    for name in LAYER_NAMES[:depth]:
        if name.startswith("conv"):
            block, index = (int(v) for v in name[4:].split("_"))
            out_channels = VGG19_BLOCKS[block - 1][index - 1]
            conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu", generator=generator)
            nn.init.zeros_(conv.bias)
            modules.append(conv)
            in_channels = out_channels
        elif name.startswith("relu"):
            modules.append(nn.ReLU(inplace=False))  # inplace=False: 저장한 사전 활성화를 덮어쓰지 않도록
        else:
            modules.append(nn.MaxPool2d(2, stride=2) if pool == "max" else nn.AvgPool2d(2, stride=2))
    return nn.Sequential(*modules)


def cached_weights_path() -> Path:
    """torch 허브 캐시에서 ImageNet 가중치 파일이 있을 자리 (``torch.hub.get_dir()/checkpoints/...``)."""
    return Path(torch.hub.get_dir(), "checkpoints", Path(IMAGENET_URL).name)


def load_imagenet_weights(features: nn.Sequential, download: bool) -> None:
    """ImageNet 가중치를 ``features`` 에 넣습니다. 캐시에 없고 ``download`` 가 False 면 RuntimeError."""
    if not cached_weights_path().exists() and not download:
        raise RuntimeError("캐시에 가중치 파일이 없고 내려받기가 꺼져 있음")
    state = torch.hub.load_state_dict_from_url(IMAGENET_URL, map_location="cpu", progress=True)
    prefix = "features."
    ours = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    wanted = features.state_dict().keys()
    missing = [k for k in wanted if k not in ours]
    if missing:
        raise RuntimeError(f"가중치 파일에 {missing} 이 없음")
    features.load_state_dict({k: ours[k] for k in wanted})


class VGGFeatures(nn.Module):
    """이미지 → 이름 붙은 층의 특징 지도. ImageNet 정규화가 안에 들어 있고, 평가 모드에 파라미터는 고정입니다.

    Args:
        layers: 꺼낼 층 이름들 (``LAYER_NAMES`` 중에서). 가장 깊은 층 다음은 만들지 않습니다(잘라냄).
        weights: ``"auto"`` (ImageNet, 안 되면 무작위 + 안내), ``"imagenet"`` (안 되면 오류), ``"random"``.
        download: 캐시에 없을 때 내려받을지. None 이면 ``not config.offline()``.
        seed: 무작위 가중치의 시드.
        pool: ``"max"`` (VGG 그대로) 또는 ``"avg"`` (평균 풀링; 가중치는 그대로 씀).
    Attributes:
        weights: 실제로 쓰는 가중치, ``"imagenet"`` 또는 ``"random"``.
    """

    def __init__(self, layers: Sequence[str], weights: str = "auto", download: bool | None = None,
                 seed: int = 0, pool: str = "max"):
        super().__init__()
        if weights not in ("auto", "imagenet", "random"):
            raise ValueError(f"weights 는 'auto', 'imagenet', 'random' 중 하나여야 합니다 (받은 값: {weights!r})")
        self.layers = _check_layers(layers)
        self.features = build_features(max(LAYER_NAMES.index(n) for n in self.layers) + 1, seed, pool)
        self.weights = "random"
        if weights != "random":
            try:
                load_imagenet_weights(self.features, not config.offline() if download is None else download)
                self.weights = "imagenet"
            except Exception as error:  # 네트워크·파일 오류 모두: 무작위 가중치로 (auto) 또는 오류로 (imagenet)
                if weights == "imagenet":
                    raise RuntimeError(f"ImageNet 가중치를 불러오지 못했습니다: {error}") from error
                print(RANDOM_WEIGHTS_NOTICE.format(reason=error, seed=seed))
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.eval()
        self.requires_grad_(False)

    def forward(self, image: torch.Tensor, layers: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        """(N, 3, H, W) [0, 1] 이미지 → ``{층 이름: (N, K, I, J) 특징}``. 가장 깊은 요청 층에서 멈춥니다.

        Args:
            image: (N, C, H, W) 이미지, 값은 [0, 1]. C 가 1 (흑백) 이나 4 (RGBA) 면 RGB 로 바꿉니다.
            layers: 꺼낼 층 (만들 때 준 층의 부분집합). None 이면 만들 때 준 층 전부.
        """
        wanted = self.layers if layers is None else _check_layers(layers)
        if not set(wanted) <= set(self.layers):
            raise ValueError(f"이 추출기는 {self.layers} 까지만 꺼냅니다 (요청: {tuple(wanted)})")
        image = images.to_rgb(checks.images(image))  # 흑백(C=1)·RGBA(C=4) 도 RGB 로
        deepest = max(LAYER_NAMES.index(n) for n in wanted)
        smallest = 2 ** sum(n.startswith("pool") for n in LAYER_NAMES[:deepest])  # 풀링마다 크기가 절반
        if min(image.shape[-2:]) < smallest:
            raise ValueError(f"{LAYER_NAMES[deepest]} 까지 가려면 이미지 변이 {smallest} 픽셀 이상이어야 합니다 "
                             f"(받은 크기: {tuple(image.shape[-2:])})")
        x = (image - self.mean) / self.std
        found = {}
        for name, module in zip(LAYER_NAMES, self.features):
            x = module(x)
            if name in wanted:
                found[name] = x
                if len(found) == len(wanted):
                    break
        return found


def _check_layers(layers: Sequence[str]) -> tuple[str, ...]:
    """층 이름 목록을 확인해 튜플로 돌려줍니다."""
    if isinstance(layers, str):
        raise TypeError(f"layers 는 층 이름의 목록이어야 합니다 (문자열 하나가 아니라): {layers!r}")
    layers = tuple(layers)
    unknown = [n for n in layers if n not in LAYER_NAMES]
    if not layers or unknown:
        raise ValueError(f"알 수 없는 층 {unknown} (가능한 이름: conv1_1 ... pool5, LAYER_NAMES 참고)")
    return layers
