"""Karma moves to comments, step 2 of 2: accounts forgets its model (state only; comments 0009
took over the table ``accounts_karma`` with its rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_username_skeleton_session_epoch"),
        ("comments", "0009_karma"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Karma")],
            database_operations=[],
        ),
    ]
