"""lib.upsampling 의 직접 만든 연산과 torch 의 같은 연산을 같은 입력에서 재어 비율 표를 찍습니다.

    /work/venv/bin/python benchmarks/upsampling.py

- 평균 언풀링  ↔ ``F.interpolate(mode="nearest")`` (정수 배율이면 같은 결과)
- 못 침대     ↔ 블록 왼쪽 위를 가리키는 indices 로 부른 ``F.max_unpool2d``
- 최대 언풀링 ↔ ``F.max_unpool2d`` (겹치지 않는 2×2 창, 겹치는 3×3/스트라이드 2 창)
비율 = 우리 시간 / torch 시간 (1 보다 크면 느림). 같은 프로세스, 같은 입력, 가장 짧은 시간.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # 설치하지 않고 저장소에서 바로 실행할 때

from lib import upsampling  # noqa: E402
from lib.timing import best_time, format_table  # noqa: E402

SHAPES = [(8, 64, 32, 32), (8, 64, 64, 64), (4, 32, 128, 128)]  # 풀링 전 (N, C, H, W)


def top_left_indices(pooled: torch.Tensor, k: int) -> torch.Tensor:
    """못 침대를 torch 로 하기 위한 indices: 칸 (i, j) → 출력 (k·i, k·j) 의 행 우선 번호."""
    h, w = pooled.shape[-2:]
    rows = torch.arange(h)[:, None] * k
    cols = torch.arange(w)[None, :] * k
    return (rows * (w * k) + cols).expand_as(pooled).contiguous()


def cases(shape: tuple[int, int, int, int]):
    """(이름, 우리 함수, torch 함수) 들. 두 함수는 같은 값을 냅니다 (아래에서 확인)."""
    x = torch.randn(shape)
    avg = F.avg_pool2d(x, 2)
    pooled, indices = F.max_pool2d(x, 2, return_indices=True)
    pooled3, indices3 = F.max_pool2d(x, 3, 2, 1, return_indices=True)
    nails = top_left_indices(avg, 2)
    return [
        ("평균 언풀링 k=2", lambda: upsampling.avg_unpool2d(avg, 2),
         lambda: F.interpolate(avg, scale_factor=2, mode="nearest")),
        ("못 침대 k=2", lambda: upsampling.bed_of_nails2d(avg, 2), lambda: F.max_unpool2d(avg, nails, 2)),
        ("최대 언풀링 k=2", lambda: upsampling.max_unpool2d(pooled, indices, 2),
         lambda: F.max_unpool2d(pooled, indices, 2)),
        ("최대 언풀링 k=3,s=2", lambda: upsampling.max_unpool2d(pooled3, indices3, 3, 2, 1, output_size=shape),
         lambda: F.max_unpool2d(pooled3, indices3, 3, 2, 1, output_size=shape)),
    ]


def main() -> None:
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, 스레드 {torch.get_num_threads()}")
    rows = []
    for shape in SHAPES:
        for name, ours, theirs in cases(shape):
            torch.testing.assert_close(ours(), theirs())
            t_ours, t_torch = best_time(ours, repeat=7), best_time(theirs, repeat=7)
            rows.append([name, "×".join(map(str, shape)), t_ours * 1e3, t_torch * 1e3, t_ours / t_torch])
    print(format_table(["연산", "풀링 전 입력", "우리 (ms)", "torch (ms)", "비율"], rows))


if __name__ == "__main__":
    main()
