"""What every page needs to know about the viewer's roles (see accounts/roles.py)."""

from django.utils.functional import SimpleLazyObject

from .roles import is_author


def roles(request):
    """``can_write_roundups``: the one rule for the "New roundup" link, as for the form itself.

    Lazy, so a page that never asks costs nothing; the permission check it makes is cached on
    the user with every other one.
    """
    user = getattr(request, "user", None)
    return {"can_write_roundups": SimpleLazyObject(lambda: user is not None and is_author(user))}
