"""직접 만든 전치 합성곱 ``lib.upsampling.conv_transpose2d`` 와 ``F.conv_transpose2d`` 의 시간 비율 표.

    /work/venv/bin/python benchmarks/transposed_conv.py

목표: 현실적인 크기(64 채널, 32×32, 스트라이드 2)에서 CPU 로 torch 의 5 배 이내.
비율 = 우리 시간 / torch 시간 (1 보다 크면 느림). 같은 프로세스, 같은 입력, 가장 짧은 시간.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # 설치하지 않고 저장소에서 바로 실행할 때

from lib.timing import best_time, format_table  # noqa: E402
from lib.upsampling import conv_transpose2d  # noqa: E402

GOAL = 5.0  # torch 대비 허용 배수
# (이름, 입력 (N, C_in, H, W), C_out, 인자)
CASES = [
    ("k=4 s=2 p=1 (DCGAN)", (8, 64, 32, 32), 64, dict(stride=2, padding=1)),
    ("k=3 s=2 p=1 op=1", (8, 64, 32, 32), 64, dict(stride=2, padding=1, output_padding=1)),
    ("k=2 s=2", (8, 64, 32, 32), 64, dict(stride=2)),
    ("k=4 s=2 p=1 groups=4", (8, 64, 32, 32), 64, dict(stride=2, padding=1, groups=4)),
    ("k=3 s=2 dilation=2", (8, 64, 32, 32), 64, dict(stride=2, dilation=2)),
    ("k=16 s=8 p=4 (FCN 8배)", (8, 4, 16, 16), 4, dict(stride=8, padding=4)),
    ("k=4 s=2 p=1, 큰 입력", (4, 32, 128, 128), 32, dict(stride=2, padding=1)),
]


def kernel_size(name: str) -> int:
    return int(name.split()[0].removeprefix("k="))


def main() -> None:
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, 스레드 {torch.get_num_threads()}")
    rows, headline = [], None
    for name, shape, c_out, kwargs in CASES:
        x = torch.randn(shape)
        k = kernel_size(name)
        weight = torch.randn(shape[1], c_out // kwargs.get("groups", 1), k, k) * 0.05
        ours = lambda x=x, w=weight, kw=kwargs: conv_transpose2d(x, w, **kw)  # noqa: E731
        theirs = lambda x=x, w=weight, kw=kwargs: F.conv_transpose2d(x, w, **kw)  # noqa: E731
        torch.testing.assert_close(ours(), theirs(), atol=1e-4, rtol=1e-4)
        t_ours, t_torch = best_time(ours, repeat=7), best_time(theirs, repeat=7)
        rows.append([name, "x".join(map(str, shape)), t_ours * 1e3, t_torch * 1e3, t_ours / t_torch])
        headline = t_ours / t_torch if headline is None else headline
    print(format_table(["경우", "입력 N×C×H×W", "직접 (ms)", "torch (ms)", "비율"], rows))
    verdict = "달성" if headline <= GOAL else "미달"
    print(f"\n목표(64 채널, 32×32, 스트라이드 2 에서 {GOAL:g} 배 이내): {headline:.2f} 배 → {verdict}")


if __name__ == "__main__":
    main()
