"""Petitions: which channel fits, what the citizen already said, and the draft.

Three channels (their links and processing times come from the catalogue):

* a safety report (illegal parking, a pothole, a broken streetlight) goes to
  안전신문고 (``safety_report``);
* a complaint or a policy proposal goes to 국민신문고 (``epeople_petition``);
* a request for public records goes to 정보공개청구 (``information_disclosure_request``).

The draft holds the citizen's own words; only a resident registration number
is masked (it must never be kept or repeated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

from core.privacy import mask_resident_numbers

KINDS = ("safety", "complaint", "proposal", "records")
CHANNEL_SERVICE = {
    "safety": "safety_report",
    "complaint": "epeople_petition",
    "proposal": "epeople_petition",
    "records": "information_disclosure_request",
}

_KIND_PATTERNS = (
    ("records", re.compile(
        r"정보\s*공개|공개\s*청구|(자료|문서|서류|기록|회의록|내역|계약서|예산)\S{0,2}\s*(공개|열람|받아\s*보|요청)|"
        r"public\s+(records?|information|documents?)|records?\s+request|freedom\s+of\s+information|\bfoi\b|"
        r"disclos|copy\s+of\s+(the\s+)?(minutes|contract|budget|documents?)", re.I)),
    ("safety", re.compile(
        r"불법\s*(주\s*정?\s*차|주차|정차)|주정차|포트홀|가로등|신호등|싱크홀|맨홀|보도\s*블[럭록]|"
        r"(파손|고장|위험|붕괴|균열|깨졌|무너|꺼져|꺼졌|망가)|안전\s*(신고|위험|신문고)|"
        r"illegal(ly)?\s*park|parked\s+illegally|pothole|street\s*(light|lamp)|traffic\s+light|sinkhole|"
        r"manhole|broken|damaged|hazard|dangerous|unsafe|safety\s+report|cracked|collapsed", re.I)),
    ("proposal", re.compile(
        r"제안|건의|아이디어|개선\s*(했으면|하면|방안|해\s*주)|(있었으면|생겼으면|했으면)\s*좋겠|"
        r"proposal|propose|suggest|\bidea\b|would\s+be\s+(nice|good|better)|should\s+(add|build|install|create|make)",
        re.I)),
    ("complaint", re.compile(
        r"불만|불친절|고충|항의|부당|억울|불편|고발|국민\s*신문고|민원\s*(을|를)?\s*(넣|제기|신청|접수)|"
        r"complain|grievance|unfair|rude|mistreat|e-?people", re.I)),
)

_GENERIC = re.compile(
    r"민원|신고|접수|제출|청구|넣고|넣을|넣으|넣어|하고\s*싶|싶어요|싶습니다|싶은데|할게요|하려고|하려는데|"
    r"해\s*주세요|어떻게|방법|어디|해야|하나요|돼요|되나요|할\s*수\s*있|있나요|좀|"
    r"국민\s*신문고|안전\s*신문고|정보\s*공개|정책|제안|건의|"
    r"\b(i|want|wanna|to|would|like|how|do|can|could|where|file|submit|make|send|report|a|an|the|petition|"
    r"complaint|request|please|you|help|me|government|about|for|of|my|some|need|it|is|there|way|policy|"
    r"proposal|suggestion|public|records?|information|safety)\b",
    re.I,
)

_KO_PLACE = re.compile(
    r"[가-힣0-9]{1,12}(?:동|읍|역|로|길|대로|사거리|삼거리|교차로|아파트|공원|학교|시장|병원|정류장|터미널)"
    r"(?:\s*\d+(?:-\d+)?(?:번지)?)?(?:\s*(?:앞|뒤|옆|근처|입구|건너편|주변|사이))?"
)
_NOT_PLACES = {
    "도로", "대로", "경로", "진로", "통로", "차로", "민원", "이면", "방면", "여러", "너무", "새로", "바로", "별로",
    "그리로", "이리로", "정말로", "실제로", "으로", "도로에", "마음대로", "제대로", "그대로",
}
_EN_PLACE = re.compile(r"\b(?:on|at|near|in front of|outside|by)\s+((?:[A-Z0-9][\w'-]*)(?:\s+[A-Z0-9][\w'-]*){0,4})")
_WHEN = re.compile(
    r"오늘|어제|그제|그저께|엊그제|지난\s*(주말|주|달|밤|번)|이번\s*주|매일(\s*밤|\s*아침)?|아침마다|밤마다|"
    r"새벽|오전\s*\d{0,2}\s*시?|오후\s*\d{0,2}\s*시?|\d{1,2}\s*시(\s*\d{1,2}\s*분)?|\d{1,2}\s*월\s*\d{1,2}\s*일|"
    r"\d+\s*일\s*(전|째)|며칠\s*(전|째)|\d+\s*주\s*(전|째)|한\s*달\s*(전|째)|요즘|최근|"
    r"\btoday\b|\byesterday\b|\btonight\b|this\s+(morning|afternoon|evening|week)|last\s+(night|week|month|weekend)|"
    r"every\s+(day|night|morning|evening)|\d+\s+(days?|weeks?|months?)\s+ago|\d{1,2}(:\d{2})?\s*(am|pm)\b|"
    r"for\s+(\d+|a|two|three|several)\s+(days?|weeks?|months?)|"
    r"\bon\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)


def classify_petition(text: str) -> Optional[str]:
    """The kind of petition a message asks for, or None when it does not say."""
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(text or ""):
            return kind
    return None


def is_descriptive(text: str) -> bool:
    """True when a message says more than "I want to file a petition": it describes the matter."""
    remaining = _GENERIC.sub(" ", text or "")
    hangul = re.findall(r"[가-힣]", remaining)
    words = re.findall(r"[A-Za-z]{2,}", remaining)
    return len(hangul) >= 8 or len(words) >= 4


def find_place(text: str, region_span: Optional[str] = None) -> Optional[str]:
    """Where, as the citizen wrote it ("강남역 앞", "near Gangnam Station"), if the message says."""
    found: List[str] = []
    for match in _KO_PLACE.finditer(text or ""):
        phrase = match.group(0).strip()
        if phrase not in _NOT_PLACES and len(phrase) >= 3:
            found.append(phrase)
    found += [match.group(1).strip() for match in _EN_PLACE.finditer(text or "")]
    if not found and region_span:
        found.append(region_span)
    return ", ".join(dict.fromkeys(found)) or None


def find_time(text: str) -> Optional[str]:
    """When, as the citizen wrote it ("어제 밤", "since last week"), if the message says."""
    phrases = [match.group(0).strip() for match in _WHEN.finditer(text or "")]
    return ", ".join(dict.fromkeys(p for p in phrases if p)) or None


def citizen_words(text: str) -> str:
    """The citizen's text as it goes into a draft: trimmed, resident numbers masked."""
    return mask_resident_numbers((text or "").strip()).text


@dataclass(frozen=True)
class Draft:
    """A ready-to-paste petition."""

    title: str
    body: str


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_draft(
    kind: str, what: str, where: Optional[str], when: Optional[str], labels: dict
) -> Draft:
    """Title and body in the citizen's language (``labels`` holds that language's words).

    ``labels`` keys: ``kind_<kind>``, ``what``/``where``/``when`` (or their
    ``records_`` variants) and ``request_<kind>``. Missing where/when lines are left out.
    """
    prefix = "records_" if kind == "records" else ""
    title = f"[{labels[f'kind_{kind}']}] {_short(what)}"
    lines = [f"{labels[prefix + 'what']}: {what}"]
    if where:
        lines.append(f"{labels[prefix + 'where']}: {where}")
    if when:
        lines.append(f"{labels[prefix + 'when']}: {when}")
    lines.append("")
    lines.append(labels[f"request_{kind}"])
    return Draft(title, "\n".join(lines))
