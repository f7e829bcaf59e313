"""테스트 공통: 그림은 한글 글꼴로 (빠진 글자는 오류), 네트워크 접근은 실패로."""

import pytest
import torch

from lib import viz


@pytest.fixture(scope="session", autouse=True)
def korean_font():
    """장의 첫 셀처럼 한글 글꼴을 설정합니다. 글자가 빠진 그림은 경고가 아니라 오류입니다."""
    viz.setup(strict=True)


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """torch 허브 폴더를 빈 임시 폴더로 바꾸고, 내려받기를 시도하면 실패하게 합니다."""
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))

    def refuse(*args, **kwargs):
        raise AssertionError("테스트가 네트워크에 접근했습니다")

    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)
    return tmp_path
