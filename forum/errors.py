"""The one vocabulary every service uses to refuse a request.

A service checks, then does; when a check fails it raises one of these, carrying the message a
person reads and the HTTP status that fits. Views show the message (on the form, or on an error
page with that status), the JSON API answers ``{"detail": message}`` with it, and the admin shows
it as a message: nobody translates errors by hand. ``fields`` names the inputs at fault, for
forms and for the API's ``fields`` object (``{"title": ["..."], "entries[2].url": ["..."]}``).

This is a leaf module: every app may import it, it imports no app.
"""

from collections.abc import Mapping


class ServiceError(Exception):
    """A refused write or read; ``status`` is the HTTP status a view answers with."""

    status = 400

    def __init__(self, message: str = "", *, fields: Mapping[str, list[str] | str] | None = None):
        self.fields: dict[str, list[str]] = {
            name: [errors] if isinstance(errors, str) else list(errors)
            for name, errors in (fields or {}).items()
        }
        if not message:
            message = " ".join(
                " ".join(errors) if name == "__all__" else f"{name}: {' '.join(errors)}"
                for name, errors in self.fields.items()
            )
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(ServiceError):
    """What was sent cannot be used (400)."""

    status = 400


class NotAllowed(ServiceError):
    """The caller may not do this (403)."""

    status = 403


class NotFound(ServiceError):
    """There is no such thing, or the caller may not know it exists (404)."""

    status = 404


class Conflict(ServiceError):
    """The request clashes with the current state, such as a slug already taken (409)."""

    status = 409


class RateLimited(ServiceError):
    """Too many requests of this kind (429); ``retry_after`` is in seconds when known."""

    status = 429

    def __init__(self, message: str = "", *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """A dependency the request needs is down (503); try again after ``retry_after`` seconds."""

    status = 503

    def __init__(self, message: str = "", *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def add_to_form(form, error: ServiceError) -> None:
    """Show ``error`` on a Django form: field errors on their fields, the rest on top."""
    placed = False
    for name, messages in error.fields.items():
        field = name if name in form.fields else None
        for message in messages:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
