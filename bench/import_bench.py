"""National-format import at scale: 10,000 services from 보조금24-style JSON pages.

    python -m bench.import_bench                      # 10,000 services
    python -m bench.import_bench --size 1000 --json reports/bench/import.json

The synthetic catalogue (``scripts/synthetic_catalogue.py``) is written as
``serviceList``/``serviceDetail`` pages, imported into a fresh SQLite database
with ``knowledge.gov24_import.import_gov24`` (validation, audit rows and
source rows included, as ``python -m knowledge import-gov24`` does), then
imported again (nothing changes: the idempotent path). After the import the
search index is built and questions naming synthetic services are searched,
as the action server would. Then, unless ``--no-train``, the spaCy gazetteer is
built from the imported catalogue's names (what ``make train`` builds from the
YAML catalogue) and the assistant's model is trained with it, as ``make train``
does, timing both. Prints the times, the search p50/p95 and how many questions
found their service. The issue's target: the import under 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bench.search_bench import percentile
from core.db import create_schema, get_engine
from knowledge.gov24_import import import_gov24
from knowledge.gov24_mapping import service_id_for
from knowledge.models import Service, ServiceAlias
from knowledge.search import CatalogueSearch
from knowledge.text import clear_analysis_cache
from nlu.gazetteer.build import load_region_patterns, load_service_patterns
from scripts.synthetic_catalogue import DEFAULT_SEED, generate, queries_for, write_gov24

TARGET_IMPORT_SECONDS = 120.0
QUERIES = 40


PROJECT_ROOT = Path(__file__).resolve().parents[1]


def catalogue_names(engine: Any) -> List[Tuple[str, str]]:
    """(language, name) of every service name and alias in the database."""
    from core.db import session_scope

    with session_scope(engine) as session:
        names = [("ko", row.name_ko) for row in session.query(Service.name_ko)]
        names += [("en", row.name_en) for row in session.query(Service.name_en)]
        names += [(row.language, row.alias) for row in session.query(ServiceAlias.language, ServiceAlias.alias)]
    return names


def build_gazetteer(names: List[Tuple[str, str]], out: Path) -> int:
    """The gazetteer pipeline of ``nlu.gazetteer.build`` for ``names``; returns its pattern count."""
    import spacy

    nlp = spacy.blank("xx")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    patterns = load_region_patterns() + load_service_patterns(names)
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return len(patterns)


def train_with_gazetteer(gazetteer: Path, out: Path) -> float:
    """``make train``'s command with the config pointing at ``gazetteer``; returns seconds."""
    config = (PROJECT_ROOT / "config.yml").read_text(encoding="utf-8")
    config = config.replace("pipeline_path: build/spacy_gazetteer", f"pipeline_path: {gazetteer}")
    config_path = out / "config.yml"
    out.mkdir(parents=True, exist_ok=True)
    config_path.write_text(config, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - the project's own rasa, fixed arguments
        [str(Path(sys.executable).parent / "rasa"), "train", "--config", str(config_path), "--domain", "bot/domain",
         "--data", "bot/rules", "bot/stories", "nlu/data", "--out", str(out), "--fixed-model-name", "bench",
         "--force", "--quiet"],
        cwd=PROJECT_ROOT, check=True, capture_output=True,
    )
    return time.perf_counter() - started


def run(size: int = 10_000, seed: int = DEFAULT_SEED, queries: int = QUERIES, train: bool = True) -> Dict[str, Any]:
    """Generate, import twice, search, and (with ``train``) build the gazetteer and train; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="import-bench-") as folder:
        root = Path(folder)
        documents, made = generate(size, seed)
        pages = write_gov24(documents, root / "gov24")
        engine = create_schema(get_engine(f"sqlite:///{root / 'bench.db'}"))
        started = time.perf_counter()
        report = import_gov24(engine, pages, actor="bench")
        import_seconds = time.perf_counter() - started
        started = time.perf_counter()
        again = import_gov24(engine, pages, actor="bench")
        reimport_seconds = time.perf_counter() - started
        started = time.perf_counter()
        search = CatalogueSearch(engine)
        search.search("여권")
        index_seconds = time.perf_counter() - started
        clear_analysis_cache()
        latencies, found = [], {"ko": [0, 0], "en": [0, 0]}
        for expected, question in queries_for(made, queries, seed):
            started = time.perf_counter()
            result = search.search(question)
            latencies.append((time.perf_counter() - started) * 1000)
            hit = result.best is not None and result.best.service_id == service_id_for(expected)
            tally = found["en" if question.isascii() else "ko"]
            tally[0] += int(hit)
            tally[1] += 1
        trained: Dict[str, Any] = {}
        if train:
            started = time.perf_counter()
            patterns = build_gazetteer(catalogue_names(engine), root / "gazetteer")
            trained["gazetteer_seconds"] = round(time.perf_counter() - started, 1)
            trained["gazetteer_patterns"] = patterns
            trained["train_seconds"] = round(train_with_gazetteer(root / "gazetteer", root / "model"), 1)
        engine.dispose()
    return {
        "services": len(report.services),
        "pages": len(pages),
        "import_seconds": round(import_seconds, 2),
        "reimport_seconds": round(reimport_seconds, 2),
        "reimport_changed": len(again.catalogue.created) + len(again.catalogue.updated),
        "needs_review": len(report.needs_review),
        "index_seconds": round(index_seconds, 2),
        "search_p50_ms": round(percentile(latencies, 0.5), 2),
        "search_p95_ms": round(percentile(latencies, 0.95), 2),
        # The national format has no English and no aliases: English questions and short
        # region names ("부산" for "부산광역시") find fewer imported services than YAML ones.
        "search_found_ko": "{}/{}".format(*found["ko"]),
        "search_found_en": "{}/{}".format(*found["en"]),
        "import_target_met": import_seconds < TARGET_IMPORT_SECONDS,
        **trained,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the figures (and write them as JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--no-train", action="store_true", help="skip the gazetteer build and the training")
    args = parser.parse_args(argv)
    figures = run(args.size, args.seed, train=not args.no_train)
    print(f"national-format import of {figures['services']} services ({figures['pages']} pages)")
    print(f"  import          {figures['import_seconds']:8.2f} s  (target < {TARGET_IMPORT_SECONDS:.0f} s)")
    print(f"  re-import       {figures['reimport_seconds']:8.2f} s  ({figures['reimport_changed']} changed)")
    print(f"  search index    {figures['index_seconds']:8.2f} s")
    print(
        f"  search          p50 {figures['search_p50_ms']:.2f} ms, p95 {figures['search_p95_ms']:.2f} ms, "
        f"top-1 Korean {figures['search_found_ko']}, English {figures['search_found_en']}"
    )
    if "train_seconds" in figures:
        print(f"  gazetteer       {figures['gazetteer_seconds']:8.1f} s  ({figures['gazetteer_patterns']} patterns)")
        print(f"  make train      {figures['train_seconds']:8.1f} s  (the model, with that gazetteer)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["import_target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
