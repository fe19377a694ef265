"""Workers are waited for until they have really ended, even when Ctrl-C interrupts the wait
(on Python 3.11 and 3.12 an interrupted ``Thread.join()`` leaves the thread looking ended)."""
from __future__ import annotations

import threading
import time

import pytest

from kg.util.threads import Worker, wait_for

from .conftest import interrupting_in


def test_an_interrupted_wait_goes_on_until_the_worker_has_ended_then_raises():
    stop = threading.Event()
    worker = Worker(lambda: stop.wait(0.4))
    worker.start()
    restore = interrupting_in(0.05)
    try:
        with pytest.raises(KeyboardInterrupt):
            wait_for([worker], on_interrupt=stop.set)
    finally:
        restore()
    assert worker.ended.is_set() and not worker.is_alive()
    assert stop.is_set()  # told to stop: it ended well before its 0.4 s


def test_without_interrupts_the_wait_swallows_them_and_still_waits():
    worker = Worker(time.sleep, args=(0.2,))
    worker.start()
    restore = interrupting_in(0.05)
    try:
        wait_for([worker], interrupts=False)
    finally:
        restore()
    assert worker.ended.is_set()


def test_a_worker_never_started_is_not_waited_for_and_one_that_raised_has_ended(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the error is the point

    def fail():
        raise ValueError("boom")

    failing = Worker(fail)
    failing.start()
    wait_for([Worker(time.sleep, args=(60,)), failing])
    assert failing.ended.is_set()
