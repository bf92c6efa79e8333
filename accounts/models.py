"""Accounts use django.contrib.auth's User and keep no table of their own. The roles are the
groups Authors and Moderators, created with their permissions by this app's data migration
(``accounts/migrations/0001_roles.py``, from ``accounts.roles.ROLE_PERMISSIONS``). Karma, kept by
comment votes, lives with them in ``comments.models``."""
