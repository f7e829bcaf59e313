"""표: 결과는 pandas DataFrame 으로 만들고, 책에서는 HTML 표로(캡션, 오른쪽 정렬 숫자), 터미널에서는 글자 폭을
맞춘 글로 보여 줍니다. 여러 시드의 결과는 ``mean_sd`` 로 "평균 ± 표준편차" 를 씁니다.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

PLUS_MINUS = "±"


def number(value) -> str:
    """숫자 하나를 표의 글로: 정수는 천 단위 쉼표, 실수는 유효숫자 3자리 (1000 이상은 정수로)."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "-"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return str(value)


def frame(rows: Sequence[Sequence] | Mapping[str, Sequence], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """행들의 목록(과 열 이름) 또는 ``{열 이름: 값 목록}`` 에서 DataFrame 을 만듭니다."""
    if isinstance(rows, Mapping):
        return pd.DataFrame(dict(rows))
    return pd.DataFrame(list(rows), columns=list(columns) if columns is not None else None)


def show(table: pd.DataFrame, caption: str | None = None, formats: Mapping[str, str] | None = None) -> None:
    """노트북에 HTML 표로 보여 줍니다: 캡션 한 줄, 첫 열(이름)은 왼쪽, 나머지(숫자)는 오른쪽 정렬.

    Args:
        table: 보여 줄 DataFrame (인덱스는 보이지 않습니다. 이름 열을 첫 열로 두세요).
        caption: 표 위에 쓰는 설명.
        formats: ``{열 이름: "{:.3f}"}`` 처럼 열마다의 형식. 없으면 ``number`` 의 규칙.
    """
    from IPython.display import HTML, display

    display(HTML(to_html(table, caption, formats)))


def to_html(table: pd.DataFrame, caption: str | None = None, formats: Mapping[str, str] | None = None) -> str:
    """``show`` 가 보여 주는 HTML (표 하나)."""
    formats = dict(formats or {})
    text = pd.DataFrame({col: [formats[col].format(v) if col in formats else number(v) for v in table[col]]
                         for col in table.columns})
    # 표마다 다르지만 다시 실행해도 같은 id: 내용의 해시 (무작위 id 는 노트북을 실행할 때마다 바꿉니다)
    digest = hashlib.sha1((text.to_csv() + (caption or "")).encode()).hexdigest()[:10]
    styler = text.style.hide(axis="index").set_uuid(digest)
    if len(text.columns) > 1:
        styler = styler.set_properties(subset=list(text.columns[1:]), **{"text-align": "right"})
    styler = styler.set_table_styles([{"selector": "th", "props": [("text-align", "center")]}])
    if caption:
        styler = styler.set_caption(caption)
    return styler.to_html()


def to_text(table: pd.DataFrame, formats: Mapping[str, str] | None = None) -> str:
    """터미널용 글 표: 한글은 두 칸으로 세어 열을 맞춥니다 (benchmarks/ 스크립트가 씁니다)."""
    formats = dict(formats or {})
    text = pd.DataFrame({col: [formats[col].format(v) if col in formats else number(v) for v in table[col]]
                         for col in table.columns})
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 200,
                           "display.max_columns", None, "display.max_colwidth", 60):
        return text.to_string(index=False)


def mean_sd(values: Sequence[float], digits: int = 3) -> str:
    """여러 시드의 값들을 "평균 ± 표준편차" 글로 (표본 표준편차, n−1). 값이 하나면 평균만."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        raise ValueError("mean_sd 에는 값이 하나 이상 필요합니다")
    mean = values.mean()
    if values.size == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} {PLUS_MINUS} {values.std(ddof=1):.{digits}f}"
