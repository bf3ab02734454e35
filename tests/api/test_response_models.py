"""The response models (api/bodies) describe answers; a mismatch is the document's mistake, never a 500."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from api.bodies import Body
from registry.settings import get_settings


class _Answer(Body):
    count: int
    name: str | None = None


def test_a_mismatch_fails_under_strict_responses_as_in_the_tests() -> None:
    assert get_settings().strict_responses, "tests/conftest.py turns strict answers on"
    with pytest.raises(ValidationError):
        _Answer.model_validate({"count": None})


def test_otherwise_the_answer_is_sent_as_built_and_the_mismatch_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(get_settings(), "strict_responses", False)
    with caplog.at_level(logging.WARNING, logger="tttt.api"):
        answer = _Answer.model_validate({"count": "many", "extra": [1, 2]})
    assert answer.model_dump(mode="json") == {"count": "many", "extra": [1, 2]}
    assert "_Answer" in caplog.text
    good = _Answer.model_validate({"count": 3})
    assert good.model_dump(mode="json") == {"count": 3}, "a field the route left out stays out"
