"""장을 full 프로필로 다시 실행하고, 텍스트 원본(.py)과 노트북(.ipynb)을 맞춘 뒤, 실행 기록을 표로 찍습니다.

사람이 고치는 것은 ``chapters/NN_이름.py`` (jupytext py:percent) 이고, 책은 같은 이름의 ``.ipynb`` 에 저장된
출력을 보여 줍니다. 이 명령 하나가 그 사이를 잇습니다::

    python tools/run_chapters.py              # 모든 장을 full 프로필로 실행
    python tools/run_chapters.py 03 05        # 이름이 03, 05 로 시작하는 장만
    python tools/run_chapters.py --sync-only  # 실행하지 않고 .py 의 입력만 .ipynb 에 옮김 (출력은 유지)

장마다 (1) .py 를 읽어 (2) 새 커널에서 ``BOOK_FAST`` 없이(full 프로필) 위에서 아래로 실행하고 (3) 매번 바뀌는
것(위젯 상태, 실행 시각, 이 기계의 경로)을 지운 뒤 (4) .ipynb 를 쓰고 같은 내용으로 .py 를
다시 씁니다.
셀 하나라도 오류가 나면 그 장의 파일은 바꾸지 않습니다. 끝에 장마다 실행 시간과 커널의 최대 메모리를 찍습니다.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import io
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_configuration_file
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
JUPYTEXT_CONFIG = load_jupytext_configuration_file(str(ROOT / "jupytext.toml"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# 이보다 큰 PNG 그림(사진과 잡음 이미지를 늘어놓은 격자)은 JPEG 로 바꿔 노트북을 3 MB 아래로 지킵니다.
LARGE_FIGURE_BYTES = 150_000
JPEG_QUALITY = 90
# 커널 안에서 마지막에 한 번 실행해 최대 메모리(바이트)를 알아냅니다. 노트북에는 남기지 않습니다.
PEAK_MEMORY_PROBE = """\
import sys
try:
    import resource
    _peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
except ImportError:  # Windows
    import psutil
    _peak = psutil.Process().memory_info().peak_wset
_gpu = 0
if "torch" in sys.modules and sys.modules["torch"].cuda.is_available():
    _gpu = sys.modules["torch"].cuda.max_memory_allocated()
print(_peak, _gpu)
"""


def chapter_sources(prefixes: list[str]) -> list[Path]:
    """``chapters/*.py`` 중 이름이 ``prefixes`` 중 하나로 시작하는 것 (비어 있으면 전부)."""
    sources = sorted(CHAPTERS.glob("[0-9][0-9]_*.py"))
    chosen = [s for s in sources if not prefixes or any(s.stem.startswith(p) for p in prefixes)]
    if prefixes and not chosen:
        names = ", ".join(s.stem for s in sources)
        raise SystemExit(f"{prefixes} 로 시작하는 장이 없습니다. 있는 장: {names}")
    return chosen


def machine_paths() -> list[tuple[str, str]]:
    """출력에 찍힌 이 기계의 경로를 바꿀 규칙: 저장소 경로 → ``.``, 홈 디렉터리 → ``~``. 긴 것부터."""
    pairs = [(str(ROOT), "."), (str(Path.home()), "~"), (sys.prefix, "<python>")]
    return sorted(((a, b) for a, b in pairs if len(a) > 1), key=lambda p: -len(p[0]))


def _scrub(text: str) -> str:
    for path, replacement in machine_paths():
        text = text.replace(path, replacement)
    return text


def shrink_large_figure(data: dict) -> None:
    """``LARGE_FIGURE_BYTES`` 보다 큰 PNG 를 품질 ``JPEG_QUALITY`` 의 JPEG 로 바꿉니다 (더 작아질 때만, 제자리).

    선 그래프·표 같은 작은 그림은 PNG 그대로 두고, 사진 격자처럼 PNG 로는 수백 KB 인 그림만 바꿉니다.
    같은 그림은 언제나 같은 바이트가 되므로 다시 실행해도 diff 가 생기지 않습니다.
    """
    from PIL import Image

    png = base64.b64decode(data.get("image/png", ""))
    if len(png) <= LARGE_FIGURE_BYTES:
        return
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
    if buffer.tell() < len(png):
        del data["image/png"]
        data["image/jpeg"] = base64.b64encode(buffer.getvalue()).decode("ascii")


def strip_volatile(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """매번 바뀌거나 이 기계에만 있는 것을 지웁니다: 위젯 상태와 위젯 출력, 실행 시각, 기계 경로.

    큰 PNG 그림은 JPEG 로 바꿉니다(``shrink_large_figure``).

    위젯(tqdm 진행 막대, 탐색기)은 HTML 책에서 보이지 않으므로 지우고, 그 뒤에 찍힌 요약 줄이 남습니다.
    셀 id 는 셀 종류와 내용에서 정해지므로 다시 실행해도 바뀌지 않습니다.
    """
    nb.metadata.pop("widgets", None)
    seen: dict[str, int] = {}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell["id"] = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            data = output.get("data", {})
            if WIDGET_MIME in data:
                continue  # 위젯 출력: text/plain 대체 글("HBox(...)")까지 통째로 버립니다
            if "text" in output:
                output["text"] = _scrub(output["text"])
            for mime, value in data.items():
                if mime.startswith("text/") and isinstance(value, str):
                    data[mime] = _scrub(value)
            shrink_large_figure(data)
            if "traceback" in output:
                output["traceback"] = [_scrub(line) for line in output["traceback"]]
            kept.append(output)
        cell.outputs = kept
    return nb


def read_source(path: Path) -> nbformat.NotebookNode:
    """텍스트 원본을 노트북으로 읽습니다 (출력 없음)."""
    return jupytext.read(path, config=JUPYTEXT_CONFIG)


def write_pair(nb: nbformat.NotebookNode, source: Path) -> None:
    """``nb`` 를 .ipynb 로 쓰고, 같은 내용으로 .py 를 다시 씁니다 (둘이 글자 하나까지 짝이 되도록)."""
    nb = strip_volatile(nb)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nbformat.validate(nb)
    jupytext.write(nb, source.with_suffix(".ipynb"), fmt="ipynb", config=JUPYTEXT_CONFIG)
    jupytext.write(nb, source, fmt="py:percent", config=JUPYTEXT_CONFIG)


def execute(nb: nbformat.NotebookNode, timeout: int) -> tuple[nbformat.NotebookNode, float, int, int]:
    """full 프로필(``BOOK_FAST`` 없음)로 새 커널에서 실행합니다.

    Returns:
        실행한 노트북, 걸린 시간(초), 커널의 최대 메모리(바이트), CUDA 최대 할당(바이트, 없으면 0).
    """
    env = {k: v for k, v in os.environ.items() if k != "BOOK_FAST"}
    nb = copy.deepcopy(nb)
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_PROBE))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(CHAPTERS)}})
    start = time.perf_counter()
    client.execute(env=env)
    seconds = time.perf_counter() - start
    probe = nb.cells.pop()
    peak, gpu = (int(v) for v in "".join(o.get("text", "") for o in probe.outputs).split())
    return nb, seconds, peak, gpu


def print_report(rows: list[dict]) -> None:
    """장마다 한 줄: 실행 시간, 최대 메모리, 노트북 크기."""
    header = ["장", "결과", "실행 (초)", "커널 최대 메모리 (MiB)", "CUDA 최대 (MiB)", ".ipynb (MB)"]
    table = [header] + [[r["name"], r["status"], f"{r['seconds']:.0f}", f"{r['peak'] / 2**20:.0f}",
                         f"{r['gpu'] / 2**20:.0f}", f"{r['size'] / 1e6:.2f}"] for r in rows]
    widths = [max(_display_width(row[i]) for row in table) for i in range(len(header))]
    for k, row in enumerate(table):
        print("  ".join(" " * (w - _display_width(c)) + c for c, w in zip(row, widths)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def _display_width(text: str) -> int:
    """터미널에서의 폭: 한글 같은 전각 문자는 두 칸."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="장 이름의 앞부분 (예: 03 또는 03_fcn); 없으면 전부")
    parser.add_argument("--sync-only", action="store_true",
                        help="실행하지 않고 .py 의 입력을 .ipynb 로 옮깁니다 (바뀌지 않은 셀의 출력은 유지)")
    parser.add_argument("--timeout", type=int, default=900, help="셀 하나의 시간 제한 (초)")
    args = parser.parse_args()
    rows, failed = [], False
    for source in chapter_sources(args.chapters):
        notebook = source.with_suffix(".ipynb")
        nb = read_source(source)
        row = dict(name=source.stem, status="맞춤", seconds=0.0, peak=0, gpu=0)
        if args.sync_only:
            if notebook.exists():
                nb = combine_inputs_with_outputs(nb, jupytext.read(notebook), fmt="py:percent")
        else:
            print(f"== {source.stem}: full 프로필로 실행 중 ...", flush=True)
            try:
                nb, row["seconds"], row["peak"], row["gpu"] = execute(nb, args.timeout)
                row["status"] = "실행"
            except CellExecutionError as error:
                print(re.sub(r"\x1b\[[0-9;]*m", "", _scrub(str(error)))[-3000:])
                row["status"], failed = "오류 (파일 그대로)", True
        if not row["status"].startswith("오류"):
            write_pair(nb, source)
        row["size"] = notebook.stat().st_size if notebook.exists() else 0
        rows.append(row)
    print_report(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
