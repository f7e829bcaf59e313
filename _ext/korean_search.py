"""한국어 검색: 색인과 검색어를 같은 방식으로 자르는 Sphinx 검색 언어 ``ko``.

Sphinx 에는 한국어 분리기가 없어서 "텐서를" 이 한 낱말로 색인되고, "텐서" 로는 "텐서를"·"텐서의" 가 있는 쪽을
찾지 못합니다. 한국어는 조사와 어미가 낱말에 붙으므로, 이 확장은 한글 글자가 이어진 부분을 **두 글자씩
겹치게**(bigram) 자릅니다: "텐서를" → "텐서", "서를". 검색어도 브라우저에서 같은 규칙(``splitQuery``)으로 자르고,
Sphinx 의 검색은 모든 조각이 있는 쪽만 돌려주므로, "텐서" 는 "텐서를"·"텐서의"·"텐서로" 가 있는 모든 쪽을,
"세그멘테이션" 은 "세그멘테이션은"·"세그멘테이션을" 이 있는 쪽을 찾습니다. 한 글자 검색어("층")를 위해 색인에는
한 글자 조각도 넣습니다. 라틴 문자 낱말은 영어처럼 다룹니다 (Porter 어간 추출: "networks" → "network").

알려진 한계: Sphinx 의 검색은 세 글자 미만의 검색어를 "버려질 수 있는 말" 로 보고, 세 글자 이상인 말(예: FCN)과
두 글자 조각을 섞은 검색어에서는 한쪽만 맞는 쪽도 돌려줍니다. 한국어만, 또는 영어만 쓴 검색어는 모든 조각을 요구합니다.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.search.en import SearchEnglish

# 한글 음절, 호환 자모, 첫가끝 자모
HANGUL = "\uac00-\ud7a3\u3131-\u318e\u1100-\u11ff"
_WORD = re.compile(r"\w+")
_PARTS = re.compile(f"[{HANGUL}]+|[^{HANGUL}]+")
_IS_HANGUL = re.compile(f"[{HANGUL}]")


def hangul_ngrams(run: str, unigrams: bool) -> list[str]:
    """한글이 이어진 부분 하나를 두 글자 조각으로 (한 글자뿐이면 그 글자). ``unigrams`` 면 한 글자 조각도 더합니다."""
    if len(run) == 1:
        return [run]
    grams = [run[i:i + 2] for i in range(len(run) - 1)]
    return grams + list(run) if unigrams else grams


def split_text(text: str, unigrams: bool = True) -> list[str]:
    """색인할 글을 낱말로: 한글은 조각으로, 그 밖의 낱말(영어, 숫자, 식별자)은 그대로."""
    words: list[str] = []
    for token in _WORD.findall(text):
        for part in _PARTS.findall(token):
            if _IS_HANGUL.match(part):
                words.extend(hangul_ngrams(part, unigrams))
            elif part.strip("_"):
                words.append(part)
    return words


# 브라우저의 검색어 분리기: split_text(query, unigrams=False) 와 같은 결과를 냅니다 (tests/browser 가 확인).
JS_SPLITTER = r"""
function splitQuery(query) {
  const hangul = /[\uac00-\ud7a3\u3131-\u318e\u1100-\u11ff]/;
  const parts = /[\uac00-\ud7a3\u3131-\u318e\u1100-\u11ff]+|[^\uac00-\ud7a3\u3131-\u318e\u1100-\u11ff]+/g;
  const words = [];
  query.split(/[^\p{Letter}\p{Number}_\p{Mark}]+/u).forEach((token) => {
    (token.match(parts) || []).forEach((part) => {
      if (hangul.test(part)) {
        if (part.length === 1) words.push(part);
        else for (let i = 0; i + 2 <= part.length; i++) words.push(part.slice(i, i + 2));
      } else if (part.replace(/_/g, "") !== "") {
        words.push(part);
      }
    });
  });
  return words;
}
"""


class SearchKorean(SearchEnglish):
    """검색 언어 ``ko``: 한글은 두 글자 조각, 라틴 문자는 영어(Porter 어간, 영어 불용어)."""

    lang = "ko"
    language_name = "Korean"
    js_splitter_code = JS_SPLITTER

    def split(self, input: str) -> list[str]:  # noqa: A002 (Sphinx 의 이름)
        return split_text(input, unigrams=True)

    def stem(self, word: str) -> str:
        if _IS_HANGUL.search(word):
            return word
        return super().stem(word)


def setup(app: Sphinx) -> dict:
    app.add_search_language(SearchKorean)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
