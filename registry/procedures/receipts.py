"""Receipt codes (mã biên nhận / mã hồ sơ): printed on the receipt, the key of the public lookup.

``BC-190315-K7Q2M-9XHDA``: the field's prefix, the day of receipt (yymmdd) and ten characters of
Crockford's base 32 drawn with ``secrets`` — 50 bits, so that a code cannot be guessed from another
one (the public lookup is also rate-limited). The alphabet has no I, L, O or U; a code typed with
them, or in lower case, is read as meant.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
RANDOM_CHARS = 10  # 10 × 5 = 50 bits of entropy
PATTERN = re.compile(r"^[A-Z]{2}-\d{6}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")
# What a lookup accepts: our codes and the legacy system's (letters, digits, . _ -).
LOOKUP_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code(prefix: str, received_on: date, randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    tail = "".join(ALPHABET[randbelow(32)] for _ in range(RANDOM_CHARS))
    return f"{prefix}-{received_on:%y%m%d}-{tail[:5]}-{tail[5:]}"


def normalise(code: str) -> str:
    """A code as typed into its stored form: trimmed, upper case; in our own format, typos of the
    alphabet (O for 0, I or L for 1) corrected."""
    code = code.strip().upper()
    parts = code.split("-")
    if len(parts) == 4 and len(parts[0]) == 2 and len(parts[2]) == len(parts[3]) == 5:
        candidate = "-".join([parts[0], *(part.translate(_TYPOS) for part in parts[1:])])
        if PATTERN.match(candidate):
            return candidate
    return code
