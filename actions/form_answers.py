"""Reading a citizen's answers to form questions, as they type them.

Every question may be skipped ("건너뛰기", "몰라요", "skip", "pass"): the answer
is then :data:`SKIPPED` and the fact stays unknown. Other answers are read in
natural forms ("만 67세", "67살", "sixty-seven", "애 둘, 막내 3살", "무직이에요",
"unemployed", 네/아니요/yes/no). A parser returns ``None`` when it cannot read
the answer, so the form can ask again with a hint.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

SKIPPED = "skipped"
NONE = "none"  # "no children": the youngest-child question does not apply

_SKIP = re.compile(
    r"건너\s*뛰|넘어가|패스|스킵|몰라|모르겠|모름|잘\s*모르|알려\s*주기\s*싫|말하기\s*싫|비밀|"
    r"\bskip\b|\bpass\b|don'?t\s+know|do\s+not\s+know|not\s+sure|no\s+idea|rather\s+not|prefer\s+not|"
    r"^\s*(next|idk)\s*[.!]?\s*$",
    re.IGNORECASE,
)


def is_skip(text: str) -> bool:
    """True when the answer says the citizen skips the question or does not know."""
    return bool(_SKIP.search(text or ""))


_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_EN_NUMBER = re.compile(
    r"\b(?:(" + "|".join(_EN_TENS) + r")(?:[\s-]+(" + "|".join(list(_EN_UNITS)[1:10]) + r"))?"
    r"|(" + "|".join(_EN_UNITS) + r"))\b",
    re.IGNORECASE,
)
_KO_COUNTS = {"한": 1, "하나": 1, "두": 2, "둘": 2, "세": 3, "셋": 3, "네": 4, "넷": 4, "다섯": 5, "여섯": 6}


def _english_number(text: str) -> Optional[int]:
    match = _EN_NUMBER.search(text)
    if not match:
        return None
    tens, unit, alone = match.groups()
    if tens:
        return _EN_TENS[tens.lower()] + (_EN_UNITS[unit.lower()] if unit else 0)
    return _EN_UNITS[alone.lower()]


def parse_age(text: str) -> Optional[int]:
    """Age in full years: "67", "만 67세", "67살", "I'm 67", "sixty-seven"; 0-120."""
    match = re.search(r"(?<!\d)(\d{1,3})(?!\d)", text)
    age = int(match.group(1)) if match else _english_number(text)
    return age if age is not None and 0 <= age <= 120 else None


_REGION_FILLERS = re.compile(
    r"(에\s*)?(살고\s*있어요|살아요|살고요|살아|살고\s*있습니다|삽니다|거주(해요|합니다|중)?|이에요|예요|입니다)"
    r"|^\s*(i\s+live\s+in|i'?m\s+in|i\s+am\s+in|in|live\s+in|living\s+in)\s+|[.!?~]",
    re.IGNORECASE,
)


def parse_region(text: str, entity_value: Optional[str] = None) -> Optional[str]:
    """The region: the ``region`` entity's official name, else the words given (≤ 40 chars)."""
    if entity_value:
        return entity_value
    words = _REGION_FILLERS.sub(" ", text or "")
    words = re.sub(r"\s+", " ", words).strip()
    if not words or not re.search(r"[A-Za-z가-힣]", words):
        return None
    return words[:40]


@dataclass(frozen=True)
class Household:
    """Number of children and the youngest one's age in months (None: not said)."""

    children: int
    youngest_months: Optional[int]


_NO_CHILDREN = re.compile(
    r"(아이|애|자녀|자식|애기|아기)\s*(가|는|도)?\s*(없|없어)|무자녀|없어요|없습니다|없음|^\s*0\s*(명)?\s*$|"
    r"\bno\s+(kids|children|child)\b|\bnone\b|\bchildless\b|don'?t\s+have\s+(any\s+)?(kids|children)",
    re.IGNORECASE,
)
_MONTHS = re.compile(r"(\d{1,2})\s*(개월|달|months?|mos?\b|-month)", re.IGNORECASE)
_YEARS = re.compile(r"(\d{1,2})\s*(살|세|years?|yrs?|yo\b|-year)", re.IGNORECASE)
_YOUNGEST_BARE = re.compile(r"(막내|youngest|baby)\D{0,14}?(\d{1,2})", re.IGNORECASE)
_COUNT_DIGITS = re.compile(r"(\d{1,2})\s*(명|kids?|children|child|sons?|daughters?)", re.IGNORECASE)
_COUNT_KO = re.compile(r"(아이|애|자녀|아들|딸|애기)?\s*(하나|둘|셋|넷|다섯|여섯|한|두|세|네)\s*(명|째)?(?![가-힣])")
_COUNT_KO_PEOPLE = re.compile(r"(하나|둘|셋|넷|다섯|여섯|한|두|세|네)\s*명")
_COUNT_EN = re.compile(
    r"\b(one|two|three|four|five|six|a)\s+(kids?|children|child|sons?"
    r"|daughters?|babies|baby)\b",
    re.I,
)
_BABY = re.compile(r"신생아|갓난|아기|애기|newborn|\bbaby\b", re.IGNORECASE)


def _youngest_months(text: str) -> Optional[int]:
    months = [int(m.group(1)) for m in _MONTHS.finditer(text)]
    years = [int(m.group(1)) * 12 for m in _YEARS.finditer(text)]
    ages = months + years
    if ages:
        return min(ages)
    bare = _YOUNGEST_BARE.search(text)
    if bare:
        return int(bare.group(2)) * 12
    return None


def _children_count(text: str) -> Optional[int]:
    match = _COUNT_DIGITS.search(text)
    if match:
        return int(match.group(1))
    match = _COUNT_KO_PEOPLE.search(text)
    if match:
        return _KO_COUNTS[match.group(1)]
    match = _COUNT_KO.search(text)
    if match and (match.group(1) or match.group(3) or match.group(2) in {"하나", "둘", "셋", "넷", "다섯", "여섯"}):
        return _KO_COUNTS[match.group(2)]
    match = _COUNT_EN.search(text)
    if match:
        word = match.group(1).lower()
        return 1 if word == "a" else _EN_UNITS[word]
    if re.fullmatch(r"\s*\d{1,2}\s*", text):
        return int(text)
    return None


def parse_household(text: str) -> Optional[Household]:
    """Children and youngest age: "애 둘, 막내 3살", "2 kids, youngest is 3", "없어요", "6개월 아기"."""
    if _NO_CHILDREN.search(text) and not _children_count(text):
        return Household(0, None)
    count = _children_count(text)
    youngest = _youngest_months(text)
    if count is None and youngest is None and _BABY.search(text):
        return Household(1, None)
    if count is None and youngest is not None:
        count = 1
    if count is None:
        return None
    if count == 0:
        return Household(0, None)
    return Household(count, youngest)


def parse_child_age_months(text: str) -> Optional[int]:
    """The youngest child's age in months: "3살", "6개월", "3", "three"."""
    months = _youngest_months(text)
    if months is not None:
        return months
    age = parse_age(text)
    return age * 12 if age is not None and age < 30 else None


_EMPLOYMENT: Tuple[Tuple[str, re.Pattern], ...] = (
    ("retired", re.compile(r"은퇴|정년|연금\s*받|retired|pensioner", re.I)),
    ("student", re.compile(r"학생|재학|대학|student|studying|at\s+school|university", re.I)),
    ("homemaker", re.compile(r"주부|전업|살림|가사|homemaker|housewife|househusband|stay[\s-]at[\s-]home", re.I)),
    ("self_employed", re.compile(
        r"자영업|사업|가게|장사|프리랜서|개인\s*사업|self[\s-]?employed|freelanc"
        r"|own\s+(a\s+)?business|business\s+owner|shop",
        re.I,
    )),
    ("unemployed", re.compile(
        r"무직|실직|백수|구직|취준|취업\s*준비|일\s*(을\s*)?안\s*해|쉬고\s*있|놀고\s*있|일자리\s*(를\s*)?(잃"
        r"|찾)|잘렸|해고|퇴사|unemploy|jobless|no\s+job|out\s+of\s+work"
        r"|looking\s+for\s+(a\s+)?(job|work)|lost\s+my\s+job|between\s+jobs",
        re.I,
    )),
    ("employed", re.compile(
        r"직장|회사|근무|근로|정규직|계약직|알바|아르바이트|일\s*해요|일하고|employ|work(ing)?\s+(at|for"
        r"|full|part)|full[\s-]time|part[\s-]time|office\s+worker|have\s+a\s+job"
        r"|\bi\s+work\b",
        re.I,
    )),
)


def parse_employment(text: str) -> Optional[str]:
    """One of knowledge.eligibility's employment values, or None."""
    for value, pattern in _EMPLOYMENT:
        if pattern.search(text):
            return value
    return None


_NEGATIVE = re.compile(
    r"아니|아뇨|없어|없습|없음|안\s*해|않|no\b|nope|not\b|don'?t|do\s+not|never|n't|\bnah\b",
    re.IGNORECASE,
)
_POSITIVE = re.compile(
    r"네|예|응|있어|있습|맞아|맞습|그래|그렇|yes|yeah|yep|yup|sure|i\s+do|i\s+am|i\s+have|correct|right", re.I
)


def parse_yes_no(text: str) -> Optional[bool]:
    """네/아니요/yes/no and their variants; negative words win ("장애 없어요")."""
    if _NEGATIVE.search(text):
        return False
    if _POSITIVE.search(text):
        return True
    return None


_FOREIGN_YES = re.compile(
    r"외국인|외국\s*국적|foreigner|foreign\s+(national|resident|citizen)|expat|visa"
    r"|비자|not\s+(a\s+)?korean",
    re.I,
)
_FOREIGN_NO = re.compile(
    r"한국인|한국\s*사람|내국인|국민이|대한민국\s*국적|korean\s+(citizen|national)"
    r"|i'?m\s+korean|i\s+am\s+korean",
    re.I,
)


def parse_foreign_resident(text: str) -> Optional[bool]:
    """Whether the citizen is a foreign resident: "외국인이에요", "한국인", yes/no."""
    if _FOREIGN_YES.search(text) and not re.search(r"외국인\s*(은|이)?\s*(아니|아뇨)|not\s+a\s+foreign", text, re.I):
        return True
    if _FOREIGN_NO.search(text) or re.search(r"외국인\s*(은|이)?\s*(아니|아뇨)|not\s+a\s+foreign", text, re.I):
        return False
    return parse_yes_no(text)


_DISABILITY_YES = re.compile(
    r"장애\s*(가|는)?\s*(있|있어|등록|판정|인)|장애인\s*(이|입)|disab(led|ility)\s*(yes)?", re.I
)


def parse_disability(text: str) -> Optional[bool]:
    """Whether the citizen has a disability: "네", "장애 있어요", "없어요", "no"."""
    answer = parse_yes_no(text)
    if answer is not None:
        return answer
    return True if _DISABILITY_YES.search(text) else None


_INCOME: Tuple[Tuple[str, re.Pattern], ...] = (
    ("low", re.compile(
        r"낮|적어|적은|적습|저소득|기초\s*생활|수급자|차상위|어려워|어렵|가난"
        r"|low|poor|little|below\s+half|minimum",
        re.I,
    )),
    ("high", re.compile(
        r"높|많아|많은|많습|고소득|넉넉|high|above\s+(the\s+)?(median|average)|well[\s-]off|rich", re.I
    )),
    ("middle", re.compile(r"중간|보통|평균|중위|중산|middle|average|median|medium|normal", re.I)),
)


def parse_income_band(text: str) -> Optional[str]:
    """low / middle / high from "낮은 편", "보통이에요", "high" and the like."""
    for value, pattern in _INCOME:
        if pattern.search(text):
            return value
    return None


def facts_from_answers(answers: Dict[str, Optional[str]]) -> Dict[str, object]:
    """Eligibility facts (see knowledge.eligibility.FACT_TYPES) from the form's slot values.

    A skipped or missing answer gives no fact, so rules on it stay unknown.
    With no children, no child is younger than any limit: the youngest
    child's age is infinite, so "a child under N" rules do not match.
    """
    facts: Dict[str, object] = {}

    def given(name: str) -> Optional[str]:
        value = answers.get(name)
        return value if isinstance(value, str) and value not in ("", SKIPPED) else None

    if (age := given("age")) is not None and age.isdigit():
        facts["age"] = int(age)
    if (region := given("region")) is not None:
        facts["region"] = region
    children = given("children")
    if children is not None and children.isdigit():
        facts["children_count"] = int(children)
        if int(children) == 0:
            facts["youngest_child_age_months"] = math.inf
        elif (youngest := given("youngest_child")) is not None and youngest.isdigit():
            facts["youngest_child_age_months"] = int(youngest)
    if (employment := given("employment")) is not None:
        facts["employment"] = employment
    for name, fact in (("disability", "disability"), ("foreign_resident", "foreign_resident")):
        value = given(name)
        if value in ("yes", "no"):
            facts[fact] = value == "yes"
    if (income := given("income")) is not None:
        facts["income_band"] = income
    return facts
