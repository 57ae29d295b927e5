"""Masking of personal data before it is logged or stored.

A resident registration number (주민등록번호, ``YYMMDD-NNNNNNN``) must never be
kept: :func:`mask_resident_numbers` replaces it in a citizen's message before the
message reaches Rasa's tracker store. :func:`mask_for_log` additionally hides
application numbers, birth dates and mobile numbers in any stored text;
:func:`mask_citizen_text` also hides every other phone number, in what a
citizen writes (an agency's number in a reply stays readable);
:func:`install_log_masking` applies the latter to every log record the process
creates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, List, Tuple

from core.identifiers import (
    APPLICATION_NUMBER,
    RRN_MASK,
    identifier_spans,
    resident_number_spans,
)
from core.phone_numbers import MOBILE, phone_number_spans

APPLICATION_MASK = "****-*******"
BIRTH_DATE_MASK = "******"
PHONE_MASK = "***-****-****"

__all__ = [
    "APPLICATION_MASK",
    "BIRTH_DATE_MASK",
    "PHONE_MASK",
    "RRN_MASK",
    "MaskResult",
    "MaskingLogFilter",
    "contains_resident_number_mask",
    "install_log_masking",
    "mask_citizen_text",
    "mask_for_log",
    "mask_line",
    "mask_resident_numbers",
    "mask_value",
    "mobile_phone_spans",
    "resident_number_spans",
]


@dataclass(frozen=True)
class MaskResult:
    """A message with resident registration numbers replaced."""

    text: str
    found_resident_number: bool


def mask_resident_numbers(text: str) -> MaskResult:
    """Replace every resident registration number in ``text`` with a fixed mask.

    The result keeps the rest of the message unchanged so the assistant can
    still answer it; ``found_resident_number`` says whether anything was masked.
    """
    spans = resident_number_spans(text)
    return MaskResult(_replace_spans(text, spans, RRN_MASK), bool(spans))


def _replace_spans(text: str, spans: List[Tuple[int, int]], mask: str) -> str:
    for start, end in reversed(spans):
        text = text[:start] + mask + text[end:]
    return text


def contains_resident_number_mask(text: str) -> bool:
    """True when ``text`` carries the mask left by :func:`mask_resident_numbers`."""
    return RRN_MASK in text


def mobile_phone_spans(text: str) -> List[Tuple[int, int]]:
    """Where ``text`` holds a Korean mobile phone number (full-width digits too),
    as (start, end) spans of ``text``."""
    return phone_number_spans(text, (MOBILE,))


def mask_for_log(text: str) -> str:
    """Hide resident numbers, application numbers, anything shaped like a
    date (Korean, numeric or English, e.g. "12 March 1985") and mobile phone
    numbers in ``text``."""
    text = _replace_spans(text, resident_number_spans(text), RRN_MASK)
    for found in reversed(identifier_spans(text)):
        mask = APPLICATION_MASK if found.entity == APPLICATION_NUMBER else BIRTH_DATE_MASK
        text = text[: found.start] + mask + text[found.end :]
    return _replace_spans(text, mobile_phone_spans(text), PHONE_MASK)


def mask_citizen_text(text: str) -> str:
    """:func:`mask_for_log`, and every phone number hidden too (landlines,
    internet phones, representative numbers): for what a citizen writes."""
    text = mask_for_log(text)
    return _replace_spans(text, phone_number_spans(text), PHONE_MASK)


#: Who wrote a transcript line when it was the citizen.
CITIZEN_AUTHORS = frozenset({"user", "citizen"})


def mask_line(who: str, text: str) -> str:
    """A transcript line's text masked: :func:`mask_citizen_text` for the
    citizen's words (``who`` "user" or "citizen"), else :func:`mask_for_log`."""
    return mask_citizen_text(text) if who in CITIZEN_AUTHORS else mask_for_log(text)


def mask_value(value: Any, mask: Callable[[str], str] = mask_for_log) -> Any:
    """A copy of ``value`` with ``mask`` applied to every string in it, inside
    lists, tuples and dicts (dict keys are kept). Other values are returned
    unchanged."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_value(item, mask) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(item, mask) for item in value)
    return value


class MaskingLogFilter(logging.Filter):
    """A logging filter that masks personal data in a record's message and args."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


def _mask_record(record: logging.LogRecord) -> logging.LogRecord:
    # A log line may quote what a citizen wrote: every phone number is hidden.
    if isinstance(record.msg, str):
        record.msg = mask_citizen_text(record.msg)
    if record.args:
        if isinstance(record.args, dict):
            record.args = mask_value(record.args, mask_citizen_text)
        else:
            record.args = tuple(mask_value(arg, mask_citizen_text) for arg in record.args)
    return record


_installed = False


def install_log_masking() -> None:
    """Mask personal data in every log record this process creates from now on.

    Wraps the logging record factory rather than filtering handlers, so records
    reach handlers added later (Rasa adds its log file after the channels are
    built) already masked. Idempotent.
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _mask_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
