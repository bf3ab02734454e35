"""What the JSON API's routes answer, as Pydantic models: one module per area, named after the route
module (api/stations.py → api/bodies/stations.py), each route naming its model in ``response_model=``.

The routes build their bodies as dicts (the views in registry/<area>/views.py, shared with the pages);
the models describe them for the OpenAPI document and check them on the way out. Two rules keep a model
from changing what a route sends:

- a field the route left out stays out (``Body``'s serializer): a public body lacks the staff fields,
  and a model saying those fields are optional must not add them as null;
- a member the model does not name is still sent (``extra="allow"``), so a new field in a view is
  never silently dropped; tests/api/test_openapi_conformance.py checks the named ones.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer


class Body(BaseModel):
    """A JSON body as a route sends it (see the module's docstring)."""

    model_config = ConfigDict(extra="allow")

    @model_serializer(mode="wrap")
    def _as_sent(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # No return annotation: with one, the document would describe the model as a bare dict.
        data = handler(self)
        if not isinstance(data, dict):
            return data
        sent = self.model_fields_set | set(self.model_extra or {})
        aliases = {f.alias: name for name, f in type(self).model_fields.items() if f.alias}
        return {k: v for k, v in data.items() if aliases.get(k, k) in sent}


class Change(BaseModel):
    """Một trường của sự kiện nhật ký: giá trị trước và sau (JSON như đã ghi; null khi không có)."""

    before: Any = None
    after: Any = None
