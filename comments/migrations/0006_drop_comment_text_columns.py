"""Move each comment's text off its tree row, step 3 of 3: drop ``body`` and ``body_html``.

The text is in CommentText (0005) and the search index on it (papers 0003). On PostgreSQL a
dropped column's bytes stay in each row until the row is next written; every reply rewrites
about half its tree, so trees that take replies narrow by themselves (``VACUUM FULL
comments_comment`` compacts the whole table at once, under an exclusive lock). The state-only
defaults let the migration run backwards on a table with rows: the columns come back filled
with '' and 0005 reversed copies the text into them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_comment_text"),
        ("papers", "0003_comment_search_on_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="comment", name="body", field=models.TextField(default="")
                ),
                migrations.AlterField(
                    model_name="comment",
                    name="body_html",
                    field=models.TextField(default="", editable=False),
                ),
            ]
        ),
        migrations.RemoveField(model_name="comment", name="body"),
        migrations.RemoveField(model_name="comment", name="body_html"),
    ]
