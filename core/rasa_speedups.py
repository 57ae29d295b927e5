"""Cheaper versions of steps Rasa 3.6 repeats on every turn, same behaviour
(and, installed with them, the apology of :mod:`core.outage`).

Installed once in the Rasa server process by the tracker store (the one
project class Rasa's server always loads); idempotent.

* Rasa validates every action-server response with ``jsonschema.validate``,
  which first checks the *schema* against the JSON-Schema meta-schema, every
  time. The schema is a constant, so it is checked once here and the compiled
  validator reused; a response that does not match still raises the same
  ``ValidationError`` with Rasa's hint appended. (Profiled: with jsonschema 4.x
  this step was over half of Rasa's CPU per turn; with 3.2 still about 8%.)
* Rasa opens a new ``aiohttp.ClientSession`` (and so a new TCP connection) for
  every call to the action server, twice or more per turn (about 8% of its
  CPU, and a new connection for the action server to accept each time). Here
  ``EndpointConfig.session()`` lends one session per event loop and endpoint
  settings, kept alive and reused; same headers, auth and timeout as Rasa's.
* Reading a conversation back, Rasa finds each event's class by walking every
  ``Event`` subclass (about 8% of its CPU per turn); here the answer for each
  type name is remembered once found.
* The RulePolicy's rule lookups are remembered (:mod:`core.policy_speedups`),
  and a conversation's featurised past states are replayed only for new
  events (:mod:`core.tracker_states`).
"""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from typing import Any, Dict, Optional, Text, Tuple

from core.outage import apologising, loud_fail_safe

_installed = False
_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Rasa's ``RemoteAction._validate_action_result`` with the schema compiled once."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_event_classes: Dict[Text, Any] = {}


def _resolve_event_type(type_name: Text, default: Any = None) -> Any:
    """Rasa's ``Event.resolve_by_type`` through a cache of what it found.

    Rasa walks every subclass of ``Event`` (and asks each whether it is
    abstract) for every event it reads back from the tracker store, on every
    turn; the answer for a type name does not change once found. A name not in
    the cache takes Rasa's own path (so late-imported events and its errors
    and defaults stay as they were)."""
    found = _event_classes.get(type_name)
    if found is not None:
        return found
    found = _original_resolve_by_type(type_name, default)
    if found is not None and found is not default:
        _event_classes[type_name] = found
    return found


_original_resolve_by_type: Any = None


_SessionKey = Tuple[Any, ...]
_shared_sessions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Dict[_SessionKey, Any]]" = (
    weakref.WeakKeyDictionary()
)


class _BorrowedSession:
    """``async with`` yields a shared, open session and leaves it open afterwards."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_exc: object) -> Optional[bool]:
        return None


def _shared_session(self: Any) -> _BorrowedSession:
    """``EndpointConfig.session`` that reuses one session per running loop and endpoint settings."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    auth = self.basic_auth or {}
    key = (
        tuple(sorted((self.headers or {}).items())),
        auth.get("username"),
        auth.get("password"),
    )
    sessions = _shared_sessions.setdefault(loop, {})
    session = sessions.get(key)
    if session is None or session.closed:
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if self.basic_auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
        sessions[key] = session
    return _BorrowedSession(session)


def install_rasa_speedups() -> None:
    """Patch Rasa's per-turn hot spots listed in the module docstring (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        from rasa.core.actions.action import RemoteAction
        from rasa.shared.core.events import Event
        from rasa.utils.endpoints import EndpointConfig

        global _original_resolve_by_type
        _original_resolve_by_type = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(_resolve_event_type)  # type: ignore[method-assign,assignment]
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        EndpointConfig.session = _shared_session  # type: ignore[method-assign,assignment]
        from core.policy_speedups import install_policy_speedups
        from core.tracker_states import install_tracker_states

        install_policy_speedups()
        install_tracker_states()
        # Not speed-ups: an unreachable action server answers with an apology, not
        # silence; a database that cannot store a turn fails the turn, loudly.
        RemoteAction.run = apologising(RemoteAction.run)  # type: ignore[method-assign]
        from rasa.core.tracker_store import FailSafeTrackerStore

        loud_fail_safe(FailSafeTrackerStore)
        _installed = True
