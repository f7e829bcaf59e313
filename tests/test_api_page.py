"""API 참고(api.md): lib 의 모든 모듈이 실리고, 장은 함수를 처음 말하는 곳에서 그 쪽으로 고리를 겁니다.

장의 본문에서 lib 의 공개 함수·클래스를 인라인 코드로 처음 말할 때
(예: `segmentation.dense_predict`, `lib.style.gram_matrix()`)는 MyST 역할로 씁니다:
{func}`lib.segmentation.dense_predict` (클래스는 {class}, 짧게 보이려면 {func}`~lib.x.y`).
그러면 책에서 그 이름이 API 참고로 가는 고리가 됩니다.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from booktext import CHAPTERS, ROOT, chapter_markdown

MODULES = sorted(p.stem for p in (ROOT / "lib").glob("*.py") if p.stem != "__init__")
API = (ROOT / "api.md").read_text(encoding="utf-8")


def public_names(module: str) -> set[str]:
    tree = ast.parse((ROOT / "lib" / f"{module}.py").read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")}


PUBLIC = {m: public_names(m) for m in MODULES}


def test_api_page_documents_every_lib_module():
    """api.md 의 ``{lib-modules}`` 지시어가 lib/ 의 모든 모듈을 싣습니다 (빌드된 쪽은 tests/browser 가 확인;
    ``:order:`` 에 없는 모듈은 끝에 이름 순으로)."""
    assert "```{lib-modules}" in API, "api.md 에 ```{lib-modules} 지시어가 없습니다"


MENTION = re.compile(r"(?P<role>\{(?:py:)?(?:func|class|meth|obj|mod|attr)\})?`~?(?:lib\.)?(?P<module>[a-z_]+)\."
                     r"(?P<name>[A-Za-z_]\w*)(?:\([^`]*\))?`")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_links_the_first_mention_of_each_lib_function(path: Path):
    first: dict[str, tuple[str, bool]] = {}
    for line in chapter_markdown(path):
        for m in MENTION.finditer(line.text):
            module, name = m.group("module"), m.group("name")
            if name not in PUBLIC.get(module, ()):
                continue
            first.setdefault(f"lib.{module}.{name}", (line.where, bool(m.group("role"))))
    unlinked = [f"{where}: `{full}` → {{{'class' if full.split('.')[-1][0].isupper() else 'func'}}}`{full}`"
                for full, (where, linked) in first.items() if not linked]
    assert not unlinked, ("lib 의 함수를 처음 말하는 곳을 API 참고로 가는 역할로 바꾸세요:\n  " + "\n  ".join(unlinked))
