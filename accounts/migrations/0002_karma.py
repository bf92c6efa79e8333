"""Karma kept per user (accounts.Karma), counted once here from the comments' scores."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Sum


def count_karma(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    Karma = apps.get_model("accounts", "Karma")
    totals = (
        Comment.objects.order_by()
        .values("author_id")
        .annotate(total=Sum("score"))
        .values_list("author_id", "total")
    )
    Karma.objects.bulk_create(
        [Karma(user_id=user_id, value=total or 0) for user_id, total in totals], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_roles"),
        ("comments", "0004_hot_tree_shifts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Karma",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="karma",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("value", models.IntegerField(default=0)),
            ],
            options={"verbose_name_plural": "karma"},
        ),
        migrations.RunPython(count_karma, migrations.RunPython.noop),
    ]
