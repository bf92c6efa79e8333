"""Votes carry their comment's roundup, so a page reads the viewer's votes on one thread by
(user, roundup) instead of every vote the viewer ever cast. Filled here; 0008 makes it required
(in its own transaction: PostgreSQL refuses to alter a table with the fill's deferred foreign-key
checks still pending)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

BACKFILL = (
    "UPDATE comments_vote SET roundup_id = (SELECT c.roundup_id FROM comments_comment c "
    "WHERE c.id = comments_vote.comment_id)"
)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0006_drop_comment_text_columns"),
        ("roundups", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="vote",
            name="roundup",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="roundups.roundup",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
    ]
