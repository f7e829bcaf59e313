"""직접 만든 전치 합성곱 ``lib.upsampling.conv_transpose2d`` 와 ``F.conv_transpose2d`` 의 시간 비율 표.

    python benchmarks/transposed_conv.py [--repeat 15]

목표: 현실적인 크기(64 채널, 32×32, 스트라이드 2)에서 CPU 로 torch 의 2 배 이내.
비율 = 우리 시간 / torch 시간 (1 보다 크면 느림). 같은 프로세스에서 번갈아 재어 각자의 가장 짧은 시간을 비교합니다.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from lib import tables, timing
from lib.upsampling import conv_transpose2d

GOAL = 2.0  # torch 대비 허용 배수
# (이름, 입력 (N, C_in, H, W), C_out, 커널 크기, 인자)
CASES = [
    ("k=4 s=2 p=1 (DCGAN)", (8, 64, 32, 32), 64, 4, dict(stride=2, padding=1)),
    ("k=3 s=2 p=1 op=1", (8, 64, 32, 32), 64, 3, dict(stride=2, padding=1, output_padding=1)),
    ("k=2 s=2 (U-Net)", (8, 64, 32, 32), 64, 2, dict(stride=2)),
    ("k=4 s=2 p=1 groups=4", (8, 64, 32, 32), 64, 4, dict(stride=2, padding=1, groups=4)),
    ("k=3 s=2 dilation=2", (8, 64, 32, 32), 64, 3, dict(stride=2, dilation=2)),
    ("k=16 s=8 p=4 (FCN 8배)", (8, 4, 16, 16), 4, 16, dict(stride=8, padding=4)),
    ("k=4 s=2 p=1, 큰 입력", (4, 32, 128, 128), 32, 4, dict(stride=2, padding=1)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="번갈아 재는 횟수")
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, 스레드 {torch.get_num_threads()}")
    rows = []
    for name, shape, c_out, k, kwargs in CASES:
        x = torch.randn(shape)
        weight = torch.randn(shape[1], c_out // kwargs.get("groups", 1), k, k) * 0.05
        ours = lambda x=x, w=weight, kw=kwargs: conv_transpose2d(x, w, **kw)  # noqa: E731
        theirs = lambda x=x, w=weight, kw=kwargs: F.conv_transpose2d(x, w, **kw)  # noqa: E731
        torch.testing.assert_close(ours(), theirs(), atol=1e-4, rtol=1e-4)
        t_ours, t_torch = timing.paired_times(ours, theirs, repeat=args.repeat)
        rows.append([name, "×".join(map(str, shape)), t_ours * 1e3, t_torch * 1e3, t_ours / t_torch])
    table = tables.frame(rows, ["경우", "입력 N×C×H×W", "직접 (ms)", "torch (ms)", "비율"])
    print(tables.to_text(table, formats={"비율": "{:.2f}"}))
    headline = rows[0][-1]
    verdict = "달성" if headline <= GOAL else "미달"
    print(f"\n목표(64 채널, 32×32, 스트라이드 2 에서 {GOAL:g} 배 이내): {headline:.2f} 배 → {verdict}")


if __name__ == "__main__":
    main()
