"""The OpenAPI 3.1 document of the public API; its schemas are JSON Schema the tests validate answers with."""

from __future__ import annotations

import copy
from typing import Any, Dict

TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": ["string", "null"]}


def _ref(name: str) -> Dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: Dict[str, Any], required: Any = None) -> Dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required if required is not None else properties),
        "additionalProperties": False,
    }


SCHEMAS: Dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {
            "error": TEXT,
            "message": _object({"ko": TEXT, "en": TEXT}),
            "retry_after": {"type": "integer", "minimum": 1},
            "parameter": TEXT,
        },
        "required": ["error", "message"],
    },
    "AgencyRef": _object({"id": TEXT, "name": TEXT}),
    "ServiceSummary": _object(
        {
            "id": TEXT,
            "name": TEXT,
            "overview": TEXT,
            "agency": _ref("AgencyRef"),
            "category": TEXT,
            "life_events": {"type": "array", "items": TEXT},
            "last_reviewed": {"type": "string", "format": "date"},
            "url": TEXT,
        }
    ),
    "ServicePage": _object(
        {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "language": {"enum": ["ko", "en"]},
            "items": {"type": "array", "items": _ref("ServiceSummary")},
            "links": _object({"self": TEXT, "next": NULLABLE_TEXT, "prev": NULLABLE_TEXT}),
        }
    ),
    "GovernmentService": {
        "type": "object",
        "description": "schema.org GovernmentService (JSON-LD)",
        "properties": {
            "@context": {"const": "https://schema.org"},
            "@type": {"const": "GovernmentService"},
            "@id": TEXT,
            "identifier": TEXT,
            "name": TEXT,
            "description": TEXT,
            "inLanguage": {"enum": ["ko", "en"]},
            "provider": {
                "type": "object",
                "properties": {
                    "@type": {"const": "GovernmentOrganization"},
                    "name": TEXT,
                    "url": TEXT,
                    "telephone": TEXT,
                },
                "required": ["@type", "name"],
                "additionalProperties": False,
            },
            "audience": _object({"@type": {"const": "Audience"}, "audienceType": TEXT}),
            "availableChannel": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "@type": {"const": "ServiceChannel"},
                        "name": TEXT,
                        "serviceUrl": TEXT,
                        "availableLanguage": TEXT,
                        "serviceLocation": _object({"@type": {"const": "Place"}, "name": TEXT}),
                        "servicePhone": _object({"@type": {"const": "ContactPoint"}, "telephone": TEXT}),
                    },
                    "required": ["@type", "name"],
                    "additionalProperties": False,
                },
            },
            "areaServed": _object({"@type": {"const": "Country"}, "name": TEXT}),
            "url": TEXT,
        },
        "required": [
            "@context",
            "@type",
            "@id",
            "identifier",
            "name",
            "description",
            "inLanguage",
            "provider",
            "audience",
            "availableChannel",
            "areaServed",
            "url",
        ],
        "additionalProperties": False,
    },
}
SCHEMAS["ServiceDetail"] = {
    "type": "object",
    "properties": {
        **SCHEMAS["ServiceSummary"]["properties"],
        "aliases": {"type": "array", "items": TEXT},
        "documents": {"type": "array", "items": TEXT},
        "fee": NULLABLE_TEXT,
        "processing_time": NULLABLE_TEXT,
        "deadline": NULLABLE_TEXT,
        "eligibility": NULLABLE_TEXT,
        "how_to_apply": _object(
            {
                "online": {"oneOf": [{"type": "null"}, _object({"text": TEXT, "url": NULLABLE_TEXT})]},
                "in_person": NULLABLE_TEXT,
            }
        ),
        "where": _object({"office": NULLABLE_TEXT, "phone": NULLABLE_TEXT, "website": NULLABLE_TEXT}),
        "source": TEXT,
        "official_link": TEXT,
        "illustrative": {"type": "boolean"},
        "national_catalogue": {
            "oneOf": [{"type": "null"}, _object({"id": TEXT, "url": NULLABLE_TEXT})],
            "description": "The service's record in the national catalogue (보조금24), when it came from there.",
        },
        "jsonld": _ref("GovernmentService"),
    },
    "additionalProperties": False,
}
SCHEMAS["ServiceDetail"]["required"] = list(SCHEMAS["ServiceDetail"]["properties"])
SCHEMAS["Agency"] = _object(
    {
        "id": TEXT,
        "name": TEXT,
        "phone": NULLABLE_TEXT,
        "hours": NULLABLE_TEXT,
        "website": NULLABLE_TEXT,
        "services": {"type": "integer", "minimum": 0},
    }
)
SCHEMAS["AgencyList"] = _object(
    {
        "language": {"enum": ["ko", "en"]},
        "total": {"type": "integer"},
        "items": {"type": "array", "items": _ref("Agency")},
    }
)
SCHEMAS["Category"] = _object({"id": TEXT, "name": TEXT, "services": {"type": "integer", "minimum": 0}})
SCHEMAS["CategoryList"] = _object(
    {
        "language": {"enum": ["ko", "en"]},
        "total": {"type": "integer"},
        "items": {"type": "array", "items": _ref("Category")},
    }
)
SCHEMAS["LifeEvent"] = _object(
    {"id": TEXT, "name": TEXT, "description": TEXT, "services": {"type": "array", "items": TEXT}}
)
SCHEMAS["LifeEventList"] = _object(
    {
        "language": {"enum": ["ko", "en"]},
        "total": {"type": "integer"},
        "items": {"type": "array", "items": _ref("LifeEvent")},
    }
)
_NUMBER_OR_NULL = {"type": ["number", "null"], "minimum": 0}
_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
SCHEMAS["FiguresRow"] = _object(
    {
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "Korea time"},
        "channel": {"type": "string", "description": "web, rest, telegram, kakao, or 'all' for the month's total"},
        "language": {"type": "string", "description": "ko, en, or 'all'"},
        "suppressed": {"type": "boolean", "description": "Fewer than five conversations (or needed to hide such "
                                                         "a group): every number is null."},
        "conversations": {"type": ["integer", "null"], "minimum": 0},
        "messages": {"type": ["integer", "null"], "minimum": 0},
        "containment_rate": _RATE,
        "fallback_rate": _RATE,
        "handoff_rate": _RATE,
        "helpful_rate": _RATE,
        "median_turns": _NUMBER_OR_NULL,
        "median_response_seconds": _NUMBER_OR_NULL,
    }
)
SCHEMAS["Figures"] = _object(
    {
        "minimum_group": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0},
        "items": {"type": "array", "items": _ref("FiguresRow")},
    }
)

_LANG = {
    "name": "lang",
    "in": "query",
    "description": "Language of the texts: ko (default) or en.",
    "schema": {"enum": ["ko", "en"], "default": "ko"},
}
_CONDITIONAL = [
    {"name": "If-None-Match", "in": "header", "schema": TEXT, "description": "An ETag from an earlier answer."},
    {"name": "If-Modified-Since", "in": "header", "schema": TEXT, "description": "An HTTP date."},
]
_CACHE_HEADERS = {
    "ETag": {"schema": TEXT, "description": "Changes whenever the catalogue changes."},
    "Last-Modified": {"schema": TEXT, "description": "When the catalogue last changed."},
}


def _json_response(schema: str, description: str, media: str = "application/json") -> Dict[str, Any]:
    return {"description": description, "headers": _CACHE_HEADERS, "content": {media: {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> Dict[str, Any]:
    texts = {
        304: "Not modified: the copy the client has (If-None-Match / If-Modified-Since) is current.",
        400: "A query parameter is invalid (named in 'parameter').",
        404: "No published service has this id.",
        429: "Too many requests; retry after the Retry-After seconds.",
    }
    answers: Dict[str, Any] = {}
    for status in statuses:
        if status == 304:
            answers["304"] = {"description": texts[304], "headers": _CACHE_HEADERS}
        else:
            answers[str(status)] = {
                "description": texts[status],
                "content": {"application/json": {"schema": _ref("Error")}},
            }
    return answers


PATHS: Dict[str, Any] = {
    "/api/v1/services": {
        "get": {
            "operationId": "listServices",
            "summary": "Published services, a page at a time, filtered",
            "parameters": [
                _LANG,
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                {
                    "name": "per_page",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                },
                {"name": "agency", "in": "query", "schema": TEXT, "description": "An agency id."},
                {"name": "category", "in": "query", "schema": TEXT, "description": "A category slug."},
                {"name": "life_event", "in": "query", "schema": TEXT, "description": "A life-event id."},
                {"name": "q", "in": "query", "schema": TEXT, "description": "Words in the name, aliases or overview."},
                *_CONDITIONAL,
            ],
            "responses": {"200": _json_response("ServicePage", "A page of services"), **_errors(304, 400, 429)},
        }
    },
    "/api/v1/services/{service_id}": {
        "get": {
            "operationId": "getService",
            "summary": "One published service, with its schema.org GovernmentService JSON-LD",
            "description": "Append .jsonld to the id for the JSON-LD alone (application/ld+json).",
            "parameters": [
                {"name": "service_id", "in": "path", "required": True, "schema": TEXT},
                _LANG,
                *_CONDITIONAL,
            ],
            "responses": {
                "200": {
                    "description": "The service",
                    "headers": _CACHE_HEADERS,
                    "content": {
                        "application/json": {"schema": _ref("ServiceDetail")},
                        "application/ld+json": {"schema": _ref("GovernmentService")},
                    },
                },
                **_errors(304, 400, 404, 429),
            },
        }
    },
    "/api/v1/services.csv": {
        "get": {
            "operationId": "downloadCatalogue",
            "summary": "The whole published catalogue as CSV (both languages; the catalogue schema's fields)",
            "parameters": list(_CONDITIONAL),
            "responses": {
                "200": {
                    "description": "CSV with a header row",
                    "headers": _CACHE_HEADERS,
                    "content": {"text/csv": {"schema": TEXT}},
                },
                **_errors(304, 429),
            },
        }
    },
    "/api/v1/agencies": {
        "get": {
            "operationId": "listAgencies",
            "summary": "The agencies and how many published services each runs",
            "parameters": [_LANG, *_CONDITIONAL],
            "responses": {"200": _json_response("AgencyList", "The agencies"), **_errors(304, 400, 429)},
        }
    },
    "/api/v1/categories": {
        "get": {
            "operationId": "listCategories",
            "summary": "The categories the services filter takes, with how many published services each has",
            "parameters": [_LANG, *_CONDITIONAL],
            "responses": {"200": _json_response("CategoryList", "The categories"), **_errors(304, 400, 429)},
        }
    },
    "/api/v1/life-events": {
        "get": {
            "operationId": "listLifeEvents",
            "summary": "Life events and their services in the order a citizen needs them",
            "parameters": [_LANG, *_CONDITIONAL],
            "responses": {"200": _json_response("LifeEventList", "The life events"), **_errors(304, 400, 429)},
        }
    },
    "/api/v1/figures": {
        "get": {
            "operationId": "getFigures",
            "summary": "How the assistant is doing, month by month: in total, per channel and per language",
            "description": (
                "Conversations, messages, containment rate (conversations that ended without a handoff to a "
                "person), fallback rate (messages not understood), handoff rate, helpful rate (thumbs-up among "
                "ratings), median turns and median response time. Rates are fractions from 0 to 1. Groups of "
                "fewer than five conversations are suppressed. Refreshed every ten minutes."
            ),
            "parameters": [_CONDITIONAL[0]],
            "responses": {
                "200": {"description": "The monthly figures", "headers": {"ETag": _CACHE_HEADERS["ETag"]},
                        "content": {"application/json": {"schema": _ref("Figures")}}},
                **_errors(304, 429),
            },
        }
    },
    "/api/v1/figures.csv": {
        "get": {
            "operationId": "downloadFigures",
            "summary": "The monthly figures as CSV (the FiguresRow fields; a suppressed number is empty)",
            "parameters": [_CONDITIONAL[0]],
            "responses": {
                "200": {"description": "CSV with a header row", "headers": {"ETag": _CACHE_HEADERS["ETag"]},
                        "content": {"text/csv": {"schema": TEXT}}},
                **_errors(304, 429),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {}}}}},
        }
    },
}


def openapi_document(server_url: str | None = None) -> Dict[str, Any]:
    """The OpenAPI document (a fresh copy), with ``server_url`` as its server when given."""
    document: Dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "Citizen-service catalogue (open data) / 정부 민원 서비스 목록 공개 API",
            "version": "1.0.0",
            "description": (
                "The published service catalogue the assistant answers from, in Korean (ko) or English (en). "
                "No login; every answer has an ETag and Last-Modified for conditional GETs; any site may call it. "
                "Services imported from the national catalogue (보조금24) may have Korean text in English fields "
                "until staff translate them."
            ),
        },
        "paths": copy.deepcopy(PATHS),
        "components": {"schemas": copy.deepcopy(SCHEMAS)},
    }
    if server_url:
        document["servers"] = [{"url": server_url}]
    return document
