"""Which services fit a citizen's situation, and why, from the catalogue's rules.

Every service with a structured eligibility rule in the catalogue database is
evaluated with :func:`knowledge.eligibility.evaluate` at the moment of the
question, so a rule a staff member changes counts at once. Matching services
come with a one-line reason built from the rules' ``reason`` texts; services
that depend on a fact the citizen skipped are grouped by those facts.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge.eligibility import Outcome, evaluate
from knowledge.models import Service

FACT_LABELS: Dict[str, Dict[str, str]] = {
    "age": {"ko": "나이", "en": "your age"},
    "region": {"ko": "사는 지역", "en": "where you live"},
    "children_count": {"ko": "자녀 수", "en": "your number of children"},
    "youngest_child_age_months": {"ko": "막내 자녀의 나이", "en": "your youngest child's age"},
    "employment": {"ko": "일자리 상황", "en": "your work situation"},
    "disability": {"ko": "장애 여부", "en": "whether you have a disability"},
    "foreign_resident": {"ko": "국적(외국인 여부)", "en": "your nationality"},
    "income_band": {"ko": "소득", "en": "your income"},
}


@dataclass(frozen=True)
class Match:
    """A service the citizen appears to qualify for, with the reasons in one language."""

    service_id: str
    name: str
    reasons: Tuple[str, ...]


@dataclass
class Recommendation:
    """Matching services (most specific first) and, by missing facts, those still open."""

    matched: List[Match] = field(default_factory=list)
    pending: "OrderedDict[Tuple[str, ...], List[str]]" = field(default_factory=OrderedDict)


def recommend(engine: Engine, facts: Mapping[str, object], language: str) -> Recommendation:
    """Evaluate every service's rules against ``facts`` (blocking: run in a thread)."""
    result = Recommendation()
    scored: List[Tuple[int, int, Match]] = []
    with session_scope(engine) as session:
        services = session.execute(
            select(Service).where(Service.eligibility_rules.isnot(None)).order_by(Service.position, Service.id)
        ).scalars()
        for order, service in enumerate(services):
            if not service.eligibility_rules:
                continue
            outcome = evaluate(service.eligibility_rules, facts)
            if outcome.outcome is Outcome.MATCHED:
                reasons = tuple(reason for reason in outcome.reasons(language) if reason)
                scored.append((len(reasons), order, Match(service.id, service.name(language), reasons)))
            elif outcome.outcome is Outcome.UNKNOWN and outcome.missing:
                key = tuple(outcome.missing)
                result.pending.setdefault(key, []).append(service.name(language))
    # The services that needed the most conditions are the most tailored to the citizen.
    result.matched = [match for _, _, match in sorted(scored, key=lambda item: (-item[0], item[1]))]
    return result


def _close_korean(reason: str) -> str:
    """Turn the connective ending of the last Korean reason ("…이시고") into "…이시므로"."""
    for ending, replacement in (("셨고", "셨으므로"), ("셨으며", "셨으므로"), ("시고", "시므로"), ("시며", "시므로")):
        if reason.endswith(ending):
            return reason[: -len(ending)] + replacement
    return reason + ","


def reason_line(reasons: Sequence[str], language: str) -> str:
    """One sentence from the rules' reasons, e.g. "만 65세 이상이시고 … 국민이시므로 신청 대상일 수 있어요."."""
    reasons = [reason.strip() for reason in reasons if reason.strip()]
    if language == "en":
        if not reasons:
            return "You may be eligible."
        if len(reasons) == 1:
            joined = reasons[0]
        else:
            joined = ", ".join(reasons[:-1]) + " and " + reasons[-1]
        return f"{joined[0].upper()}{joined[1:]}, so you may be eligible."
    if not reasons:
        return "신청 대상일 수 있어요."
    return " ".join([*reasons[:-1], _close_korean(reasons[-1])]) + " 신청 대상일 수 있어요."


def facts_label(facts: Sequence[str], language: str) -> str:
    """"소득, 나이" / "your income and your age"."""
    labels = [FACT_LABELS.get(fact, {}).get(language, fact) for fact in facts]
    if language == "en":
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return ", ".join(labels)
