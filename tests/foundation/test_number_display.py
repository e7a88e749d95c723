"""Numbers and labels as French staff read them, on every page a staff member can reach.

The demo data of every app is seeded in acme, then the back office is walked from the dashboard
(every same-site link, breadth first) as an admin. On each page's visible text:
- no decimal number of four digits or more before its decimal mark without a thousands separator
  (`12345,67` must read `12 345,67`), and no English decimal point before a currency sign;
- every form label and table header starts with a capital letter (or a digit / a symbol).
A failure names the page and the offending text.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.conftest import in_schema

# A number with 4+ integer digits glued together, then a decimal mark and decimals: `12345,67`.
RAW_DECIMAL = re.compile(r"(?<![\w.,/:+\-])\d{4,}[.,]\d{1,6}(?![\w.,/:])")
# An English decimal point in an amount: `12.50 €`, `12.50 EUR`.
POINT_AMOUNT = re.compile(r"(?<![\w.,])\d+\.\d{2}\s?(?:€|EUR\b)")
SKIP_LINK = re.compile(
    r"logout|deconnexion|/api/|\.(csv|xlsx|pdf|zip|xml|txt)$|/download|/export|/file", re.I
)
MAX_PAGES = 160


class _Page(HTMLParser):
    """The visible text, the labels and headers, and the links of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.headings: list[str] = []
        self._skip = 0
        self._capture: list[str] | None = None
        self._capture_tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "textarea"):
            self._skip += 1
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.links.append(href)
        if tag in ("label", "th") and self._capture is None:
            self._capture, self._capture_tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "textarea") and self._skip:
            self._skip -= 1
        if tag == self._capture_tag and self._capture is not None:
            self.headings.append(" ".join("".join(self._capture).split()))
            self._capture, self._capture_tag = None, ""

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        if self._capture is not None:
            self._capture.append(data)


def _walk(client, start: str = "/") -> dict[str, _Page]:
    seen: set[str] = {start}
    # At most 3 pages of one shape (/customers/{id}/), so that every kind of page is reached.
    per_pattern: dict[str, int] = {}
    queue: deque[str] = deque([start])
    pages: dict[str, _Page] = {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        pages[url] = page
        for href in page.links:
            parts = urlsplit(href)
            path = parts.path
            if parts.query and "page=" not in parts.query:
                continue  # filters and sorts show the same numbers as their list
            if SKIP_LINK.search(path) or path.startswith(("/portal", "/static", "/media", "/accounts")):
                continue
            target = path if not parts.query else f"{path}?{parts.query}"
            shape = re.sub(r"\d+", "{id}", path)
            if target not in seen and per_pattern.get(shape, 0) < 3:
                seen.add(target)
                per_pattern[shape] = per_pattern.get(shape, 0) + 1
                queue.append(target)
    return pages


def test_every_staff_page_shows_french_numbers_and_capitalised_labels(acme, make_user, client_for):
    from ism.demo import _app_seeders

    with in_schema(acme):
        for seeder in _app_seeders("seed_tenant"):
            seeder(acme)
    client = client_for(acme, make_user(acme, "admin"))
    pages = _walk(client)
    assert len(pages) > 25, f"the walk reached only {sorted(pages)}"
    problems: list[str] = []
    for url, page in pages.items():
        text = " ".join(" ".join(page.text).split())
        for match in RAW_DECIMAL.findall(text):
            problems.append(f"{url}: number without thousands separator “{match}”")
        for match in POINT_AMOUNT.findall(text):
            problems.append(f"{url}: amount with a decimal point “{match}”")
        for heading in page.headings:
            if heading and heading[0].isalpha() and heading[0].islower():
                problems.append(f"{url}: label or header in lower case “{heading}”")
    assert not problems, "\n".join(sorted(set(problems))[:80])
