"""Build the spaCy gazetteer pipeline and save it to a folder.

    python -m nlu.gazetteer.build --out build/spacy_gazetteer

The pipeline is a blank multi-language spaCy pipeline with an EntityRuler that
holds two kinds of token patterns:

- ``REGION``: every 시·도 and district name of regions.yml; the pattern id is
  the official 시·도 name, which becomes the entity value.
- ``SERVICE``: every service name and alias of the catalogue
  (knowledge/catalogue/services/*.yml) in both languages, written the way
  the training data annotates services: the name only, without a trailing
  action word ("기초연금 신청" → "기초연금") and without a leading verb
  ("get a passport" is not a pattern). The entity value is the matched text,
  which the actions resolve with the catalogue search.

Patterns are tokenized with the same Kiwi-based tokenizer the Rasa pipeline
uses, so "부산으로" (부산 + 으로) matches the pattern "부산" at token level,
while "고양이" (cat) never matches "고양". The Rasa component
nlu.components.spacy_gazetteer loads the folder with ``spacy.load(path)``;
nothing is downloaded. Rebuild after a catalogue change (make train does).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Tuple

import yaml

from nlu.components.kiwi_tokenizer import korean_aware_spans

REGIONS_FILE = Path(__file__).with_name("regions.yml")
CATALOGUE_SERVICES = Path(__file__).resolve().parents[2] / "knowledge" / "catalogue" / "services"
REGION_LABEL = "REGION"
SERVICE_LABEL = "SERVICE"

# Words that follow a service name but are not part of it: "[기초연금] 신청", "[passport] application".
TRAILING_ACTION_TOKENS = frozenset(
    {"신청", "발급", "가입", "납부", "발급받기", "신청하기", "application", "request", "issuance"}
)
# An alias that starts with one of these is an action phrase ("get a passport").
LEADING_VERBS = frozenset(
    {"apply", "get", "claim", "file", "renew", "report", "pay", "change", "issue", "make", "request", "check",
     "find", "extend", "book", "submit", "register", "move", "moved", "send", "open", "start"}
)
# Aliases useful to the search but too generic to mark as a service on their own.
GENERIC_ALIASES = frozenset({"민원", "민원 접수", "민원 신청", "신고", "신청", "complaint", "application"})


def token_texts(name: str) -> List[str]:
    """The lower-cased token texts of ``name``, tokenized like a message."""
    return [name[start:end].lower() for start, end, _, _ in korean_aware_spans(name)]


def token_pattern(name: str) -> List[Dict[str, str]]:
    """The EntityRuler token pattern for ``name``, tokenized like a message."""
    return [{"LOWER": text} for text in token_texts(name)]


def load_region_patterns(path: Path = REGIONS_FILE) -> List[Dict[str, Any]]:
    """EntityRuler patterns for every name and district in ``path``; the
    pattern id is the official 시·도 name, used as the entity value."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    patterns: List[Dict[str, Any]] = []
    seen: set = set()
    for region in data["regions"]:
        for name in list(region["names"]) + list(region.get("districts") or []):
            key = name.lower()
            if key in seen:
                raise ValueError(f"{path.name}: the name {name!r} is listed twice")
            seen.add(key)
            patterns.append({"label": REGION_LABEL, "pattern": token_pattern(name), "id": region["id"]})
    return patterns


def catalogue_names(folder: Path = CATALOGUE_SERVICES) -> Iterator[Tuple[str, str]]:
    """(language, name) for every service name and alias in the catalogue files."""
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for service in data.get("services") or []:
            aliases = service.get("aliases") or {}
            for language in ("ko", "en"):
                yield language, str(service["name"][language])
                for alias in aliases.get(language) or []:
                    yield language, str(alias)


def service_tokens(name: str) -> Tuple[str, ...]:
    """The tokens a service name is matched by, or () when it makes no pattern.

    Trailing action words are cut ("기초연금 신청" → 기초연금); action phrases
    ("get a passport") and generic words ("민원") make no pattern.
    """
    if name.strip().lower() in GENERIC_ALIASES:
        return ()
    spans = korean_aware_spans(name)
    tokens = [name[start:end].lower() for start, end, _, _ in spans]
    tags = [tag for _, _, _, tag in spans]
    if tokens and tokens[0] in LEADING_VERBS:
        return ()
    # A prefixed action word is part of the name: "여권 재발급" (재 + 발급) keeps 발급.
    while len(tokens) > 1 and tokens[-1] in TRAILING_ACTION_TOKENS and tags[-2] != "XPN":
        tokens.pop()
        tags.pop()
    if " ".join(tokens) in GENERIC_ALIASES:
        return ()
    return tuple(tokens)


def load_service_patterns(names: Iterable[Tuple[str, str]] | None = None) -> List[Dict[str, Any]]:
    """One EntityRuler pattern per distinct token sequence of the catalogue's names."""
    seen: set = set()
    patterns: List[Dict[str, Any]] = []
    for _, name in names if names is not None else catalogue_names():
        tokens = service_tokens(name)
        if tokens and tokens not in seen:
            seen.add(tokens)
            patterns.append({"label": SERVICE_LABEL, "pattern": [{"LOWER": text} for text in tokens]})
    return patterns


def load_patterns() -> List[Dict[str, Any]]:
    """All patterns of the pipeline: regions, then services."""
    return load_region_patterns() + load_service_patterns()


def build(out: Path) -> Path:
    """Create the pipeline and write it to ``out``; returns ``out``."""
    import spacy

    nlp = spacy.blank("xx")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(load_patterns())  # type: ignore[attr-defined]
    nlp.meta["name"] = "ko_gov_gazetteer"
    nlp.meta["description"] = "Korean regions and catalogue services gazetteer for the citizen-service assistant"
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return out


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/spacy_gazetteer"))
    args = parser.parse_args()
    path = build(args.out)
    regions, services = len(load_region_patterns()), len(load_service_patterns())
    print(f"spaCy gazetteer with {regions} region and {services} service patterns written to {path}")


if __name__ == "__main__":
    main()
