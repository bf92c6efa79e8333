"""The locks every write to a comment tree takes first: the services and the repair share them.

django-mptt keeps no lock of its own: two replies into one tree at once both shift the same
``lft``/``rght`` ranges, and two new roots both take ``max(tree_id) + 1``. So:

* a reply locks its tree (``lock_tree``, through ``lock_reply_target``): only writers of that
  one tree wait;
* a new root locks the whole table's tree-id sequence (``lock_new_root``), since the race is
  over the table-wide maximum;
* a vote or an edit locks its comment's row (``lock_comment``), so counters always equal the
  stored votes and a revision holds the text really replaced.

The partial unique index on ``tree_id`` for roots turns any race that slips through into an
``IntegrityError`` instead of two merged trees. On PostgreSQL the tree locks are
transaction-scoped advisory locks; SQLite has one writer at a time and the settings start every
transaction with ``BEGIN IMMEDIATE``, which already serializes them. Every function here must be
called inside the transaction whose writes it protects: the lock is released when it ends.
"""

from django.db import connection

from forum.errors import InvalidInput

from .models import Comment

# Advisory-lock keys (PostgreSQL). The two-int form keeps tree locks in their own namespace.
NEW_ROOT_LOCK_KEY = 0x52_4F_4F_54  # "ROOT": one lock for the table-wide max(tree_id)
TREE_LOCK_NAMESPACE = 0x54_52_45_45  # "TREE": (namespace, tree_id) locks one tree


def lock_new_root() -> None:
    """Serialize new roots: called inside the transaction that inserts one (or gives a root a
    new tree_id), before it reads ``max(tree_id)``."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NEW_ROOT_LOCK_KEY])


def lock_tree(tree_id: int) -> None:
    """Serialize writes to one tree: called inside the transaction that changes it.

    A caller that needs several trees takes them in ``tree_id`` order, after ``lock_new_root``
    if it needs that too, so two such callers cannot deadlock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TREE_LOCK_NAMESPACE, tree_id])


def lock_comment(pk: int, *, with_text: bool = False) -> Comment:
    """Lock one comment's row and return its current state and counters: called inside the
    transaction that votes on it, edits it or changes its state.

    Votes and edits of one comment queue here, so its counters always equal its stored votes and
    every revision holds the text that was really replaced. ``with_text`` joins the comment's
    text (CommentText) into the same query; only the comment's row is locked, and every write of
    the text takes this lock first.
    """
    fields = ["pk", "state", "author_id", "tree_id", "roundup_id"]
    queryset = Comment.objects.select_for_update(of=("self",))
    if with_text:
        queryset = queryset.select_related("text")
        fields.append("text__body")
    return queryset.only(*fields).get(pk=pk)


def lock_reply_target(parent_pk: int, tree_id: int) -> Comment:
    """Take the lock of the parent's tree and return the parent as it is under that lock: called
    inside the transaction that inserts the reply.

    Only ``check_threads --repair`` ever changes a tree_id (it splits roots that shared one); if
    that happened between our read and the lock, follow the parent to its new tree.
    """
    while True:
        lock_tree(tree_id)
        try:
            parent = Comment.objects.get(pk=parent_pk)
        except Comment.DoesNotExist:
            raise InvalidInput("The comment you are replying to does not exist.") from None
        if parent.tree_id == tree_id:
            return parent
        tree_id = parent.tree_id
