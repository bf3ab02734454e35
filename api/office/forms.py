"""Back-office forms: a posted form into the API's own input model, and refusals back onto the form.

Field names are the API's: nested fields are dotted (``position.lon``, ``sectors.0.azimuth_deg``), a
list field repeats its name (``technologies`` once per ticked box). The same pydantic model and the same
service check the input as for the API, so a page can accept nothing the API would refuse; the errors
come back in the API's Vietnamese words (``api.errors.message_for``), keyed by the same field names, and
are drawn the GOV.UK way: a summary at the top linking to each field, and each message by its field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import FormData, UploadFile

from api.csrf import FIELD as CSRF_FIELD
from api.errors import message_for
from registry.errors import RegistryError, StaleVersion, ValidationFailed, VersionRequired

M = TypeVar("M", bound=BaseModel)
# Fields of a form that are not the record's: the CSRF token, the version the edit started from,
# and the buttons.
CONTROL_FIELDS = frozenset({CSRF_FIELD, "version", "action", "confirm"})


# The fields every licence and permit shares (registry.validity.ValidityFields), as forms label them.
VALIDITY_LABELS = {
    "issuer": "Cơ quan cấp",
    "issue_date": "Ngày cấp",
    "valid_from": "Hiệu lực từ",
    "valid_until": "Hiệu lực đến hết ngày",
    "conditions": "Điều kiện",
    "suspended_from": "Đình chỉ từ",
    "suspended_until": "Đình chỉ đến hết ngày",
    "revoked_on": "Thu hồi ngày",
    "status_reason": "Lý do đình chỉ / thu hồi",
    "notes": "Ghi chú",
}
VALIDITY_DATES = ("issue_date", "valid_from", "valid_until", "suspended_from", "suspended_until", "revoked_on")


@dataclass
class Form:
    """What a form shows: the values as typed (text), the errors by field, and the labels of the
    fields (the error summary names them)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # refusals that name no field

    def value(self, name: str, default: Any = "") -> Any:
        v = self.values.get(name, default)
        return default if v is None else v

    def many(self, name: str) -> list[str]:
        v = self.values.get(name)
        return [str(x) for x in v] if isinstance(v, list | tuple) else ([] if v in (None, "") else [str(v)])

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the error summary, in the order the fields were labelled."""
        order = {name: i for i, name in enumerate(self.labels)}
        rows = sorted(self.errors.items(), key=lambda kv: order.get(kv[0], len(order)))
        return [(name, self.labels.get(name, name), message) for name, message in rows]

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.general)

    def refuse(self, error: Exception) -> None:
        """Put a validation or registry error onto the form (fields it names, or the general list)."""
        if isinstance(error, ValidationError):
            for e in error.errors():
                self._add(".".join(str(p) for p in e.get("loc", ())), message_for(e))
        elif isinstance(error, ValidationFailed):
            for fe in error.errors:
                self._add(fe.field or "", fe.message)
            if not error.errors:
                self.general.append(error.detail)
        elif isinstance(error, RegistryError):
            name = error.extra.get("field")
            errors = error.extra.get("errors") or []
            if errors:
                for e in errors:
                    self._add(str(e.get("field") or ""), str(e.get("message")))
            elif isinstance(name, str):
                self._add(name, error.detail)
            else:
                self.general.append(error.detail)
        else:  # pragma: no cover - callers pass only the two kinds above
            raise error

    def _add(self, name: str, message: str) -> None:
        name = self._field_for(name)
        if not name:
            self.general.append(message)
            return
        self.errors[name] = f"{self.errors[name]}; {message}" if name in self.errors else message

    def _field_for(self, name: str) -> str:
        """The form field an error is about: itself, or for a whole object (``position``) its first
        labelled part, so the summary's link lands on something that can be fixed."""
        if not name or name in self.labels:
            return name
        for label in self.labels:
            if label.startswith(name + "."):
                return label
        parent = name.rsplit(".", 1)[0] if "." in name else ""
        return parent if parent in self.labels else name


def form_values(form: FormData, *, lists: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The posted fields as typed (text; ``lists`` as lists), control fields and files left out."""
    out: dict[str, Any] = {}
    for key in dict.fromkeys(form.keys()):  # each name once, in the order posted
        if key in CONTROL_FIELDS:
            continue
        values = [v.strip() for v in form.getlist(key) if isinstance(v, str)]
        if key in lists:
            out[key] = [v for v in values if v]
        elif values:
            out[key] = values[-1]
    return out


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"position.lon": "1"}`` → ``{"position": {"lon": "1"}}``; a numeric part makes a list."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
    return {k: _lists(v) for k, v in root.items()}


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        if value and all(k.isdigit() for k in value):
            return [_lists(value[k]) for k in sorted(value, key=int) if _filled(value[k])]
        return {k: _lists(v) for k, v in value.items()}
    return value


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    return value not in (None, "", [])


def _prune(value: Any) -> Any:
    """Blank text means "not given": dropped, so the model's default (or its "required") applies."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if _filled(v) or isinstance(v, list)}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def to_model(model: type[M], values: Mapping[str, Any], *, clear: frozenset[str] = frozenset()) -> M:
    """The API's input model from the form's values. Blank fields are left out, except those in
    ``clear``: an edit that empties a field sends it as null (a PATCH that clears it)."""
    data = _prune(_nest(values))
    for name in clear:
        if name not in data:
            data[name] = None
    return model.model_validate(data)


def changed(values: Mapping[str, Any], original: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields an edit changed (compared as typed text), so a PATCH touches nothing else and
    a role allowed to change some fields only is not refused for the ones it left alone."""
    out = {}
    for key, value in values.items():
        before = original.get(key)
        norm = sorted(value) if isinstance(value, list) else (value or "")
        if isinstance(before, list | tuple):
            was: Any = sorted(str(v) for v in before)
        else:
            was = "" if before is None else str(before)
        if norm != was:
            out[key] = value
    return out


@contextmanager
def attempt(session: Session, form: Form) -> Iterator[None]:
    """Run a change in a savepoint: a refusal (invalid input, a registry rule) is rolled back to
    where it started and written onto ``form``, so the request's transaction commits nothing of it.
    A stale version is not caught: it is a conflict page, not a field error (see ``stale``)."""
    savepoint = session.begin_nested()
    try:
        yield
        savepoint.commit()
    except (ValidationError, RegistryError) as exc:
        savepoint.rollback()
        if isinstance(exc, StaleVersion | VersionRequired):
            raise
        form.refuse(exc)
    except StaleDataError:
        savepoint.rollback()
        raise


def uploaded(form: FormData, name: str = "file") -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


def posted_version(form: FormData) -> int | None:
    """The version an edit form was opened at (its hidden ``version`` field); None when absent or bad
    (the service then refuses the change as it refuses an API change without If-Match)."""
    raw = form.get("version")
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 10 else None
