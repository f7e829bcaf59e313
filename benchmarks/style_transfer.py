"""스타일 전이 한 번의 반복(순전파+역전파)에 드는 시간과 메모리를, 이미지 크기별로 잽니다.

비교 대상(같은 프로세스에서 실행):
- 기준(baseline): torchvision ``vgg19().features`` 전체(37개 모듈, pool5 까지)를 자르지 않고 돌리고,
  제자리 ReLU 가 덮어쓰기 전에 합성곱 출력을 forward hook 에서 복사(clone)해 두는 평범한 구현.
- lib: ``lib.style.transfer`` — 가장 깊은 층(conv5_1)에서 잘라낸 추출기, 복사 없음, 목표는 한 번만 계산.

메모리는 "역전파를 위해 저장되는 텐서의 바이트 수"(autograd saved tensors)로 잽니다. CPU 에서도 같은 방법으로
잴 수 있고, 반복마다 필요한 활성화 메모리의 대부분입니다. CUDA 에서는 최대 할당량도 함께 적습니다.

    python benchmarks/style_transfer.py [--sizes 128 256 512] [--steps 5]
"""

from __future__ import annotations

import argparse
import time

import torch
import torchvision

from lib import config, style, vgg

LAYERS = (*style.STYLE_LAYERS, *style.CONTENT_LAYERS)


def baseline_features(device: torch.device):
    """기준: 자르지 않은 VGG19 features 와, 합성곱 출력을 복사해 모으는 hook."""
    features = torchvision.models.vgg19().features.to(device).eval().requires_grad_(False)
    store = {}
    for name, module in zip(vgg.LAYER_NAMES, features):
        if name in LAYERS:
            module.register_forward_hook(lambda m, i, out, name=name: store.__setitem__(name, out.clone()))
    mean = torch.tensor(vgg.IMAGENET_MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(vgg.IMAGENET_STD, device=device).view(1, 3, 1, 1)

    def extract(image):
        store.clear()
        features((image - mean) / std)  # 끝(pool5)까지 돌림
        return dict(store)

    return extract


def baseline_run(extract, content, style_image, steps: int) -> None:
    """기준 구현의 L-BFGS: 노트의 손실, 층별 정규화 없음, 목표는 미리 계산."""
    with torch.no_grad():
        content_feats, style_feats = extract(content), extract(style_image)
        targets = {n: style.gram_matrix(style_feats[n]) for n in style.STYLE_LAYERS}
    image = content.clone().requires_grad_(True)

    def closure():
        image.grad = None
        feats = extract(image)
        loss = style.content_loss(feats["conv4_2"], content_feats["conv4_2"])
        for n in style.STYLE_LAYERS:
            k, i, j = feats[n].shape[1:]
            loss = loss + 1e3 * (style.gram_matrix(feats[n]) - targets[n]).pow(2).sum() / (2 * i * j * k) ** 2
        loss.backward()
        return loss

    torch.optim.LBFGS([image], max_iter=steps, max_eval=steps, line_search_fn="strong_wolfe").step(closure)


def saved_bytes(fn) -> int:
    """``fn()`` 이 역전파용으로 저장하는 텐서의 총 바이트 수 (같은 저장소는 한 번만 셉니다)."""
    seen = {}

    def pack(t):
        seen[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        fn()
    return sum(seen.values())


def measure(name: str, run, forward, steps: int, device: torch.device) -> dict:
    """한 구현의 반복당 시간(워밍업 1회 뒤)과 메모리."""
    run(1)  # 워밍업: 첫 호출의 커널 준비 시간을 빼기 위해
    if device.type == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    run(steps)
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / steps
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else float("nan")
    return dict(name=name, seconds=seconds, saved_mb=saved_bytes(forward) / 2**20, cuda_mb=peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256, 512])
    parser.add_argument("--steps", type=int, default=5, help="크기마다 잴 평가 횟수")
    args = parser.parse_args()
    device = config.device()
    config.seed_everything(0)
    extractor = vgg.VGGFeatures(LAYERS, weights="random").to(device)
    extract = baseline_features(device)
    print(f"{config.describe()} | 스레드 {torch.get_num_threads()}")
    print(f"{'크기':>5} {'구현':>9} {'초/반복':>8} {'배율':>6} {'저장 MB':>8} {'CUDA MB':>8} {'300회 예상(초)':>14}")
    for size in args.sizes:
        content = torch.rand(1, 3, size, size, device=device)
        style_image = torch.rand(1, 3, size, size, device=device)
        probe = content.clone().requires_grad_(True)
        rows = [
            measure("baseline", lambda n: baseline_run(extract, content, style_image, n),
                    lambda: extract(probe), args.steps, device),
            measure("lib", lambda n: style.transfer(content, style_image, extractor=extractor,
                                                    image_size=size, steps=n, progress=False),
                    lambda: extractor(probe), args.steps, device),
        ]
        for row in rows:
            ratio = row["seconds"] / rows[0]["seconds"]
            print(f"{size:>5} {row['name']:>9} {row['seconds']:>8.3f} {ratio:>6.2f} {row['saved_mb']:>8.1f} "
                  f"{row['cuda_mb']:>8.1f} {300 * row['seconds']:>14.0f}")


if __name__ == "__main__":
    main()
