"""/suggestions/ by state and time; and on PostgreSQL, search vectors stored as generated columns.

``search_vector`` on roundups, paper entries and comment texts is a ``tsvector GENERATED ALWAYS
... STORED`` column (PostgreSQL 12+) with a GIN index, weighted as ``papers.search`` says (titles A,
authors/abstract/opinion B, the rest C). The database keeps it on every insert and update, so no
write path can forget it, and ranking reads it instead of re-parsing every match's text (the
expression indexes of 0001 and 0003 could find matches, but ``ts_rank`` still parsed each one).
The models do not declare the column: only ``papers.search`` reads it, in SQL. SQLite has no
``tsvector``; there this migration adds only the suggestions index.
"""

from django.db import migrations, models

CONFIG = "'english'::regconfig"


def _part(columns, weight):
    text = " || ' ' || ".join(f'COALESCE("{column}", \'\')' for column in columns)
    return f"setweight(to_tsvector({CONFIG}, {text}), '{weight}')"


# table -> (old expression index of 0001/0003, {weight: columns}); papers.search mirrors these.
VECTORS = {
    "roundups_roundup": ("papers_roundup_search", {"A": ["title"], "C": ["intro", "outro"]}),
    "roundups_paperentry": (
        "papers_entry_search",
        {"A": ["title"], "B": ["authors", "abstract", "opinion"], "C": ["related"]},
    ),
    "comments_commenttext": ("papers_comment_search", {"C": ["body"]}),
}


def _old_index_sql(table, name, weights):
    expression = " || ".join(_part(columns, weight) for weight, columns in weights.items())
    return f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (({expression}))'


def store_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (old_index, weights) in VECTORS.items():
        expression = " || ".join(_part(columns, weight) for weight, columns in weights.items())
        schema_editor.execute(f'DROP INDEX IF EXISTS "{old_index}"')
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN search_vector tsvector '
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f'CREATE INDEX "{table}_search_vector" ON "{table}" USING gin (search_vector)'
        )


def unstore_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (old_index, weights) in VECTORS.items():
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN search_vector')
        schema_editor.execute(_old_index_sql(table, old_index, weights))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0011_list_indexes_and_paper_counts"),
        ("papers", "0003_comment_search_on_text"),
        ("roundups", "0003_paper_coverage_and_list_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="papersuggestion",
            index=models.Index(
                fields=["status", "-created_at", "-id"], name="suggestion_state_time_idx"
            ),
        ),
        migrations.RunPython(store_vectors, unstore_vectors),
    ]
