"""The public read API (/api/v1/): every answer is checked against the OpenAPI document it serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import jsonschema
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from channels.web.app import create_app
from channels.web.options import GatewayOptions
from channels.web.public_api.csv_format import entries_from_csv
from core.db import get_engine, session_scope
from core.settings import get_settings
from knowledge import entries
from knowledge.gov24_import import import_gov24
from knowledge.importer import import_documents, set_service_field
from knowledge.models import Service
from knowledge.schema import CatalogueDocument
from knowledge.seed import CATALOGUE_DIR, seed_catalogue

GOV24 = Path(__file__).resolve().parents[2] / "knowledge" / "fixtures" / "gov24"


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A database with the seed catalogue and the national-format fixture imported."""
    engine = get_engine(f"sqlite:///{tmp_path}/api.db")
    seed_catalogue(engine, CATALOGUE_DIR)
    import_gov24(engine, [GOV24 / "serviceList.json", GOV24 / "serviceDetail.json"], actor="kim")
    return engine


@pytest.fixture
def make_api(aiohttp_client: Any, engine: Engine, tmp_path: Path):
    async def make(**overrides: Any) -> TestClient:
        settings = get_settings(
            {"RASA_PORT": "9", "ASSISTANT_VAR_DIR": str(tmp_path), "DATABASE_URL": str(engine.url)}
        )
        return await aiohttp_client(create_app(settings, GatewayOptions.from_settings(settings, **overrides)))

    return make


class Contract:
    """Validates answers against the API's own OpenAPI document."""

    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document
        self.resolver = jsonschema.RefResolver.from_schema(document)

    def check(self, path: str, status: int, body: Any, media: str = "application/json") -> None:
        operation = self.document["paths"][path]["get"]
        content = operation["responses"][str(status)]["content"][media]
        jsonschema.Draft7Validator(content["schema"], resolver=self.resolver).validate(body)


@pytest.fixture
async def api(make_api) -> TestClient:
    return await make_api()


@pytest.fixture
async def contract(api: TestClient) -> Contract:
    response = await api.get("/api/v1/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.")
    return Contract(document)


async def _get(api: TestClient, contract: Contract, url: str, path: str, status: int = 200, **kwargs: Any) -> Any:
    response = await api.get(url, **kwargs)
    assert response.status == status, await response.text()
    body = await response.json(content_type=None)
    media = "application/ld+json" if url.split("?")[0].endswith(".jsonld") else "application/json"
    contract.check(path, status, body, media)
    return body


async def test_services_are_paged_filtered_and_in_both_languages(
    api: TestClient, contract: Contract, engine: Engine
) -> None:
    path = "/api/v1/services"
    first = await _get(api, contract, "/api/v1/services?per_page=10", path)
    with session_scope(engine) as session:
        assert first["total"] == session.query(Service).count() > 10
    assert len(first["items"]) == 10 and first["links"]["prev"] is None
    pages = -(-first["total"] // 10)
    last = await _get(api, contract, f"/api/v1/services?per_page=10&page={pages}", path)
    assert len(last["items"]) == first["total"] - 10 * (pages - 1) and last["links"]["next"] is None
    assert not {item["id"] for item in first["items"]} & {item["id"] for item in last["items"]}

    by_agency = await _get(api, contract, "/api/v1/services?agency=mohw&per_page=100", path)
    assert "gov24_000000465790" in {item["id"] for item in by_agency["items"]}
    assert all(item["agency"]["id"] == "mohw" for item in by_agency["items"])
    by_category = await _get(api, contract, "/api/v1/services?category=childcare_education", path)
    assert [item["id"] for item in by_category["items"]] == ["gov24_000000465790"]
    seed_category = await _get(api, contract, "/api/v1/services?category=passport_id&per_page=100", path)
    assert "passport_reissue" in {item["id"] for item in seed_category["items"]}
    moving = await _get(api, contract, "/api/v1/services?life_event=moving&per_page=100", path)
    assert {"moving_in_report", "youth_monthly_rent_support"} <= {item["id"] for item in moving["items"]}
    text = await _get(api, contract, "/api/v1/services?q=양육수당 다자녀", path)
    assert [item["id"] for item in text["items"]] == ["gov24_000000465790"]
    english = await _get(api, contract, "/api/v1/services?q=passport&lang=en&per_page=100", path)
    passport = next(item for item in english["items"] if item["id"] == "passport_reissue")
    assert passport["name"] == "Passport reissuance" or passport["name"].lower().startswith("passport")
    assert english["language"] == "en"

    bad = await _get(api, contract, "/api/v1/services?lang=fr", path, status=400)
    assert bad["error"] == "invalid_request" and bad["parameter"] == "lang"
    await _get(api, contract, "/api/v1/services?per_page=500", path, status=400)


async def test_one_service_with_its_government_service_json_ld(api: TestClient, contract: Contract) -> None:
    path = "/api/v1/services/{service_id}"
    service = await _get(api, contract, "/api/v1/services/gov24_000000465790", path)
    assert service["documents"][:2] == ["양육수당 신청서", "통장 사본"]
    assert service["national_catalogue"] == {
        "id": "000000465790",
        "url": "https://www.gov.kr/portal/rcvfvrSvc/dtlEx/000000465790",
    }
    jsonld = service["jsonld"]
    assert jsonld["@type"] == "GovernmentService" and jsonld["provider"]["name"] == "보건복지부"
    assert jsonld["audience"]["audienceType"] == "개인, 가구"
    assert jsonld["availableChannel"][0]["serviceUrl"] == "https://www.bokjiro.go.kr"
    english = await _get(api, contract, "/api/v1/services/passport_reissue?lang=en", path)
    assert english["jsonld"]["areaServed"]["name"] == "Republic of Korea"
    assert english["national_catalogue"] is None
    alone = await _get(api, contract, "/api/v1/services/passport_reissue.jsonld?lang=en", path)
    assert alone == english["jsonld"]
    missing = await _get(api, contract, "/api/v1/services/no_such_service", path, status=404)
    assert missing["error"] == "not_found"


async def test_agencies_categories_and_life_events(api: TestClient, contract: Contract) -> None:
    agencies = await _get(api, contract, "/api/v1/agencies?lang=en", "/api/v1/agencies")
    mohw = next(item for item in agencies["items"] if item["id"] == "mohw")
    assert mohw["name"] == "Ministry of Health and Welfare" and mohw["services"] >= 1
    categories = await _get(api, contract, "/api/v1/categories?lang=en", "/api/v1/categories")
    named = {item["id"]: item for item in categories["items"]}
    assert named["childcare_education"] == {"id": "childcare_education", "name": "Childcare and education", "services": 1}
    assert named["passport_id"]["name"] == "Passports and identity cards" and named["passport_id"]["services"] > 0
    events = await _get(api, contract, "/api/v1/life-events", "/api/v1/life-events")
    birth = next(item for item in events["items"] if item["id"] == "birth")
    assert birth["name"] == "출산" and birth["services"][0] == "birth_registration"


async def test_csv_round_trips_through_the_importer(api: TestClient, engine: Engine) -> None:
    response = await api.get("/api/v1/services.csv")
    assert response.status == 200 and response.content_type == "text/csv"
    text = (await response.read()).decode("utf-8-sig")
    rows = entries_from_csv(text)
    with session_scope(engine) as session:
        stored = {service.id: entries.service_to_entry(service) for service in session.query(Service)}
    assert {row["id"]: row for row in rows} == stored
    report = import_documents(engine, [CatalogueDocument("services/from_csv.yml", services=rows)], actor="csv")
    assert report.created == [] and report.updated == [] and len(report.unchanged) == len(stored)


async def test_conditional_get_and_cors(api: TestClient, engine: Engine) -> None:
    url = "/api/v1/services/passport_reissue"
    first = await api.get(url, headers={"Origin": "https://data.example.org"})
    assert first.status == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in first.headers["Access-Control-Expose-Headers"]
    again = await api.get(url, headers={"If-None-Match": etag})
    assert again.status == 304 and await again.read() == b""
    since = await api.get(url, headers={"If-Modified-Since": modified})
    assert since.status == 304
    other = await api.get(url + "?lang=en", headers={"If-None-Match": etag})
    assert other.status == 200  # another representation, another ETag
    set_service_field(engine, "passport_reissue", "fee.ko", "53,000원", actor="kim")
    changed = await api.get(url, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag
    assert (await changed.json())["fee"] == "53,000원"


async def test_rate_limited_like_the_chat(make_api) -> None:
    api = await make_api(public_api_per_minute=2)
    document = Contract(await (await api.get("/api/v1/openapi.json")).json())
    assert (await api.get("/api/v1/agencies")).status == 200
    limited = await api.get("/api/v1/agencies")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    document.check("/api/v1/agencies", 429, await limited.json())


def _refs(node: Any) -> List[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_the_openapi_document_is_whole_and_only_published_data_is_served(
    api: TestClient, contract: Contract
) -> None:
    document = contract.document
    for ref in _refs(document):
        contract.resolver.resolve(ref)  # every schema a response names exists
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft7Validator.check_schema(schema)
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path  # read-only
        assert "200" in item["get"]["responses"], path
    # Nothing but the published catalogue: no audit log, drafts or applications under /api/v1/.
    for missing in ("/api/v1/audit", "/api/v1/applications", "/api/v1/drafts", "/api/v1/services/x/history"):
        response = await api.get(missing)
        assert response.status == 404, missing
    assert (await api.post("/api/v1/services", json={})).status in (403, 405)
    head = await api.head("/api/v1/services")
    assert head.status == 200 and head.headers["ETag"]
