"""한국어 글쓰기 규칙: 조사는 앞말에 붙여 씁니다 (``CNN으로``, ``32배``, ``torch와``, ``**합성 장면**을``).

검사하는 곳: 장의 텍스트 원본(chapters/NN_*.py)의 마크다운 셀과 목차의 .md 쪽 (코드 셀·코드 블록은 빼고).

규칙 1. 라틴 문자 낱말·숫자·인라인 코드(`x`)·수식($x$)·역할({cite}`...`)·닫는 굵은 글씨(**)·닫는 괄호나
        따옴표 뒤의 조사·서술격 조사(은/는/이/가/을/를/의/에/에서/으로/로/와/과/도/만/까지/부터/보다/처럼/마다/
        입니다/인 ...)는 띄우지 않습니다: ``CNN 은`` → ``CNN은``, ``$s$ 를`` → ``$s$를``.
규칙 2. 숫자(와 수식) 뒤의 단위·세는 말(배/개/번/층/장/절/칸/가지/줄/초/분/회/차원/단계/쌍)도 붙입니다:
        ``32 배`` → ``32배``.
규칙 3. 굵은 글씨는 조사 앞에서 닫습니다: ``**합성 장면을**`` → ``**합성 장면**을``.

실패 메시지는 ``파일:줄: '틀린 꼴' → '고친 꼴'`` 입니다.
"""

from __future__ import annotations

import re

import pytest
from booktext import all_prose

PARTICLES = sorted("""
은 는 이 가 을 를 의 에 에서 에게 에게서 으로 로 와 과 도 만 까지 부터 보다 처럼 마다 만큼 이나 나 이란 란 이며 며
이고 고 이다 다 입니다 이에요 예요 인 일 임 이라는 라는 이라고 라고 이라면 라면 으로서 로서 으로써 로써
에서는 에서도 에서의 에서만 에는 에도 에만 에의 으로는 으로도 으로만 로는 로도 로만 와는 과는 와의 과의 와도 과도
까지의 까지는 부터는 부터의 보다는 처럼의 만의 만은 마다의 은요 는요
""".split(), key=len, reverse=True)
COUNTERS = sorted("배 개 번째 번 층 장 절 칸 가지 줄 초 분 회 차원 단계 쌍".split(), key=len, reverse=True)

# 앞말: 인라인 코드·역할, 수식, 닫는 굵은/기울인 글씨, 라틴 낱말·숫자, 닫는 괄호·따옴표
BEFORE = (r"(?P<before>`[^`\n]+`|\$[^$\n]+\$|(?<=\S)\*\*|(?<=\S)\*|[A-Za-z0-9][A-Za-z0-9_\-.+%/]*|"
          r"(?<=\S)\)|(?<=\S)\]|(?<=\S)”|(?<=\S)’|(?<=[^\s\"])\")")
END = r"(?=[\s.,;:!?)\]…·\"'”’]|$)"
SPACED_PARTICLE = re.compile(BEFORE + r"(?P<space>[ \t]+)(?P<word>" + "|".join(PARTICLES) + ")" + END)
SPACED_COUNTER = re.compile(r"(?P<before>(?<![A-Za-z_])[0-9][0-9.,]*|\$[^$\n]+\$)(?P<space>[ \t]+)(?P<word>"
                            + "|".join(COUNTERS) + ")" + END)

# 규칙 3: 굵은 글씨 안 마지막 어절이 조사로 끝남. 이/가 는 그 글자로 끝나는 흔한 명사를 빼고 봅니다.
BOLD = re.compile(r"\*\*(?P<inner>[^*\n]+?)\*\*")
BOLD_PARTICLES = sorted("을 를 은 는 에서 으로 에게 까지 부터 처럼 마다 와 이라는 라는 에서는 으로는 이 가".split(),
                        key=len, reverse=True)
NOUNS_ENDING_LIKE_PARTICLES = set("""
차이 깊이 높이 길이 넓이 나이 사이 아이 놀이 먹이 평가 대가 단가 추가 증가 부가 작가 국가 전문가 휴가 고가
모서리 무늬 세기 크기 보기 쓰기 읽기 붙이기 더하기 곱하기 빼기 나누기
""".split())
HANGUL_END = re.compile(r"[가-힣]$")
# '같은', '더하는' 처럼 은/는 이 조사가 아니라 꾸미는 말의 끝(관형사형 어미)인 흔한 용언 줄기의 끝 글자
VERB_STEM_ENDS = set("""
하 되 있 없 않 같 많 작 좋 높 낮 넓 깊 적 짧 좁 얕 밝 맞 받 찾 놓 넣 드 주 보 오 가 나 내 두 쓰 르 지 치 키 우 추
린 는 먹 읽 잃 남 담 삼 잡 입 줍 돕 곱 굽 낸 된 한
""".split())


def _mask_inline(text: str) -> str:
    """규칙 3 을 위해 인라인 코드와 수식을 같은 길이의 빈칸으로 (그 안의 ** 를 보지 않게)."""
    return re.sub(r"`[^`\n]*`|\$[^$\n]+\$", lambda m: "_" * len(m.group()), text)


def spacing_problems(text: str) -> list[str]:
    """한 줄의 문제를 '틀린 꼴 → 고친 꼴' 로."""
    found = []
    for pattern in (SPACED_PARTICLE, SPACED_COUNTER):
        for m in pattern.finditer(text):
            wrong = m.group("before") + m.group("space") + m.group("word")
            found.append(f"'{wrong}' → '{m.group('before')}{m.group('word')}'")
    masked = _mask_inline(text)
    for m in BOLD.finditer(masked):
        inner = text[m.start("inner"):m.end("inner")]
        last = inner.split()[-1] if inner.split() else ""
        if not HANGUL_END.search(last) or last in NOUNS_ENDING_LIKE_PARTICLES:
            continue
        for particle in BOLD_PARTICLES:
            stem = last[: -len(particle)]
            if last.endswith(particle) and len(stem) >= (2 if particle in ("이", "가") else 1):
                if stem in NOUNS_ENDING_LIKE_PARTICLES or last in NOUNS_ENDING_LIKE_PARTICLES:
                    break
                if particle in ("은", "는") and stem[-1] in VERB_STEM_ENDS:
                    break
                fixed = inner[: -len(particle)]
                found.append(f"'**{inner}**' → '**{fixed}**{particle}' (굵은 글씨는 조사 앞에서 닫습니다)")
                break
    return found


PROSE = all_prose()


@pytest.mark.parametrize("path", list(PROSE), ids=lambda p: p.name)
def test_particles_attach_to_the_word_before_them(path):
    problems = [f"{line.where}: {p}" for line in PROSE[path] for p in spacing_problems(line.text)]
    assert not problems, (f"{len(problems)}곳에서 조사·세는 말이 앞말과 떨어져 있거나 굵은 글씨 안에 있습니다 "
                          f"(고칠 꼴을 함께 적었습니다):\n  " + "\n  ".join(problems))


# 검사기 자체의 예: 틀린 꼴은 잡고, 맞는 꼴과 비슷하지만 다른 것은 그냥 둡니다.
@pytest.mark.parametrize("text", [
    "CNN 으로 픽셀을 분류합니다", "32 배 빠릅니다", "`torch` 와 같습니다", "**합성 장면을** 만듭니다",
    "$s$ 를 키우면", "U-Net 과 FCN-8s 를 비교", "{cite}`long2015` 의 FCN", "**합성 장면** 을 만듭니다",
    "[2장](02_upsampling.ipynb) 의 언풀링", "PyTorch 입니다.", "3 가지 방법", "“정확한 복원” 은 틀립니다",
    "**픽셀 하나가** 답을 냅니다",
])
def test_checker_flags_detached_particles(text):
    assert spacing_problems(text), f"검사기가 '{text}' 의 문제를 놓칩니다"


@pytest.mark.parametrize("text", [
    "CNN으로 픽셀을 분류합니다", "32배 빠릅니다", "`torch`와 같습니다", "**합성 장면**을 만듭니다",
    "FCN 구조를 봅니다", "CNN 개요", "이 책은 한 걸음 더 나아가", "**클래스 지도**를 만듭니다",
    "**깊이**와 너비", "**학습할 파라미터가 없습니다**.", "3장 요약", "GPU 런타임", "(예: 1×1 합성곱)",
    "**정확히 같은** 값", "**겹친 곳을 더하는** 연산",
])
def test_checker_leaves_correct_text_alone(text):
    assert not spacing_problems(text), f"검사기가 맞는 글 '{text}' 를 틀렸다고 합니다: {spacing_problems(text)}"
