"""Reading a page's HTML in tests as elements and text (stdlib html.parser), so that a test asks for
"the td whose data-date is …" instead of matching HTML it writes itself in a string."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Where a reader sees a break between two texts (cells, rows, paragraphs …), written as a space.
BREAKS = frozenset({"td", "th", "tr", "li", "p", "div", "caption", "br", "h1", "h2", "h3", "dt", "dd", "option"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's text with its descendants', whitespace collapsed."""
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag in BREAKS:
            self.handle_data(" ")
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)


def elements(html: str, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[Element]:
    """The elements of ``html`` with this tag (any when None), class and attributes (``data_date`` is
    ``data-date``), in document order."""
    reader = _Reader()
    reader.feed(html)
    wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
    return [
        e
        for e in reader.elements
        if (tag is None or e.tag == tag)
        and (cls is None or e.has_class(cls))
        and all(e.attrs.get(k) == v for k, v in wanted.items())
    ]


def text(html: str) -> str:
    """The text of ``html`` as a reader sees it (tags gone, entities read, whitespace collapsed)."""
    reader = _Reader()
    root = Element("#root", {})
    reader.open.append(root)
    reader.feed(html)
    return root.text
