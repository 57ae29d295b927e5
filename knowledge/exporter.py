"""Export the catalogue from the database back to YAML in the source schema.

Services go back to the file they were imported from (``services/<area>.yml``),
agencies to ``agencies.yml`` and life events to ``life_events.yml``, so an
export can replace the source folder and be imported again unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.db import session_scope
from knowledge import entries
from knowledge.models import Agency, LifeEvent, Service


class _CatalogueDumper(yaml.SafeDumper):
    """Writes readable YAML: Korean as is, long texts unwrapped, lists indented."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def dump_yaml(data: Any) -> str:
    """``data`` as YAML text in the catalogue's style."""
    return yaml.dump(data, Dumper=_CatalogueDumper, allow_unicode=True, sort_keys=False, width=10_000)


def catalogue_as_documents(engine: Engine) -> Dict[str, Dict[str, List[Dict[str, Any]]]]:
    """The whole catalogue as ``{file label: {section: [entries]}}``."""
    files: Dict[str, Dict[str, List[Dict[str, Any]]]] = defaultdict(dict)
    with session_scope(engine) as session:
        agencies = session.scalars(select(Agency).order_by(Agency.source_file, Agency.position, Agency.id))
        for agency in agencies:
            files[agency.source_file].setdefault("agencies", []).append(entries.agency_to_entry(agency))
        services = session.scalars(
            select(Service).order_by(Service.source_file, Service.position, Service.id)
        )
        for service in services:
            files[service.source_file].setdefault("services", []).append(entries.service_to_entry(service))
        events = session.scalars(select(LifeEvent).order_by(LifeEvent.position, LifeEvent.id))
        for event in events:
            files["life_events.yml"].setdefault("life_events", []).append(
                entries.life_event_to_entry(session, event)
            )
    return dict(files)


def export_catalogue(engine: Engine, out_dir: Path) -> List[Path]:
    """Write the catalogue under ``out_dir``; return the files written."""
    out_dir = Path(out_dir)
    written: List[Path] = []
    for label, sections in sorted(catalogue_as_documents(engine).items()):
        target = out_dir / label
        target.parent.mkdir(parents=True, exist_ok=True)
        header = (
            "# Exported from the catalogue database. Edit, then import with `python -m knowledge import`.\n"
        )
        target.write_text(header + dump_yaml(sections), encoding="utf-8")
        written.append(target)
    return written
