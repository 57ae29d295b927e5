"""Bilingual replies that only actions send, kept out of the Rasa domain.

``rasa data validate`` warns about every domain response that no rule or story
uses, and replies chosen by an action (a status, a validation hint, a
catalogue answer) are never in a rule. They live in ``bot/responses/*.yml``
instead, in the same format as domain responses (variations conditioned on the
``language`` slot), and :func:`utter` sends them with the same ``{name}``
formatting Rasa applies: slot values, overridden by the keyword arguments.
The files are re-read when they change, so a wording fix needs no restart.
A changed folder that does not read as a whole (a YAML error, a half-saved
file, a response without its Korean or English text, a name defined twice) is
refused with a log line naming the file, and the last good responses stay in
use; at start-up, with nothing good to fall back on, it raises.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.particles import attach_particles

logger = logging.getLogger(__name__)

RESPONSES_DIR = Path(__file__).resolve().parent.parent / "bot" / "responses"
DEFAULT_LANGUAGE = "ko"

Variation = Dict[str, Any]

_lock = threading.Lock()
_cache: Dict[str, Any] = {"stamp": None, "responses": {}, "refused": None}
LANGUAGES = ("ko", "en")


class ResponseFileError(ValueError):
    """A responses file that cannot be used; the message names the file."""


# Keys of a dispatched message that values must not overwrite.
_RESERVED = frozenset(
    {"text", "buttons", "image", "json_message", "template", "response", "attachment", "elements", "utter_action"}
)


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _stamp(folder: Path) -> Tuple[Tuple[str, float], ...]:
    return tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*.yml")))


def _languages(variation: Variation) -> set:
    return {c.get("value") for c in variation.get("condition") or [] if c.get("name") == "language"}


def _check_response(path: Path, name: str, variations: Any) -> None:
    if not isinstance(variations, list) or not variations:
        raise ResponseFileError(f"{path.name}: response {name!r} has no variations")
    covered: set = set()
    for variation in variations:
        if not isinstance(variation, dict) or not isinstance(variation.get("text"), str) or not variation["text"]:
            raise ResponseFileError(f"{path.name}: response {name!r} has a variation without text")
        covered |= _languages(variation)
    if covered and not set(LANGUAGES) <= covered:
        raise ResponseFileError(f"{path.name}: response {name!r} lacks {sorted(set(LANGUAGES) - covered)}")


def read_responses(folder: Path) -> Dict[str, List[Variation]]:
    """Every response in ``folder``, read and checked as a whole.

    Raises :class:`ResponseFileError` naming the file when one does not parse,
    a response lacks text or one of the two languages, or a name is defined twice.
    """
    responses: Dict[str, List[Variation]] = {}
    for path in sorted(folder.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise ResponseFileError(f"{path.name}: not valid YAML ({type(error).__name__})") from error
        if not isinstance(data, dict) or not isinstance(data.get("responses") or {}, dict):
            raise ResponseFileError(f"{path.name}: expected a mapping with 'responses'")
        for name, variations in (data.get("responses") or {}).items():
            if name in responses:
                raise ResponseFileError(f"{path.name}: response {name!r} is defined twice")
            _check_response(path, name, variations)
            responses[name] = variations
    return responses


def load_responses(folder: Path = RESPONSES_DIR) -> Dict[str, List[Variation]]:
    """Every response in ``folder``; re-read only when a file changed.

    A change that :func:`read_responses` refuses is logged once and the last
    good responses are returned; with none yet, :class:`ResponseFileError` is raised.
    """
    stamp = (str(folder), _stamp(folder))
    with _lock:
        if _cache["stamp"] == stamp or (_cache["refused"] == stamp and _cache["stamp"] is not None):
            return _cache["responses"]
        try:
            responses = read_responses(folder)
        except ResponseFileError as error:
            if _cache["stamp"] is None or _cache["stamp"][0] != str(folder):
                raise
            logger.error("bot responses not reloaded, the last good ones stay in use: %s", error)
            _cache["refused"] = stamp
            return _cache["responses"]
        _cache.update(stamp=stamp, responses=responses, refused=None)
        return responses


def _variation_for(variations: List[Variation], language: str) -> Variation:
    def matches(variation: Variation, wanted: str) -> bool:
        return any(
            c.get("name") == "language" and c.get("value") == wanted for c in variation.get("condition") or []
        )

    for wanted in (language, DEFAULT_LANGUAGE):
        for variation in variations:
            if matches(variation, wanted):
                return variation
    return variations[0]


def render(name: str, language: str, values: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """The text and buttons of response ``name`` in ``language``, formatted with ``values``.

    Raises ``KeyError`` for an unknown response: a typo must fail loudly in tests.
    """
    variations = load_responses().get(name)
    if not variations:
        raise KeyError(f"no response {name!r} in {RESPONSES_DIR}")
    variation = _variation_for(variations, language)
    mapping = _KeepMissing({k: ("" if v is None else v) for k, v in (values or {}).items()})
    text = attach_particles(str(variation.get("text", "")).format_map(mapping))
    buttons = [
        {"title": str(b["title"]).format_map(mapping), "payload": str(b["payload"])}
        for b in variation.get("buttons") or []
    ]
    return {"text": text, "buttons": buttons}


def utter(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    name: str,
    *,
    buttons: Optional[List[Dict[str, Any]]] = None,
    **values: Any,
) -> None:
    """Send response ``name`` in the tracker's language; ``buttons`` are added
    after the response's own. Like a domain response sent with values, the
    message carries ``utter_action`` = ``name`` and the values themselves."""
    language = tracker.get_slot("language") or DEFAULT_LANGUAGE
    slot_values = {k: v for k, v in (tracker.slots or {}).items() if isinstance(v, (str, int, float))}
    message = render(name, language, {**slot_values, **values})
    extra = {key: value for key, value in values.items() if key not in _RESERVED}
    dispatcher.utter_message(
        text=message["text"], buttons=message["buttons"] + list(buttons or []), utter_action=name, **extra
    )
