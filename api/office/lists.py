"""Back-office lists the way Django admin does them: filters in a side panel and in the URL, a search
box (with or without diacritics: the area's query does it), sort by column, paging with the total, a
count of what matched, and export buttons for exactly the filtered rows. Drawn by ``office/lists.html``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from registry.errors import FieldError, ValidationFailed
from registry.text import grouped

PER_PAGE = 50
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str | None = None  # the sort key the query understands; None: not sortable


@dataclass(frozen=True)
class Filter:
    """A filter of the side panel: ``options`` are (value, label); several may be ticked when ``many``."""

    name: str
    label: str
    options: Sequence[tuple[str, str]]
    many: bool = True
    kind: str = "choice"  # "date": a day typed dd/mm/yyyy (from / to of a range), no options


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int
    sort: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(request: Request, *, sorts: Sequence[str], default_sort: str | None, per_page: int = PER_PAGE) -> Paging:
    """``page`` and ``sort`` (``code`` or ``-code``) from the URL, checked: a bad one is a 422 page."""
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValidationFailed("Tham số không hợp lệ", [FieldError("Số trang không hợp lệ", field="page", value=raw)])
    sort = request.query_params.get("sort") or default_sort
    if sort is not None and sort.lstrip("-") not in sorts:
        raise ValidationFailed(
            "Tham số không hợp lệ",
            [FieldError(f"Không sắp xếp được theo «{sort[:40]}»", field="sort", value=sort[:40])],
        )
    return Paging(int(raw), per_page, sort)


@dataclass
class Listing:
    """One page of a list and everything the template needs to draw it."""

    request: Request
    noun: str  # "vị trí", "giấy phép" …: "Tìm thấy 1 234 vị trí"
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    total: int
    paging: Paging
    filters: Sequence[Filter] = ()
    search: str | None = "Tìm theo mã, địa chỉ (có hoặc không dấu)"  # None: no search box
    exports: Sequence[tuple[str, str]] = ()  # (label, href)
    actions: Sequence[tuple[str, str]] = ()  # (label, href): "Thêm vị trí" …
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def q(self) -> str:
        return self.request.query_params.get("q", "")

    def selected(self, name: str) -> list[str]:
        return [v for raw in self.request.query_params.getlist(name) for v in raw.split(",") if v]

    @property
    def filtered(self) -> bool:
        names = {f.name for f in self.filters} | {"q"}
        return any(self.request.query_params.get(n) for n in names)

    @property
    def chips(self) -> list[tuple[str, str]]:
        """The filters on now, as "label: value" chips (what the count is about)."""
        out = []
        for f in self.filters:
            labels = dict(f.options)
            for v in self.selected(f.name):
                out.append((f.label, labels.get(v, v)))
        if self.q:
            out.append(("Tìm", self.q))
        return out

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.paging.per_page))

    @property
    def count_text(self) -> str:
        if not self.total:
            return f"Không có {self.noun} nào khớp."
        first = self.paging.offset + 1
        last = min(self.paging.offset + self.paging.per_page, self.total)
        return f"Tìm thấy {grouped(self.total)} {self.noun}; đang xem {grouped(first)}–{grouped(last)}."

    def url(self, **change: Any) -> str:
        """This list's URL with some parameters changed (None removes one); paging restarts at 1
        unless ``page`` is given."""
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k not in change and k != "msg"]
        if "page" not in change:
            params = [(k, v) for k, v in params if k != "page"]
        for k, v in change.items():
            if v is not None:
                params.append((k, str(v)))
        query = urlencode(params)
        return self.request.url.path + (f"?{query}" if query else "")

    def sort_link(self, column: Column) -> tuple[str, str | None]:
        """(href, aria-sort) of a column heading: a click sorts by it, a second click reverses."""
        now = self.paging.sort or ""
        if column.sort is None:
            return "", None
        if now == column.sort:
            return self.url(sort=f"-{column.sort}"), "ascending"
        if now == f"-{column.sort}":
            return self.url(sort=column.sort), "descending"
        return self.url(sort=column.sort), None

    def export_query(self) -> str:
        """The filters of this list (not its paging or sort) for the export links."""
        names = {f.name for f in self.filters} | {"q"}
        return urlencode([(k, v) for k, v in self.request.query_params.multi_items() if k in names and v])


# --- work lists (permits, press): "within N days" and the index's cards --------------------------------

DAY_CHOICES = (7, 15, 30, 60, 90, 180, 365)


def days_param(request: Request, default: int) -> int:
    """``days`` of a work list ("expiring within N days") from the URL, 0–3650, else ``default``."""
    raw = request.query_params.get("days") or str(default)
    if not raw.isdigit() or not 0 <= int(raw) <= 3650:
        raise ValidationFailed(
            "Tham số không hợp lệ", [FieldError("Số ngày phải từ 0 đến 3650", field="days", value=raw[:20])]
        )
    return int(raw)


def work_card(home: str, key: str, *, title: str, intro: str, count: int, days: int) -> dict[str, Any]:
    """One list on a work index: its count, tone, page and Excel links (the expiring list keeps its days)."""
    href = f"{home}/{key}" + (f"?days={days}" if key == "expiring" else "")
    return {
        "key": key,
        "title": f"{title} ({days} ngày tới)" if key == "expiring" else title,
        "count": count,
        "href": href,
        "intro": intro,
        "tone": ("warn" if key == "expiring" else "bad") if count else None,
        "xlsx": href.replace(f"/{key}", f"/{key}.xlsx", 1),
    }
