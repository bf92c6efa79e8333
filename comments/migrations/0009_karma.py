"""Karma moves from accounts to comments (it is kept by comment votes), step 1 of 2.

State only: the table ``accounts_karma`` and its rows stay as they are, and the model now names
it (``db_table``); accounts 0003 then forgets its own model, also without touching the table.
The content type follows the model, so permissions granted on it and admin history carry over.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="comments", model="karma").exists():
        ContentType.objects.filter(app_label="accounts", model="karma").update(
            app_label="comments"
        )


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="accounts", model="karma").exists():
        ContentType.objects.filter(app_label="comments", model="karma").update(
            app_label="accounts"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0008_vote_roundup_required"),
        ("accounts", "0002_karma"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
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
                    options={"verbose_name_plural": "karma", "db_table": "accounts_karma"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=False),
    ]
