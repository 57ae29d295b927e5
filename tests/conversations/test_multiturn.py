"""Multi-turn conversations played against the trained model.

The conversations live in ``tests/conversations/multiturn/{ko,en}.yml`` and are
written from what a citizen expects (forms that never trap, corrections that
switch the service and keep the topic, deadlines, lost documents), not from the
implementation. Each conversation is one test; a failing turn reports the
conversation, the turn, what was said, the whole reply and the expectation that
did not hold. Expected answers are derived from the catalogue YAML
(``knowledge/catalogue``), read directly so a wrong loader cannot hide a wrong
answer.
"""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional

import pytest
import yaml
from rasa.core.agent import Agent

from knowledge.models import format_won
from knowledge.schema import is_amount
from tests.support.conversation import buttons, say, texts

pytestmark = pytest.mark.stack

ROOT = Path(__file__).resolve().parents[2]
CONVERSATIONS_DIR = Path(__file__).resolve().parent / "multiturn"
CATALOGUE_DIR = ROOT / "knowledge" / "catalogue"

LANGUAGES = ("ko", "en")
TOPICS = ("overview", "documents", "fee", "processing_time", "eligibility", "how_to_apply", "where", "deadline")
EXPECT_KEYS = {
    "answers", "mentions", "not_mentions", "contains_any", "contains_all", "not_contains", "buttons_any", "no_info",
}
CALL_CENTRE = "110"
MIN_PER_LANGUAGE = 18
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


# --------------------------------------------------------------------------- data


def load_conversations() -> List[Dict[str, Any]]:
    """Every conversation of every language file, in file order."""
    conversations: List[Dict[str, Any]] = []
    for path in sorted(CONVERSATIONS_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for conversation in data.get("conversations") or []:
            conversations.append({**conversation, "_file": path.name})
    return conversations


@lru_cache(maxsize=1)
def catalogue_services() -> Dict[str, Dict[str, Any]]:
    """The catalogue's service entries by id, as written in the YAML seed."""
    services: Dict[str, Dict[str, Any]] = {}
    for path in sorted((CATALOGUE_DIR / "services").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("services") or []:
            services[entry["id"]] = entry
    return services


@lru_cache(maxsize=1)
def catalogue_agencies() -> Dict[str, Dict[str, Any]]:
    """The catalogue's agency entries by id."""
    data = yaml.safe_load((CATALOGUE_DIR / "agencies.yml").read_text(encoding="utf-8")) or {}
    return {entry["id"]: entry for entry in data.get("agencies") or []}


def normalise(text: str) -> str:
    """Whitespace runs collapsed to one space, case folded: the form every comparison uses."""
    return " ".join(str(text).split()).casefold()


def _text(value: Any, language: str) -> Optional[str]:
    if isinstance(value, Mapping):
        value = value.get(language)
    return None if value is None else str(value)


def fee_text(fee: Any, language: str) -> str:
    """The fee as the assistant writes it: a bare amount in won is written out (as ``Service.fee``)."""
    if is_amount(fee):
        return format_won(int(fee), language)
    value = fee.get(language) if isinstance(fee, Mapping) else None
    if value is not None and is_amount(value):
        return format_won(int(value), language)
    return "" if value is None else str(value)


def expected_fragment(service_id: str, topic: str, language: str) -> str:
    """The catalogue text a reply about ``topic`` of ``service_id`` must contain.

    Raises ``AssertionError`` naming the service and field when the catalogue has
    no text for it (e.g. a service without a ``deadline``).
    """
    entry = catalogue_services()[service_id]
    fragment: Optional[str]
    if topic == "overview":
        fragment = _prefix(_text(entry.get("overview"), language), 20)
    elif topic == "documents":
        documents = (entry.get("documents") or {}).get(language) or []
        fragment = str(documents[0]) if documents else None
    elif topic == "fee":
        fragment = _prefix(fee_text(entry.get("fee"), language), 12)
    elif topic == "processing_time":
        fragment = _prefix(_text(entry.get("processing_time"), language), 20)
    elif topic == "eligibility":
        fragment = _prefix(_text((entry.get("eligibility") or {}).get("text"), language), 20)
    elif topic == "how_to_apply":
        apply = entry.get("apply") or {}
        fragment = _prefix(_text(apply.get("online"), language) or _text(apply.get("in_person"), language), 20)
    elif topic == "where":
        fragment = _text((entry.get("where") or {}).get("office_type"), language)
    elif topic == "deadline":
        fragment = _prefix(_text(entry.get("deadline"), language), 20)
    else:
        raise AssertionError(f"unknown topic {topic!r}")
    if not fragment or not fragment.strip():
        raise AssertionError(
            f"the catalogue has no {topic!r} text in {language!r} for service {service_id!r} "
            f"(knowledge/catalogue/services/*.yml), so the expected answer cannot be derived"
        )
    return fragment


def _prefix(text: Optional[str], length: int) -> Optional[str]:
    if text is None:
        return None
    return " ".join(text.split())[:length]


def service_name(service_id: str, language: str) -> str:
    """The service's official name in ``language``."""
    return str(catalogue_services()[service_id]["name"][language])


def service_phones(service_id: str) -> List[str]:
    """Phone numbers that point a citizen somewhere for ``service_id``: its own, its agency's, 110."""
    entry = catalogue_services()[service_id]
    phones = [(entry.get("where") or {}).get("phone")]
    agency = catalogue_agencies().get(entry.get("agency") or "")
    if agency:
        phones.append(agency.get("phone"))
    phones.append(CALL_CENTRE)
    return [str(phone) for phone in phones if phone]


def services_named(expect: Mapping[str, Any]) -> Iterable[str]:
    """Every service id an expectation refers to."""
    answers = expect.get("answers")
    if isinstance(answers, Mapping) and answers.get("service"):
        yield answers["service"]
    yield from expect.get("mentions") or []
    yield from expect.get("not_mentions") or []
    if expect.get("no_info"):
        yield expect["no_info"]


# --------------------------------------------------------------------------- checks


def language_problem(reply: str, language: str) -> Optional[str]:
    """Why ``reply`` is not in ``language``, or None when it is."""
    hangul = len(_HANGUL.findall(reply))
    if language == "ko":
        return None if hangul else "the reply has no Korean (Hangul) text"
    letters = len(_LETTER.findall(reply))
    if letters and hangul / letters >= 0.10:
        return f"the reply is not English: {hangul} of {letters} letters are Hangul"
    return None


def failed_expectations(expect: Mapping[str, Any], reply: str, reply_buttons: List[Dict[str, Any]],
                        language: str) -> List[str]:
    """Each expectation of one turn that the reply does not meet, described for a developer."""
    text = normalise(reply)
    failures: List[str] = []
    answers = expect.get("answers")
    if answers:
        service, topic = answers["service"], answers["topic"]
        try:
            fragment = expected_fragment(service, topic, language)
        except AssertionError as error:
            failures.append(f"answers {service}/{topic}: {error}")
        else:
            if normalise(fragment) not in text:
                failures.append(f"answers {service}/{topic}: the reply lacks the catalogue text {fragment!r}")
    for service in expect.get("mentions") or []:
        if normalise(service_name(service, language)) not in text:
            failures.append(f"mentions {service}: the reply does not name {service_name(service, language)!r}")
    for service in expect.get("not_mentions") or []:
        if normalise(service_name(service, language)) in text:
            failures.append(f"not_mentions {service}: the reply names {service_name(service, language)!r}")
    wanted_any = expect.get("contains_any") or []
    if wanted_any and not any(normalise(word) in text for word in wanted_any):
        failures.append(f"contains_any: the reply contains none of {wanted_any}")
    for word in expect.get("contains_all") or []:
        if normalise(word) not in text:
            failures.append(f"contains_all: the reply lacks {word!r}")
    for word in expect.get("not_contains") or []:
        if normalise(word) in text:
            failures.append(f"not_contains: the reply contains {word!r}")
    wanted_buttons = expect.get("buttons_any") or []
    if wanted_buttons:
        labels = [normalise(f"{button.get('payload') or ''} {button.get('title') or ''}") for button in reply_buttons]
        if not any(normalise(word) in label for word in wanted_buttons for label in labels):
            failures.append(f"buttons_any: no button payload or title contains any of {wanted_buttons}")
    if expect.get("no_info"):
        phones = service_phones(expect["no_info"])
        if not any(phone in reply for phone in phones):
            failures.append(f"no_info {expect['no_info']}: the reply names none of the phones {phones}")
    return failures


def describe_buttons(reply_buttons: List[Dict[str, Any]]) -> str:
    """Buttons as ``title -> payload`` lines, or a dash."""
    if not reply_buttons:
        return "    -"
    return "\n".join(f"    [{button.get('title')}] -> {button.get('payload')}" for button in reply_buttons)


# --------------------------------------------------------------------------- tests

CONVERSATIONS = load_conversations()


def test_conversation_data_is_well_formed() -> None:
    """Names unique, languages known, at least two turns, known services and topics, enough per language."""
    problems: List[str] = []
    names = [str(conversation.get("name")) for conversation in CONVERSATIONS]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(f"duplicate names: {duplicates}")
    services = catalogue_services()
    for conversation in CONVERSATIONS:
        label = f"{conversation['_file']}: {conversation.get('name')!r}"
        if not conversation.get("name"):
            problems.append(f"{label}: no name")
        if conversation.get("language") not in LANGUAGES:
            problems.append(f"{label}: language must be one of {LANGUAGES}")
        turns = conversation.get("turns") or []
        if len(turns) < 2:
            problems.append(f"{label}: fewer than 2 turns")
        for number, turn in enumerate(turns, start=1):
            if not isinstance(turn, Mapping) or not str(turn.get("say") or "").strip():
                problems.append(f"{label} turn {number}: no 'say'")
                continue
            unknown_turn_keys = set(turn) - {"say", "expect"}
            if unknown_turn_keys:
                problems.append(f"{label} turn {number}: unknown keys {sorted(unknown_turn_keys)}")
            expect = turn.get("expect") or {}
            unknown = set(expect) - EXPECT_KEYS
            if unknown:
                problems.append(f"{label} turn {number}: unknown expectations {sorted(unknown)}")
            answers = expect.get("answers")
            if answers is not None:
                if not isinstance(answers, Mapping) or set(answers) != {"service", "topic"}:
                    problems.append(f"{label} turn {number}: answers needs exactly service and topic")
                elif answers["topic"] not in TOPICS:
                    problems.append(f"{label} turn {number}: unknown topic {answers['topic']!r}")
            for service in services_named(expect):
                if service not in services:
                    problems.append(f"{label} turn {number}: unknown service {service!r}")
    for language in LANGUAGES:
        count = sum(1 for conversation in CONVERSATIONS if conversation.get("language") == language)
        if count < MIN_PER_LANGUAGE:
            problems.append(f"only {count} conversations in {language!r}, at least {MIN_PER_LANGUAGE} wanted")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "conversation", CONVERSATIONS, ids=[str(conversation.get("name")) for conversation in CONVERSATIONS]
)
async def test_conversation(rasa_agent: Agent, conversation: Dict[str, Any]) -> None:
    """Every turn gets a non-empty reply in the conversation's language that meets the turn's expectations.

    All turns are played even after a failing one, so the report shows every turn that went wrong.
    """
    sender = f"multiturn-{uuid.uuid4().hex}"
    language = conversation["language"]
    report: List[str] = []
    failing: List[int] = []
    for number, turn in enumerate(conversation["turns"], start=1):
        messages = await say(rasa_agent, sender, turn["say"])
        reply, reply_buttons = texts(messages), buttons(messages)
        failures: List[str] = []
        if not reply.strip():
            failures.append("the reply is empty")
        else:
            problem = language_problem(reply, language)
            if problem:
                failures.append(problem)
        failures += failed_expectations(turn.get("expect") or {}, reply, reply_buttons, language)
        if failures:
            failing.append(number)
            report.append(
                f"turn {number} FAILED\n  said: {turn['say']!r}\n  reply:\n"
                + "\n".join(f"    {line}" for line in reply.splitlines())
                + f"\n  buttons:\n{describe_buttons(reply_buttons)}\n  failed:\n"
                + "\n".join(f"    - {failure}" for failure in failures)
            )
        else:
            report.append(f"turn {number} ok\n  said: {turn['say']!r}\n  reply: {' | '.join(reply.splitlines())}")
    if failing:
        pytest.fail(
            f"conversation {conversation['name']!r} ({conversation['_file']}): turns {failing} failed\n"
            + "\n".join(report),
            pytrace=False,
        )
