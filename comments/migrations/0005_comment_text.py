"""Move each comment's text off its tree row, step 1 of 3: create CommentText and fill it.

A reply shifts ``lft``/``rght`` of about half its tree, and each shifted row is rewritten whole;
with ``body`` and ``body_html`` (~700 bytes) on every row that rewrite was nearly all of a reply's
cost. Step 2 (papers 0003) moves the comment search index onto the new table, step 3 (0006) drops
the two columns. The copy is one INSERT ... SELECT in the database, fast on any number of rows;
reversed, one UPDATE ... FROM copies the text back (0006 reversed has re-created the columns).
"""

import django.db.models.deletion
from django.db import migrations, models

COPY = (
    "INSERT INTO comments_commenttext (comment_id, body, body_html) "
    "SELECT id, body, body_html FROM comments_comment"
)
COPY_BACK = (
    "UPDATE comments_comment SET body = t.body, body_html = t.body_html "
    "FROM comments_commenttext AS t WHERE t.comment_id = comments_comment.id"
)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0004_hot_tree_shifts"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommentText",
            fields=[
                (
                    "comment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="text",
                        serialize=False,
                        to="comments.comment",
                    ),
                ),
                ("body", models.TextField()),
                ("body_html", models.TextField(editable=False)),
            ],
        ),
        migrations.RunSQL(COPY, COPY_BACK, elidable=False),
    ]
