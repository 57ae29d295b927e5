"""Build the spaCy gazetteer pipeline and save it to a folder.

    python -m nlu.gazetteer.build --out build/spacy_gazetteer

The pipeline is a blank multi-language spaCy pipeline with an EntityRuler whose
token patterns come from regions.yml. Patterns are tokenized with the same
Kiwi-based tokenizer the Rasa pipeline uses, so "부산으로" (부산 + 으로) matches
the pattern "부산" at token level, while "고양이" (cat) never matches "고양".
The Rasa component nlu.components.spacy_gazetteer loads the folder with
``spacy.load(path)``; nothing is downloaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Dict, List

import yaml

from nlu.components.kiwi_tokenizer import korean_aware_spans

REGIONS_FILE = Path(__file__).with_name("regions.yml")
LABEL = "REGION"


def token_pattern(name: str) -> List[Dict[str, str]]:
    """The EntityRuler token pattern for ``name``, tokenized like a message."""
    return [{"LOWER": name[start:end].lower()} for start, end, _, _ in korean_aware_spans(name)]


def load_patterns(path: Path = REGIONS_FILE) -> List[Dict[str, Any]]:
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
            patterns.append({"label": LABEL, "pattern": token_pattern(name), "id": region["id"]})
    return patterns


def build(out: Path) -> Path:
    """Create the pipeline and write it to ``out``; returns ``out``."""
    import spacy

    nlp = spacy.blank("xx")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(load_patterns())  # type: ignore[attr-defined]
    nlp.meta["name"] = "ko_gov_gazetteer"
    nlp.meta["description"] = "Korean regions gazetteer for the citizen-service assistant"
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return out


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/spacy_gazetteer"))
    args = parser.parse_args()
    path = build(args.out)
    print(f"spaCy gazetteer with {len(load_patterns())} patterns written to {path}")


if __name__ == "__main__":
    main()
