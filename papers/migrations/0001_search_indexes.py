"""GIN expression indexes for full-text search, on PostgreSQL only (SQLite has no use for them).

The vectors are frozen copies of ``papers.search.search_vector`` for each kind: PostgreSQL uses an
expression index only when the query's expression is the same, so a change to the searched fields
or weights there needs a new migration that drops these indexes and creates the new ones.
tests/papers/test_search.py checks with EXPLAIN that the queries still use them.
"""

from django.db import migrations

SEARCH_CONFIG = "english"
INDEXES = [
    ("roundups", "Roundup", "papers_roundup_search", {"A": ["title"], "C": ["intro", "outro"]}),
    (
        "roundups",
        "PaperEntry",
        "papers_entry_search",
        {"A": ["title"], "B": ["authors", "abstract", "opinion"], "C": ["related"]},
    ),
    ("comments", "Comment", "papers_comment_search", {"C": ["body"]}),
]


def _index(name, fields):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    vector = None
    for weight, names in fields.items():
        part = SearchVector(*names, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return GinIndex(vector, name=name)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, name, fields in INDEXES:
        schema_editor.add_index(apps.get_model(app_label, model_name), _index(name, fields))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for app_label, model_name, name, fields in INDEXES:
        schema_editor.remove_index(apps.get_model(app_label, model_name), _index(name, fields))


class Migration(migrations.Migration):
    dependencies = [
        ("roundups", "0001_initial"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
