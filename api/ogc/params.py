"""Query strings of the OGC API parsed into typed values, each refusal a 400 naming its parameter.

The parameters arrive as text (declared ``str`` on the routes, so the OpenAPI document lists them)
and are parsed here, so that a bad value is the 400 OGC API asks for, never FastAPI's 422. The
answer's format is chosen by ``f`` or, without it, by the Accept header (a browser gets HTML; GDAL,
QGIS and OWSLib get JSON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from fastapi import Request

from registry.ogc.crs import Crs
from registry.ogc.errors import BadParameter
from registry.settings import Settings

Format = Literal["json", "html"]
_VN = timezone(timedelta(hours=7))
_MEDIA = {"application/json": "json", "application/geo+json": "json", "application/schema+json": "json",
          "text/html": "html"}  # fmt: skip


def answer_format(request: Request, f: str | None, *, extra: tuple[str, ...] = ()) -> str:
    """``json`` or ``html`` (or one of ``extra``): from ``f`` when given (``geojson`` is JSON), else the
    best of the Accept header, JSON when it names neither."""
    if f is not None:
        chosen = {"geojson": "json", "application/geo+json": "json", "application/json": "json"}.get(f, f)
        if chosen not in ("json", "html", *extra):
            raise BadParameter("f", f"Định dạng không hỗ trợ; chọn: {', '.join(('json', 'html', *extra))}", f)
        return chosen
    best, best_q = "json", 0.0
    for part in request.headers.get("accept", "").split(","):
        media, _, rest = part.strip().partition(";")
        q = 1.0
        for attr in rest.split(";"):
            name, _, value = attr.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        kind = _MEDIA.get(media.strip().lower())
        if kind is not None and q > best_q:
            best, best_q = kind, q
    return best


def check_known(request: Request, known: frozenset[str]) -> None:
    """400 for a query parameter the route does not define (/req/core/query-param-unknown)."""
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise BadParameter(unknown[0], f"Tham số không được hỗ trợ; dùng: {', '.join(sorted(known))}")


def limit_of(raw: str | None, settings: Settings) -> int:
    if raw is None or raw == "":
        return settings.default_page_size
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter("limit", "Phải là số nguyên", raw) from None
    if not 1 <= value <= settings.max_page_size:
        raise BadParameter("limit", f"Phải từ 1 đến {settings.max_page_size}", raw)
    return value


MAX_OFFSET = 10_000_000


def offset_of(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter("offset", "Phải là số nguyên", raw) from None
    if not 0 <= value <= MAX_OFFSET:
        raise BadParameter("offset", f"Phải từ 0 đến {MAX_OFFSET}", raw)
    return value


def bbox_of(raw: str | None, crs: Crs) -> tuple[float, float, float, float] | None:
    """minx,miny,maxx,maxy (or six numbers with heights) in ``crs``'s axis order; min ≤ max."""
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise BadParameter("bbox", "Cần 4 (hoặc 6) số cách nhau bằng dấu phẩy", raw)
    x0, y0, x1, y1 = (numbers[0], numbers[1], numbers[3], numbers[4]) if len(numbers) == 6 else numbers
    if x0 > x1 or y0 > y1:
        raise BadParameter(
            "bbox", "Góc dưới trái phải nhỏ hơn góc trên phải (không hỗ trợ bbox qua kinh tuyến 180)", raw
        )
    crs.check_point(x0, y0, "bbox")
    crs.check_point(x1, y1, "bbox")
    return x0, y0, x1, y1


def _day(text: str) -> date:
    """A day of an RFC 3339 date or date-time (a moment is the day it is in Việt Nam)."""
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError("date-time without offset")
    return moment.astimezone(_VN).date()


@dataclass(frozen=True)
class Interval:
    first: date | None
    last: date | None


def datetime_of(raw: str | None) -> Interval | None:
    """An instant (a whole day) or an interval ``a/b`` with ``..`` or nothing for an open end."""
    if raw is None or raw == "":
        return None
    ends = raw.split("/")
    if len(ends) > 2:
        raise BadParameter("datetime", "Một thời điểm hoặc một khoảng a/b (.. là để ngỏ)", raw)
    try:
        days = [None if e in ("", "..") else _day(e) for e in ends]
    except ValueError:
        raise BadParameter("datetime", "Không phải ngày (YYYY-MM-DD) hay thời điểm RFC 3339", raw) from None
    if len(days) == 1:
        if days[0] is None:
            raise BadParameter("datetime", "Thiếu thời điểm", raw)
        return Interval(days[0], days[0])
    first, last = days
    if first is not None and last is not None and first > last:
        raise BadParameter("datetime", "Ngày đầu phải không sau ngày cuối", raw)
    return Interval(first, last)
