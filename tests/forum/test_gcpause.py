"""forum.gcpause: the collector is off inside a pause and comes back as it was."""

import gc
import threading

import pytest

from forum.gcpause import paused_gc


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pause_turns_the_collector_off_and_back_on():
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_even_when_the_work_fails():
    with pytest.raises(ValueError), paused_gc():
        raise ValueError
    assert gc.isenabled()


def test_overlapping_pauses_keep_it_off_until_the_last_one_ends():
    """Two requests on two threads: the first to finish must not turn it on under the other."""
    inside, leave, left = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with paused_gc():
            inside.set()
            leave.wait(5)
        seen["after_first"] = gc.isenabled()
        left.set()

    worker = threading.Thread(target=first)
    worker.start()
    assert inside.wait(5)
    with paused_gc():
        leave.set()
        assert left.wait(5)
        assert seen["after_first"] is False  # this pause is still open
    worker.join(5)
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_the_thread_page_leaves_the_collector_on(client, roundup):
    assert client.get(roundup.get_absolute_url()).status_code == 200
    assert gc.isenabled()
