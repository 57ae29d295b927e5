"""A service's revisions: every saved change is one, and a service deleted and
made again continues its kept history instead of clashing with it."""

from __future__ import annotations

import copy

from sqlalchemy import delete, select

from core.db import session_scope
from knowledge import entries
from knowledge.importer import import_documents, set_service_field
from knowledge.models import Service, ServiceVersion
from knowledge.schema import CatalogueDocument


def test_a_recreated_service_continues_its_revisions(catalogue_engine) -> None:
    set_service_field(catalogue_engine, "passport_reissue", "fee.ko", "5만 원", actor="kim")
    with session_scope(catalogue_engine) as session:
        service = session.get(Service, "passport_reissue")
        revision, entry = service.revision, copy.deepcopy(entries.service_to_entry(service))
        session.execute(delete(Service).where(Service.id == "passport_reissue"))
    assert revision >= 1

    import_documents(catalogue_engine, [CatalogueDocument("services/passport.yml", services=[entry])], "lee")

    with session_scope(catalogue_engine) as session:
        assert session.get(Service, "passport_reissue").revision == revision + 1
        revisions = session.scalars(
            select(ServiceVersion.revision).where(ServiceVersion.service_id == "passport_reissue")
        ).all()
    assert sorted(revisions) == list(range(1, revision + 2))
