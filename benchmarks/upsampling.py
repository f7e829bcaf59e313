"""lib.upsampling 의 직접 만든 연산과 torch 의 같은 연산을 같은 입력에서 재어 비율 표를 찍습니다.

    python benchmarks/upsampling.py [--repeat 15]

- 평균 언풀링  ↔ ``F.interpolate(mode="nearest")`` (정수 배율이면 같은 결과)
- 못 침대     ↔ 블록 왼쪽 위를 가리키는 indices 로 부른 ``F.max_unpool2d``
- 최대 언풀링 ↔ ``F.max_unpool2d`` (겹치지 않는 2×2 창, 겹치는 3×3/스트라이드 2 창)
비율 = 우리 시간 / torch 시간 (1 보다 크면 느림). 같은 프로세스에서 번갈아 재어 가장 짧은 시간끼리 비교합니다.
목표: 최대 언풀링은 torch 의 2 배 이내.
"""

from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from lib import tables, timing, upsampling

SHAPES = [(8, 64, 32, 32), (8, 64, 64, 64), (4, 32, 128, 128)]  # 풀링 전 (N, C, H, W)
GOAL = 2.0


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="번갈아 재는 횟수")
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, 스레드 {torch.get_num_threads()}")
    rows = []
    for shape in SHAPES:
        for name, ours, theirs in cases(shape):
            torch.testing.assert_close(ours(), theirs())
            t_ours, t_torch = timing.paired_times(ours, theirs, repeat=args.repeat)
            rows.append([name, "×".join(map(str, shape)), t_ours * 1e3, t_torch * 1e3, t_ours / t_torch])
    table = tables.frame(rows, ["연산", "풀링 전 입력", "우리 (ms)", "torch (ms)", "비율"])
    print(tables.to_text(table, formats={"비율": "{:.2f}"}))
    worst = max(r[-1] for r in rows if r[0].startswith("최대 언풀링"))
    print(f"\n목표(최대 언풀링이 torch 의 {GOAL:g} 배 이내): 가장 느린 경우 {worst:.2f} 배 → "
          f"{'달성' if worst <= GOAL else '미달'}")


if __name__ == "__main__":
    main()
