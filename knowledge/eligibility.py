"""Evaluate an eligibility rule tree against what is known about a citizen.

A rule tree is what the catalogue stores under ``eligibility.rules``::

    {"all": [{"fact": "age", "op": ">=", "value": 65,
              "reason": {"ko": "만 65세 이상이시고", "en": "you are 65 or older"}},
             {"any": [...]}]}

Evaluation is three-valued: a condition on a fact the citizen did not give
(missing or ``None``, e.g. a skipped question) is *unknown*, and unknown
propagates the way it does in Kleene logic (``all`` is not matched as soon as
one part fails, ``any`` is matched as soon as one part holds).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Dict, List, Mapping, Tuple

# Fact name -> Python type of its value; the allowed values for enumerations.
FACT_TYPES: Dict[str, type] = {
    "age": int,
    "region": str,
    "children_count": int,
    "youngest_child_age_months": int,
    "employment": str,
    "disability": bool,
    "foreign_resident": bool,
    "income_band": str,
}
FACT_CHOICES: Dict[str, Tuple[str, ...]] = {
    "employment": ("employed", "unemployed", "self_employed", "student", "retired", "homemaker"),
    "income_band": ("low", "middle", "high"),
}
ORDERING_OPS = (">=", "<=", ">", "<")
OPERATORS = ("==", "!=", *ORDERING_OPS, "in")

_COMPARE: Dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "in": lambda fact, choices: fact in choices,
}


class Outcome(str, Enum):
    """Whether the citizen meets the rules."""

    MATCHED = "matched"
    NOT_MATCHED = "not_matched"
    UNKNOWN = "unknown"


@dataclass
class EligibilityResult:
    """The outcome with the conditions behind it.

    ``met`` and ``unmet`` hold the ``reason`` mappings ({ko, en}) of the leaf
    conditions that held or failed; ``missing`` the facts that were not given.
    """

    outcome: Outcome
    met: List[Mapping[str, str]] = field(default_factory=list)
    unmet: List[Mapping[str, str]] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)

    def reasons(self, language: str) -> List[str]:
        """The reasons that decided the outcome, in ``language``."""
        chosen = self.unmet if self.outcome is Outcome.NOT_MATCHED else self.met
        return [reason.get(language) or reason.get("ko", "") for reason in chosen]


def evaluate(rules: Mapping[str, Any] | None, facts: Mapping[str, Any]) -> EligibilityResult:
    """Evaluate ``rules`` (a validated rule tree) against ``facts``.

    ``rules`` of ``None`` means the catalogue has no machine-readable rule for
    the service, so the answer is ``UNKNOWN`` (the citizen should read the
    eligibility text). A fact that is absent or ``None`` makes its condition
    unknown; its name is listed in ``missing`` once.
    """
    result = EligibilityResult(Outcome.UNKNOWN)
    if rules is None:
        return result
    result.outcome = _evaluate_node(rules, facts, result)
    return result


def _evaluate_node(node: Mapping[str, Any], facts: Mapping[str, Any], result: EligibilityResult) -> Outcome:
    if "all" in node:
        outcomes = [_evaluate_node(child, facts, result) for child in node["all"]]
        if Outcome.NOT_MATCHED in outcomes:
            return Outcome.NOT_MATCHED
        return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.MATCHED
    if "any" in node:
        outcomes = [_evaluate_node(child, facts, result) for child in node["any"]]
        if Outcome.MATCHED in outcomes:
            return Outcome.MATCHED
        return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.NOT_MATCHED
    return _evaluate_leaf(node, facts, result)


def _evaluate_leaf(leaf: Mapping[str, Any], facts: Mapping[str, Any], result: EligibilityResult) -> Outcome:
    name = leaf["fact"]
    value = facts.get(name)
    reason = leaf.get("reason") or {}
    if value is None:
        if name not in result.missing:
            result.missing.append(name)
        return Outcome.UNKNOWN
    try:
        holds = _COMPARE[leaf["op"]](value, leaf["value"])
    except TypeError:
        # A fact of the wrong type (e.g. "65" for age) cannot be compared: it
        # says nothing reliable, so treat it as not given.
        if name not in result.missing:
            result.missing.append(name)
        return Outcome.UNKNOWN
    (result.met if holds else result.unmet).append(reason)
    return Outcome.MATCHED if holds else Outcome.NOT_MATCHED
