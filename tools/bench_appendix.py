"""성능 부록을 다시 만듭니다: benchmarks/*.py 를 차례로 실행하고, 그 출력으로 appendix/performance.md 를 씁니다.

    python tools/bench_appendix.py          # 모든 벤치마크를 기본 인자로, 몇 분

쪽의 맨 위에 잰 기계(CPU 모델, 코어 수, torch 스레드, GPU, torch·Python 판, 날짜)를 적습니다. 벤치마크가
``lib.tables.to_text`` 로 찍는 표는 글 표 대신 책의 표(숫자는 오른쪽 정렬, 캡션 한 줄)로 옮기고, 그 밖의 줄은
찍힌 그대로 둡니다. 다른 프로세스가 CPU 를 쓰지 않는 조용한 기계에서 실행하세요 (공유 기계에서는
``flock /tmp/book-cpu.lock python tools/bench_appendix.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
OUT = ROOT / "appendix" / "performance.md"
MARK = "@@BOOK-TABLE@@"


# --------------------------------------------------------------------------------------------------
# 자식 프로세스: 벤치마크 하나를 실행하며, lib.tables.to_text 가 만드는 표를 표시 줄로 바꿔 찍습니다.


def run_one(script: Path, args: list[str]) -> None:
    import runpy

    sys.path.insert(0, str(ROOT))
    try:
        from lib import tables
    except ImportError:  # lib.tables 가 없으면 찍힌 그대로
        tables = None
    if tables is not None and hasattr(tables, "to_text"):
        original = tables.to_text

        def to_marker(table, formats=None, *a, **kw):
            formats = dict(formats or {})
            import pandas as pd

            numeric = [bool(pd.api.types.is_numeric_dtype(table[c])) for c in table.columns]
            cells = [[formats[c].format(v) if c in formats else tables.number(v) for c, v in zip(table.columns, row)]
                     for row in table.itertuples(index=False)]
            original(table, formats, *a, **kw)  # 원래 함수도 불러 같은 검사를 거칩니다
            payload = {"columns": [str(c) for c in table.columns], "numeric": numeric, "rows": cells}
            return MARK + json.dumps(payload, ensure_ascii=False)

        tables.to_text = to_marker
    sys.argv = [str(script), *args]
    runpy.run_path(str(script), run_name="__main__")


# --------------------------------------------------------------------------------------------------
# 부모: 기계 설명, 벤치마크 실행, 쪽 쓰기


def machine() -> dict[str, str]:
    """잰 기계를 사람이 읽을 수 있게: CPU 모델과 코어, 메모리, GPU, 판 번호, 날짜."""
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"^model name\s*:\s*(.+)$", info, re.M).group(1).strip()
    except (OSError, AttributeError):
        pass
    memory = ""
    try:
        kib = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))
        memory = f"{kib / 2**20:.0f} GiB"
    except (OSError, AttributeError):
        pass
    probe = subprocess.run(
        [sys.executable, "-c", "import torch, json; print(json.dumps({'torch': torch.__version__, "
         "'threads': torch.get_num_threads(), 'cuda': torch.cuda.get_device_name(0) "
         "if torch.cuda.is_available() else ''}))"],
        capture_output=True, text=True, cwd=ROOT, check=True)
    torch_info = json.loads(probe.stdout.strip().splitlines()[-1])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "CPU": cpu,
        "쓸 수 있는 코어": f"{cores}개 (torch 스레드 {torch_info['threads']})",
        "메모리": memory or "알 수 없음",
        "GPU": torch_info["cuda"] or "없음 (CPU 로 잼)",
        "torch": torch_info["torch"],
        "Python": platform.python_version(),
        "운영체제": platform.platform(terse=True),
        "잰 날짜": dt.date.today().isoformat(),
    }


def md_table(payload: dict, caption: str) -> str:
    """표시 줄의 표를 MyST 표로: 첫 열(이름)은 왼쪽, 숫자 열은 오른쪽 정렬, 캡션 한 줄."""
    cols = payload["columns"]
    align = [":---" if i == 0 or not num else "---:" for i, num in enumerate(payload["numeric"])]
    esc = lambda s: str(s).replace("|", "\\|")  # noqa: E731
    lines = ["| " + " | ".join(esc(c) for c in cols) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in payload["rows"]]
    return f"```{{table}} {caption}\n" + "\n".join(lines) + "\n```"


def describe_script(script: Path) -> tuple[str, str]:
    """벤치마크의 docstring: 첫 줄(절 제목)과 사용법 줄."""
    import ast

    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or script.stem
    first = doc.strip().splitlines()[0].rstrip(".")
    usage = next((ln.strip() for ln in doc.splitlines() if ln.strip().startswith("python ")), "")
    return first, usage


def run_benchmark(script: Path, args: list[str], timeout: int) -> tuple[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    env.pop("BOOK_FAST", None)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--run-one", str(script), "--", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=timeout)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{script.name} 가 실패했습니다 (종료 코드 {proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout, seconds


def section(script: Path, stdout: str, seconds: float) -> str:
    title, usage = describe_script(script)
    parts = [f"## {title}", "",
             f"`{usage or f'python benchmarks/{script.name}'}` — 실행 {seconds:.0f}초", ""]
    text: list[str] = []
    n_tables = 0

    def flush():
        while text and not text[-1].strip():
            text.pop()
        while text and not text[0].strip():
            text.pop(0)
        if text:
            parts.extend(["```text", *text, "```", ""])
        text.clear()

    for line in stdout.splitlines():
        if line.startswith(MARK):
            flush()
            n_tables += 1
            caption = f"{title} ({script.name}" + (f", 표 {n_tables})" if n_tables > 1 else ")")
            parts.extend([md_table(json.loads(line[len(MARK):]), caption), ""])
        else:
            text.append(line.rstrip())
    flush()
    return "\n".join(parts).rstrip() + "\n"


HEADER = """# 성능 부록

이 쪽은 `benchmarks/` 의 스크립트가 찍은 결과를 그대로 옮긴 것입니다. 본문이 속도와 메모리에 대해 하는 말은
곱셈-덧셈 수나 이 표에서 옵니다. 다시 만들려면 (조용한 기계에서) 한 줄:

```bash
python tools/bench_appendix.py
```

시간은 같은 프로세스에서 여러 번 재어 가장 짧은 값을 씁니다 (`lib.timing.best_time`). 다른 기계에서는 숫자가
달라지지만, 같은 기계에서 잰 비율(우리 구현 / torch)은 대개 비슷합니다.

## 잰 기계

"""


def write_page(sections: dict[str, str], info: dict[str, str], out: Path) -> None:
    lines = [HEADER, "| 항목 | 값 |", "| :--- | :--- |", *[f"| {k} | {v} |" for k, v in info.items()], ""]
    page = "\n".join(lines) + "\n" + "\n".join(sections.values())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--run-one"]:
        script, rest = Path(argv[1]), argv[2:]
        run_one(script, rest[1:] if rest[:1] == ["--"] else rest)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--timeout", type=int, default=3600, help="벤치마크 하나의 시간 제한 (초)")
    args = parser.parse_args(argv)
    scripts = sorted(BENCHMARKS.glob("*.py"))
    sections: dict[str, str] = {}
    info = machine()
    for script in scripts:
        print(f"== {script.name}", flush=True)
        stdout, seconds = run_benchmark(script, [], args.timeout)
        sections[script.stem] = section(script, stdout, seconds)
        print(f"   {seconds:.0f}초", flush=True)
    write_page(sections, info, args.out)
    print(f"썼습니다: {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
