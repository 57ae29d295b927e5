"""Mapping between a national catalogue record (보조금24) and a catalogue entry.

The national record is Korean only and mostly prose. :func:`build_entry` turns
it into an entry of the catalogue schema (``knowledge/schema.py``):

============================  ==========================================================
national field                catalogue field
============================  ==========================================================
서비스명                        name.ko (and aliases.ko: the name without brackets)
서비스목적요약 / 서비스목적        overview.ko, followed by 지원내용 ("지원 내용: ...")
구비서류, 본인확인필요구비서류,    documents.ko (``||`` lists; the last two marked in brackets)
공무원확인구비서류
지원대상, 선정기준               eligibility.text.ko ("선정 기준: ...")
신청기한                        deadline.ko
신청방법, 온라인신청사이트URL     apply.in_person.ko, apply.online (url)
접수기관명 / 접수기관 / 부서명    where.office_type.ko
전화문의 / 문의처                where.phone (the first phone number) and the fee and
                              processing-time fallbacks (the source has neither)
소관기관명                      agency (an existing agency of that name, or a new one)
상세조회URL                     source (else the Gov24 page of the 서비스ID)
수정일시 / 등록일시               last_reviewed
서비스분야                      the category (API filter); 사용자구분 the audience
============================  ==========================================================

English: where staff have written English it is kept (and flagged when the
Korean beside it changed); otherwise the English field holds the Korean text,
so the schema's both-languages rule holds and the assistant can say that the
details are in Korean. Every such service, every field the schema has no place
for (법령, 자치법규, 행정규칙, unknown fields) and every fact the source lacks
(fee, processing time) becomes a review reason.
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import date
from typing import Any, Dict, List, Mapping, Set, Tuple

from knowledge.gov24_format import KNOWN_FIELDS, NAME, SERVICE_ID, Record, split_values, text_of

GOV24_DETAIL_URL = "https://www.gov.kr/portal/rcvfvrSvc/dtlEx/{source_id}"
ID_PREFIX = "gov24_"
AGENCY_PREFIX = "gov24_org_"
SERVICE_FILE = "services/gov24_{category}.yml"
AGENCY_FILE = "gov24/agencies.yml"

OVERVIEW_BENEFIT = "\n\n지원 내용: "
ELIGIBILITY_CRITERIA = "\n\n선정 기준: "
SELF_CHECK = " (본인 확인 필요)"
OFFICIAL_CHECK = " (담당 공무원이 확인)"

# 서비스분야 -> (slug, English name). Unknown fields get a slug from their name.
CATEGORIES: Mapping[str, Tuple[str, str]] = {
    "생활안정": ("living_support", "Living support"),
    "주거·자립": ("housing", "Housing and independence"),
    "보육·교육": ("childcare_education", "Childcare and education"),
    "고용·창업": ("employment_startup", "Jobs and startups"),
    "보건·의료": ("health_medical", "Health and medical care"),
    "행정·안전": ("administration_safety", "Administration and safety"),
    "임신·출산": ("pregnancy_birth", "Pregnancy and birth"),
    "보호·돌봄": ("protection_care", "Protection and care"),
    "문화·환경": ("culture_environment", "Culture and environment"),
    "농림축산어업": ("agriculture_fisheries", "Agriculture, livestock and fisheries"),
}
# Kept with the source record and shown by the API, but not catalogue content.
METADATA_FIELDS = frozenset(("조회수", "등록일시", "소관기관유형", "지원유형", "사용자구분", "서비스분야"))
# National fields the catalogue schema has no place for: staff review them.
UNMAPPED_FIELDS = ("법령", "자치법규", "행정규칙")
# The texts the national record owns for a service that already existed in the catalogue.
MATCHED_FIELDS = ("overview", "documents", "eligibility", "deadline")

# Provinces and metropolitan cities, as a service name spells them and as people say them.
PROVINCES: Mapping[str, str] = {
    "서울특별시": "서울",
    "부산광역시": "부산",
    "대구광역시": "대구",
    "인천광역시": "인천",
    "광주광역시": "광주",
    "대전광역시": "대전",
    "울산광역시": "울산",
    "세종특별자치시": "세종",
    "경기도": "경기",
    "강원특별자치도": "강원",
    "강원도": "강원",
    "충청북도": "충북",
    "충청남도": "충남",
    "전북특별자치도": "전북",
    "전라북도": "전북",
    "전라남도": "전남",
    "경상북도": "경북",
    "경상남도": "경남",
    "제주특별자치도": "제주",
}
_DISTRICT = re.compile(r"^[가-힣]{1,5}[시군구]$")
_CITY = re.compile(r"^[가-힣]{2,4}시$")
_PHONE = re.compile(r"(?<!\d)(0\d{1,2}-\d{3,4}-\d{4}|1\d{3}-\d{4}|1[0-9]{2,3})(?!\d)")
_BRACKETS = re.compile(r"\s*[\(\[（][^\)\]）]*[\)\]）]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_HANGUL = re.compile(r"[가-힣]")


def service_id_for(source_id: str) -> str:
    """The catalogue id of a service the import creates: ``gov24_`` and the 서비스ID."""
    return (ID_PREFIX + _NOT_SLUG.sub("_", source_id.lower()).strip("_"))[:64]


def agency_id_for(name_ko: str) -> str:
    """A stable agency id for an agency known only by its Korean name."""
    return AGENCY_PREFIX + hashlib.sha1(name_ko.encode("utf-8")).hexdigest()[:12]  # noqa: S324 (an id, not security)


def category_for(name_ko: str) -> Tuple[str, str]:
    """(slug, English name) of a 서비스분야; unknown ones get a stable slug and keep the Korean."""
    name_ko = name_ko.strip()
    if not name_ko:
        return "uncategorised", "Uncategorised"
    known = CATEGORIES.get(name_ko)
    if known is not None:
        return known
    return "field_" + hashlib.sha1(name_ko.encode("utf-8")).hexdigest()[:8], name_ko  # noqa: S324


KOREAN_ONLY_NOTE_EN = (
    "The details of this service are available in Korean only (as given above); "
    "the agency or the 110 call centre can help in English."
)


def korean_only(answer_en: str, answer_ko: str, overview_en: str = "", overview_ko: str = "") -> bool:
    """True when an English answer shows Korean nobody translated (an imported service): it is
    the Korean answer, or it has Korean in it and the service's overview is still the Korean one."""
    if not has_hangul(answer_en):
        return False
    return answer_en == answer_ko or (overview_en == overview_ko and has_hangul(overview_en))


def regional_aliases(name: str) -> List[str]:
    """Shorter ways people name a regional service: "부산광역시 청년 월세" -> "부산 청년 월세",
    "서울 강남구 청년 월세" -> "강남구 청년 월세", "수원시 청년 월세" -> "수원 청년 월세"."""
    words = name.split()
    aliases: List[str] = []
    if len(words) < 2:
        return aliases
    first = words[0]
    if first in PROVINCES:
        aliases.append(" ".join([PROVINCES[first], *words[1:]]))
    if (first in PROVINCES or first in PROVINCES.values()) and len(words) > 2 and _DISTRICT.match(words[1]):
        aliases.append(" ".join(words[1:]))
    if first not in PROVINCES and _CITY.match(first):
        aliases.append(" ".join([first[:-1], *words[1:]]))
    return [alias for alias in dict.fromkeys(aliases) if alias != name]


def has_hangul(text: str) -> bool:
    """True when ``text`` contains a Hangul syllable."""
    return bool(_HANGUL.search(text or ""))


def source_date(record: Record) -> date | None:
    """The record's 수정일시 (else 등록일시) as a date; ``None`` when absent or unreadable."""
    for name in ("수정일시", "등록일시"):
        digits = re.sub(r"\D", "", text_of(record, name))
        if len(digits) >= 8:
            try:
                return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
            except ValueError:
                return None
    return None


def _prose(value: Any) -> str:
    """A prose field with its ``||`` parts on separate lines."""
    return "\n".join(split_values(value))


def contact_text(record: Record) -> str:
    """Who to ask, as the record gives it (문의처, else 전화문의), on one line."""
    return ", ".join(split_values(record.get("문의처")) or split_values(record.get("전화문의")))


def first_phone(record: Record) -> str | None:
    """The first phone number in 전화문의 or 문의처."""
    for name in ("전화문의", "문의처"):
        match = _PHONE.search(text_of(record, name))
        if match:
            return match.group(1)
    return None


def office_of(record: Record) -> str:
    """Where to apply: 접수기관명, 접수기관, 부서명 or 소관기관명, the first given."""
    for name in ("접수기관명", "접수기관", "부서명", "소관기관명"):
        value = _prose(record.get(name)).replace("\n", ", ")
        if value:
            return value
    return ""


def korean_values(record: Record) -> Dict[str, Any]:
    """The Korean catalogue values the record gives, by group (only groups it has)."""
    values: Dict[str, Any] = {}
    name = text_of(record, NAME)
    if name:
        values["name"] = name
    purpose = _prose(record.get("서비스목적요약")) or _prose(record.get("서비스목적"))
    benefit = _prose(record.get("지원내용"))
    if purpose or benefit:
        values["overview"] = (purpose or name or benefit) + (OVERVIEW_BENEFIT + benefit if benefit and purpose else "")
    documents = split_values(record.get("구비서류"))
    documents += [item + SELF_CHECK for item in split_values(record.get("본인확인필요구비서류"))]
    documents += [item + OFFICIAL_CHECK for item in split_values(record.get("공무원확인구비서류"))]
    if documents:
        values["documents"] = documents
    target, criteria = _prose(record.get("지원대상")), _prose(record.get("선정기준"))
    if target or criteria:
        values["eligibility"] = (target or criteria) + (ELIGIBILITY_CRITERIA + criteria if target and criteria else "")
    deadline = _prose(record.get("신청기한"))
    if deadline:
        values["deadline"] = deadline
    url = text_of(record, "온라인신청사이트URL")
    how = _prose(record.get("신청방법"))
    office = office_of(record)
    if url or how or office:
        values["apply"] = {
            "online": {"ko": "온라인으로 신청할 수 있어요.", "url": url} if url else None,
            "in_person": how or (f"{office}에 문의해 신청해요." if not url else None),
        }
    if office:
        values["office"] = office
    phone = first_phone(record)
    if phone:
        values["phone"] = phone
    agency = text_of(record, "소관기관명")
    if agency:
        values["agency_name"] = agency
    values["source"] = text_of(record, "상세조회URL") or GOV24_DETAIL_URL.format(source_id=text_of(record, SERVICE_ID))
    reviewed = source_date(record)
    if reviewed is not None:
        values["last_reviewed"] = reviewed
    return values


def unmapped_fields(record: Record) -> List[str]:
    """Fields with a value that the catalogue has no place for (in the record's order)."""
    return [
        str(name)
        for name, value in record.items()
        if (name in UNMAPPED_FIELDS or name not in KNOWN_FIELDS)
        and value is not None
        and str(value).strip()
    ]


def _ask(record: Record) -> Tuple[str, str]:
    contact = contact_text(record)
    if contact:
        return f"문의처({contact})에 확인해 주세요.", f"please ask {contact}."
    return "담당 기관에 확인해 주세요.", "please ask the agency."


def _fee_fallback(record: Record) -> Dict[str, str]:
    ask_ko, ask_en = _ask(record)
    return {
        "ko": f"정부24 공공서비스 정보에 수수료 안내가 없어요. {ask_ko}",
        "en": f"The national service catalogue does not give a fee; {ask_en}",
    }


def _time_fallback(record: Record) -> Dict[str, str]:
    ask_ko, ask_en = _ask(record)
    return {
        "ko": f"정부24 공공서비스 정보에 처리 기간 안내가 없어요. {ask_ko}",
        "en": f"The national service catalogue does not give a processing time; {ask_en}",
    }


class _English:
    """Keeps written English, falls back to the Korean text, and collects why."""

    def __init__(self, reasons: Set[str]) -> None:
        self.reasons = reasons

    def pair(self, field: str, new_ko: Any, old: Mapping[str, Any] | None) -> Dict[str, Any]:
        old_ko = old.get("ko") if old else None
        old_en = old.get("en") if old else None
        if old_en and old_en != old_ko:
            if new_ko != old_ko:
                self.reasons.add(f"english_outdated:{field}")
            return {"ko": new_ko, "en": old_en}
        self.reasons.add("no_english")
        return {"ko": new_ko, "en": copy.deepcopy(new_ko)}


def build_entry(
    record: Record,
    service_id: str,
    agency_id: str | None,
    existing: Mapping[str, Any] | None,
    origin: str,
) -> Tuple[Dict[str, Any], List[str]]:
    """The catalogue entry for ``record`` and the reasons staff should review it.

    ``existing`` is the service's current entry (``None`` for a new one). With
    ``origin`` ``"matched"`` (the service was in the catalogue before any
    import) the record only updates the texts of :data:`MATCHED_FIELDS`;
    with ``"created"`` it owns every field it has. A field the record lacks
    keeps its current value, else gets a fallback.
    """
    values = korean_values(record)
    reasons: Set[str] = set()
    english = _English(reasons)
    entry: Dict[str, Any] = copy.deepcopy(dict(existing)) if existing else {"id": service_id}
    owned = set(MATCHED_FIELDS) if origin == "matched" else None

    def owns(group: str) -> bool:
        return owned is None or group in owned

    name_ko = values.get("name") or (existing["name"]["ko"] if existing else "")
    if owns("name") and "name" in values:
        entry["name"] = english.pair("name", values["name"], entry.get("name"))
        aliases = entry.get("aliases") or {"ko": [], "en": []}
        plain = _BRACKETS.sub("", values["name"]).strip()
        if existing is None:
            # The name without its bracketed part, and shorter names of its region.
            found = [plain] if plain and plain != values["name"] else []
            found += regional_aliases(plain or values["name"])
            aliases = {"ko": list(dict.fromkeys(found)), "en": []}
        entry["aliases"] = aliases
    if owns("agency") and agency_id is not None:
        entry["agency"] = agency_id
    if "overview" in values:
        entry["overview"] = english.pair("overview", values["overview"], entry.get("overview"))
    elif "overview" not in entry:
        entry["overview"] = english.pair("overview", f"{name_ko} 안내입니다.", None)
        reasons.add("missing:overview")
    if "documents" in values:
        entry["documents"] = english.pair("documents", values["documents"], entry.get("documents"))
    elif "documents" not in entry:
        entry["documents"] = {"ko": [], "en": []}
        reasons.add("missing:documents")
    if "fee" not in entry:
        entry["fee"] = _fee_fallback(record)
        reasons.add("missing:fee")
    if "processing_time" not in entry:
        entry["processing_time"] = _time_fallback(record)
        reasons.add("missing:processing_time")
    if "deadline" in values:
        entry["deadline"] = english.pair("deadline", values["deadline"], entry.get("deadline"))
    eligibility = entry.get("eligibility") or {"text": None, "rules": None}
    if "eligibility" in values:
        eligibility["text"] = english.pair("eligibility", values["eligibility"], eligibility.get("text"))
    elif not eligibility.get("text"):
        eligibility["text"] = {
            "ko": "신청 대상 정보가 없어요. 담당 기관에 확인해 주세요.",
            "en": "The national service catalogue does not say who can apply; please ask the agency.",
        }
        reasons.add("missing:eligibility")
    eligibility.setdefault("rules", None)
    entry["eligibility"] = eligibility
    if owns("apply") and "apply" in values:
        apply = values["apply"]
        old_apply = entry.get("apply") or {}
        online = None
        if apply["online"] is not None:
            old_online = old_apply.get("online") or {}
            text = english.pair("apply.online", apply["online"]["ko"], old_online)
            online = {**text, "url": apply["online"]["url"]}
        in_person = None
        if apply["in_person"] is not None:
            in_person = english.pair("apply.in_person", apply["in_person"], old_apply.get("in_person"))
        entry["apply"] = {"online": online, "in_person": in_person}
    elif "apply" not in entry:
        entry["apply"] = {
            "online": None,
            "in_person": {"ko": "담당 기관에 문의해 신청해요.", "en": "Ask the agency how to apply."},
        }
        reasons.add("missing:apply")
    if owns("where") and ("office" in values or "phone" in values or "where" not in entry):
        where = dict(entry.get("where") or {})
        office = values.get("office") or values.get("agency_name") or name_ko
        where["office_type"] = english.pair("where.office_type", office, where.get("office_type"))
        if "phone" in values:
            where["phone"] = values["phone"]
        entry["where"] = where
    if owns("source") or "source" not in entry:
        entry["source"] = values["source"]
    if owns("last_reviewed") or "last_reviewed" not in entry:
        entry["last_reviewed"] = values.get("last_reviewed") or entry.get("last_reviewed") or date.today()
        if "last_reviewed" not in values:
            reasons.add("missing:last_reviewed")
    entry.setdefault("aliases", {"ko": [], "en": []})
    entry.setdefault("life_events", [])
    if origin != "matched":
        entry["illustrative"] = False
    for name in unmapped_fields(record):
        reasons.add(f"unmapped:{name}")
    return entry, sorted(reasons)


def _split_marked(text: str, marker: str) -> Tuple[str, str]:
    head, _, tail = (text or "").partition(marker)
    return head, tail


def korean_record_fields(entry: Mapping[str, Any], agency_name_ko: str) -> Dict[str, Dict[str, Any]]:
    """The national fields for each group of ``entry``'s Korean values (the inverse of :func:`korean_values`)."""
    fields: Dict[str, Dict[str, Any]] = {}
    fields["name"] = {NAME: entry["name"]["ko"]}
    purpose, benefit = _split_marked(entry["overview"]["ko"], OVERVIEW_BENEFIT)
    fields["overview"] = {"서비스목적요약": purpose, "지원내용": benefit or None}
    plain, self_check, official = [], [], []
    for item in (entry.get("documents") or {}).get("ko") or []:
        if item.endswith(SELF_CHECK):
            self_check.append(item[: -len(SELF_CHECK)])
        elif item.endswith(OFFICIAL_CHECK):
            official.append(item[: -len(OFFICIAL_CHECK)])
        else:
            plain.append(item)
    fields["documents"] = {
        "구비서류": "||".join(plain) or None,
        "본인확인필요구비서류": "||".join(self_check) or None,
        "공무원확인구비서류": "||".join(official) or None,
    }
    target, criteria = _split_marked(entry["eligibility"]["text"]["ko"], ELIGIBILITY_CRITERIA)
    fields["eligibility"] = {"지원대상": target, "선정기준": criteria or None}
    fields["deadline"] = {"신청기한": (entry.get("deadline") or {}).get("ko")}
    apply = entry.get("apply") or {}
    online, in_person = apply.get("online") or {}, apply.get("in_person") or {}
    fields["apply"] = {
        "온라인신청사이트URL": online.get("url"),
        "신청방법": "||".join(text for text in (online.get("ko"), in_person.get("ko")) if text) or None,
    }
    where = entry.get("where") or {}
    fields["where"] = {"접수기관명": (where.get("office_type") or {}).get("ko"), "전화문의": where.get("phone")}
    fields["source"] = {"상세조회URL": entry.get("source")}
    fields["agency"] = {"소관기관명": agency_name_ko}
    reviewed = entry.get("last_reviewed")
    if isinstance(reviewed, date):
        fields["last_reviewed"] = {"수정일시": reviewed.strftime("%Y%m%d") + "000000"}
    return fields
