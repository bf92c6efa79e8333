"""The comment search index follows the comment's text into CommentText (comments 0005).

Same name, same frozen vector as ``papers.search.COMMENT_FIELDS`` (``text__body``, weight C):
PostgreSQL matches an expression index by its expression, and the search joins the text table
INNER so the planner can start from this index. PostgreSQL only, like 0001.
"""

from django.db import migrations

SEARCH_CONFIG = "english"
NAME = "papers_comment_search"
FIELDS = {"C": ["body"]}


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    vector = None
    for weight, names in FIELDS.items():
        part = SearchVector(*names, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return GinIndex(vector, name=NAME)


def _move(apps, schema_editor, old_model, new_model):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_index(apps.get_model("comments", old_model), _index())
    schema_editor.add_index(apps.get_model("comments", new_model), _index())


def to_text(apps, schema_editor):
    _move(apps, schema_editor, "Comment", "CommentText")


def to_comment(apps, schema_editor):
    _move(apps, schema_editor, "CommentText", "Comment")


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0002_paper_suggestion"),
        ("comments", "0005_comment_text"),
    ]

    operations = [migrations.RunPython(to_text, to_comment, elidable=False)]
