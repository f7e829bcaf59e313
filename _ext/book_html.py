"""책의 HTML 을 독자가 받는 그대로 바르게: 저장소 주소 한 곳, 인터넷 없이 그려지는 쪽.

- ``{repo-clone}`` 지시어: ``_config.yml`` 의 ``repository.url`` (한 곳) 에서 ``git clone`` 명령을 만듭니다.
  주소를 바꾸는 법: ``python tools/set_repo_url.py https://github.com/OWNER/REPO``.
- 쪽마다 같은 스크립트가 두 번 실리지 않게 합니다 (sphinx-thebe 가 ``const THEBE_JS_URL`` 을 두 번 넣어
  브라우저가 오류를 냅니다). 이 책은 thebe(라이브 코드) 를 쓰지 않으므로, 인터넷(unpkg)에서 thebe 를 불러오는
  스크립트도 쪽에서 뺍니다. 이 책의 쪽은 책과 함께 배포한 파일만 불러옵니다.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


def repository_url(app: Sphinx) -> str:
    url = (app.config.html_theme_options or {}).get("repository_url", "")
    if not url:
        raise ValueError("_config.yml 에 repository.url 이 없습니다")
    return url.rstrip("/")


def clone_command(url: str) -> str:
    """``git clone URL && cd NAME`` — NAME 은 git 이 만드는 폴더 이름 (주소의 마지막 부분, .git 없이)."""
    name = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return f"git clone {url} && cd {name}"


class RepoClone(SphinxDirective):
    """저장소를 받는 명령(과 지시어 본문의 다음 줄들)을 bash 코드 블록으로."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        lines = [clone_command(repository_url(self.env.app)), *self.content]
        text = "\n".join(lines)
        block = nodes.literal_block(text, text, language="bash")
        self.set_source_info(block)
        return [block]


class LibModules(SphinxDirective):
    """``lib`` 의 모든 모듈을 한 절씩 (autodoc). 새 모듈이 생기면 저절로 실립니다.

    ``:order:`` 에 적은 모듈을 그 순서로 먼저, 나머지는 이름 순으로 싣습니다.
    """

    option_spec = {"order": lambda text: text.split(), "package": lambda text: text.strip()}

    def run(self) -> list[nodes.Node]:
        package = self.options.get("package", "lib")
        folder = Path(self.env.srcdir) / package
        found = sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))
        order = [m for m in self.options.get("order", []) if m in found]
        modules = order + [m for m in found if m not in order]
        lines: list[str] = []
        for module in modules:
            lines += [f"## `{package}.{module}`", "", "```{eval-rst}", f".. automodule:: {package}.{module}", "```", ""]
        container = nodes.section()
        self.state.nested_parse(StringList(lines, source="lib-modules"), self.content_offset, container,
                                match_titles=True)
        return container.children


def _thebe_enabled(app: Sphinx) -> bool:
    launch = (app.config.html_theme_options or {}).get("launch_buttons", {}) or {}
    return bool(launch.get("thebe"))


def tidy_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """같은 스크립트는 한 번만; thebe 를 쓰지 않으면 thebe 스크립트(인터넷에서 불러오는 것)는 빼기."""
    scripts = context.get("script_files")
    if scripts is None:
        return
    thebe = _thebe_enabled(app)
    seen: set[tuple[str, str]] = set()
    kept = []
    for js in scripts:
        filename = str(getattr(js, "filename", js) or "")
        body = (getattr(js, "attributes", {}) or {}).get("body", "")
        if not thebe and ("sphinx-thebe" in filename or "THEBE_JS_URL" in body or "unpkg.com" in filename):
            continue
        key = (filename, body)
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    context["script_files"] = kept


def setup(app: Sphinx) -> dict:
    app.add_directive("repo-clone", RepoClone)
    app.add_directive("lib-modules", LibModules)
    app.connect("html-page-context", tidy_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
