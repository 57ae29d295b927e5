"""Validation of catalogue YAML files.

Every problem is reported with the file, the entry id and the field, e.g.::

    services/passport.yml: entry 'passport_reissue': field 'name.ko' is missing

Validation is complete before anything is written: :func:`validate_documents`
returns every issue in every file, and the importer refuses to write when the
list is not empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Sequence, Set, Tuple

import yaml

from knowledge.eligibility import FACT_CHOICES, FACT_TYPES, OPERATORS, ORDERING_OPS

LANGUAGES = ("ko", "en")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
URL_PATTERN = re.compile(r"^https?://[^\s]+$")

SERVICE_REQUIRED = (
    "id",
    "agency",
    "name",
    "overview",
    "documents",
    "fee",
    "processing_time",
    "eligibility",
    "apply",
    "where",
    "source",
    "last_reviewed",
)
# Bilingual texts a service may leave out: the assistant then says it does not have them.
OPTIONAL_TEXTS = ("deadline",)
SERVICE_OPTIONAL = ("aliases", "life_events", *OPTIONAL_TEXTS, "illustrative")
AGENCY_REQUIRED = ("id", "name")
AGENCY_OPTIONAL = ("phone", "hours", "website")
LIFE_EVENT_REQUIRED = ("id", "name", "services")
LIFE_EVENT_OPTIONAL = ("description", "triggers")
SECTIONS = ("agencies", "services", "life_events")


@dataclass(frozen=True)
class Issue:
    """One validation problem, located by file, entry and field."""

    file: str
    message: str
    entry: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.entry is not None:
            parts.append(f"entry '{self.entry}'")
        if self.field is not None:
            parts.append(f"field '{self.field}' {self.message}")
        else:
            parts.append(self.message)
        return ": ".join(parts)


class CatalogueValidationError(ValueError):
    """Raised when catalogue input is invalid; carries every issue found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass
class CatalogueDocument:
    """One parsed YAML file: its display label and the entries per section."""

    label: str
    agencies: List[Dict[str, Any]] = field(default_factory=list)
    services: List[Dict[str, Any]] = field(default_factory=list)
    life_events: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class KnownIds:
    """Ids already in the database, which new files may reference."""

    agencies: Set[str] = field(default_factory=set)
    services: Set[str] = field(default_factory=set)
    life_events: Set[str] = field(default_factory=set)


def catalogue_files(path: Path) -> List[Tuple[Path, str]]:
    """The YAML files under ``path`` (a folder or one file) with their labels.

    A label is the path relative to the catalogue folder, as it appears in
    messages and as exported (``services/passport_id.yml``). A single file in
    a ``services`` folder keeps the ``services/`` prefix.
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
        return [(p, p.relative_to(path).as_posix()) for p in files]
    if path.parent.name == "services":
        return [(path, f"services/{path.name}")]
    return [(path, path.name)]


def load_documents(path: Path) -> Tuple[List[CatalogueDocument], List[Issue]]:
    """Parse every catalogue file under ``path``; unreadable files become issues."""
    documents: List[CatalogueDocument] = []
    issues: List[Issue] = []
    path = Path(path)
    if not path.exists():
        return [], [Issue(str(path), "does not exist")]
    files = catalogue_files(path)
    if not files:
        return [], [Issue(str(path), "contains no .yml files")]
    for file_path, label in files:
        try:
            raw = yaml.safe_load(file_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            issues.append(Issue(label, f"cannot be read: {error}"))
            continue
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            issues.append(Issue(label, f"is not valid YAML{where}: {getattr(error, 'problem', error)}"))
            continue
        document, document_issues = parse_document(raw, label)
        issues.extend(document_issues)
        if document is not None:
            documents.append(document)
    return documents, issues


def parse_document(raw: Any, label: str) -> Tuple[CatalogueDocument | None, List[Issue]]:
    """Split one loaded YAML value into its sections, checking the top level."""
    if raw is None:
        return CatalogueDocument(label), []
    if not isinstance(raw, dict):
        return None, [Issue(label, "must be a mapping with 'agencies', 'services' or 'life_events'")]
    issues: List[Issue] = []
    unknown = [key for key in raw if key not in SECTIONS]
    for key in unknown:
        issues.append(Issue(label, f"has an unknown section '{key}' (expected one of {', '.join(SECTIONS)})"))
    document = CatalogueDocument(label)
    for section in SECTIONS:
        if section not in raw:
            continue
        entries = raw[section]
        if entries is None:
            continue
        if not isinstance(entries, list):
            issues.append(Issue(label, f"section '{section}' must be a list of entries"))
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict):
                issues.append(Issue(label, f"item {index + 1} of '{section}' must be a mapping"))
                continue
            getattr(document, section).append(entry)
    return document, issues


class _Checker:
    """Collects issues for one entry of one file."""

    def __init__(self, file: str, entry: str, issues: List[Issue]) -> None:
        self.file = file
        self.entry = entry
        self.issues = issues

    def add(self, field_name: str, message: str) -> None:
        self.issues.append(Issue(self.file, message, self.entry, field_name))

    def keys(
        self, data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str], prefix: str = ""
    ) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in required:
            if key not in data or data[key] is None:
                self.add(prefix + key, "is missing")
        for key in data:
            if key not in allowed:
                self.add(prefix + str(key), "is not a known field")

    def text(self, value: Any, name: str, required: bool = True) -> bool:
        if value is None:
            if required:
                self.add(name, "is missing")
            return False
        if not isinstance(value, str) or not value.strip():
            self.add(name, "must be non-empty text")
            return False
        return True

    def bilingual(self, value: Any, name: str, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(name, "is missing")
            return
        if not isinstance(value, dict):
            self.add(name, "must be a mapping with 'ko' and 'en' texts")
            return
        for language in LANGUAGES:
            self.text(value.get(language), f"{name}.{language}")
        for key in value:
            if key not in LANGUAGES:
                self.add(f"{name}.{key}", "is not a known language (use ko and en)")

    def text_lists(self, value: Any, name: str, required: bool = True) -> None:
        if value is None:
            if required:
                self.add(name, "is missing")
            return
        if not isinstance(value, dict):
            self.add(name, "must be a mapping with 'ko' and 'en' lists")
            return
        for language in LANGUAGES:
            items = value.get(language)
            if items is None:
                self.add(f"{name}.{language}", "is missing")
            elif not isinstance(items, list):
                self.add(f"{name}.{language}", "must be a list of texts")
            else:
                for position, item in enumerate(items, start=1):
                    if not isinstance(item, str) or not item.strip():
                        self.add(f"{name}.{language}", f"item {position} must be non-empty text")
        for key in value:
            if key not in LANGUAGES:
                self.add(f"{name}.{key}", "is not a known language (use ko and en)")

    def url(self, value: Any, name: str, required: bool = True) -> None:
        if self.text(value, name, required) and not URL_PATTERN.match(value.strip()):
            self.add(name, f"must be a web address starting with http:// or https:// (got {value!r})")


def is_amount(value: Any) -> bool:
    """True for a bare fee amount: a whole, non-negative number of won."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, float) and value >= 0 and value.is_integer()


def _check_fee(check: _Checker, value: Any) -> None:
    if value is None or is_amount(value):
        return
    elif isinstance(value, dict):
        for language in LANGUAGES:
            text = value.get(language)
            if not is_amount(text):
                check.text(text, f"fee.{language}")
        for key in value:
            if key not in LANGUAGES:
                check.add(f"fee.{key}", "is not a known language (use ko and en)")
    else:
        check.add(
            "fee",
            f"must be text in ko and en, or an amount in won (a number), not {type(value).__name__}",
        )


def _check_date(check: _Checker, value: Any) -> None:
    if value is None:
        check.add("last_reviewed", "is missing")
        return
    if isinstance(value, (date, datetime)):
        return
    try:
        date.fromisoformat(str(value))
    except ValueError:
        check.add("last_reviewed", f"must be a date like 2026-11-27 (got {value!r})")


def check_rule(check: _Checker, node: Any, name: str) -> None:
    """Check one node of an eligibility rule tree (``all``/``any`` or a condition)."""
    if not isinstance(node, dict):
        check.add(name, "must be a mapping: {all: [...]}, {any: [...]} or a condition")
        return
    groups = [key for key in ("all", "any") if key in node]
    if groups:
        if len(node) != 1:
            check.add(name, "must have exactly one of 'all' or 'any' and nothing else")
            return
        key = groups[0]
        children = node[key]
        if not isinstance(children, list) or not children:
            check.add(f"{name}.{key}", "must be a non-empty list of conditions")
            return
        for index, child in enumerate(children):
            check_rule(check, child, f"{name}.{key}[{index}]")
        return
    for key in node:
        if key not in ("fact", "op", "value", "reason"):
            check.add(f"{name}.{key}", "is not a known field of a condition (fact, op, value, reason)")
    fact, op, value = node.get("fact"), node.get("op"), node.get("value")
    if fact not in FACT_TYPES:
        check.add(f"{name}.fact", f"must be one of {', '.join(FACT_TYPES)} (got {fact!r})")
        return
    if op not in OPERATORS:
        check.add(f"{name}.op", f"must be one of {' '.join(OPERATORS)} (got {op!r})")
        return
    expected = FACT_TYPES[fact]
    if op in ORDERING_OPS and expected is not int:
        check.add(f"{name}.op", f"'{op}' only works with numbers, and '{fact}' is not a number")
    values: List[Any] = [value]
    if op == "in":
        values = list(value) if isinstance(value, list) else []
        if not values:
            check.add(f"{name}.value", "must be a non-empty list when op is 'in'")
    for item in values:
        if not _fact_value_ok(fact, item):
            choices = FACT_CHOICES.get(fact)
            allowed = f"one of {', '.join(choices)}" if choices else f"a {expected.__name__}"
            check.add(f"{name}.value", f"must be {allowed} for '{fact}' (got {item!r})")
    check.bilingual(node.get("reason"), f"{name}.reason")


def _fact_value_ok(fact: str, value: Any) -> bool:
    expected = FACT_TYPES[fact]
    if expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, expected)
    return ok and (fact not in FACT_CHOICES or value in FACT_CHOICES[fact])


def _entry_id(
    check_file: str, entry: Mapping[str, Any], index: int, section: str, issues: List[Issue]
) -> str | None:
    entry_id = entry.get("id")
    if not isinstance(entry_id, str) or not ID_PATTERN.match(entry_id):
        label = entry_id if isinstance(entry_id, str) else f"#{index + 1} in {section}"
        issues.append(
            Issue(
                check_file,
                "must be lower-case letters, digits and _ starting with a letter"
                if entry_id
                else "is missing",
                str(label),
                "id",
            )
        )
        return None
    return entry_id


def validate_service(
    check: _Checker, entry: Mapping[str, Any], agencies: Set[str], life_events: Set[str]
) -> None:
    """Check one service entry against the schema and the known references."""
    check.keys(entry, ("agency",) + SERVICE_REQUIRED[2:], SERVICE_OPTIONAL + ("id", "name"))
    if entry.get("agency") is not None:
        if not isinstance(entry["agency"], str):
            check.add("agency", "must be an agency id")
        elif entry["agency"] not in agencies:
            check.add("agency", f"refers to an unknown agency '{entry['agency']}'")
    check.bilingual(entry.get("name"), "name")
    check.text_lists(entry.get("aliases"), "aliases", required=False)
    events = entry.get("life_events")
    if events is not None:
        if not isinstance(events, list):
            check.add("life_events", "must be a list of life-event ids")
        else:
            for event in events:
                if event not in life_events:
                    check.add("life_events", f"refers to an unknown life event '{event}'")
    check.bilingual(entry.get("overview"), "overview", required=False)
    check.text_lists(entry.get("documents"), "documents", required=False)
    if "fee" in entry:
        _check_fee(check, entry.get("fee"))
    check.bilingual(entry.get("processing_time"), "processing_time", required=False)
    check.bilingual(entry.get("deadline"), "deadline", required=False)
    _check_eligibility(check, entry.get("eligibility"))
    _check_apply(check, entry.get("apply"))
    _check_where(check, entry.get("where"))
    check.url(entry.get("source"), "source", required=False)
    if entry.get("last_reviewed") is not None:
        _check_date(check, entry["last_reviewed"])
    if "illustrative" in entry and not isinstance(entry["illustrative"], bool):
        check.add("illustrative", "must be true or false")


def _check_eligibility(check: _Checker, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        check.add("eligibility", "must be a mapping with 'text' and 'rules'")
        return
    check.keys(value, ("text",), ("rules",), prefix="eligibility.")
    check.bilingual(value.get("text"), "eligibility.text", required=False)
    if value.get("rules") is not None:
        check_rule(check, value["rules"], "eligibility.rules")


def _check_apply(check: _Checker, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        check.add("apply", "must be a mapping with 'online' and 'in_person'")
        return
    check.keys(value, (), ("online", "in_person"), prefix="apply.")
    online, in_person = value.get("online"), value.get("in_person")
    if online is None and in_person is None:
        check.add("apply", "needs at least one of 'online' or 'in_person'")
    if online is not None:
        if not isinstance(online, dict):
            check.add("apply.online", "must be a mapping with ko, en and url, or null")
        else:
            check.keys(online, (), ("ko", "en", "url"), prefix="apply.online.")
            for language in LANGUAGES:
                check.text(online.get(language), f"apply.online.{language}")
            check.url(online.get("url"), "apply.online.url")
    if in_person is not None:
        check.bilingual(in_person, "apply.in_person")


def _check_where(check: _Checker, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        check.add("where", "must be a mapping with office_type, phone and website")
        return
    check.keys(value, ("office_type",), ("phone", "website"), prefix="where.")
    if value.get("office_type") is not None:
        check.bilingual(value["office_type"], "where.office_type")
    if value.get("phone") is not None and not isinstance(value["phone"], str):
        check.add("where.phone", 'must be text in quotes, e.g. "02-2100-2114"')
    if value.get("website") is not None:
        check.url(value["website"], "where.website")


def validate_agency(check: _Checker, entry: Mapping[str, Any]) -> None:
    """Check one agency entry."""
    check.keys(entry, ("name",), AGENCY_OPTIONAL + ("id",))
    check.bilingual(entry.get("name"), "name", required=False)
    check.bilingual(entry.get("hours"), "hours", required=False)
    if entry.get("phone") is not None and not isinstance(entry["phone"], str):
        check.add("phone", 'must be text in quotes, e.g. "02-2100-2114"')
    if entry.get("website") is not None:
        check.url(entry["website"], "website")


def validate_life_event(check: _Checker, entry: Mapping[str, Any], services: Set[str]) -> None:
    """Check one life-event entry and the services it lists."""
    check.keys(entry, ("name", "services"), LIFE_EVENT_OPTIONAL + ("id",))
    check.bilingual(entry.get("name"), "name", required=False)
    check.bilingual(entry.get("description"), "description", required=False)
    check.text_lists(entry.get("triggers"), "triggers", required=False)
    listed = entry.get("services")
    if listed is None:
        return
    if not isinstance(listed, list):
        check.add("services", "must be a list of service ids")
        return
    for service_id in listed:
        if service_id not in services:
            check.add("services", f"refers to an unknown service '{service_id}'")


def validate_documents(documents: Sequence[CatalogueDocument], known: KnownIds | None = None) -> List[Issue]:
    """Every issue in ``documents``, checked together and against ``known`` ids.

    Ids must be unique within each section across all files (a duplicate names
    both files); references (agency, life events, a life event's services) may
    point to entries in the files or already in the database.
    """
    known = known or KnownIds()
    issues: List[Issue] = []
    ids: Dict[str, Dict[str, str]] = {section: {} for section in SECTIONS}
    valid_entries: Dict[str, List[Tuple[str, str, Mapping[str, Any]]]] = {s: [] for s in SECTIONS}
    for document in documents:
        for section in SECTIONS:
            for index, entry in enumerate(getattr(document, section)):
                entry_id = _entry_id(document.label, entry, index, section, issues)
                if entry_id is None:
                    continue
                first = ids[section].get(entry_id)
                if first is not None:
                    issues.append(
                        Issue(
                            document.label,
                            f"duplicate id: '{entry_id}' is defined in both {first} and {document.label}",
                            entry_id,
                            None,
                        )
                    )
                    continue
                ids[section][entry_id] = document.label
                valid_entries[section].append((document.label, entry_id, entry))
    agencies = known.agencies | set(ids["agencies"])
    life_events = known.life_events | set(ids["life_events"])
    services = known.services | set(ids["services"])
    for label, entry_id, entry in valid_entries["agencies"]:
        validate_agency(_Checker(label, entry_id, issues), entry)
    for label, entry_id, entry in valid_entries["services"]:
        validate_service(_Checker(label, entry_id, issues), entry, agencies, life_events)
    for label, entry_id, entry in valid_entries["life_events"]:
        validate_life_event(_Checker(label, entry_id, issues), entry, services)
    return issues
