"""1장 벤치마크: 픽셀마다 반복 / 패치 한 배치 / 조밀한 한 번의 예측 시간과 곱셈-덧셈 수.

    python benchmarks/conv_segmentation.py [--sizes 16 32 64] [--width 32] [--depth 6]

같은 프로세스에서 세 방법을 재고, 조밀한 방식 대비 배수를 표로 출력합니다 (목표: 64×64 에서 반복 방식 대비 100배 이상).
"""

import argparse

import torch

from lib import config, segmentation, tables, timing


def measure(model: torch.nn.Module, size: int, patch_size: int) -> list:
    """한 크기에서 세 방법의 시간(초)과 MAC 으로 예측한 배수를 잽니다. 세 출력이 같은지도 확인합니다."""
    image = torch.rand(1, 3, size, size)
    ways = {
        "loop": lambda: segmentation.sliding_window_predict(model, image, patch_size, batch_size=1),
        "batched": lambda: segmentation.sliding_window_predict(model, image, patch_size),
        "dense": lambda: segmentation.dense_predict(model, image, patch_size),
    }
    outputs = {name: way() for name, way in ways.items()}
    for name in ("loop", "batched"):
        torch.testing.assert_close(outputs[name], outputs["dense"], atol=1e-5, rtol=1e-5)
    seconds = {name: timing.best_time(way, repeat=1 if name == "loop" else 3, warmup=0 if name == "loop" else 1)
               for name, way in ways.items()}
    per_pixel = segmentation.conv_cost(model, (1, 3, patch_size, patch_size))["macs"] * size * size
    dense = segmentation.conv_cost(model, (1, 3, size + patch_size - 1, size + patch_size - 1))["macs"]
    return [f"{size}×{size}", seconds["loop"], seconds["batched"], seconds["dense"],
            seconds["loop"] / seconds["dense"], seconds["batched"] / seconds["dense"], per_pixel / dense]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--depth", type=int, default=6)
    args = parser.parse_args()
    config.seed_everything(0)
    model = segmentation.PatchCNN(3, 4, width=args.width, depth=args.depth).eval()
    p = segmentation.receptive_field(model)
    print(f"PatchCNN(width={args.width}, depth={args.depth}), 패치 {p}×{p}, torch {torch.__version__}, "
          f"스레드 {torch.get_num_threads()}, CPU")
    rows = [measure(model, size, p) for size in args.sizes]
    header = ["크기", "반복 (초)", "배치 (초)", "조밀 (초)", "반복/조밀", "배치/조밀", "MAC 예측 배수"]
    print(tables.to_text(tables.frame(rows, header)))


if __name__ == "__main__":
    main()
