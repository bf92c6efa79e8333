"""The JSON API, mounted at /api/. Schema at /api/openapi.json, docs at /api/docs."""

from ninja import NinjaAPI, Swagger

from . import errors
from .endpoints import comments, mail, notifications, roundups, tokens

DESCRIPTION = """
Roundups and their discussion threads as JSON.

Reads need no credentials. Writes take `Authorization: Bearer <token>` (get one from
`POST /api/auth/token`) or, from a browser, the logged-in session with its CSRF token in
`X-CSRFToken`. Errors are `{"detail": ...}`; a 503 (the database or Redis briefly down) carries
`Retry-After`. Send `Idempotency-Key: <random string>` with a POST and retry with the same key:
a repeat returns the first response (`Idempotent-Replayed: true`) instead of writing twice.
"""

api = NinjaAPI(
    title="Roundups API",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    # Swagger UI from the static files django-ninja ships ("ninja" is in INSTALLED_APPS), so the
    # page needs no CDN and passes our script-src 'self' policy. validatorUrl off: by default the
    # page sends the schema's address to a public validator and shows its badge from there.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
)
errors.install(api)
errors.install_outage_handlers(api)
api.add_router("/auth", tokens.router)
api.add_router("/roundups", roundups.router)
api.add_router("/comments", comments.router)
api.add_router("/notifications", notifications.router)
api.add_router("/series", mail.series_router)
api.add_router("/roundups", mail.deliveries_router)
