"""Parse coordinate text as typed into Vietnamese spreadsheets.

Numbers: Vietnamese writes a decimal comma ("105,6823") and groups thousands with dots or spaces
("2.312.345,67", "1 234 567,89"); English-style files use the opposite. A single separator is always
read as the decimal separator ("1.234" is 1.234, "105,682" is 105.682) because decimal degrees are
far more common here than numbers with exactly one thousands group.

Angles: decimal degrees or degrees-minutes-seconds ("20°51'36\"N", "20 51 36.5", "20-51-36",
"20d51m36s", "20°51.6'"). Hemisphere letters:

* N / B / "Bắc" = north, S / "Nam" = south, E / Đ / "Đông" = east, W / T / "Tây" = west.
* "N" is ambiguous (English North, Vietnamese Nam = south). It is read as NORTH: all of Vietnam is
  north of the equator, and Vietnamese DMS in practice uses English letters ("N"/"E") or the
  labels "VĐ"/"KĐ" (vĩ độ/kinh độ), which are accepted as labels. The word "Nam" means south.
* In the letter style "20d51m36s" the final "s" marks seconds, not south.

Nothing here guesses: anything doubtful raises CoordinateParseError with a Vietnamese message.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Literal

AngleKind = Literal["lat", "lon"]


class CoordinateParseError(ValueError):
    """Text that is not a usable number or angle; ``str(error)`` is Vietnamese for the user."""

    def __init__(self, message: str, text: object) -> None:
        super().__init__(message)
        self.text = text


# Spaces seen in spreadsheet exports: ordinary, no-break, narrow no-break, thin.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " "})
_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})  # Unicode minus and en dash as a sign

# re.ASCII: \d must not accept other scripts' digits, which float() would silently read.
# A plain number with no spaces, sign only in front and a decimal point: float() reads it as is.
_SIMPLE = re.compile(r"[-+]?\d+(?:\.\d+)?", re.ASCII)
_PLAIN = re.compile(r"\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
_GROUPED = (  # (pattern, thousands separator, decimal separator)
    (re.compile(r"\d{1,3}(?: \d{3})+(?:[.,]\d+)?", re.ASCII), " ", None),
    (re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", re.ASCII), ".", ","),
    (re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII), ",", "."),
)


def _clean(text: str) -> str:
    return " ".join(text.translate(_SPACES).translate(_SIGNS).split())


def _number_error(text: object) -> CoordinateParseError:
    return CoordinateParseError(f"Không đọc được số từ “{text}”.", text)


def _finite(value: float, text: object) -> float:
    if not math.isfinite(value):
        raise CoordinateParseError(f"“{text}” không phải là một số hữu hạn.", text)
    return value


def parse_number(text: str | int | float) -> float:
    """Read a number written with decimal comma/dot and optional thousands separators."""
    if isinstance(text, bool):
        raise _number_error(text)
    if isinstance(text, int | float):
        try:
            return _finite(float(text), text)
        except OverflowError:  # ints beyond float range
            raise _number_error(text) from None
    if not isinstance(text, str):
        raise _number_error(text)
    if _SIMPLE.fullmatch(text):  # the common case, read as the general path below would read it
        return _finite(float(text), text)
    body = _clean(text)
    sign = -1.0 if body.startswith("-") else 1.0
    if body.startswith(("-", "+")):
        body = body[1:].lstrip()
    if _PLAIN.fullmatch(body):
        return _finite(sign * float(body.replace(",", ".")), text)
    for pattern, thousands, decimal in _GROUPED:
        if pattern.fullmatch(body):
            digits = body.replace(thousands, "")
            if decimal is not None:
                digits = digits.replace(decimal, ".")
            return _finite(sign * float(digits.replace(",", ".")), text)
    raise _number_error(text)


_NUM = r"\d+(?:[.,]\d+)?"
_DMS = re.compile(
    rf"(?P<deg>{_NUM})\s*(?P<dm>°|DEG|D)?"
    rf"(?:[\s:\-]*(?P<min>{_NUM})\s*(?P<mm>'|MIN|M)?"
    rf"(?:[\s:\-]*(?P<sec>{_NUM})\s*(?P<sm>\"|''|SEC|S)?)?)?",
    re.ASCII,
)
# Vietnamese words are also accepted without diacritics (BAC, DONG, TAY), as typed on many PCs.
_HEMISPHERES: dict[str, str] = {
    "N": "N", "B": "N", "BẮC": "N", "BAC": "N", "NAM": "S", "S": "S",
    "E": "E", "Đ": "E", "ĐÔNG": "E", "DONG": "E", "W": "W", "T": "W", "TÂY": "W", "TAY": "W",
}  # fmt: skip
_HEMI_WORDS = "|".join(sorted(_HEMISPHERES, key=len, reverse=True))
_PREFIX_HEMI = re.compile(rf"^({_HEMI_WORDS})(?![A-ZÀ-Ỹ])\s*")
_SUFFIX_HEMI = re.compile(rf"\s*(?<![A-ZÀ-Ỹ])({_HEMI_WORDS})$")
_LABEL = re.compile(r"^(VĐ|VĨ ĐỘ|KĐ|KINH ĐỘ)\s*:?\s*")
_LABEL_KIND: dict[str, AngleKind] = {"VĐ": "lat", "VĨ ĐỘ": "lat", "KĐ": "lon", "KINH ĐỘ": "lon"}
_KIND_NAME: dict[AngleKind, str] = {"lat": "vĩ độ", "lon": "kinh độ"}
_LIMIT: dict[AngleKind, float] = {"lat": 90.0, "lon": 180.0}


# Spreadsheets and fonts replace ASCII quotes with typographic primes and quotes.
_MARKS = str.maketrans(
    {"′": "'", "’": "'", "‘": "'", "`": "'", "´": "'", "″": '"', "“": '"', "”": '"', "º": "°", "˚": "°"}
)


def _normalise_angle_text(text: str) -> str:
    # NFC: text pasted from some sources uses combining diacritics ("Đông" as D-stroke + O + U+0302).
    return unicodedata.normalize("NFC", _clean(text)).translate(_MARKS).upper()


def _swapped_error(text: str, kind: AngleKind, found: str) -> CoordinateParseError:
    other = "lon" if kind == "lat" else "lat"
    return CoordinateParseError(
        f"“{text}” mang ký hiệu {found} của {_KIND_NAME[other]} nhưng được nhập vào ô "
        f"{_KIND_NAME[kind]}: có vẻ vĩ độ và kinh độ bị đổi chỗ.",
        text,
    )


def _dms_value(body: str, text: str) -> float | None:
    match = _DMS.fullmatch(body)
    if match is None:
        return None
    deg, minutes, seconds = match["deg"], match["min"], match["sec"]
    # The letter "S" marks seconds only in the all-letter style 20D51M36S; "20 51 36 S" is south.
    if match["sm"] == "S" and match["mm"] not in ("M", "MIN"):
        return None
    # Adjacent digits ("2051") must not be split into degrees and minutes.
    if minutes is not None and match.start("min") == match.end("deg"):
        return None
    if seconds is not None and match.start("sec") == match.end("min"):
        return None
    if (minutes is not None and not deg.isdigit()) or (seconds is not None and not minutes.isdigit()):
        raise CoordinateParseError(f"Chỉ thành phần cuối cùng của “{text}” được có phần thập phân.", text)
    value = float(deg.replace(",", "."))
    for part, name, divisor in ((minutes, "Phút", 60.0), (seconds, "Giây", 3600.0)):
        if part is not None:
            amount = float(part.replace(",", "."))
            if amount >= 60.0:
                raise CoordinateParseError(f"{name} phải nhỏ hơn 60 trong “{text}”.", text)
            value += amount / divisor
    return value


def _first_reading(body: str, text: str) -> tuple[str | None, bool, float] | None:
    """(hemisphere, negative sign, unsigned value) of the first split of ``body`` that parses.

    The hemisphere-free reading goes first so that the trailing S of "20D51M36S" stays a seconds
    marker; "20 51 36 S" does not parse that way and falls through to the south reading.
    """
    readings: list[tuple[str | None, str]] = [(None, body)]
    if (prefix := _PREFIX_HEMI.match(body)) is not None:
        readings.append((_HEMISPHERES[prefix[1]], body[prefix.end() :].strip()))
    if (suffix := _SUFFIX_HEMI.search(body)) is not None:
        readings.append((_HEMISPHERES[suffix[1]], body[: suffix.start()].strip()))
    for hemisphere, rest in readings:
        negative = rest.startswith("-")
        unsigned = rest[1:].lstrip() if rest.startswith(("-", "+")) else rest
        value = _dms_value(unsigned, text)
        if value is not None:
            return hemisphere, negative, value
    return None


def parse_angle(text: str | int | float, kind: AngleKind) -> float:
    """Read a latitude (``kind='lat'``) or longitude (``kind='lon'``) in signed decimal degrees."""
    if kind not in _LIMIT:
        raise ValueError(f"kind must be 'lat' or 'lon', got {kind!r}")
    if not isinstance(text, str):
        return _in_range(parse_number(text), kind, text)
    body = _normalise_angle_text(text)
    if (label := _LABEL.match(body)) is not None:
        if _LABEL_KIND[label[1]] != kind:
            raise _swapped_error(text, kind, label[1])
        body = body[label.end() :]
    reading = _first_reading(body, text)
    if reading is None:
        raise CoordinateParseError(
            f"Không đọc được {_KIND_NAME[kind]} từ “{text}”; ví dụ hợp lệ: 20,86 hoặc 20°51'36\"N.", text
        )
    hemisphere, negative, value = reading
    if hemisphere is not None:
        if (hemisphere in "NS") != (kind == "lat"):
            raise _swapped_error(text, kind, hemisphere)
        if negative:
            raise CoordinateParseError(f"“{text}” vừa có dấu âm vừa có ký hiệu hướng.", text)
        negative = hemisphere in "SW"
    return _in_range(-value if negative else value, kind, text)


def _in_range(value: float, kind: AngleKind, text: object) -> float:
    if abs(value) > _LIMIT[kind]:
        limit = _LIMIT[kind]
        raise CoordinateParseError(
            f"{_KIND_NAME[kind].capitalize()} phải nằm trong khoảng −{limit:g} đến {limit:g} (“{text}”).",
            text,
        )
    return value
