"""저장소 주소를 한 줄로 바꿉니다: _config.yml 의 repository.url (한 곳)과, 그 주소를 옮겨 적은 장의 설정 셀.

    python tools/set_repo_url.py https://github.com/OWNER/REPO

책의 Colab·저장소 단추와 소개의 ``git clone`` 명령은 빌드할 때 _config.yml 에서 읽으므로 따로 고칠 것이 없습니다.
장의 설정 셀(``REPO_URL = "..."``)은 Colab 에서 저장소를 받으려고 주소를 직접 들고 있어서, 이 도구가 .py 와 .ipynb 를
함께 고칩니다 (tests/test_notebooks.py 가 둘이 _config.yml 과 같은지 확인합니다). 바꾼 뒤 책을 다시 빌드하세요.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
URL_LINE = re.compile(r"^(  url: )(\S+)$", re.M)
URL = re.compile(r"^https://[\w.-]+/[\w.-]+/[\w.-]+$")


def current_url() -> str:
    text = CONFIG.read_text(encoding="utf-8")
    block = text[text.index("repository:"):]
    return URL_LINE.search(block).group(2)


def set_url(new: str) -> list[Path]:
    """주소를 바꾸고 바꾼 파일들을 돌려줍니다."""
    if not URL.match(new):
        raise SystemExit(f"저장소 주소는 https://호스트/소유자/이름 꼴이어야 합니다: {new!r}")
    old = current_url()
    changed = []
    text = CONFIG.read_text(encoding="utf-8")
    start = text.index("repository:")
    block = URL_LINE.sub(lambda m: m.group(1) + new, text[start:], count=1)
    CONFIG.write_text(text[:start] + block, encoding="utf-8")
    changed.append(CONFIG)
    for path in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.py")) + sorted((ROOT / "chapters").glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        updated = text.replace(f'REPO_URL = \\"{old}\\"', f'REPO_URL = \\"{new}\\"')  # .ipynb (JSON 안)
        updated = updated.replace(f'REPO_URL = "{old}"', f'REPO_URL = "{new}"')  # .py
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            changed.append(path)
    return changed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="새 저장소 주소, 예: https://github.com/OWNER/REPO")
    args = parser.parse_args()
    old = current_url()
    for path in set_url(args.url.rstrip("/")):
        print(f"고침: {path.relative_to(ROOT)}")
    print(f"{old} → {args.url.rstrip('/')}")


if __name__ == "__main__":
    main()
