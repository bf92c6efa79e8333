"""Hooks that apps above accounts connect to (accounts may not import them).

``credentials_revoked(user=...)``: every credential of ``user`` other than the password must end
now: sent when the password changes (any way: the change and reset pages, the admin,
``manage.py changepassword``) and on "log out everywhere". The API revokes the user's tokens.
Sent inside the transaction that made the change, so a rollback undoes both.
"""

from django.dispatch import Signal

credentials_revoked = Signal()
