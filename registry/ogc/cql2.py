"""CQL2 filters (OGC API – Features Part 3): parsed by pygeofilter, translated here to SQL whose
every value is a bound parameter.

Parsing is pygeofilter's (its CQL2 text grammar and CQL2 JSON walker), with four small additions,
each a declared extension of its grammar or a step before its walker, never a parser of our own:

- ``S_DWITHIN(geometry, <geometry>, <distance>, <units>)`` in text and ``{"op": "s_dwithin", "args":
  [..., distance, units]}`` in JSON: within a distance in metres (or kilometres) on the WGS 84
  spheroid (PostGIS ``geography``). CQL2 itself has no distance operator;
- a quote inside a text literal written twice (``'it''s'``), as CQL2 and GDAL write it;
- in JSON, ``{"bbox": [minx, miny, maxx, maxy]}`` as CQL2 reads it (pygeofilter's JSON walker swaps
  two of the numbers) and ``{"op": "accenti", ...}``;
- the temporal functions of CQL2 1.0 (``T_AFTER(a, b)`` … ``T_STARTS(a, b)``, in JSON ``{"op":
  "t_after", ...}`` with any case), their literals ``DATE('…')``, ``TIMESTAMP('…')`` and
  ``INTERVAL(a, b)`` whose ends are dates, timestamps, ``'..'`` (open) or date properties: pygeofilter
  0.4.0 writes them infix, with the draft's names (T_BEGINS …), T_INTERSECTS read as T_OVERLAPS, no
  dates, properties nor ``'..'`` in a text INTERVAL, and reads timestamps leniently (dateparser).

The translation accepts only the collection's queryables (the properties the caller may read, and
``geometry``) and the functions ``casei``, ``accenti`` and ``bbox``; property names and functions
become SQL text chosen from our own constants, and every literal (text, number, date, boolean,
geometry, distance, LIKE pattern) is bound. Anything else is a 400 naming the ``filter`` parameter.

Time is counted in days (every date property is one), as the ``datetime`` parameter counts it: a
TIMESTAMP is the day it falls on in Việt Nam (+07:00; without an offset it is UTC, as CQL2 writes
them). A temporal operand is an instant (a date property, DATE, TIMESTAMP), one day, or an interval
(INTERVAL), closed at both ends as CQL2 (ISO 8601) defines it, an end ``'..'`` open. The
collection's validity (``Temporal(start, end)``, e.g. ``INTERVAL(valid_from, valid_to)``) is open
where its columns are null and ends the day before its ``end`` column (the first day no longer
valid), so ``T_INTERSECTS(INTERVAL(valid_from, valid_to), DATE(d))`` is ``datetime=d``; any other
null date is unknown and matches no temporal function. T_AFTER, T_BEFORE, T_DISJOINT, T_EQUALS and
T_INTERSECTS take instants and intervals; the other ten only intervals, and an instant there is a
400, as CQL2 asks (``INTERVAL(d, d)`` is the one-day interval of a date property ``d``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

from registry.ogc.collections import Collection, Prop
from registry.ogc.crs import Crs, crs_for
from registry.ogc.errors import BadParameter

MAX_FILTER_CHARS = 20_000
MAX_NODES = 500
MAX_DEPTH = 60
MAX_LIST = 1_000
GEOMETRY_NAMES = frozenset({"geometry", "geom"})
_VN = timezone(timedelta(hours=7))
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})?")
OPEN = ".."
LANGS = ("cql2-text", "cql2-json")
_METRES = {"m": 1.0, "meter": 1.0, "meters": 1.0, "metre": 1.0, "metres": 1.0, "km": 1000.0, "kilometers": 1000.0,
           "kilometres": 1000.0, "kilometer": 1000.0, "kilometre": 1000.0}  # fmt: skip


def _bad(message: str, value: Any = None) -> BadParameter:
    return BadParameter("filter", message, value)


# --- temporal literals and functions -------------------------------------------------------------

# CQL2 1.0's temporal functions: (a0, a1) and (b0, b1) are the first and last days of the operands
# (an instant is one day: a0 = a1), each relation as CQL2 defines it (OWL-Time, intervals closed).
TEMPORAL_FUNCTIONS: dict[str, str] = {
    "t_after": "{a0} > {b1}",
    "t_before": "{a1} < {b0}",
    "t_disjoint": "({a1} < {b0} OR {a0} > {b1})",
    "t_equals": "{a0} = {b0} AND {a1} = {b1}",
    "t_intersects": "{a0} <= {b1} AND {a1} >= {b0}",
    "t_contains": "{a0} < {b0} AND {a1} > {b1}",
    "t_during": "{a0} > {b0} AND {a1} < {b1}",
    "t_finishedby": "{a0} < {b0} AND {a1} = {b1}",
    "t_finishes": "{a0} > {b0} AND {a1} = {b1}",
    "t_meets": "{a1} = {b0}",
    "t_metby": "{a0} = {b1}",
    "t_overlappedby": "{a0} > {b0} AND {a0} < {b1} AND {a1} > {b1}",
    "t_overlaps": "{a0} < {b0} AND {a1} > {b0} AND {a1} < {b1}",
    "t_startedby": "{a0} = {b0} AND {a1} > {b1}",
    "t_starts": "{a0} = {b0} AND {a1} < {b1}",
}
# Those that CQL2 defines on intervals only ("using these functions with instants will result in a
# client error").
INTERVAL_ONLY = frozenset(TEMPORAL_FUNCTIONS) - {"t_after", "t_before", "t_disjoint", "t_equals", "t_intersects"}


def _date_of(text: Any) -> date:
    """A DATE literal: RFC 3339 full-date, a real day."""
    if not isinstance(text, str) or not _DATE_TEXT.fullmatch(text):
        raise _bad("Ngày phải viết dạng YYYY-MM-DD, ví dụ DATE('2024-01-31')", text)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad("Ngày không có thật", text) from None


def _timestamp_of(text: Any) -> datetime:
    """A TIMESTAMP literal: RFC 3339 date-time (without an offset, UTC)."""
    if not isinstance(text, str) or not _TIMESTAMP.fullmatch(text):
        raise _bad("Thời điểm phải viết dạng RFC 3339, ví dụ TIMESTAMP('2024-01-31T08:00:00Z')", text)
    try:
        moment = datetime.fromisoformat(text[:10] + "T" + text[11:].upper())
    except ValueError:
        raise _bad("Thời điểm không có thật", text) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _instant_of(text: Any) -> date | datetime | None:
    """One end of an INTERVAL literal: a date, a timestamp, or '..' (open: None)."""
    if text == OPEN:
        return None
    if isinstance(text, str) and len(text) == 10:
        return _date_of(text)
    if isinstance(text, str) and _TIMESTAMP.fullmatch(text):
        return _timestamp_of(text)
    raise _bad("Đầu khoảng thời gian phải là ngày (YYYY-MM-DD), thời điểm RFC 3339, '..' hoặc thuộc tính ngày", text)


def _vn_day(moment: datetime) -> date:
    """The day ``moment`` falls on in Việt Nam."""
    try:
        return moment.astimezone(_VN).date()
    except (OverflowError, ValueError):
        raise _bad("Thời điểm nằm ngoài phạm vi ngày hợp lệ", moment.isoformat()) from None


def _temporal_function(name: str, lhs: Any, rhs: Any) -> Any:
    """``T_…(lhs, rhs)`` as pygeofilter's own Function node (named in lower case), which its JSON
    walker passes on and the translator reads as a predicate."""
    from pygeofilter import ast

    key = name.lower()
    if key not in TEMPORAL_FUNCTIONS:
        raise _bad(f"Không có hàm thời gian «{name}»; có: {', '.join(n.upper() for n in TEMPORAL_FUNCTIONS)}", name)
    return ast.Function(key, [lhs, rhs])


# --- parsing -------------------------------------------------------------------------------------

_EXTENSION = r"""
%extend spatial_predicate: _distance_function "(" expression "," expression "," full_number "," distance_units ")" -> distance_spatial_predicate
!_distance_function: "S_DWITHIN"i
distance_units: /[a-zA-Z][a-zA-Z_]*/
%override SINGLE_QUOTED: /'(?:[^']|'')*'/
%override temporal_predicate: _temporal_function "(" expression "," expression ")" -> temporal_function
!_temporal_function: "T_AFTER"i | "T_BEFORE"i | "T_CONTAINS"i | "T_DISJOINT"i | "T_DURING"i | "T_EQUALS"i
                   | "T_FINISHEDBY"i | "T_FINISHES"i | "T_INTERSECTS"i | "T_MEETS"i | "T_METBY"i
                   | "T_OVERLAPPEDBY"i | "T_OVERLAPS"i | "T_STARTEDBY"i | "T_STARTS"i
%override date: "DATE"i "(" SINGLE_QUOTED ")"
%override timestamp: "TIMESTAMP"i "(" SINGLE_QUOTED ")"
%override interval: "INTERVAL"i "(" _instant_parameter "," _instant_parameter ")"
_instant_parameter: SINGLE_QUOTED | attribute
"""  # noqa: E501


@cache
def _text_parser() -> Any:
    """pygeofilter's CQL2 text grammar with the extension above, built once (LALR)."""
    import logging

    from lark import Lark, logger, v_args
    from pygeofilter import ast
    from pygeofilter.parsers.cql2_text import parser as cql2_text

    @v_args(meta=False, inline=True)
    class Transformer(cql2_text.CQLTransformer):  # type: ignore[misc]
        def distance_spatial_predicate(self, _op: Any, lhs: Any, rhs: Any, distance: Any, units: Any) -> Any:
            return ast.DistanceWithin(lhs, rhs, distance, units)

        def distance_units(self, value: Any) -> str:
            return str(value)

        def SINGLE_QUOTED(self, token: Any) -> str:  # noqa: N802 - the grammar's terminal name
            return str(token)[1:-1].replace("''", "'")

        def temporal_function(self, op: Any, lhs: Any, rhs: Any) -> Any:
            return _temporal_function(str(op), lhs, rhs)

        def date(self, text: str) -> date:
            return _date_of(text)

        def timestamp(self, text: str) -> datetime:
            return _timestamp_of(text)

        def interval(self, start: Any, end: Any) -> Any:
            return _interval(start, end)

        # pygeofilter prints these two to standard output; the same without the print.
        def wkt__geometry_with_srid(self, srid: Any, geometry: dict[str, Any]) -> dict[str, Any]:
            geometry["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{srid}"}}
            return geometry

        def wkt__multipoint_2(self, *coordinates: Any) -> dict[str, Any]:
            return {"type": "MultiPoint", "coordinates": coordinates}

    grammar = Path(cql2_text.__file__).with_name("grammar.lark")
    # pygeofilter builds its own parser with debug=True, which leaves lark's logger telling of every
    # rule the extension leaves unused (the infix temporal predicates): quiet while ours is built.
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        return Lark(
            grammar.read_text(encoding="utf-8") + _EXTENSION,
            parser="lalr",
            maybe_placeholders=False,
            transformer=Transformer(),
            import_paths=[str(grammar.parent.parent)],
            source_path=str(grammar),
        )
    finally:
        logger.setLevel(level)


def _interval(start: Any, end: Any) -> Any:
    """An INTERVAL literal: each end a text ('..', a date, a timestamp) or a property; the ends of
    literals in order."""
    from pygeofilter import ast, values

    first, last = (e if isinstance(e, ast.Attribute) else _instant_of(e) for e in (start, end))
    if isinstance(first, datetime) and isinstance(last, datetime):
        backwards = first > last
    elif isinstance(first, date) and isinstance(last, date):
        days = [_vn_day(e) if isinstance(e, datetime) else e for e in (first, last)]
        backwards = days[0] > days[1]
    else:
        backwards = False
    if backwards:
        raise _bad("Khoảng thời gian ngược: đầu khoảng phải không sau cuối khoảng", f"INTERVAL({start}, {end})")
    return values.Interval(first, last)


def _prepare_temporal(node: dict[str, Any]) -> Any:
    """A CQL2 JSON temporal literal (``{"date": …}``, ``{"timestamp": …}``, ``{"interval": [a, b]}``)
    read strictly, as the text form reads it."""
    from pygeofilter import ast

    if len(node) != 1:
        raise _bad("Giá trị thời gian JSON chỉ có một khóa: date, timestamp hoặc interval")
    ((key, value),) = node.items()
    if key == "date":
        return _date_of(value)
    if key == "timestamp":
        return _timestamp_of(value)
    if not isinstance(value, list) or len(value) != 2:
        raise _bad("interval cần đúng hai đầu: [đầu, cuối]")
    ends = []
    for end in value:
        if isinstance(end, dict) and set(end) == {"property"} and isinstance(end["property"], str):
            ends.append(ast.Attribute(end["property"]))
        elif isinstance(end, str):
            ends.append(end)
        else:
            raise _bad("Đầu khoảng thời gian phải là ngày, thời điểm, '..' hoặc {\"property\": …}")
    return _interval(*ends)


def _prepare_json(node: Any, depth: int = 0) -> Any:
    """The CQL2 JSON additions (see the module's docstring) turned into pygeofilter's own nodes, so
    its walker passes them through."""
    from pygeofilter import ast, values
    from pygeofilter.parsers.cql2_json.parser import walk_cql_json

    if depth > MAX_DEPTH:
        raise _bad(f"Biểu thức lồng quá sâu (tối đa {MAX_DEPTH} mức)")
    if isinstance(node, list):
        return [_prepare_json(n, depth + 1) for n in node]
    if not isinstance(node, dict):
        return node
    if not {"date", "timestamp", "interval"}.isdisjoint(node):
        return _prepare_temporal(node)
    if set(node) == {"bbox"}:
        box = node["bbox"]
        if not isinstance(box, list) or len(box) not in (4, 6) or not all(_is_number(v) for v in box):
            raise _bad("bbox phải là 4 (hoặc 6) số")
        x0, y0, x1, y1 = (box[0], box[1], box[3], box[4]) if len(box) == 6 else box
        return values.Geometry(_envelope(x0, y0, x1, y1))
    op = node.get("op")
    if isinstance(op, str) and op.lower().startswith("t_"):
        args = node.get("args")
        if not isinstance(args, list) or len(args) != 2:
            raise _bad(f"{op} cần đúng hai đối số")
        lhs, rhs = (walk_cql_json(_prepare_json(a, depth + 1)) for a in args)
        return _temporal_function(op, lhs, rhs)
    if op in ("s_dwithin", "accenti"):
        args = node.get("args")
        if not isinstance(args, list):
            raise _bad(f"{op} cần danh sách args")
        walked = [walk_cql_json(_prepare_json(a, depth + 1)) for a in args]
        if op == "accenti":
            if len(walked) != 1:
                raise _bad("accenti nhận đúng một đối số")
            return ast.Function("accenti", walked)
        if len(walked) not in (3, 4):
            raise _bad("s_dwithin cần: thuộc tính, hình học, khoảng cách[, đơn vị]")
        return ast.DistanceWithin(walked[0], walked[1], walked[2], walked[3] if len(walked) == 4 else "meters")
    return {k: _prepare_json(v, depth + 1) for k, v in node.items()}


def parse(text: str, lang: str | None) -> Any:
    """The pygeofilter AST of ``text`` in ``lang`` (cql2-text by default); 400 naming ``filter`` (or
    ``filter-lang``) when it is not one."""
    from pygeofilter.parsers.cql2_json.parser import walk_cql_json

    lang = lang or "cql2-text"
    if lang not in LANGS:
        raise BadParameter("filter-lang", f"Chỉ hỗ trợ {', '.join(LANGS)}", lang)
    if len(text) > MAX_FILTER_CHARS:
        raise _bad(f"Bộ lọc dài quá {MAX_FILTER_CHARS} ký tự")
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        raise _bad("Bộ lọc không được chứa ký tự điều khiển")
    try:
        if lang == "cql2-json":
            return walk_cql_json(_prepare_json(json.loads(text, parse_constant=_no_constant)))
        return _text_parser().parse(text)
    except BadParameter:
        raise
    except RecursionError as exc:
        raise _bad("Biểu thức lồng quá sâu") from exc
    except Exception as exc:  # noqa: BLE001 - lark, json and pygeofilter raise many kinds; all mean "not CQL2"
        raise _bad(f"Không phải {lang} hợp lệ: {_reason(exc)}") from exc


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} không phải số")


def _reason(exc: Exception) -> str:
    """The parser's complaint, short: where it stopped (lark), or the first line of the message."""
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if isinstance(line, int) and isinstance(column, int) and line > 0:
        return f"lỗi cú pháp ở dòng {line}, cột {column}"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:200]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _envelope(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    if not (x0 <= x1 and y0 <= y1):
        raise _bad("bbox phải là minx, miny, maxx, maxy với min ≤ max")
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# --- translation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SqlFilter:
    """A condition on the collection's rows and its bound parameters."""

    sql: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Period:
    """An operand of a temporal function: SQL of its first and last days (an instant's are the same),
    whether it is an interval, and whether a record's values may put its ends out of order."""

    first: str
    last: str
    interval: bool
    unordered: bool


# Scalar kinds an expression may have; "integer" properties count as numbers.
_CASTS = {"string": "text", "number": "float8", "boolean": "boolean", "date": "date"}


class _Translator:
    def __init__(
        self, collection: Collection, props: tuple[Prop, ...], crs: Crs, max_vertices: int, max_distance_m: float
    ) -> None:
        self.collection = collection
        self.props = {p.name: p for p in props}
        self.crs = crs
        self.max_vertices = max_vertices
        self.max_distance_m = max_distance_m
        self.params: dict[str, Any] = {}
        self.nodes = 0

    # Values are bound under names of our own making: f0, f1, …
    def bind(self, value: Any, cast: str | None = None) -> str:
        name = f"f{len(self.params)}"
        self.params[name] = value
        return f"CAST(:{name} AS {cast})" if cast else f":{name}"

    def _count(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _bad(f"Bộ lọc có quá nhiều phần (tối đa {MAX_NODES})")
        if depth > MAX_DEPTH:
            raise _bad(f"Biểu thức lồng quá sâu (tối đa {MAX_DEPTH} mức)")

    # -- scalar expressions: (SQL, kind) ---------------------------------------------------------

    def expr(self, node: Any, depth: int) -> tuple[str, str]:
        from pygeofilter import ast, values

        self._count(depth)
        if isinstance(node, ast.Attribute):
            return self.attribute(node.name)
        if isinstance(node, bool):
            return self.bind(node, "boolean"), "boolean"
        if isinstance(node, int | float):
            if not math.isfinite(node):
                raise _bad("Số phải hữu hạn")
            return self.bind(float(node), "float8"), "number"
        if isinstance(node, str):
            return self.bind(node, "text"), "string"
        if isinstance(node, datetime):
            moment = node if node.tzinfo is not None else node.replace(tzinfo=UTC)
            return self.bind(_vn_day(moment), "date"), "date"
        if isinstance(node, date):
            return self.bind(node, "date"), "date"
        if isinstance(node, values.Interval):
            raise _bad("INTERVAL(…) chỉ dùng trong các hàm thời gian T_…")
        if isinstance(node, values.Geometry):
            return self.geometry(node.geometry), "geometry"
        if isinstance(node, values.Envelope):
            xs, ys = sorted((node.x1, node.x2)), sorted((node.y1, node.y2))
            return self.geometry(_envelope(xs[0], ys[0], xs[1], ys[1])), "geometry"
        if isinstance(node, ast.Function):
            return self.function(node, depth)
        if isinstance(node, ast.Arithmetic):
            lhs, lk = self.expr(node.lhs, depth + 1)
            rhs, rk = self.expr(node.rhs, depth + 1)
            if lk != "number" or rk != "number":
                raise _bad("Phép tính chỉ dùng với số")
            if isinstance(node, ast.Div):
                return f"({lhs} / NULLIF({rhs}, 0))", "number"
            return f"({lhs} {node.op.value} {rhs})", "number"
        raise _bad(f"Không hỗ trợ biểu thức {type(node).__name__}")

    def attribute(self, name: str) -> tuple[str, str]:
        if name in GEOMETRY_NAMES:
            return self.collection.geometry_sql, "geometry"
        prop = self.props.get(name)
        if prop is None:
            known = ", ".join(["geometry", *self.props])
            raise _bad(f"Không có thuộc tính «{name}» để lọc; được lọc theo: {known}", name)
        kind = "number" if prop.type == "integer" else prop.type
        return prop.sql, kind

    def function(self, node: Any, depth: int) -> tuple[str, str]:
        name = str(node.name).lower()
        args = list(node.arguments)
        if name == "bbox":
            if len(args) not in (4, 6) or not all(_is_number(a) for a in args):
                raise _bad("BBOX cần 4 (hoặc 6) số: minx, miny, maxx, maxy")
            x0, y0, x1, y1 = (args[0], args[1], args[3], args[4]) if len(args) == 6 else args
            return self.geometry(_envelope(x0, y0, x1, y1)), "geometry"
        if name in ("lower", "casei", "accenti"):
            if len(args) != 1:
                raise _bad(f"{name} nhận đúng một đối số")
            sql, kind = self.expr(args[0], depth + 1)
            if kind != "string":
                raise _bad(f"{'casei' if name == 'lower' else name} chỉ dùng với chữ")
            return (f"lower({sql})" if name in ("lower", "casei") else f"f_unaccent({sql})"), "string"
        raise _bad(f"Không hỗ trợ hàm «{node.name}»; hỗ trợ: casei, accenti, bbox", str(node.name))

    def geometry(self, geometry: dict[str, Any]) -> str:
        """A geometry literal (GeoJSON, in the filter's CRS or its own EWKT SRID) as SQL in WGS 84,
        transformed once per statement (a scalar subquery), checked first."""
        from shapely.errors import ShapelyError
        from shapely.geometry import shape

        literal = dict(geometry)
        crs = self.crs
        named = literal.pop("crs", None)
        if named is not None:
            crs = crs_for(str(((named or {}).get("properties") or {}).get("name", "")), "filter")
        try:
            text = json.dumps(literal, allow_nan=False)
            shp = shape(literal)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, ShapelyError) as exc:
            raise _bad("Hình học trong bộ lọc không hợp lệ") from exc
        if shp.is_empty:
            raise _bad("Hình học trong bộ lọc rỗng")
        vertices = _vertices(shp)
        if vertices > self.max_vertices:
            raise _bad(f"Hình học trong bộ lọc có {vertices} đỉnh, tối đa {self.max_vertices}")
        if not shp.is_valid:
            raise _bad("Đa giác trong bộ lọc tự cắt hoặc không khép kín")
        x0, y0, x1, y1 = shp.bounds
        crs.check_point(x0, y0, "filter")
        crs.check_point(x1, y1, "filter")
        source = f"ST_Force2D(ST_GeomFromGeoJSON({self.bind(text, 'text')}))"
        if not crs.geographic and shp.geom_type in ("Polygon", "MultiPolygon", "LineString", "MultiLineString"):
            # Straight edges in metres bend in degrees: densify before transforming.
            step = max(x1 - x0, y1 - y0) / 32 or 1.0
            source = f"ST_Segmentize({source}, {self.bind(step, 'float8')})"
        sql, params = crs.to_wgs84(source, f"f{len(self.params)}_crs")
        self.params.update(params)
        return f"(SELECT {sql})"

    # -- predicates: SQL of a boolean -------------------------------------------------------------

    def predicate(self, node: Any, depth: int = 0) -> str:  # noqa: C901 - one branch per kind of node
        from pygeofilter import ast

        self._count(depth)
        d = depth + 1
        if isinstance(node, ast.And):
            return f"({self.predicate(node.lhs, d)} AND {self.predicate(node.rhs, d)})"
        if isinstance(node, ast.Or):
            return f"({self.predicate(node.lhs, d)} OR {self.predicate(node.rhs, d)})"
        if isinstance(node, ast.Not):
            return f"(NOT {self.predicate(node.sub_node, d)})"
        if isinstance(node, ast.Include):
            return "FALSE" if node.not_ else "TRUE"
        if isinstance(node, ast.Comparison):
            return self.comparison(node, d)
        if isinstance(node, ast.Like):
            return self.like(node, d)
        if isinstance(node, ast.Between):
            lhs, kind = self.expr(node.lhs, d)
            low, low_kind = self.expr(node.low, d)
            high, high_kind = self.expr(node.high, d)
            if kind not in ("number", "date") or {low_kind, high_kind} != {kind}:
                raise _bad("BETWEEN cần thuộc tính số hoặc ngày và hai giá trị cùng kiểu")
            return f"({lhs} {'NOT ' if node.not_ else ''}BETWEEN {low} AND {high})"
        if isinstance(node, ast.In):
            return self.in_list(node, d)
        if isinstance(node, ast.IsNull):
            lhs, _ = self.expr(node.lhs, d)
            return f"({lhs} IS {'NOT ' if node.not_ else ''}NULL)"
        if isinstance(node, ast.BBox):
            lhs, kind = self.expr(node.lhs, d)
            if kind != "geometry":
                raise _bad("BBOX cần thuộc tính hình học (geometry)")
            saved = self.crs
            if node.crs:
                self.crs = crs_for(str(node.crs), "filter")
            try:
                box = self.geometry(_envelope(node.minx, node.miny, node.maxx, node.maxy))
            finally:
                self.crs = saved
            return f"ST_Intersects({lhs}, {box})"
        if isinstance(node, ast.DistanceWithin):
            return self.dwithin(node, d)
        if isinstance(node, ast.SpatialComparisonPredicate):
            lhs, lk = self.expr(node.lhs, d)
            rhs, rk = self.expr(node.rhs, d)
            if lk != "geometry" or rk != "geometry":
                raise _bad(f"S_{node.op.value} cần hai hình học")
            return f"{_SPATIAL[node.op.value]}({lhs}, {rhs})"
        if isinstance(node, ast.ArrayPredicate):
            return self.array(node, d)
        if isinstance(node, ast.Function) and node.name in TEMPORAL_FUNCTIONS:
            return self.temporal(node.name, node.arguments, d)
        raise _bad(f"Không hỗ trợ {type(node).__name__}")

    def temporal(self, name: str, args: list[Any], depth: int) -> str:
        """A temporal function as comparisons of first and last days (TEMPORAL_FUNCTIONS)."""
        a, b = (self.period(name, arg, depth) for arg in args)
        if name in INTERVAL_ONLY and not (a.interval and b.interval):
            raise _bad(
                f"{name.upper()} chỉ dùng với hai khoảng thời gian INTERVAL(…) (CQL2); với một ngày dùng "
                "T_INTERSECTS, T_BEFORE, T_AFTER, T_EQUALS, T_DISJOINT, hoặc INTERVAL(ngày, ngày)",
                name.upper(),
            )
        relation = TEMPORAL_FUNCTIONS[name].format(a0=a.first, a1=a.last, b0=b.first, b1=b.last)
        # An interval that a record's values turn backwards (INTERVAL(valid_from, '2020-01-01') of a
        # zone valid from 2024) is no interval: unknown, as a null is, even under NOT.
        ordered = [f"{p.first} <= {p.last}" for p in (a, b) if p.unordered]
        if ordered:
            return f"(CASE WHEN {' AND '.join(ordered)} THEN {relation} END)"
        return f"({relation})"

    def period(self, name: str, node: Any, depth: int) -> _Period:
        """An operand of a temporal function: an instant (a date property or literal, one day) or an
        interval."""
        from pygeofilter import ast, values

        self._count(depth)
        if isinstance(node, values.Interval):
            first, first_is_value = self.interval_end(node.start, True, depth)
            last, last_is_value = self.interval_end(node.end, False, depth)
            # Literal ends were put in order when parsed; the validity's own by the table's constraint.
            validity = self.collection.temporal
            own = validity is not None and all(
                isinstance(e, ast.Attribute) and self.props[e.name].sql == column
                for e, column in ((node.start, validity.start), (node.end, validity.end))
            )
            return _Period(first, last, True, (first_is_value or last_is_value) and not own)
        if isinstance(node, ast.Attribute | date):  # a datetime is a date too
            sql, kind = self.expr(node, depth + 1)
            if kind == "date":
                return _Period(sql, sql, False, False)
            what = f"«{node.name}» là {_KIND_NAMES.get(kind, kind)}" if isinstance(node, ast.Attribute) else ""
            raise _bad(f"{name.upper()} cần thuộc tính ngày; {what}".rstrip("; "), getattr(node, "name", None))
        raise _bad(
            f"{name.upper()} cần ngày hoặc khoảng thời gian: thuộc tính ngày, DATE('…'), TIMESTAMP('…') hoặc "
            "INTERVAL(…, …)"
        )

    def interval_end(self, end: Any, first: bool, depth: int) -> tuple[str, bool]:
        """SQL of an INTERVAL's first or last day, and whether it is a record's value. '..' is open
        (∓infinity). The collection's validity (``Temporal(start, end)``) as the interval's own ends
        is open where null, and its end column (the first day no longer valid) is read as the day
        before; any other date property is its value, a null one unknown (the record matches no
        temporal function)."""
        from pygeofilter import ast

        open_end = "DATE '-infinity'" if first else "DATE 'infinity'"
        if end is None:
            return open_end, False
        if isinstance(end, ast.Attribute):
            sql, kind = self.attribute(end.name)
            if kind != "date":
                raise _bad(f"Đầu khoảng thời gian phải là thuộc tính ngày; «{end.name}» là "
                           f"{_KIND_NAMES.get(kind, kind)}", end.name)  # fmt: skip
            validity = self.collection.temporal
            if validity is not None and validity.end is not None:
                if first and sql == validity.start:
                    return f"coalesce({sql}, {open_end})", True
                if not first and sql == validity.end:
                    return f"coalesce({sql} - 1, {open_end})", True
            return sql, True
        sql, _ = self.expr(end, depth + 1)
        return sql, False

    def comparison(self, node: Any, depth: int) -> str:
        lhs, lk = self.expr(node.lhs, depth)
        rhs, rk = self.expr(node.rhs, depth)
        op = node.op.value
        if "array" in (lk, rk):
            if lk == rk or op not in ("=", "<>") or "string" not in (lk, rk):
                raise _bad("Thuộc tính danh sách chỉ so sánh = hoặc <> với một chữ (có chứa phần tử đó)")
            array, element = (lhs, rhs) if lk == "array" else (rhs, lhs)
            contains = f"({element} = ANY({array}))"
            return contains if op == "=" else f"(NOT coalesce({contains}, FALSE))"
        lhs, lk = self._date_text(lhs, lk, node.lhs, rk, depth)
        rhs, rk = self._date_text(rhs, rk, node.rhs, lk, depth)
        if lk != rk or lk == "geometry":
            raise _bad(f"Không so sánh được {_KIND_NAMES.get(lk, lk)} với {_KIND_NAMES.get(rk, rk)}")
        if lk == "boolean" and op not in ("=", "<>"):
            raise _bad("Giá trị đúng/sai chỉ so sánh = hoặc <>")
        return f"({lhs} {op} {rhs})"

    def _date_text(self, sql: str, kind: str, node: Any, other: str, depth: int) -> tuple[str, str]:
        """A text literal 'YYYY-MM-DD…' compared with a date reads as that date."""
        if kind == "string" and other == "date" and isinstance(node, str) and _DATE_TEXT.match(node):
            try:
                return self.bind(date.fromisoformat(node[:10]), "date"), "date"
            except ValueError as exc:
                raise _bad("Ngày không hợp lệ", node) from exc
        return sql, kind

    def like(self, node: Any, depth: int) -> str:
        from pygeofilter.parsers.cql2_json.parser import walk_cql_json

        lhs, kind = self.expr(node.lhs, depth)
        pattern_node = walk_cql_json(node.pattern) if isinstance(node.pattern, dict) else node.pattern
        pattern, pattern_kind = self.expr(pattern_node, depth)
        if pattern_kind != "string":
            raise _bad("Mẫu LIKE phải là chữ")
        operator = ("NOT " if node.not_ else "") + ("ILIKE" if node.nocase else "LIKE")
        if kind == "array":
            return f"({'NOT ' if node.not_ else ''}EXISTS (SELECT 1 FROM unnest({lhs}) e WHERE e LIKE {pattern}))"
        if kind != "string":
            raise _bad("LIKE chỉ dùng với thuộc tính chữ")
        return f"({lhs} {operator} {pattern})"

    def in_list(self, node: Any, depth: int) -> str:
        lhs, kind = self.expr(node.lhs, depth)
        options = list(node.sub_nodes)
        if not options or len(options) > MAX_LIST:
            raise _bad(f"IN cần từ 1 đến {MAX_LIST} giá trị")
        element = "string" if kind == "array" else kind
        if element not in _CASTS:
            raise _bad("IN chỉ dùng với chữ, số, ngày hoặc đúng/sai")
        items = []
        for option in options:
            sql, option_kind = self._date_text(*self.expr(option, depth + 1), option, element, depth)
            if option_kind != element:
                raise _bad(f"Các giá trị của IN phải là {_KIND_NAMES[element]}")
            items.append(sql)
        listed = ", ".join(items)
        if kind == "array":
            found = f"({lhs} && ARRAY[{listed}])"
            return f"(NOT coalesce({found}, FALSE))" if node.not_ else found
        return f"({lhs} {'NOT ' if node.not_ else ''}IN ({listed}))"

    def dwithin(self, node: Any, depth: int) -> str:
        lhs, lk = self.expr(node.lhs, depth)
        rhs, rk = self.expr(node.rhs, depth)
        if lk != "geometry" or rk != "geometry":
            raise _bad("S_DWITHIN cần hai hình học")
        factor = _METRES.get(str(node.units).lower())
        if factor is None:
            raise _bad("Đơn vị khoảng cách phải là meters hoặc kilometers", str(node.units))
        if not _is_number(node.distance) or node.distance < 0:
            raise _bad("Khoảng cách phải là số không âm")
        metres = float(node.distance) * factor
        if metres > self.max_distance_m:
            raise _bad(f"Khoảng cách tối đa {self.max_distance_m:g} m")
        distance = self.bind(metres, "float8")
        return f"ST_DWithin(CAST({lhs} AS geography), CAST({rhs} AS geography), {distance})"

    def array(self, node: Any, depth: int) -> str:
        lhs, kind = self.expr(node.lhs, depth)
        values = node.rhs
        if kind != "array" or not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise _bad("Toán tử A_… cần thuộc tính danh sách và một danh sách chữ")
        if len(values) > MAX_LIST:
            raise _bad(f"Danh sách tối đa {MAX_LIST} phần tử")
        rhs = self.bind(values, "text[]")
        return f"({lhs} {_ARRAY[node.op.value]} {rhs})"


_SPATIAL = {
    "INTERSECTS": "ST_Intersects",
    "DISJOINT": "ST_Disjoint",
    "CONTAINS": "ST_Contains",
    "WITHIN": "ST_Within",
    "TOUCHES": "ST_Touches",
    "CROSSES": "ST_Crosses",
    "OVERLAPS": "ST_Overlaps",
    "EQUALS": "ST_Equals",
}
_ARRAY = {"AEQUALS": "=", "ACONTAINS": "@>", "ACONTAINEDBY": "<@", "AOVERLAPS": "&&"}
_KIND_NAMES = {"string": "chữ", "number": "số", "boolean": "đúng/sai", "date": "ngày", "array": "danh sách",
               "geometry": "hình học"}  # fmt: skip


def _vertices(shp: Any) -> int:
    import shapely

    return int(shapely.get_num_coordinates(shp))


def to_sql(
    node: Any,
    *,
    collection: Collection,
    props: tuple[Prop, ...],
    crs: Crs,
    max_vertices: int,
    max_distance_m: float,
) -> SqlFilter:
    """SQL of the filter ``node`` over the rows of ``collection``: only ``props`` (the caller's
    queryables) and ``geometry`` may be named; geometries are in ``crs`` (``filter-crs``)."""
    t = _Translator(collection, props, crs, max_vertices, max_distance_m)
    try:
        sql = t.predicate(node)
    except RecursionError as exc:
        raise _bad("Biểu thức lồng quá sâu") from exc
    return SqlFilter(sql, t.params)


Translate = Callable[..., SqlFilter]
