"""4장 벤치마크: FCN-8s 와 U-Net(스킵 세 방법)의 학습 한 스텝(순전파 + 역전파) 시간과 최대 메모리, 입력 크기별.

    python benchmarks/segmentation_models.py [--sizes 128 256 384 512] [--batch 2] [--repeat 3]

모델은 4장의 설정(FCN-8s 인코더 채널 8~64, U-Net base_channels=8·depth=3, 클래스 4개)입니다. 열의 뜻:

- 스텝 (ms): 순전파 + 교차 엔트로피 + 역전파 한 번의 가장 짧은 시간 (``timing.best_time``).
- 최대 메모리 (MB): 스텝 하나가 늘린 최대 메모리. CUDA 는 ``torch.cuda.max_memory_allocated`` 의 증가분,
  CPU(리눅스, glibc)는 해제된 메모리를 ``malloc_trim`` 으로 돌려주고 최대 상주 메모리(VmHWM)를 되돌린 뒤 잰
  증가분입니다 (다른 운영체제에서는 "-").
- 저장 텐서 (MB): 역전파를 위해 autograd 가 붙잡아 둔 텐서의 크기 합 (장치와 상관없이 같은 값).
- GMAC: 순전파 한 번의 합성곱·전치 합성곱 곱셈-덧셈 수 (``segmentation.conv_cost``).
"""

import argparse
import ctypes
import re
from pathlib import Path

import torch
import torch.nn.functional as F

from lib import config, data, models, segmentation, tables, timing

MODELS = {
    "FCN-8s": lambda: models.FCN(3, len(data.CLASS_NAMES), "8s", widths=(8, 16, 24, 32, 48, 64)),
    **{f"U-Net ({skip})": (lambda skip=skip: models.UNet(3, len(data.CLASS_NAMES), 8, 3, skip=skip))
       for skip in models.SKIP_MODES},
}


def _status_kib(field: str) -> int | None:
    """리눅스 /proc/self/status 의 메모리 값 (KiB). 다른 운영체제에서는 None."""
    status = Path("/proc/self/status")
    if not status.exists():
        return None
    found = re.search(rf"^{field}:\s+(\d+) kB", status.read_text(), flags=re.M)
    return int(found.group(1)) if found else None


def peak_megabytes(step, device: torch.device) -> float:
    """``step()`` 하나가 늘린 최대 메모리 (MB). 잴 수 없는 환경이면 NaN."""
    if device.type == "cuda":
        torch.cuda.synchronize()
        before = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
        step()
        torch.cuda.synchronize()
        return (torch.cuda.max_memory_allocated() - before) / 2**20
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # 이전 스텝이 해제한 메모리를 운영체제에 돌려줌 (glibc)
        Path("/proc/self/clear_refs").write_text("5")  # 최대 상주 메모리(VmHWM)를 지금 값으로 되돌림
    except (OSError, AttributeError):
        return float("nan")
    before = _status_kib("VmRSS")
    step()
    peak = _status_kib("VmHWM")
    return float("nan") if before is None or peak is None else (peak - before) / 1024


def saved_megabytes(model: torch.nn.Module, x: torch.Tensor) -> float:
    """순전파 한 번에서 역전파를 위해 저장된 텐서들의 크기 합 (MB, 같은 저장 공간은 한 번만)."""
    seen = {}

    def pack(tensor):
        seen[(tensor.untyped_storage().data_ptr(), tensor.dtype)] = tensor.untyped_storage().nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        model(x)
    return sum(seen.values()) / 2**20


def measure(name: str, size: int, batch: int, repeat: int, device: torch.device) -> list:
    config.seed_everything(0)
    model = MODELS[name]().to(device).train()
    x = torch.rand(batch, 3, size, size, device=device)
    y = torch.randint(0, len(data.CLASS_NAMES), (batch, size, size), device=device)

    def step():
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()

    seconds = timing.best_time(step, repeat=repeat, device=device)
    model.zero_grad(set_to_none=True)
    peak = peak_megabytes(step, device)
    saved = saved_megabytes(model, x)
    macs = segmentation.conv_cost(model, (batch, 3, size, size))["macs"]
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return [name, f"{size}×{size}", params, seconds * 1e3, peak, saved, macs / 1e9]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256, 384, 512])
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    args = parser.parse_args()
    device = config.device()
    print(f"배치 {args.batch}, torch {torch.__version__}, 장치 {device}, 스레드 {torch.get_num_threads()}")
    rows = [measure(name, size, args.batch, args.repeat, device) for size in args.sizes for name in args.models]
    header = ["모델", "입력", "파라미터", "스텝 (ms)", "최대 메모리 (MB)", "저장 텐서 (MB)", "GMAC"]
    formats = {"스텝 (ms)": "{:.0f}", "최대 메모리 (MB)": "{:.0f}", "저장 텐서 (MB)": "{:.0f}", "GMAC": "{:.2f}"}
    print(tables.to_text(tables.frame(rows, header), formats))


if __name__ == "__main__":
    main()
