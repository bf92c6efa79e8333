"""Declared hooks (forum/hooks.py): receivers run in the writer's transaction, each after a
savepoint of its own, and a receiver's failure, a database error included, is never the
writer's."""

import pytest
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from forum.hooks import fire, part_of_the_write


def _writes_then_fails_in_sql(**kwargs):
    Group.objects.create(name="the receiver's row")
    with connection.cursor() as cursor:  # on PostgreSQL this aborts the transaction
        cursor.execute("SELECT * FROM no_such_table_at_all")


def _writes(**kwargs):
    Group.objects.create(name=f"kept {kwargs['n']}")


def _writes_a_duplicate(**kwargs):
    Group.objects.create(name="a duplicate's first row")
    Group.objects.create(name="the writer's row")  # unique: save() marks the transaction bad


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_that_fails_in_sql_is_rolled_back_and_the_write_commits():
    on_commit = []

    def registers_then_fails(**kwargs):
        transaction.on_commit(lambda: on_commit.append("the failed receiver's"))
        raise DatabaseError("gone")

    with transaction.atomic():
        Group.objects.create(name="the writer's row")
        fire([_writes, _writes_then_fails_in_sql, registers_then_fails, _writes_a_duplicate], n=1)
        Group.objects.create(name="written after the hooks")  # the transaction is usable
    names = set(Group.objects.values_list("name", flat=True))
    assert {"the writer's row", "kept 1", "written after the hooks"} <= names
    assert "the receiver's row" not in names and "a duplicate's first row" not in names
    assert on_commit == []  # what a rolled-back receiver left for the commit is dropped


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_that_swallowed_a_failed_save_is_rolled_back_all_the_same():
    def swallows(**kwargs):
        Group.objects.create(name="half of a swallowed failure")
        try:
            with transaction.atomic(savepoint=False):  # marks the transaction for rollback
                Group.objects.create(name="the writer's row")
        except DatabaseError:
            pass

    with transaction.atomic():
        Group.objects.create(name="the writer's row")
        fire([swallows])
        Group.objects.create(name="written after the hooks")
    assert not Group.objects.filter(name="half of a swallowed failure").exists()
    assert Group.objects.filter(name="written after the hooks").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_receivers_roll_back_with_the_write():
    with pytest.raises(RuntimeError), transaction.atomic():
        fire([_writes], n=2)
        raise RuntimeError("the write fails after its hooks")
    assert not Group.objects.filter(name="kept 2").exists()


def test_outside_a_transaction_a_failing_receiver_is_logged_not_raised(db, caplog):
    def broken(**kwargs):
        raise RuntimeError("down")

    fire([broken, _writes], n=3)
    assert Group.objects.filter(name="kept 3").exists()
    assert "hook receiver" in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_part_of_the_write_commits_with_it_or_fails_it():
    """No savepoint of its own (no SAVEPOINT/RELEASE statements), and its failure is the
    write's: the write's rows and its own roll back together, nothing is half kept."""

    @part_of_the_write
    def records(**kwargs):
        Group.objects.create(name=f"record {kwargs['n']}")

    @part_of_the_write
    def fails(**kwargs):
        Group.objects.create(name="a record that fails")
        raise DatabaseError("the record could not be written")

    before = set(Group.objects.values_list("name", flat=True))  # the groups migrations made
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        Group.objects.create(name="write 1")
        fire([records], n=1)
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "SAVEPOINT" not in sql and "RELEASE" not in sql
    assert set(Group.objects.values_list("name", flat=True)) - before == {"write 1", "record 1"}

    with pytest.raises(DatabaseError), transaction.atomic():
        Group.objects.create(name="write 2")
        fire([records, fails], n=2)
    names = set(Group.objects.values_list("name", flat=True)) - before
    assert names == {"write 1", "record 1"}  # write 2, record 2 and the failed record: none
