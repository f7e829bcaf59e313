"""책의 글(텍스트 원본)을 줄 번호와 함께 읽는 도우미: 한국어 글쓰기 검사와 용어집 검사가 함께 씁니다.

- 장: ``chapters/NN_*.py`` (jupytext py:percent). ``# %% [markdown]`` 아래의 주석 줄이 본문, ``# %%`` 아래는 코드.
- 쪽: 목차(_toc.yml)에 있는 ``.md`` (소개, 용어집, 참고문헌, API, 부록). 벤치마크 출력을 옮긴 성능 부록처럼
  다른 파일에서 만들어지는 쪽은 GENERATED 에 적고 빼 둡니다.

본문에서 코드 블록(```python, ```bash ..., ```{code-cell}, ```{eval-rst}, ```{math})은 뺍니다. MyST 지시어
(```{admonition}, :::{note} ...)의 내용은 본문이므로 남깁니다.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py"))
GENERATED = {"appendix/performance.md"}  # tools/bench_appendix.py 가 benchmarks/ 의 출력으로 씁니다
PROSE_DIRECTIVES = re.compile(r"^\{(admonition|note|tip|warning|important|caution|attention|hint|seealso|"
                              r"margin|sidebar|topic|glossary|list-table|table|figure|dropdown|div|epigraph)\}")


@dataclass
class Line:
    path: Path
    number: int  # 파일의 줄 번호 (1부터)
    text: str  # 본문 한 줄 (py:percent 의 "# " 를 뗀 것)

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.number}"


def _toc_files(node) -> list[str]:
    if isinstance(node, dict):
        return ([node["file"]] if "file" in node else []) + [f for v in node.values() for f in _toc_files(v)]
    if isinstance(node, list):
        return [f for item in node for f in _toc_files(item)]
    return []


def markdown_pages() -> list[Path]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"], *_toc_files(toc)]
    pages = [ROOT / f"{n}.md" for n in names if (ROOT / f"{n}.md").is_file()]
    return [p for p in pages if str(p.relative_to(ROOT)) not in GENERATED]


def _strip_code_fences(lines: list[Line]) -> list[Line]:
    """코드 울타리 안의 줄을 뺍니다 (산문 지시어의 내용은 남김)."""
    out, fence, prose = [], None, []
    for line in lines:
        stripped = line.text.strip()
        match = re.match(r"^(`{3,}|~{3,})(.*)$", stripped)
        if fence is None and match:
            ticks, info = match.group(1), match.group(2).strip()
            if PROSE_DIRECTIVES.match(info):
                prose.append(ticks)  # 지시어의 여는 줄만 빼고 내용은 본문으로
            elif not info and prose and ticks == prose[-1]:
                prose.pop()  # 산문 지시어를 닫는 줄
            else:
                fence = ticks
            continue
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip("`~") == "":
                fence = None
            continue
        out.append(line)
    return out


def chapter_markdown(path: Path) -> list[Line]:
    """장의 텍스트 원본에서 마크다운 셀의 줄 (코드 블록 제외)."""
    lines, kind, header = [], None, False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if number == 1 and raw.strip() == "# ---":
            header = True
            continue
        if header:
            header = raw.strip() != "# ---"
            continue
        if raw.startswith("# %%"):
            kind = "markdown" if "[markdown]" in raw else "code"
            continue
        if kind == "markdown" and raw.startswith("#"):
            lines.append(Line(path, number, raw[2:] if raw.startswith("# ") else raw[1:]))
    return _strip_code_fences(lines)


def chapter_comments(path: Path) -> list[Line]:
    """장의 코드 셀에 있는 주석 (``#`` 뒤의 글; 문자열 안의 ``#`` 는 대강 피합니다)."""
    out, kind = [], None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.startswith("# %%"):
            kind = "markdown" if "[markdown]" in raw else "code"
            continue
        if kind != "code":
            continue
        code = re.sub(r"(\"[^\"]*\"|'[^']*')", lambda m: " " * len(m.group()), raw)
        if "#" in code:
            out.append(Line(path, number, raw[code.index("#") + 1:]))
    return out


def page_markdown(path: Path) -> list[Line]:
    text = path.read_text(encoding="utf-8")
    lines = [Line(path, n, t) for n, t in enumerate(text.splitlines(), 1)]
    return _strip_code_fences(lines)


def all_prose() -> dict[Path, list[Line]]:
    """검사할 본문 전체: 장마다, 쪽마다 줄 목록."""
    prose = {p: chapter_markdown(p) for p in CHAPTERS}
    prose.update({p: page_markdown(p) for p in markdown_pages()})
    return prose
