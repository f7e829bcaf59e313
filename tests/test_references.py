"""참고문헌(references.bib)과 장의 인용({cite}`키`): 노트가 따르는 교재와 장이 기대는 논문이 모두 인용됩니다.

- 장마다 {cite}`bishop2024` (Bishop & Bishop 2024, 10.5–10.6절; 노트가 따라가는 교재)를 인용합니다.
- 아래 REQUIRED 의 문헌은 적어도 한 장이 인용합니다 (책이 기대는 논문).
- 장이 인용하는 키는 모두 references.bib 에 있습니다 (키를 바꾸지 마세요: 장들이 그 키로 인용합니다).
"""

from __future__ import annotations

import re

import pytest
from booktext import CHAPTERS, ROOT, all_prose

BIB = (ROOT / "references.bib").read_text(encoding="utf-8")
KEYS = set(re.findall(r"^@\w+\{([^,\s]+),", BIB, re.M))
REQUIRED = {
    "bishop2024": "Bishop & Bishop 2024 (노트의 교재)",
    "long2015": "Long et al. 2015 (FCN)",
    "ronneberger2015": "Ronneberger et al. 2015 (U-Net)",
    "noh2015": "Noh et al. 2015 (deconvolution network)",
    "badrinarayanan2017": "Badrinarayanan et al. 2017 (SegNet)",
    "dumoulin2016": "Dumoulin & Visin 2016 (합성곱 산술)",
    "odena2016": "Odena et al. 2016 (체커보드 아티팩트)",
    "shi2016": "Shi et al. 2016 (서브픽셀 합성곱)",
    "gatys2016": "Gatys et al. 2016 (스타일 전이)",
    "johnson2016": "Johnson et al. 2016 (지각 손실)",
    "simonyan2015": "Simonyan & Zisserman 2015 (VGG)",
}
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def cited(lines) -> list[tuple[str, str]]:
    return [(line.where, key.strip()) for line in lines for m in CITE.finditer(line.text)
            for key in m.group(1).split(",")]


PROSE = all_prose()


def test_bibliography_has_the_agreed_keys():
    missing = sorted(set(REQUIRED) - KEYS)
    assert not missing, f"references.bib 에 없는 키: {missing}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_chapter_cites_the_textbook_the_note_follows(path):
    keys = {key for _, key in cited(PROSE[path])}
    assert "bishop2024" in keys, (f"{path.name}: 노트가 따라가는 교재를 인용하세요: "
                                  "{cite}`bishop2024` (Bishop & Bishop 2024, 10.5–10.6절)")


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_each_paper_the_book_relies_on_is_cited_by_a_chapter(key):
    keys = {k for path in CHAPTERS for _, k in cited(PROSE[path])}
    assert key in keys, f"어느 장도 {REQUIRED[key]} 를 인용하지 않습니다: 그 내용을 쓰는 곳에 {{cite}}`{key}` 를 다세요"


def test_every_cited_key_is_in_the_bibliography():
    unknown = [f"{where}: {key}" for lines in PROSE.values() for where, key in cited(lines) if key not in KEYS]
    assert not unknown, "references.bib 에 없는 키를 인용합니다:\n  " + "\n  ".join(unknown)
