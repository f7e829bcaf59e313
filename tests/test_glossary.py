"""용어집(glossary.md)과 본문이 같은 말을 쓰는지: 한 영어 용어에는 한국어 용어 하나.

용어집의 항목은 ``{glossary}`` 지시어 안에 이렇게 적습니다 (이 파일이 그 꼴을 읽습니다)::

    체커보드 아티팩트            ← 한국어 (책이 쓰는 꼴)
    checkerboard artifact        ← 영어
      설명. 처음: {doc}`3장 <chapters/03_fcn>`. 피할 말: 체커보드 인공물, 인공물.

- 피할 말: 본문(장의 마크다운 셀, 목차의 .md 쪽)과 장의 코드 주석에 나오면 안 됩니다. 「…」 로 적은 표현 안에
  들어 있는 경우와, 따옴표로 노트를 그대로 옮긴 곳("…", “…”)은 괜찮습니다.
- 처음: 그 장이 한국어 용어를 쓰고, 어딘가에서 영어를 괄호에 함께 적어 소개합니다.
- 장마다 처음 쓸 때 영어를 괄호에 (설계의 규칙): 한 장에서 용어를 처음 쓰는 곳(제목 제외) 바로 뒤에 영어가
  괄호로 옵니다. 용어집 설명에 "선수 지식" 이라고 적은 용어(합성곱, 풀링 ...)는 "처음" 장에서만 봅니다.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from booktext import CHAPTERS, ROOT, all_prose, chapter_comments

GLOSSARY = ROOT / "glossary.md"


@dataclass
class Entry:
    korean: str
    english: str
    line: int
    chapter: str = ""  # chapters/03_fcn
    variants: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # 피할 말이 들어 있어도 괜찮은 표현
    basic: bool = False


def parse_glossary() -> list[Entry]:
    text = GLOSSARY.read_text(encoding="utf-8")
    start = text.index("```{glossary}")
    block = text[start:text.index("```", start + 3)].splitlines()
    entries: list[Entry] = []
    terms: list[tuple[str, int]] = []
    offset = text[:start].count("\n") + 1
    for i, raw in enumerate(block[1:], offset + 1):
        if not raw.strip() or raw.startswith(":"):
            continue
        if not raw.startswith(" "):
            terms.append((raw.strip(), i))
            continue
        if len(terms) != 2:
            raise AssertionError(f"glossary.md:{i}: 항목마다 한국어 줄과 영어 줄이 하나씩 있어야 합니다: {terms}")
        (korean, line), (english, _) = terms
        entry = Entry(korean, english, line, basic="선수 지식" in raw)
        chapter = re.search(r"처음: \{doc\}`[^<`]*<([^>]+)>`", raw)
        entry.chapter = chapter.group(1) if chapter else ""
        avoid = re.search(r"피할 말: (.+?)\.?\s*$", raw)
        if avoid:
            for item in avoid.group(1).split(", "):
                entry.variants.append(re.sub(r"\s*\(.*\)$", "", item).strip())
                entry.allowed += re.findall(r"「([^」]+)」", item)
        entries.append(entry)
        terms = []
    return entries


ENTRIES = parse_glossary()
PROSE = all_prose()
# 피할 말을 찾는 곳: 본문 전체(용어집 자신은 빼고)와 장의 코드 주석
TEXT = {**{p: PROSE[p] for p in PROSE if p != GLOSSARY},
        **{p.with_name(p.name + " (코드 주석)"): chapter_comments(p) for p in CHAPTERS}}
QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|「[^」\n]*」")


def occurrences(text: str, word: str, allowed: list[str]) -> list[int]:
    """``word`` 가 나오는 곳 (괜찮은 표현 안과 따옴표 안은 빼고)."""
    spans = [m.span() for m in QUOTED.finditer(text)]
    for ok in allowed:
        spans += [m.span() for m in re.finditer(re.escape(ok), text)]
    return [m.start() for m in re.finditer(re.escape(word), text)
            if not any(a <= m.start() and m.end() <= b for a, b in spans)]


def _source(docname: str) -> Path:
    """목차의 문서 이름 → 텍스트 원본 (장은 .py, 쪽은 .md)."""
    return ROOT / f"{docname}.py" if docname.startswith("chapters/") else ROOT / f"{docname}.md"


def test_glossary_is_well_formed():
    assert len(ENTRIES) >= 40, f"용어집 항목이 {len(ENTRIES)}개뿐입니다"
    no_chapter = [e.korean for e in ENTRIES if not _source(e.chapter).is_file()]
    assert not no_chapter, f"'처음: {{doc}}`N장 <chapters/...>`' 이 없거나 틀린 항목: {no_chapter}"
    korean = [e.korean for e in ENTRIES]
    assert len(set(korean)) == len(korean), "같은 한국어 용어가 두 번 있습니다"
    english = [e.english.lower() for e in ENTRIES]
    assert len(set(english)) == len(english), "같은 영어 용어에 한국어 용어가 둘 있습니다"
    clash = [(e.korean, v) for e in ENTRIES for v in e.variants for f in ENTRIES if v == f.korean]
    assert not clash, f"피할 말이 다른 항목의 용어입니다: {clash}"


@pytest.mark.parametrize("path", list(TEXT), ids=lambda p: p.name)
def test_text_uses_the_glossary_form_not_a_variant(path):
    problems = []
    for line in TEXT[path]:
        found = [(pos, pos + len(variant), variant, entry) for entry in ENTRIES for variant in entry.variants
                 for pos in occurrences(line.text, variant, entry.allowed)]
        for start, end, variant, entry in found:
            if any(a <= start and end <= b and (a, b) != (start, end) for a, b, *_ in found):
                continue  # 더 긴 피할 말(예: '체커보드 인공물')의 일부
            problems.append(f"{line.where}: '{variant}' → '{entry.korean}' ({entry.english})")
    assert not problems, "용어집이 피하라는 말을 씁니다 (용어집의 꼴로 고치세요):\n  " + "\n  ".join(problems)


def _normal(s: str) -> str:
    return re.sub(r"[\s\-]+", " ", s.lower()).strip()


def _english_follows(text: str, pos: int, entry: Entry) -> bool:
    """``pos`` 의 용어 뒤 같은 줄 40자 안에 여는 괄호가 있고, 그 괄호 안에 영어가 있으면 참."""
    rest = text[pos + len(entry.korean):]
    opening = re.match(r"[^(]{0,40}?\(", rest)
    if not opening:
        return False
    inside = rest[opening.end():]
    depth, close = 1, len(inside)
    for i, ch in enumerate(inside):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            close = i
            break
    first_word = _normal(entry.english).split(",")[0].split()[0]
    return first_word in _normal(inside[:close])


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.korean)
def test_term_is_introduced_with_its_english_where_the_glossary_says(entry):
    path = _source(entry.chapter)
    text = "\n".join(line.text for line in PROSE.get(path, []))
    where = occurrences(text, entry.korean, [])
    assert where, (f"용어집(glossary.md:{entry.line})은 '{entry.korean}' 이 {entry.chapter} 에서 처음 나온다고 하는데, "
                   f"그 장의 본문에 없습니다 (장에 쓰거나 용어집의 '처음' 을 고치세요)")
    assert any(_english_follows(text, pos, entry) for pos in where), (
        f"{entry.chapter}: '{entry.korean}' 을 소개하는 곳에 영어가 괄호로 없습니다: "
        f"'{entry.korean}({entry.english})' 처럼 적으세요 (glossary.md:{entry.line})")


HEADING = re.compile(r"^\s*#{1,6}\s")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_english_in_parentheses_at_first_use_in_each_chapter(path):
    """설계의 규칙: 장마다 용어를 처음 쓰는 곳(제목 제외)에 영어를 괄호로."""
    lines = [line for line in PROSE[path] if not HEADING.match(line.text)]
    text = "\n".join(line.text for line in lines)
    starts, total = [], 0
    for line in lines:
        starts.append(total)
        total += len(line.text) + 1
    problems = []
    for entry in ENTRIES:
        if not re.search(r"[가-힣]", entry.korean) or (entry.basic and entry.chapter != f"chapters/{path.stem}"):
            continue
        where = occurrences(text, entry.korean, [])
        # 더 긴 용어의 일부로 나온 곳(예: '전치 합성곱' 안의 '합성곱')은 그 긴 용어의 소개로 봅니다
        longer = [f for f in ENTRIES if f is not entry and entry.korean in f.korean]
        where = [p for p in where if not any(text[max(0, p - len(f.korean)):p + len(f.korean)].find(f.korean) >= 0
                                             for f in longer)]
        if where and not _english_follows(text, where[0], entry):
            number = max(i for i, s in enumerate(starts) if s <= where[0])
            problems.append(f"{lines[number].where}: '{entry.korean}' → '{entry.korean}({entry.english})'")
    assert not problems, ("이 장에서 처음 쓰는 용어에 영어를 괄호로 붙이세요 "
                          "(그 줄에서, 또는 처음 쓰는 곳을 바꾸세요):\n  " + "\n  ".join(problems))
