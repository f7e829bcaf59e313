"""스타일 전이의 평가(순전파+역전파) 한 번에 드는 시간을 물리적 하한과 비교하고, 512 px 의 메모리를 잽니다.

- 하한(floor): 같은 프로세스, 같은 이미지에서 맨 VGG19 를 conv5_1 까지 순전파하고 이미지까지 역전파하는 시간
  (torchvision 처럼 제자리 ReLU, 손실은 conv5_1 출력의 합). 스타일 전이는 이보다 빠를 수 없습니다.
- lib: ``lib.style.transfer`` (L-BFGS, 콘텐츠 conv4_2 + 스타일 conv1_1~conv5_1, 원래 VGG19 가중치).
  평가 한 번의 시간 = (평가 N2 번의 실행 시간 − N1 번의 실행 시간) / (N2 − N1): 목표(콘텐츠 특징, 스타일
  그람 행렬)를 한 번 계산하는 준비 시간은 빠지고, 그 시간은 따로 "준비 (평가 몇 번 분)" 열에 적습니다.
- 세 가지를 번갈아 재고(A, B, C, A, B, C, ...) 각자의 가장 짧은 시간을 씁니다: 기계가 중간에 느려져도 셋이 같이
  느려집니다. 이 기계는 다른 작업과 나눠 쓰므로 스크립트를 여러 번 돌려 중앙값을 보고합니다.
- 메모리: 512 px 에서 각 구현을 새 프로세스에서 한 번 실행해, 실행 전 RSS 에서 늘어난 최대 RSS (CPU) 또는
  ``torch.cuda.max_memory_allocated`` (CUDA) 와, 역전파용으로 저장되는 텐서의 바이트 수
  (autograd saved tensors)를 잽니다.

    python benchmarks/style_transfer.py [--size 256] [--memory-size 512] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import torch

from lib import config, pixel_optim, style, tables, vgg

LAYERS = (*style.STYLE_LAYERS, *style.CONTENT_LAYERS)


def make_floor(extractor: vgg.VGGFeatures, image: torch.Tensor):
    """하한: ``extractor`` 의 conv5_1 까지의 합성곱·ReLU(제자리)·풀링만, 손실 = conv5_1 출력의 합."""
    depth = vgg.LAYER_NAMES.index("conv5_1") + 1

    def floor_evaluation() -> None:
        x = image.detach().requires_grad_(True)
        y = extractor.preprocess(x)
        for module in list(extractor.features)[:depth]:
            y = torch.relu_(y) if isinstance(module, torch.nn.ReLU) else module(y)
        y.sum().backward()

    return floor_evaluation


def run_transfer(extractor, content, style_image, steps: int) -> None:
    style.transfer(content, style_image, extractor=extractor, image_size=max(content.shape[-2:]), steps=steps,
                   progress=False, device=content.device)


def timed(fn, device) -> float:
    config.synchronize(device)
    start = time.perf_counter()
    fn()
    config.synchronize(device)
    return time.perf_counter() - start


def measure_speed(size: int, repeat: int, short: int, long: int, device: torch.device) -> dict:
    """평가 한 번의 시간: lib (긴 실행 − 짧은 실행) / 평가 수 차이, 하한 (평가 ``long - short`` 번) / 그 수."""
    extractor = vgg.VGGFeatures(LAYERS).to(device)
    generator = torch.Generator().manual_seed(0)
    content = torch.rand(1, 3, size, size, generator=generator).to(device)
    style_image = torch.rand(1, 3, size, size, generator=generator).to(device)
    floor_once = make_floor(extractor, content)
    runs = {"short": lambda: run_transfer(extractor, content, style_image, short),
            "long": lambda: run_transfer(extractor, content, style_image, long),
            "floor": lambda: [floor_once() for _ in range(long - short)]}
    for fn in runs.values():  # 워밍업
        fn()
    best = {name: float("inf") for name in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            best[name] = min(best[name], timed(fn, device))
    per_eval = (best["long"] - best["short"]) / (long - short)
    floor = best["floor"] / (long - short)
    setup = best["short"] - short * per_eval
    return dict(per_eval=per_eval, floor=floor, setup_evals=setup / per_eval, weights=extractor.weights)


def memory_child(kind: str, size: int) -> None:
    """(새 프로세스에서) 한 구현을 한 번 실행하고 메모리를 JSON 한 줄로 찍습니다."""
    device = config.device()
    extractor = vgg.VGGFeatures(LAYERS).to(device)
    generator = torch.Generator().manual_seed(0)
    content = torch.rand(1, 3, size, size, generator=generator).to(device)
    style_image = torch.rand(1, 3, size, size, generator=generator).to(device)
    floor_once = make_floor(extractor, content)
    fn = floor_once if kind == "floor" else lambda: run_transfer(extractor, content, style_image, 2)
    saved = saved_bytes(floor_once if kind == "floor" else lambda: _one_objective(extractor, content,
                                                                                style_image))
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated()
        fn()
        peak = torch.cuda.max_memory_allocated() - before
    else:
        before = _rss_now()
        fn()
        peak = _rss_peak() - before
    print(json.dumps(dict(peak_mb=peak / 2**20, saved_mb=saved / 2**20)))


def _one_objective(extractor, content, style_image) -> None:
    """transfer 의 평가 한 번과 같은 계산 (상자 제약, 목적 함수, 역전파)."""
    terms = style.make_objective(extractor, content, style_image, style.CONTENT_LAYERS, style.STYLE_LAYERS, True)
    x = content.clone().requires_grad_(True)
    e_content, e_style = terms(pixel_optim.box(x))
    (e_content + e_style).backward()


def _rss_now() -> int:
    with open("/proc/self/statm") as f:
        import os

        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _rss_peak() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def saved_bytes(fn) -> int:
    """``fn()`` 이 역전파용으로 저장하는 텐서의 총 바이트 수 (같은 저장소는 한 번만 셉니다)."""
    seen = {}

    def pack(t):
        seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return sum(seen.values())


def measure_memory(kind: str, size: int) -> dict:
    """새 프로세스에서 ``memory_child`` 를 실행해 결과를 읽습니다 (최대 RSS 는 프로세스마다 한 번만 잴 수 있음)."""
    out = subprocess.run([sys.executable, __file__, "--memory-child", kind, "--memory-size", str(size)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256, help="시간을 잴 이미지의 변 (픽셀)")
    parser.add_argument("--memory-size", type=int, default=512, help="메모리를 잴 이미지의 변 (픽셀)")
    parser.add_argument("--repeat", type=int, default=5, help="번갈아 재는 횟수 (각자 가장 짧은 시간을 씀)")
    parser.add_argument("--short", type=int, default=2, help="짧은 실행의 평가 수")
    parser.add_argument("--long", type=int, default=12, help="긴 실행의 평가 수")
    parser.add_argument("--memory-child", choices=["floor", "lib"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.memory_size)
        return
    device = config.device()
    print(f"{config.describe()} | 스레드 {torch.get_num_threads()}")
    speed = measure_speed(args.size, args.repeat, args.short, args.long, device)
    memory = {kind: measure_memory(kind, args.memory_size) for kind in ("floor", "lib")}
    peak = "CUDA 최대 할당 (MiB)" if device.type == "cuda" else "최대 RSS 증가 (MiB)"
    rows = [
        ["하한: VGG19 conv5_1 까지 순전파+역전파", speed["floor"], 1.0, "-",
         memory["floor"]["peak_mb"], memory["floor"]["saved_mb"]],
        ["lib.style.transfer (L-BFGS)", speed["per_eval"], speed["per_eval"] / speed["floor"],
         f"{speed['setup_evals']:.2f}", memory["lib"]["peak_mb"], memory["lib"]["saved_mb"]],
    ]
    columns = ["구현", f"초/평가 ({args.size} px)", "하한 대비", "준비 (평가 몇 번 분)",
               f"{peak}, {args.memory_size} px", f"역전파용 저장 (MiB), {args.memory_size} px"]
    print(f"가중치: {speed['weights']} | 번갈아 {args.repeat}번, 각자 가장 짧은 시간")
    print(tables.to_text(tables.frame(rows, columns), formats={
        columns[1]: "{:.3f}", columns[2]: "{:.3f}", columns[4]: "{:.0f}",
        columns[5]: "{:.0f}"}))


if __name__ == "__main__":
    main()
