"""The national service catalogue's file format (보조금24 "대한민국 공공서비스(혜택) 정보").

The public data portal's API answers ``serviceList`` and ``serviceDetail``
pages in one envelope::

    {"currentCount": 2, "matchCount": 2, "page": 1, "perPage": 10, "totalCount": 2,
     "data": [{"서비스ID": "...", "서비스명": "...", ...}, ...]}

Multi-valued fields join their values with ``||``; there is no English. This
module reads such files into records (one merged mapping per 서비스ID, list and
detail items together), reporting every problem with the file, the item and
the field, and writes records back as pages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from knowledge.schema import URL_PATTERN, Issue

ENVELOPE_KEYS = ("currentCount", "matchCount", "page", "perPage", "totalCount", "data")

SERVICE_ID = "서비스ID"
NAME = "서비스명"
LIST_FIELDS = (
    "서비스ID",
    "서비스명",
    "서비스목적요약",
    "지원유형",
    "지원대상",
    "선정기준",
    "지원내용",
    "신청방법",
    "신청기한",
    "상세조회URL",
    "소관기관명",
    "부서명",
    "소관기관유형",
    "사용자구분",
    "서비스분야",
    "접수기관",
    "전화문의",
    "조회수",
    "등록일시",
    "수정일시",
)
DETAIL_FIELDS = LIST_FIELDS + (
    "서비스목적",
    "구비서류",
    "본인확인필요구비서류",
    "공무원확인구비서류",
    "온라인신청사이트URL",
    "접수기관명",
    "문의처",
    "법령",
    "자치법규",
    "행정규칙",
)
KNOWN_FIELDS = frozenset(DETAIL_FIELDS)
URL_FIELDS = ("상세조회URL", "온라인신청사이트URL")
SEPARATOR = "||"
# The record of a service that exists already in the catalogue may leave out its name.
REQUIRED_FIELDS = (SERVICE_ID,)
_ID_CHARS = re.compile(r"^[0-9A-Za-z_\-]{1,60}$")

Record = Dict[str, Any]


def split_values(value: Any) -> List[str]:
    """The values of a ``||``-joined field, stripped, empty ones dropped."""
    if value is None:
        return []
    return [part.strip() for part in str(value).split(SEPARATOR) if part.strip()]


def join_values(values: Iterable[str]) -> str:
    """Values joined the national way (``a||b``)."""
    return SEPARATOR.join(value for value in values if value)


def text_of(record: Record, name: str) -> str:
    """Field ``name`` as stripped text ('' when missing or null)."""
    value = record.get(name)
    if value is None:
        return ""
    return str(value).strip()


@dataclass
class Gov24Batch:
    """Records read from one or more pages, merged by 서비스ID in first-seen order."""

    records: Dict[str, Record] = field(default_factory=dict)
    # Where each record was first seen: (file label, item number), for messages.
    origins: Dict[str, Tuple[str, int]] = field(default_factory=dict)
    files: int = 0

    def add(self, record: Record, label: str, number: int) -> None:
        """Merge ``record`` into the one with its 서비스ID (non-empty values of later pages win)."""
        source_id = text_of(record, SERVICE_ID)
        merged = self.records.setdefault(source_id, {})
        self.origins.setdefault(source_id, (label, number))
        for key, value in record.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                merged.setdefault(key, value)
            else:
                merged[key] = value


def item_label(number: int, record: Any) -> str:
    """How messages name an item: ``item 3 (서비스ID 000000465790)``."""
    if isinstance(record, dict) and text_of(record, SERVICE_ID):
        return f"item {number} (서비스ID {text_of(record, SERVICE_ID)})"
    return f"item {number}"


def _check_item(label: str, number: int, item: Any, issues: List[Issue]) -> bool:
    if not isinstance(item, dict):
        issues.append(Issue(label, "must be an object with the service's fields", f"item {number}"))
        return False
    entry = item_label(number, item)
    ok = True
    for name in REQUIRED_FIELDS:
        if not text_of(item, name):
            issues.append(Issue(label, "is missing", entry, name))
            ok = False
    source_id = text_of(item, SERVICE_ID)
    if source_id and not _ID_CHARS.match(source_id):
        issues.append(Issue(label, "must be letters, digits, - or _ (at most 60)", entry, SERVICE_ID))
        ok = False
    for name, value in item.items():
        if isinstance(value, bool) or (value is not None and not isinstance(value, (str, int, float))):
            issues.append(Issue(label, "must be text or a number", entry, str(name)))
            ok = False
    for name in URL_FIELDS:
        url = text_of(item, name)
        if url and not URL_PATTERN.match(url):
            message = f"must be a web address starting with http:// or https:// (got {url!r})"
            issues.append(Issue(label, message, entry, name))
            ok = False
    return ok


def parse_page(raw: Any, label: str, batch: Gov24Batch, issues: List[Issue]) -> None:
    """Check one loaded page (the envelope and every item) and add its records to ``batch``."""
    if not isinstance(raw, dict):
        issues.append(Issue(label, "must be an object with a 'data' list (the serviceList/serviceDetail envelope)"))
        return
    data = raw.get("data")
    if not isinstance(data, list):
        issues.append(Issue(label, "must have a 'data' list (the serviceList/serviceDetail envelope)", None, "data"))
        return
    for name in ("currentCount", "matchCount", "page", "perPage", "totalCount"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            issues.append(Issue(label, "must be a whole number", None, name))
    seen: Dict[str, int] = {}
    for number, item in enumerate(data, start=1):
        if not _check_item(label, number, item, issues):
            continue
        source_id = text_of(item, SERVICE_ID)
        if source_id in seen:
            issues.append(
                Issue(label, f"repeats the 서비스ID of item {seen[source_id]}", item_label(number, item), SERVICE_ID)
            )
            continue
        seen[source_id] = number
        batch.add(item, label, number)


def read_files(paths: Sequence[Path]) -> Tuple[Gov24Batch, List[Issue]]:
    """Read serviceList/serviceDetail pages; every problem in every file is an issue."""
    batch = Gov24Batch()
    issues: List[Issue] = []
    if not paths:
        return batch, [Issue("(no files)", "give at least one serviceList or serviceDetail JSON file")]
    names = [Path(path).name for path in paths]
    for path in paths:
        path = Path(path)
        # The file name alone, unless two files given share it.
        label = path.name if names.count(path.name) == 1 else str(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            issues.append(Issue(label, "does not exist"))
            continue
        except (OSError, UnicodeDecodeError) as error:
            issues.append(Issue(label, f"cannot be read: {error}"))
            continue
        except json.JSONDecodeError as error:
            issues.append(Issue(label, f"is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"))
            continue
        batch.files += 1
        parse_page(raw, label, batch, issues)
    return batch, issues


def envelope(
    records: Sequence[Record], page: int = 1, per_page: int | None = None, total: int | None = None
) -> Dict[str, Any]:
    """One page in the national envelope."""
    total = len(records) if total is None else total
    return {
        "currentCount": len(records),
        "matchCount": total,
        "page": page,
        "perPage": per_page or max(1, len(records)),
        "totalCount": total,
        "data": list(records),
    }


def list_item(record: Record) -> Record:
    """The ``serviceList`` view of a detail record (its fields only, in order)."""
    return {name: record.get(name) for name in LIST_FIELDS if name in record}


def write_pages(records: Sequence[Record], folder: Path, name: str, per_page: int) -> List[Path]:
    """Write ``records`` as ``<name>.json`` (one page) or ``<name>_001.json``... when they do not fit one."""
    folder.mkdir(parents=True, exist_ok=True)
    per_page = max(1, per_page)
    pages = [records[start : start + per_page] for start in range(0, len(records), per_page)] or [[]]
    written = []
    for number, page in enumerate(pages, start=1):
        target = folder / (f"{name}.json" if len(pages) == 1 else f"{name}_{number:03d}.json")
        body = envelope(page, number, per_page, len(records))
        target.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(target)
    return written
