"""Getting and revoking API tokens."""

from django.contrib.auth import authenticate
from ninja import Router, Status
from ninja.errors import HttpError

from accounts import login_limits

from ..auth import TOKEN_AUTH
from ..models import ApiToken
from ..schemas import TokenIn, TokenOut, errors

router = Router(tags=["auth"])
TOKEN_NAME_MAX_LENGTH = 100  # ApiToken.name


@router.post("/token", response={201: TokenOut, **errors(400, 401, 409, 422, 429)}, auth=None)
def token_create(request, data: TokenIn):
    """Trade a username and password for a new token (201); 409 at the per-user cap.

    Failed tries are limited with the login page's counters (accounts/login_limits.py): 429
    with ``Retry-After``.
    """
    login_limits.check(request, data.username)
    user = authenticate(request, username=data.username, password=data.password)
    if user is None:
        login_limits.failed(request, data.username)
        raise HttpError(401, "Wrong username or password.")
    login_limits.succeeded(request, data.username)
    agent = request.headers.get("User-Agent", "")[:TOKEN_NAME_MAX_LENGTH]
    _, token = ApiToken.objects.issue(user, name=agent)
    return Status(201, {"token": token})


@router.delete("/token", response={204: None, **errors(401)}, auth=TOKEN_AUTH)
def token_revoke(request):
    """Revoke the token this request was made with."""
    request.api_token.delete()
    return Status(204, None)
