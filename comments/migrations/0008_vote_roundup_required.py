"""Votes' roundup becomes required and indexed with the voter (filled by 0007)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_vote_roundup"),
        ("roundups", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="vote",
            name="roundup",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="roundups.roundup",
            ),
        ),
        migrations.RemoveIndex(model_name="vote", name="vote_user_idx"),
        migrations.AlterField(
            model_name="vote",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="vote",
            index=models.Index(fields=["user", "roundup"], name="vote_user_roundup_idx"),
        ),
    ]
