"""The public read API of the catalogue (``/api/v1/``): open data, no login.

Published catalogue data only (the services the assistant answers from: never
console drafts, the audit log or applications), in Korean or English, as JSON,
JSON-LD (schema.org ``GovernmentService``) and CSV, described by the OpenAPI
document at ``/api/v1/openapi.json``. :func:`register` adds the routes to the
gateway.
"""

from channels.web.public_api.routes import register

__all__ = ["register"]
