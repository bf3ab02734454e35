"""What the JSON API's routes answer, as Pydantic models: one module per area, named after the route
module (api/stations.py → api/bodies/stations.py), each route naming its model in ``response_model=``.

The routes build their bodies as dicts (the views in registry/<area>/views.py, shared with the pages);
the models describe them for the OpenAPI document and check them on the way out. Two rules keep a model
from changing what a route sends:

- a field the route left out stays out (``Body``'s serializer): a public body lacks the staff fields,
  and a model saying those fields are optional must not add them as null;
- a member the model does not name is still sent (``extra="allow"``), so a new field in a view is
  never silently dropped; tests/api/test_openapi_conformance.py checks the named ones.

A body that does not match its model is a mistake in the document, not the user's: it is sent as the
route built it and the mismatch logged (never a 500), except under ``TTTT_STRICT_RESPONSES`` (the
tests), where it fails so that the document is corrected.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from registry.settings import get_settings

log = logging.getLogger("tttt.api")


class Body(BaseModel):
    """A JSON body as a route sends it (see the module's docstring)."""

    model_config = ConfigDict(extra="allow")
    _as_built_data: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _as_built(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            if get_settings().strict_responses or not isinstance(data, dict):
                raise
            log.warning("An answer does not match its documented model %s: %s", cls.__name__, exc)
            body = cls.model_construct()
            body._as_built_data = data
            return body

    @model_serializer(mode="wrap")
    def _as_sent(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # No return annotation: with one, the document would describe the model as a bare dict.
        # ``self`` is None for a field left at its default of None whose type is a model.
        as_built = (getattr(self, "__pydantic_private__", None) or {}).get("_as_built_data")
        if as_built is not None:
            return as_built
        data = handler(self)
        if not isinstance(data, dict):
            return data
        sent = self.model_fields_set | set(self.model_extra or {})
        aliases = {f.alias: name for name, f in type(self).model_fields.items() if f.alias}
        return {k: v for k, v in data.items() if aliases.get(k, k) in sent}


class Change(BaseModel):
    """Một trường của sự kiện nhật ký: giá trị trước và sau (JSON như đã ghi; null khi không có)."""

    # Free-form on purpose: the recorded JSON value of whichever column changed (text, number, list…).
    before: Any = None
    after: Any = None
