"""What a route answers about one record: its body with the version as ETag, created, deleted.

The helpers set headers on the ``Response`` FastAPI injects and hand the body back, rather than
building a ``JSONResponse`` themselves: the body then still goes through the route's return type
(the same JSON encoding and the same OpenAPI schema as before), and the status of a creation stays
declared on the route (``status_code=201``) where the schema reads it.

The ETag is the strong tag of ``registry.versions.etag`` (``"3"``): the value a client sends back in
If-Match, parsed once by ``api.deps.IfMatch``.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import Response, status

from registry.versions import Versioned, etag

Body = TypeVar("Body")


def versioned(response: Response, body: Body, record: Versioned) -> Body:
    """The body of one record, answered with its version as ETag."""
    response.headers["ETag"] = etag(record)
    return body


def created(response: Response, body: Body, *, location: str, record: Versioned | None = None) -> Body:
    """The body of a new record (201 on the route): where it lives, and its version when it has one."""
    response.headers["Location"] = location
    if record is not None:
        response.headers["ETag"] = etag(record)
    return body


def deleted() -> Response:
    """204 No Content: the record is gone."""
    return Response(status_code=status.HTTP_204_NO_CONTENT)
