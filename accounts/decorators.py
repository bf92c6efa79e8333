"""View decorators for the site's roles (``roles.py``)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .roles import is_author


def author_required(view):
    """Anonymous users go to login; signed-in users outside Authors (and not staff) get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_author(request.user):
            raise PermissionDenied("Only members of the Authors group can write roundups.")
        return view(request, *args, **kwargs)

    return wrapper
