"""노트북 전체에 걸친 규칙: 설정 셀과 저장소 주소, 저장된 출력, 용량.

노트북의 실행 자체는 nbval(`pytest` 가 chapters/*.ipynb 에 대해 실행)이 확인합니다.
"""

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def code_cells(path: Path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "chapters/ 에 노트북이 없습니다"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_uses_the_configured_repository(path):
    setup = "".join(code_cells(path)[0]["source"])
    urls = re.findall(r'^REPO_URL = "([^"]+)"', setup, flags=re.M)
    assert urls == [repository_url()], f"{path.name}: 첫 코드 셀의 REPO_URL 이 _config.yml 과 달라요: {urls}"
    assert "google.colab" in setup and "requirements.txt" in setup


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
