"""What the REST channel refuses before Rasa sees it (channels.rest.body_problem)."""

import pytest

from channels.rest import MAX_METADATA_BYTES, body_problem


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "web-3f2aQ_x-1", "message": "안녕하세요"},
        {"sender": "telegram:12345", "message": "", "metadata": {"language_hint": "ko"}},
        {"sender": "bench-0a1b2c3d4e5f", "message": "x" * 4000, "metadata": {"a": {"b": [1, 2]}}},
    ],
)
def test_ordinary_bodies_pass(body: dict) -> None:
    assert body_problem(body) is None


@pytest.mark.parametrize(
    "body, status",
    [
        ([1, 2], 400),
        ({"message": "hi"}, 400),
        ({"sender": True, "message": "hi"}, 400),
        ({"sender": 123, "message": "hi"}, 400),
        ({"sender": "", "message": "hi"}, 400),
        ({"sender": "a b", "message": "hi"}, 400),
        ({"sender": "x" * 129, "message": "hi"}, 400),
        ({"sender": "x", "message": None}, 400),
        ({"sender": "x", "message": "\ud800"}, 400),
        ({"sender": "x", "message": "x" * 4001}, 413),
        ({"sender": "x", "message": "hi", "metadata": "text"}, 400),
        ({"sender": "x", "message": "hi", "metadata": {"a": {"b": {"c": {"d": {"e": 1}}}}}}, 400),
        ({"sender": "x", "message": "hi", "metadata": {"blob": "가" * MAX_METADATA_BYTES}}, 413),
    ],
)
def test_bad_bodies_are_refused_with_a_status(body: object, status: int) -> None:
    problem = body_problem(body)
    assert problem is not None and problem[0] == status and problem[1]
