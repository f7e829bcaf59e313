"""노트북 전체에 걸친 규칙: 텍스트 원본과의 짝, 설정 셀과 저장소 주소, 저장된 출력, 용량, 코드 줄 폭.

노트북의 실행 자체는 nbval(`pytest` 가 chapters/*.ipynb 에 대해 실행)이 확인합니다.
"""

import json
import re
import unicodedata
from pathlib import Path

import jupytext
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
SOURCES = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py"))
CODE_WIDTH = 100  # 책의 코드 칸에 가로 스크롤 없이 들어가는 폭 (한글은 두 칸)
# 이 기계에만 있는 경로가 출력에 남으면 안 됩니다 (tools/run_chapters.py 가 지웁니다).
MACHINE_PATH = re.compile(r"(/home/|/root/|/Users/|/work/|[A-Za-z]:\\Users\\|site-packages)")


def notebook_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(path: Path) -> list[dict]:
    cells = notebook_json(path)["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def cell_summary(nb) -> list[tuple]:
    """짝을 비교할 내용: 셀마다 (종류, 내용, 태그)."""
    return [(c.cell_type, c.source, tuple(c.metadata.get("tags", ()))) for c in nb.cells]


def test_there_are_notebooks():
    assert NOTEBOOKS, "chapters/ 에 노트북이 없습니다"


def test_every_notebook_has_exactly_one_text_source():
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES], \
        "chapters/ 의 .ipynb 와 .py 가 짝을 이루지 않습니다 (tools/run_chapters.py 로 만드세요)"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_text_source_and_notebook_agree_in_every_cell(path):
    """텍스트 원본을 고치고 노트북을 다시 만들지 않았으면 여기서 걸립니다."""
    source = cell_summary(jupytext.read(path))
    notebook = cell_summary(jupytext.read(path.with_suffix(".ipynb")))
    differing = [i for i, (a, b) in enumerate(zip(source, notebook)) if a != b]
    assert len(source) == len(notebook) and not differing, (
        f"{path.name} 와 노트북이 다릅니다: 셀 수 {len(source)} vs {len(notebook)}, 다른 셀 {differing[:5]}. "
        f"`python tools/run_chapters.py {path.stem[:2]}` 로 다시 실행하세요.")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_chapter_code_fits_the_code_column(path):
    nb = jupytext.read(path)
    wide = [(i, line) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.splitlines() if display_width(line) > CODE_WIDTH]
    assert not wide, f"{path.name}: 폭이 {CODE_WIDTH} 칸을 넘는 코드 줄 {len(wide)}개, 예: {wide[:3]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_widget_state_or_machine_paths_are_stored(path):
    nb = notebook_json(path)
    assert "widgets" not in nb["metadata"], f"{path.name}: 위젯 상태가 저장되어 있습니다"
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    text = json.dumps(outputs, ensure_ascii=False)
    assert not MACHINE_PATH.search(text), f"{path.name}: 기계 경로 {MACHINE_PATH.search(text).group()!r}"
    timestamps = [c["metadata"]["execution"] for c in nb["cells"] if "execution" in c.get("metadata", {})]
    assert not timestamps, f"{path.name}: 실행 시각이 저장되어 있습니다"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_uses_the_configured_repository(path):
    setup = "".join(code_cells(path)[0]["source"])
    urls = re.findall(r'^REPO_URL = "([^"]+)"', setup, flags=re.M)
    assert urls == [repository_url()], f"{path.name}: 첫 코드 셀의 REPO_URL 이 _config.yml 과 달라요: {urls}"
    assert "google.colab" in setup and "[colab]" in setup


def test_setup_cells_are_identical():
    """설정 셀은 모든 장에서 글자 하나까지 같아야 합니다 (한 곳을 고치면 모두 고치도록)."""
    setups = {p.name: "".join(code_cells(p)[0]["source"]) for p in NOTEBOOKS}
    assert len(set(setups.values())) == 1, f"설정 셀이 서로 달라요: {sorted(setups)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_with_outputs_and_small(path):
    cells = code_cells(path)
    missing = [i for i, c in enumerate(cells) if c.get("execution_count") is None]
    errors = [i for i, c in enumerate(cells) for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not missing, f"{path.name}: 출력 없이 커밋된 코드 셀 {missing} (full 프로필로 실행해 커밋하세요)"
    assert not errors, f"{path.name}: 오류 출력이 저장된 셀 {errors}"
    assert path.stat().st_size <= 3_000_000, f"{path.name}: {path.stat().st_size / 1e6:.1f} MB > 3 MB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_in_the_table_of_contents(path):
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert f"chapters/{path.stem}" in toc, f"{path.name} 이 _toc.yml 에 없습니다"


def _run_chapters_tool():
    """tools/run_chapters.py 를 모듈로 읽습니다 (tools/ 는 패키지가 아님)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("run_chapters", ROOT / "tools" / "run_chapters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png(pixels) -> str:
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def test_large_figures_become_jpeg_and_small_ones_stay_png():
    import numpy as np

    tool = _run_chapters_tool()
    noisy = np.random.default_rng(0).integers(0, 256, (400, 400, 3), dtype=np.uint8)  # PNG 로 약 480 KB
    large = {"image/png": _png(noisy), "text/plain": "<Figure>"}
    tool.shrink_large_figure(large)
    assert "image/png" not in large and large["image/jpeg"].startswith("/9j/")  # JPEG 의 첫 바이트 FF D8
    assert len(large["image/jpeg"]) < len(_png(noisy))
    small = {"image/png": _png(np.zeros((50, 50, 3), dtype=np.uint8))}
    tool.shrink_large_figure(small)
    assert set(small) == {"image/png"}
