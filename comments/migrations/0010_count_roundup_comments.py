"""Fill ``Roundup.comment_count`` (added by roundups 0002) from the visible comments.

One UPDATE with a correlated subquery, the same on SQLite and PostgreSQL; from here on
comments/services.py keeps the count and ``check_threads`` checks it.
"""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_comments(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Roundup = apps.get_model("roundups", "Roundup")
    visible = (
        Comment.objects.filter(roundup=OuterRef("pk"), state="visible")
        .order_by()
        .values("roundup")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Roundup.objects.update(comment_count=Coalesce(Subquery(visible), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0009_karma"),
        ("roundups", "0002_roundup_comment_count"),
    ]

    operations = [
        migrations.RunPython(count_comments, migrations.RunPython.noop, elidable=False),
    ]
