"""Each roundup keeps its count of visible comments on its row (``comment_count``).

The column starts at 0; comments 0010 fills it from the comments, and from then on the comment
services move it with every change of visibility.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roundups", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundup",
            name="comment_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
    ]
