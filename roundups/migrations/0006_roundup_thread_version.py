"""Each roundup's ``thread_version``: moved by every write that can change how its thread ranks.

The thread's first part keeps its ranking of the top-level comments under this version and
reuses it while the thread is unchanged (comments/thread/parts.py). Existing roundups start at 0:
no ranking was kept under a version before this, so none can be reused wrongly.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roundups", "0005_roundup_autosave_slot"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundup",
            name="thread_version",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
    ]
