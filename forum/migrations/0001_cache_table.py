"""The database cache's table, so ``manage.py migrate`` alone gives a site whose login works.

Without REDIS_URL the cache (and with it the login rate limits) lives in the table
``roundups_cache``, which only ``createcachetable`` made: a site set up with ``migrate`` alone
answered every login with a 500. This runs the same command for whatever database caches the
settings name; it skips tables that exist, and with REDIS_URL set there is none to make.
``make setup`` and ``bin/serve`` still run ``createcachetable`` after migrating, for a site whose
cache moved from Redis to the database after this migration ran.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        # Not reversed: the table holds only what can be lost, and dropping it would break login.
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False),
    ]
