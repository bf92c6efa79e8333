"""Migrations that move data: an existing database keeps its karma and gets its comment counts.

A fresh database is migrated by every test run; this one starts from the schema before Karma
moved to comments and before roundups counted their comments, writes rows there with the
historical models, and migrates forward again.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comments.models import Karma
from roundups.models import Roundup

BEFORE = [
    ("accounts", "0002_karma"),
    ("comments", "0008_vote_roundup_required"),
    ("roundups", "0001_initial"),
]


def _old_rows(apps):
    """A roundup with two visible comments and a removed one, and a karma row (accounts')."""
    User = apps.get_model("auth", "User")
    Roundup = apps.get_model("roundups", "Roundup")
    Comment = apps.get_model("comments", "Comment")
    user = User.objects.create(username="old-timer")
    roundup = Roundup.objects.create(title="Before", slug="before", author=user, status="published")
    Roundup.objects.create(title="Quiet", slug="quiet", author=user, status="published")
    for tree_id, state in enumerate(["visible", "visible", "removed"], start=1):
        Comment.objects.create(
            roundup=roundup, author=user, state=state, tree_id=tree_id, lft=1, rght=2, level=0
        )
    apps.get_model("accounts", "Karma").objects.create(user=user, value=7)
    return user.pk


# serialized_rollback: the flush after a transactional test would otherwise leave the content
# types (renamed here and back) to collide with the next test that restores the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_existing_database_keeps_karma_and_counts_its_comments():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    user_pk = _old_rows(executor.loader.project_state(BEFORE).apps)

    executor = MigrationExecutor(connection)  # a fresh loader: it sees what is applied now
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    assert Karma.objects.get(user_id=user_pk).value == 7  # same table, same row
    assert dict(Roundup.objects.values_list("slug", "comment_count")) == {
        "before": 2,
        "quiet": 0,
    }
    assert ContentType.objects.filter(app_label="comments", model="karma").count() == 1
    assert not ContentType.objects.filter(app_label="accounts", model="karma").exists()
