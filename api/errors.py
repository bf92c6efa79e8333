"""Every error the API answers with is JSON ``{"detail": ...}`` with the status that fits.

Services raise ``forum.errors.ServiceError`` subclasses, each with its ``status`` and ``fields``;
these handlers turn them (and Django's and ninja's own errors) into responses, so endpoints never
translate errors themselves.
"""

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from forum.errors import ServiceError
from forum.outages import OUTAGE_ERRORS, outage_response


def install(api) -> None:
    def respond(request, status, detail, **extra):
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(NinjaValidationError)
    def invalid_request(request, exc):
        # Only loc, msg and type: pydantic's ctx and input can hold values JSON cannot encode
        # (and input would echo a huge or hostile value back).
        detail = [
            {"loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
             "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors
        ]  # fmt: skip
        return respond(request, 422, detail)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "Not found.")

    @api.exception_handler(ServiceError)
    def service_error(request, exc):
        extra = {"fields": exc.fields} if exc.fields else {}
        response = respond(request, exc.status, exc.message, **extra)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(request, 403, str(exc) or "You are not allowed to do that.")

    @api.exception_handler(SuspiciousOperation)
    def refused_request(request, exc):
        # Django answers these 400 outside the API; inside it, ninja would let them become 500s.
        if isinstance(exc, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return respond(request, 400, f"The request body is over the {limit:,}-byte limit.")
        return respond(request, 400, "The request was refused as malformed.")


def install_outage_handlers(api) -> None:
    """The database or Redis refusing a connection: 503 with Retry-After, where ninja says 500."""

    def dependency_down(request, exc):
        return outage_response(request, exc)

    for error_class in OUTAGE_ERRORS:
        api.add_exception_handler(error_class, dependency_down)
