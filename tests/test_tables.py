"""lib.tables: 숫자 형식, HTML 표(캡션, 오른쪽 정렬), 한글 폭을 맞춘 글 표, 평균 ± 표준편차."""

import math

import numpy as np
import pandas as pd
import pytest

from lib import tables


@pytest.mark.parametrize("value, text", [
    (3, "3"), (12345, "12,345"), (0.81234, "0.812"), (123.4, "123"), (2500.7, "2,501"), (float("nan"), "-"),
    (np.float32(0.5), "0.5"), ("가", "가"),
])
def test_number_formats(value, text):
    assert tables.number(value) == text


def test_html_has_caption_header_and_right_aligned_numbers():
    df = tables.frame([["원", 0.5], ["사각형", 0.25]], ["클래스", "IoU"])
    html = tables.to_html(df, caption="검증 장면의 IoU")
    assert "<caption>검증 장면의 IoU</caption>" in html and "<th" in html and ">클래스<" in html
    assert "text-align: right" in html and ">0.25<" in html
    assert html.count("<tr") == 3  # 머리 한 줄 + 두 행


def test_html_is_the_same_on_every_run_but_differs_between_tables():
    """노트북을 다시 실행해도 출력이 바뀌지 않도록 (nbval 이 비교합니다), 그러나 표끼리는 id 가 겹치지 않게."""
    a, b = tables.frame({"x": [1, 2]}), tables.frame({"x": [1, 3]})
    assert tables.to_html(a, "표") == tables.to_html(tables.frame({"x": [1, 2]}), "표")
    assert tables.to_html(a, "표").split("#T_")[1][:10] != tables.to_html(b, "표").split("#T_")[1][:10]


def test_formats_override_the_default():
    df = tables.frame({"이름": ["a"], "값": [0.123456]})
    assert ">0.1235<" in tables.to_html(df, formats={"값": "{:.4f}"})


def test_text_table_aligns_hangul_by_display_width():
    df = tables.frame([["원", 1.0], ["사각형", 22.5]], ["클래스", "값"])
    lines = tables.to_text(df).splitlines()
    widths = {sum(2 if ord(c) > 0x1100 else 1 for c in line) for line in lines}
    assert len(lines) == 3 and len(widths) == 1  # 모든 줄의 화면 폭이 같음


def test_mean_sd_uses_the_sample_standard_deviation():
    values = [0.7, 0.8, 0.9]
    assert tables.mean_sd(values) == f"0.800 ± {np.std(values, ddof=1):.3f}" == "0.800 ± 0.100"
    assert tables.mean_sd([0.5]) == "0.500"
    assert tables.mean_sd(pd.Series([1.0, 3.0]), digits=1) == f"2.0 ± {math.sqrt(2):.1f}"
    with pytest.raises(ValueError):
        tables.mean_sd([])


def test_show_displays_html(capsys):
    tables.show(tables.frame({"a": [1]}), caption="표")
    assert "IPython.core.display.HTML" in capsys.readouterr().out  # 노트북 밖에서는 display 가 대체 글을 찍음
