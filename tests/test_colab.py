"""Colab 의 가벼운 설치: 설정 셀은 ``pip install -e .[colab]`` 로 Colab 에 없는 것만 설치합니다.

- [colab] 목록(pyproject.toml)에는 Colab 에 이미 있는 패키지가 없고 (torch·torchvision·matplotlib·ipywidgets 를
  다시 설치하지 않도록), 위쪽 한계(<, <=, ==, ~=)도 없습니다 (Colab 의 판을 밀어내지 않도록).
- [colab] 패키지가 끌어오는 의존성도 Colab 에 있는 패키지에 위쪽 한계를 걸지 않습니다.
- 장과 lib 이 import 하는 모든 모듈은 표준 라이브러리, lib, [colab], 또는 Colab 에 미리 설치된 것입니다.
  Colab 에 미리 설치된 목록은 한 곳(tools/colab_preinstalled.txt, 읽은 날짜와 방법 포함)에 둡니다.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PREINSTALLED_FILE = ROOT / "tools" / "colab_preinstalled.txt"
UPPER_BOUND = {"<", "<=", "==", "~=", "==="}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def preinstalled() -> dict[str, set[str]]:
    """{배포 이름: import 이름들} (tools/colab_preinstalled.txt)."""
    table = {}
    for line in PREINSTALLED_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            dist, *modules = line.split()
            table[canonical(dist)] = set(modules)
    return table


def colab_extra() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["optional-dependencies"]["colab"]]


def imported_modules(path: Path) -> set[str]:
    """파일이 import 하는 최상위 모듈 이름 (함수 안의 import 도)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_preinstalled_list_says_when_and_how_it_was_read():
    text = PREINSTALLED_FILE.read_text(encoding="utf-8")
    assert re.search(r"읽은 날: \d{4}-\d{2}-\d{2}", text), "tools/colab_preinstalled.txt 에 읽은 날짜가 없습니다"
    assert "읽은 방법" in text
    for dist in ("torch", "torchvision", "matplotlib", "ipywidgets"):
        assert dist in preinstalled(), f"{dist} 는 Colab 에 있습니다: 목록에 적으세요"


@pytest.mark.parametrize("requirement", colab_extra(), ids=str)
def test_colab_extra_installs_nothing_colab_already_has(requirement):
    assert canonical(requirement.name) not in preinstalled(), (
        f"[colab] 의 {requirement.name} 는 Colab 에 이미 있습니다: 설치하면 Colab 의 판을 바꿀 수 있으니 빼세요")
    bounds = [s for s in requirement.specifier if s.operator in UPPER_BOUND]
    assert not bounds, f"[colab] 의 {requirement} 에 위쪽 한계 {bounds} 가 있습니다: Colab 의 판을 밀어낼 수 있습니다"


@pytest.mark.parametrize("requirement", colab_extra(), ids=str)
def test_colab_extra_dependencies_leave_colab_packages_alone(requirement):
    """[colab] 패키지가 torch 같은 Colab 의 패키지를 요구하면, 그 요구에 위쪽 한계가 없어야 합니다."""
    try:
        requires = metadata.requires(requirement.name) or []
    except metadata.PackageNotFoundError:
        pytest.fail(f"{requirement.name} 가 설치되어 있지 않습니다: pip install -e .[colab]")
    bad = []
    for spec in map(Requirement, requires):
        if spec.marker and not spec.marker.evaluate({"extra": ""}):
            continue
        if canonical(spec.name) in preinstalled() and any(s.operator in UPPER_BOUND for s in spec.specifier):
            bad.append(str(spec))
    assert not bad, f"{requirement.name} 가 Colab 의 패키지를 위쪽 한계로 묶습니다: {bad}"


def test_every_module_the_chapters_import_is_available_on_colab():
    sources = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py")) + sorted((ROOT / "lib").glob("*.py"))
    used = {name: [p.relative_to(ROOT) for p in sources if name in imported_modules(p)]
            for name in set().union(*(imported_modules(p) for p in sources))}
    colab_modules = set().union(*preinstalled().values())
    extra = {canonical(r.name) for r in colab_extra()}
    from_extra = {module for module, dists in metadata.packages_distributions().items()
                  if extra & {canonical(d) for d in dists}}
    allowed = set(sys.stdlib_module_names) | {"lib", "__future__"} | colab_modules | from_extra
    missing = {name: where for name, where in used.items() if name not in allowed}
    assert not missing, (
        "Colab 에 없고 [colab] 에도 없는 모듈을 import 합니다 (pyproject.toml 의 [colab] 에 넣거나, Colab 에 있다면 "
        f"tools/colab_preinstalled.txt 에 적으세요): {missing}")


def test_setup_cell_installs_only_the_colab_extra():
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py")):
        text = path.read_text(encoding="utf-8")
        setup = text[text.index("# %%\n"):]
        setup = setup[:setup.index("# %%", 5)]
        assert "[colab]" in setup, f"{path.name}: 설정 셀이 .[colab] 을 설치하지 않습니다"
        assert "requirements.txt" not in setup, f"{path.name}: 설정 셀이 requirements.txt 전체를 설치합니다"
        named = [d for d in preinstalled() if re.search(rf"[\"' ]{re.escape(d)}[\"' =<>]", setup)]
        assert not named, f"{path.name}: 설정 셀이 Colab 에 이미 있는 {named} 를 설치합니다"
