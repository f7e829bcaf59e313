"""독자가 받는 책: 빌드된 _build/html 을 진짜 브라우저(Debian 의 Chromium)로 열어 확인합니다.

    jupyter-book build . -W -n --keep-going      # 먼저 책을 빌드하고
    pytest tests/browser/book_in_browser.py      # 그다음 이 파일 (.ci/run 이 이 순서로 실행)

파일 이름이 ``test_*.py`` 가 아니어서 그냥 ``pytest`` (빌드 전에 도는 단위 테스트)는 이 파일을 모으지 않습니다.
빌드가 없으면 건너뛰지 않고 **실패**합니다. Playwright(PyPI)가 /usr/bin/chromium 을 몹니다 (브라우저를 내려받지
않습니다: ``apt-get install chromium fonts-nanum``). 화면 사진은 ``_build/screenshots/`` 에 남습니다.

쪽마다 확인하는 것 (1280 px):
- 책 밖으로 나가는 요청이 없음 (인터넷 없이, CDN 없이), 실패한 요청·404 가 없음, 자바스크립트 오류가 없음;
- 모든 그림이 불러와짐;
- 수식은 책과 함께 배포한 MathJax 가 모두 조판함 (오류 없이, 날 TeX 가 남지 않음);
- 표, 출력, 디스플레이 수식, 장의 코드 칸이 잘리거나 옆으로 밀어야 하지 않음.
390 px (휴대폰): 쪽이 옆으로 넓어지지 않고, 넓은 것은 잘리지 않고 밀어 볼 수 있으며, ☰ 서랍이 열려 모든 장을
보여 주고, "이 쪽의 내용" 서랍도 열림. 그 밖에: 소개의 장 안내 표의 고리, Colab·내려받기·저장소 고리, 한국어 검색.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_HTML", ROOT / "_build" / "html")).resolve()
SHOTS = Path(os.environ.get("BOOK_SCREENSHOTS", ROOT / "_build" / "screenshots")).resolve()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDE, PHONE = 1280, 390

sys.path.insert(0, str(ROOT / "_ext"))
from korean_search import split_text  # noqa: E402  (브라우저의 splitQuery 와 비교)


def _toc_files(node) -> list[str]:
    files = []
    if isinstance(node, dict):
        if "file" in node:
            files.append(node["file"])
        for value in node.values():
            files += _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            files += _toc_files(item)
    return files


TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
DOCS = [TOC["root"], *_toc_files(TOC.get("parts", TOC.get("chapters", [])))]
CHAPTERS = [d for d in DOCS if d.startswith("chapters/")]
PAGES = [f"{d}.html" for d in DOCS] + ["search.html", "genindex.html"]
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")


# --------------------------------------------------------------------------------------------------
# 준비: 빌드된 책, 127.0.0.1 의 정적 서버, Chromium


def test_the_book_is_built():
    missing = [p for p in PAGES if not (SITE / p).is_file()]
    assert SITE.is_dir() and not missing, (
        f"{SITE} 에 빌드된 쪽이 없습니다: {missing[:5]}. 먼저 `jupyter-book build . -W -n --keep-going` 을 실행하세요.")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def base_url():
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE}/index.html 이 없습니다: 책을 먼저 빌드하세요 (jupyter-book build .)")
    handler = functools.partial(_Quiet, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright  # 없으면 ImportError 로 실패 (건너뛰지 않음)

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} 가 없습니다: apt-get install -y chromium fonts-nanum")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """한 쪽을 한 폭으로 연 결과: 요청 기록, 오류, 그리고 열린 Playwright 쪽."""

    def __init__(self, browser, base_url: str, rel: str, width: int, height: int = 900):
        self.base = base_url
        self.rel = rel
        self.external: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           device_scale_factor=1, locale="ko-KR")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.goto(base_url + rel, wait_until="load", timeout=60_000)
        self.settle()

    def _route(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:") or url.startswith("blob:"):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _failed(self, request):
        if request.url.startswith(self.base):
            self.failed.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def settle(self):
        """그림을 모두 불러오고 MathJax 의 조판이 끝날 때까지 기다립니다."""
        self.page.evaluate("""async () => {
            const imgs = [...document.images];
            imgs.forEach((img) => { img.loading = "eager"; });
            await Promise.all(imgs.map((img) => img.complete ? null :
                new Promise((ok) => { img.addEventListener("load", ok); img.addEventListener("error", ok); })));
            if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
            await document.fonts.ready;
        }""")
        self.page.wait_for_load_state("networkidle")

    def screenshot(self, name: str, full_page: bool = True):
        path = SHOTS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)

    def close(self):
        self.context.close()


def shot_name(rel: str) -> str:
    return rel.replace("/", "__").replace(".html", ".png")


@pytest.fixture(scope="session")
def visits(browser, base_url):
    """쪽마다 한 번만 엽니다 (폭마다). 열린 쪽은 세션 끝에 닫습니다."""
    opened: dict[tuple[str, int], Visit] = {}

    def get(rel: str, width: int) -> Visit:
        key = (rel, width)
        if key not in opened:
            if not (SITE / rel).is_file():
                pytest.fail(f"{rel} 이 빌드되지 않았습니다")
            visit = Visit(browser, base_url, rel, width)
            visit.screenshot(f"{width}/{shot_name(rel)}", full_page=(width == WIDE))
            opened[key] = visit
        return opened[key]

    yield get
    for visit in opened.values():
        visit.close()


# --------------------------------------------------------------------------------------------------
# 브라우저 안에서 재는 함수들

# 요소의 내용 오른쪽 끝이 보이는 영역(본문 칸, overflow 가 visible 이 아닌 조상) 밖이면 잘린 것입니다.
CLIP_JS = r"""
([selectors, phone]) => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const artRight = article.getBoundingClientRect().right;
  const where = (el) => {
    // 앞쪽의 가장 가까운 제목과 요소의 첫 글자들: 장의 어디인지 사람이 찾을 수 있게
    let heading = "";
    const hs = [...article.querySelectorAll("h1, h2, h3, h4")];
    for (const h of hs) if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) heading = h.textContent;
    const raw = el.innerText || el.textContent || "";
    const text = raw.trim().replace(/\s+/g, " ").slice(0, 70);
    const longest = Math.max(...raw.split("\n").map((line) => line.length));
    return `[${heading.replace(/#$/, "").trim()}] (가장 긴 줄 ${longest}자) ${text}`;
  };
  const problems = [];
  for (const [kind, selector] of selectors) {
    for (const el of article.querySelectorAll(selector)) {
      if (!el.getClientRects().length) continue;  // 보이지 않는 것 (닫힌 상자)
      const rect = el.getBoundingClientRect();
      const contentRight = rect.left + Math.max(el.scrollWidth, rect.width);
      let visibleRight = phone ? Infinity : artRight, clipper = phone ? null : "본문 칸";
      for (let a = el; a && a !== document.body; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox !== "visible") {
          const right = a.getBoundingClientRect().left + a.clientWidth;
          if (right < visibleRight) {
            visibleRight = right;
            clipper = `${a.tagName.toLowerCase()}.${[...a.classList].join(".")} (overflow-x: ${ox})`;
          }
        }
      }
      const over = Math.round(contentRight - visibleRight);
      if (over <= 1) continue;
      if (phone) {
        // 휴대폰: 밀어 볼 수 있으면(auto/scroll) 괜찮고, 숨겨져 잘리면(hidden/clip) 안 됩니다.
        if (/auto|scroll/.test(clipper || "")) continue;
      }
      problems.push(`${kind} ${over}px 잘림 (${clipper}): ${where(el)}`);
    }
  }
  return problems;
}
"""

CLIP_TARGETS = [
    ["표", "table"],
    ["출력", "div.cell_output .output pre, div.cell_output .output.text_html > *, div.cell_output img"],
    ["수식", "mjx-container[display='true']"],
    ["장의 코드", "div.cell_input pre"],
]

MATH_JS = r"""
() => {
  const article = document.querySelector("article.bd-article") || document.body;
  const maths = [...article.querySelectorAll(".math")];
  const untypeset = maths.filter((m) => !m.querySelector("mjx-container")).map((m) => m.textContent.slice(0, 60));
  const errors = [...article.querySelectorAll("mjx-merror")].map((e) => e.textContent.slice(0, 80));
  const scripts = [...document.scripts].map((s) => s.src).filter((src) => /mathjax/i.test(src));
  return {count: maths.length, untypeset, errors, scripts, version: window.MathJax && MathJax.version};
}
"""


# --------------------------------------------------------------------------------------------------
# 정적 확인: HTML 에 인터넷 주소에서 불러오는 스크립트·스타일이 없음


@pytest.mark.parametrize("rel", PAGES)
def test_page_refers_to_no_script_or_style_on_the_internet(rel):
    html = (SITE / rel).read_text(encoding="utf-8")
    remote = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="((?:https?:)?//[^"]+)"', html)
    remote = [u for u in remote if not re.search(r"<link[^>]*rel=\"(?:canonical|alternate)\"", u)]
    assert not remote, f"{rel}: 인터넷에서 불러오는 스크립트/스타일 {remote}"
    assert "require.js" not in html and "@jupyter-widgets" not in html, f"{rel}: 위젯 JavaScript(CDN)가 실려 있습니다"


# --------------------------------------------------------------------------------------------------
# 1280 px: 쪽마다


@pytest.mark.parametrize("rel", PAGES)
def test_page_loads_only_the_books_own_files(visits, rel):
    visit = visits(rel, WIDE)
    assert not visit.external, f"{rel}: 책 밖으로 나가는 요청 {sorted(set(visit.external))[:5]}"
    assert not visit.failed, f"{rel}: 실패한 요청 {visit.failed[:5]}"
    assert not visit.errors, f"{rel}: 자바스크립트 오류 {visit.errors[:3]}"


@pytest.mark.parametrize("rel", PAGES)
def test_every_image_loads(visits, rel):
    visit = visits(rel, WIDE)
    broken = visit.page.evaluate(
        "[...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src)")
    assert not broken, f"{rel}: 불러오지 못한 그림 {broken[:5]}"


@pytest.mark.parametrize("rel", PAGES)
def test_formulas_are_typeset_by_the_books_own_mathjax(visits, rel):
    visit = visits(rel, WIDE)
    math = visit.page.evaluate(MATH_JS)
    if math["count"] == 0:
        return
    assert math["version"], f"{rel}: 수식이 {math['count']}개 있는데 MathJax 가 실리지 않았습니다"
    assert math["scripts"] and all(s.startswith(visit.base) for s in math["scripts"]), \
        f"{rel}: MathJax 를 책 밖에서 불러옵니다: {math['scripts']}"
    assert not math["untypeset"], f"{rel}: 조판되지 않은 수식 {math['untypeset'][:3]}"
    assert not math["errors"], f"{rel}: TeX 오류가 난 수식 {math['errors'][:3]}"


@pytest.mark.parametrize("rel", PAGES)
def test_nothing_is_clipped_at_1280px(visits, rel):
    """표, 출력, 디스플레이 수식, 장의 코드(100칸)는 1280 px 에서 본문 칸 안에 다 보여야 합니다."""
    visit = visits(rel, WIDE)
    problems = visit.page.evaluate(CLIP_JS, [CLIP_TARGETS, False])
    assert not problems, f"{rel} (1280 px): {len(problems)}곳이 잘립니다:\n  " + "\n  ".join(problems[:15])


# --------------------------------------------------------------------------------------------------
# 390 px: 휴대폰


@pytest.mark.parametrize("rel", PAGES)
def test_phone_page_is_whole(visits, rel):
    visit = visits(rel, PHONE)
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE + 1, f"{rel} (390 px): 쪽 전체가 옆으로 {width - PHONE}px 넓어집니다"
    problems = visit.page.evaluate(CLIP_JS, [CLIP_TARGETS[:3], True])
    assert not problems, f"{rel} (390 px): 밀어 볼 수도 없이 잘린 곳:\n  " + "\n  ".join(problems[:15])
    assert not visit.external and not visit.failed and not visit.errors, \
        f"{rel} (390 px): {visit.external[:3]} {visit.failed[:3]} {visit.errors[:3]}"


def _open_drawer(visit: Visit, which: str) -> dict:
    page = visit.page
    toggle = page.locator(f"button.{which}-toggle").first
    assert toggle.is_visible(), f"{visit.rel}: {which} 서랍 단추(☰/목록)가 보이지 않습니다"
    toggle.click()
    page.wait_for_timeout(600)  # 서랍이 미끄러져 들어오는 시간 (0.25 s)
    return page.evaluate("""(which) => {
        const dialog = document.getElementById(`pst-${which}-sidebar-modal`);
        const rect = dialog.getBoundingClientRect();
        const links = [...dialog.querySelectorAll("a")].filter((a) => {
            const r = a.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth + 1;
        }).map((a) => [a.textContent.trim(), a.href]);
        return {open: dialog.open, left: rect.left, width: rect.width,
                visible: getComputedStyle(dialog).visibility, links};
    }""", which)


def _path(url: str, base: str) -> str:
    return urllib.parse.urlparse(url).path.lstrip("/") if url.startswith(base) else url


@pytest.mark.parametrize("rel", ["intro.html", f"{CHAPTERS[-1]}.html"])
def test_phone_navigation_drawer_opens_and_shows_every_chapter(browser, base_url, rel):
    visit = Visit(browser, base_url, rel, PHONE, height=800)
    try:
        drawer = _open_drawer(visit, "primary")
        visit.screenshot(f"{PHONE}/drawer-primary__{shot_name(rel)}", full_page=False)
        assert drawer["open"] and drawer["visible"] == "visible" and drawer["width"] > 200, \
            f"{rel}: ☰ 를 눌러도 서랍이 열리지 않습니다: {drawer}"
        shown = {_path(href, base_url) for _, href in drawer["links"]}
        missing = [c for c in CHAPTERS if f"{c}.html" not in shown]
        assert not missing, f"{rel}: 서랍에 보이지 않는 장 {missing} (보이는 고리: {sorted(shown)})"
        # 서랍에서 마지막 장을 눌러 곧바로 갈 수 있어야 합니다 (다음, 다음, 다음이 아니라)
        target = f"{CHAPTERS[3]}.html"
        visit.page.locator(f"#pst-primary-sidebar-modal a[href$='{Path(target).name}']").first.click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url.split("#")[0].endswith(target), f"서랍의 고리가 {target} 로 가지 않습니다"
    finally:
        visit.close()


@pytest.mark.parametrize("width", [PHONE, WIDE])
def test_on_this_page_drawer_opens(browser, base_url, width):
    rel = f"{CHAPTERS[2]}.html"
    visit = Visit(browser, base_url, rel, width)
    try:
        headings = visit.page.evaluate("document.querySelectorAll('article.bd-article section > h2').length")
        toc = visit.page.locator(".bd-sidebar-secondary .toc-entry").first
        if width >= 1500 and toc.is_visible():
            return
        drawer = _open_drawer(visit, "secondary")
        visit.screenshot(f"{width}/drawer-secondary__{shot_name(rel)}", full_page=False)
        assert drawer["open"] and drawer["visible"] == "visible", f"{rel} ({width} px): '이 쪽의 내용' 서랍이 안 열림"
        assert len(drawer["links"]) >= headings > 0, \
            f"{rel} ({width} px): 서랍에 절 {headings}개 중 {len(drawer['links'])}개만 보입니다"
    finally:
        visit.close()


# --------------------------------------------------------------------------------------------------
# 고리: 소개의 장 안내, Colab, 내려받기, 저장소, clone 명령


def test_intro_chapter_map_links_every_chapter(visits, base_url):
    visit = visits("intro.html", WIDE)
    hrefs = visit.page.evaluate(
        "[...document.querySelectorAll('article.bd-article table a')].map((a) => a.href)")
    linked = {_path(h, base_url).split("#")[0] for h in hrefs}
    missing = [c for c in CHAPTERS if f"{c}.html" not in linked]
    assert not missing, f"소개의 장 안내 표에 고리가 없는 장: {missing}"


def test_intro_shows_the_clone_command_of_the_configured_repository(visits):
    visit = visits("intro.html", WIDE)
    code = visit.page.evaluate("[...document.querySelectorAll('article pre')].map((p) => p.innerText).join('\\n')")
    assert f"git clone {REPO_URL}" in code, f"소개에 `git clone {REPO_URL}` 가 없습니다"
    assert "저장소 주소" not in code and "<저장소" not in code, "소개의 clone 명령에 자리표시자가 남아 있습니다"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_download_and_repository_links(visits, base_url, chapter):
    visit = visits(f"{chapter}.html", WIDE)
    hrefs = visit.page.evaluate("[...document.querySelectorAll('a')].map((a) => a.href)")
    repo_path = urllib.parse.urlparse(REPO_URL).path.strip("/")
    colab = f"https://colab.research.google.com/github/{repo_path}/blob/{BRANCH}/{chapter}.ipynb"
    assert colab in hrefs, f"{chapter}: Colab 고리가 {colab} 가 아닙니다: {[h for h in hrefs if 'colab' in h]}"
    assert REPO_URL in hrefs, f"{chapter}: 저장소 단추가 {REPO_URL} 로 가지 않습니다"
    source = f"{base_url}_sources/{chapter}.ipynb"
    assert source in hrefs, f"{chapter}: .ipynb 내려받기 고리가 없습니다"
    response = visit.page.request.get(source)
    assert response.ok, f"{source}: HTTP {response.status}"
    served = json.loads(response.text())
    committed = json.loads((ROOT / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    assert [c["source"] for c in served["cells"]] == [c["source"] for c in committed["cells"]], \
        f"{chapter}: 내려받는 노트북이 저장소의 노트북과 다릅니다 (책을 다시 빌드하세요)"


# --------------------------------------------------------------------------------------------------
# 한국어 검색 (_ext/korean_search.py)


def _article_texts(visits) -> dict[str, str]:
    texts = {}
    for rel in PAGES:
        if rel in ("search.html", "genindex.html"):
            continue
        visit = visits(rel, WIDE)
        texts[rel] = visit.page.evaluate(
            "(document.querySelector('article.bd-article') || document.body).textContent")
    return texts


def _search(visits, base_url, query: str) -> set[str]:
    visit = visits("search.html", WIDE)
    page = visit.page
    page.goto(f"{base_url}search.html?q={urllib.parse.quote(query)}", wait_until="load")
    page.wait_for_function(
        "() => typeof Search !== 'undefined' && Search._index !== null && Search.title && "
        "Search.title.innerText === Documentation.gettext('Search Results')", timeout=30_000)
    hrefs = page.evaluate("[...document.querySelectorAll('#search-results ul.search li a')].map((a) => a.href)")
    return {_path(h, base_url).split("?")[0].split("#")[0] for h in hrefs}


QUERIES = ["텐서", "텐서를", "텐서의", "세그멘테이션", "전치 합성곱", "스킵 연결", "그람 행렬", "업샘플링"]


@pytest.mark.parametrize("query", QUERIES)
def test_korean_search_finds_every_page_that_contains_the_query(visits, base_url, query):
    """검색어가 (조사가 붙은 꼴 안에서라도) 본문에 있는 모든 쪽이 결과에 나와야 합니다."""
    texts = _article_texts(visits)
    words = query.split()
    expected = {rel for rel, text in texts.items() if all(w in text for w in words)}
    found = _search(visits, base_url, query)
    assert expected, f"'{query}' 가 들어 있는 쪽이 하나도 없습니다 (검색어를 고르세요)"
    missing = sorted(expected - found)
    assert not missing, f"'{query}' 가 들어 있는데 검색이 찾지 못한 쪽: {missing} (찾은 쪽: {sorted(found)})"
    # 모든 두 글자 조각이 있는 쪽만 나와야 합니다 (한 조각만 맞는 쪽은 결과가 아님)
    grams = split_text(query, unigrams=False)
    stray = sorted(rel for rel in found if rel in texts and not all(g in texts[rel] for g in grams))
    assert not stray, f"'{query}' 의 조각 {grams} 이 다 있지 않은 쪽이 결과에 나옵니다: {stray}"


def test_stem_finds_its_inflected_forms(visits):
    """'텐서' 로 찾은 쪽에는 '텐서를'/'텐서의'/'텐서로' 처럼 조사가 붙은 꼴만 있는 쪽도 있어야 합니다."""
    texts = _article_texts(visits)
    inflected_only = [rel for rel, text in texts.items()
                      if re.search(r"텐서[를의로는가와]", text) and not re.search(r"텐서(?![가-힣])", text)]
    assert inflected_only, "조사가 붙은 꼴('텐서를' 등)로만 '텐서' 가 나오는 쪽이 없습니다 (다른 검색어를 고르세요)"
    found = _search(visits, _base_of(visits), "텐서")
    missing = [rel for rel in inflected_only if rel not in found]
    assert not missing, f"'텐서' 로 찾지 못한, '텐서를/텐서의/텐서로' 만 있는 쪽: {missing}"


def _base_of(visits) -> str:
    return visits("search.html", WIDE).base


def test_browser_query_splitter_matches_the_index_splitter(visits):
    page = visits("search.html", WIDE).page
    for query in ["텐서를", "세그멘테이션은 FCN-32s 로", "층", "U-Net의 스킵 연결", "conv_transpose2d 와 합성곱"]:
        in_browser = page.evaluate("(q) => splitQuery(q)", query)
        assert in_browser == split_text(query, unigrams=False), f"splitQuery({query!r}) = {in_browser}"


# --------------------------------------------------------------------------------------------------
# 꼬리말과 제목


def test_footer_reads_in_korean(visits):
    footer = visits("intro.html", WIDE).page.evaluate(
        "(document.querySelector('footer.bd-footer-content') || document.body).innerText")
    author = CONFIG["author"]
    assert f"지은이: {author}" in footer, f"꼬리말에 '지은이: {author}' 가 없습니다: {footer!r}"
    assert f"으로 {author}" not in footer and "Copyright" not in footer, f"꼬리말: {footer!r}"


@pytest.mark.parametrize("rel", ["intro.html", f"{CHAPTERS[0]}.html"])
def test_korean_headings_do_not_break_inside_a_word(visits, rel):
    styles = visits(rel, PHONE).page.evaluate("""() => [...document.querySelectorAll(
        "article h1, article h2, .navbar-brand, .bd-sidebar-primary .bd-links")].map(
        (e) => [e.tagName, getComputedStyle(e).wordBreak])""")
    loose = [s for s in styles if s[1] != "keep-all"]
    assert styles and not loose, f"{rel}: word-break 가 keep-all 이 아닌 제목 {loose[:3]}"


def test_api_page_has_a_section_for_every_lib_module(visits):
    modules = sorted(p.stem for p in (ROOT / "lib").glob("*.py") if not p.stem.startswith("_"))
    shown = visits("api.html", WIDE).page.evaluate(
        "[...document.querySelectorAll('article section > h2')].map((h) => h.textContent.replace('#', '').trim())")
    missing = [m for m in modules if f"lib.{m}" not in shown]
    assert not missing, f"API 참고에 없는 lib 모듈: {missing} (책을 다시 빌드하세요)"
    documented = visits("api.html", WIDE).page.evaluate("document.querySelectorAll('dl.py dt[id^=\"lib.\"]').length")
    assert documented >= len(modules), f"API 참고의 함수·클래스 설명이 {documented}개뿐입니다 (autodoc 실패?)"
