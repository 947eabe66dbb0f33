"""Reading built HTML as a reader sees it: visible text, elements by id."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Text(HTMLParser):
    SKIP = {"script", "style", "template"}
    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            self.skipping += tag not in self.VOID
        elif tag in self.SKIP or any(name == "hidden" for name, _ in attrs):
            self.skipping += 1
        elif tag == "sup":
            self.parts.append("^")
        elif tag in {"p", "li", "tr", "td", "th", "dt", "dd", "br", "h1", "h2", "h3", "div"}:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            self.skipping -= 1
        elif tag in {"td", "th", "li", "p", "dd"}:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text of an HTML document as shown, white space folded, superscripts as ``^18``;
    hidden elements, scripts and styles are left out."""
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def element(html: str, element_id: str, tag: str) -> str:
    """The HTML of the element ``<tag id="element_id">…</tag>`` (no nesting of the same tag)."""
    match = re.search(rf'<{tag}[^>]*\bid="{re.escape(element_id)}"[^>]*>.*?</{tag}>', html,
                      re.DOTALL)
    assert match, f"no <{tag} id={element_id!r}>"
    return match.group(0)
