"""The service editor's form: catalogue entry <-> form fields, and the console's own input checks.

Field names are the catalogue's dotted paths (``fee.ko``, ``apply.online.url``),
so the issues of the YAML validation (knowledge/schema.py) land beside the
field they are about. The checks here only cover what a browser form adds:
text that must be parsed (a number, a date list, YAML rules), lengths, and
markup; everything else is the importer's validation, unchanged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Dict, List, Mapping, Tuple

import yaml

from knowledge.schema import Issue

# Bilingual texts: (form path, label key, multi-line, max length)
TEXT_PAIRS: Tuple[Tuple[str, str, bool, int], ...] = (
    ("name", "f_name", False, 200),
    ("overview", "f_overview", True, 4000),
    ("fee", "f_fee", False, 500),
    ("processing_time", "f_processing_time", False, 1000),
    ("deadline", "f_deadline", True, 2000),
    ("eligibility.text", "f_eligibility_text", True, 4000),
    ("apply.online", "f_apply_online", True, 2000),
    ("apply.in_person", "f_apply_in_person", True, 2000),
    ("where.office_type", "f_where_office", False, 500),
)
LIST_PAIRS: Tuple[Tuple[str, str], ...] = (("aliases", "f_aliases"), ("documents", "f_documents"))
SINGLES: Tuple[Tuple[str, int], ...] = (
    ("apply.online.url", 2000),
    ("where.phone", 64),
    ("where.website", 2000),
    ("source", 2000),
    ("last_reviewed", 10),
)
MAX_LIST_ITEMS = 60
MAX_ITEM_LENGTH = 300
MAX_RULES_LENGTH = 20000
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")

FieldErrors = Dict[str, List[str]]


@dataclass
class ParsedForm:
    """The entry built from a form, the raw values (to show again) and the form's own errors."""

    entry: Dict[str, Any]
    values: Dict[str, str]
    errors: FieldErrors = field(default_factory=dict)  # field -> messages (translation keys with values)


def form_fields() -> List[str]:
    """Every form field name, longest first (for matching issue paths to fields)."""
    names = [f"{p}.{lang}" for p, *_ in TEXT_PAIRS for lang in ("ko", "en")]
    names += [f"{p}.{lang}" for p, _ in LIST_PAIRS for lang in ("ko", "en")]
    names += [name for name, _ in SINGLES]
    names += ["agency", "life_events", "eligibility.rules", "fee_amount", "illustrative"]
    return sorted(names, key=len, reverse=True)


def _get(entry: Mapping[str, Any], path: str) -> Any:
    value: Any = entry
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def entry_to_values(entry: Mapping[str, Any]) -> Dict[str, str]:
    """The form's values for a catalogue entry (as stored or as a draft)."""
    values: Dict[str, str] = {}
    fee = entry.get("fee")
    for path, *_ in TEXT_PAIRS:
        pair = _get(entry, path) if not (path == "fee" and not isinstance(fee, Mapping)) else None
        for language in ("ko", "en"):
            item = pair.get(language) if isinstance(pair, Mapping) else None
            values[f"{path}.{language}"] = "" if item is None else str(item)
    for path, _ in LIST_PAIRS:
        pair = entry.get(path) or {}
        for language in ("ko", "en"):
            values[f"{path}.{language}"] = "\n".join(str(item) for item in (pair.get(language) or []))
    for path, _ in SINGLES:
        item = _get(entry, path)
        values[path] = "" if item is None else (item.isoformat() if isinstance(item, date) else str(item))
    values["agency"] = str(entry.get("agency") or "")
    values["life_events"] = json.dumps(list(entry.get("life_events") or []))
    rules = _get(entry, "eligibility.rules")
    values["eligibility.rules"] = (
        "" if rules is None else yaml.safe_dump(rules, allow_unicode=True, sort_keys=False, width=10_000)
    )
    values["fee_amount"] = str(fee) if fee is not None and not isinstance(fee, Mapping) else ""
    values["illustrative"] = "1" if entry.get("illustrative") else ""
    return values


def _text(value: str) -> str | None:
    value = value.replace("\r\n", "\n").strip()
    return value or None


def parse_form(service_id: str, form: Mapping[str, Any], life_events: List[str]) -> ParsedForm:
    """Build the catalogue entry from posted ``form`` values; collect the form's own errors.

    ``life_events`` are the checked boxes. Nothing here is written anywhere.
    """
    values: Dict[str, str] = {}
    errors: FieldErrors = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    def raw(name: str, limit: int) -> str:
        value = str(form.get(name) or "")
        values[name] = value
        if len(value) > limit:
            add(name, json.dumps(["too_long", {"limit": limit}]))
        elif _MARKUP.search(value):
            add(name, json.dumps(["markup", {}]))
        return value

    entry: Dict[str, Any] = {"id": service_id}
    entry["agency"] = _text(raw("agency", 64))
    for path, _label, _multi, limit in TEXT_PAIRS:
        pair = {language: _text(raw(f"{path}.{language}", limit)) for language in ("ko", "en")}
        _put(entry, path, pair)
    for path, _label in LIST_PAIRS:
        lists: Dict[str, List[str]] = {}
        for language in ("ko", "en"):
            name = f"{path}.{language}"
            items = [line.strip() for line in raw(name, MAX_LIST_ITEMS * MAX_ITEM_LENGTH).splitlines() if line.strip()]
            if len(items) > MAX_LIST_ITEMS or any(len(item) > MAX_ITEM_LENGTH for item in items):
                add(name, json.dumps(["too_long", {"limit": MAX_ITEM_LENGTH}]))
            lists[language] = items
        entry[path] = lists
    for path, limit in SINGLES:
        _put(entry, path, _text(raw(path, limit)))
    entry["life_events"] = [event for event in life_events if isinstance(event, str)][:MAX_LIST_ITEMS]
    values["life_events"] = json.dumps(entry["life_events"])
    rules_text = str(form.get("eligibility.rules") or "")
    values["eligibility.rules"] = rules_text
    rules = None
    if len(rules_text) > MAX_RULES_LENGTH:
        add("eligibility.rules", json.dumps(["too_long", {"limit": MAX_RULES_LENGTH}]))
    elif rules_text.strip():
        try:
            rules = yaml.safe_load(rules_text)
        except yaml.YAMLError as error:
            add("eligibility.rules", json.dumps(["bad_yaml", {"error": str(getattr(error, "problem", error))}]))
    entry["eligibility"]["rules"] = rules
    amount = raw("fee_amount", 12).strip().replace(",", "")
    if amount:
        if amount.isdigit():
            entry["fee"] = int(amount)
        else:
            add("fee_amount", json.dumps(["not_number", {}]))
    values["illustrative"] = "1" if form.get("illustrative") else ""
    entry["illustrative"] = bool(form.get("illustrative"))
    _tidy(entry)
    return ParsedForm(entry, values, errors)


def _put(entry: Dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    target = entry
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _tidy(entry: Dict[str, Any]) -> None:
    """Leave out what the YAML would leave out, so the import's validation reads the form as a file."""
    deadline = entry.get("deadline") or {}
    if not any(deadline.values()):
        del entry["deadline"]
    apply = entry["apply"]
    online = apply.get("online") or {}
    if not any(online.values()):
        apply["online"] = None
    in_person = apply.get("in_person") or {}
    if not any(in_person.values()):
        apply["in_person"] = None
    where = entry["where"]
    for key in ("phone", "website"):
        if where.get(key) is None:
            where.pop(key, None)


def issues_by_field(issues: List[Issue]) -> Tuple[FieldErrors, List[str]]:
    """The validation issues placed beside form fields, and those about no single field."""
    names = form_fields()
    placed: FieldErrors = {}
    general: List[str] = []
    for issue in issues:
        path = issue.field or ""
        if path == "fee":
            target = "fee_amount"
        else:
            target = next((n for n in names if path == n or path.startswith(n + ".") or path.startswith(n + "[")), "")
        if target:
            placed.setdefault(target, []).append(issue.message)
        else:
            general.append(f"{path}: {issue.message}" if path else issue.message)
    return placed, general
