"""kg.util.switching: the build's shorter switch interval, and the one before it back afterwards."""
import sys
import threading

import pytest

from kg.util.switching import short_switch_interval


def test_the_interval_is_short_inside_and_restored_after_nested_and_failing_blocks():
    before = sys.getswitchinterval()
    with short_switch_interval(0.0005):
        assert sys.getswitchinterval() == pytest.approx(0.0005, rel=0.05)
        with short_switch_interval(0.0005):
            assert sys.getswitchinterval() == pytest.approx(0.0005, rel=0.05)
        assert sys.getswitchinterval() == pytest.approx(0.0005, rel=0.05)  # the outer block still runs
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError):
        with short_switch_interval(0.0005):
            raise RuntimeError("a failed build")
    assert sys.getswitchinterval() == before


def test_overlapping_blocks_on_two_threads_restore_the_first_interval():
    before = sys.getswitchinterval()
    entered, leave = threading.Event(), threading.Event()

    def other():
        with short_switch_interval(0.0005):
            entered.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with short_switch_interval(0.0005):
        thread.start()
        assert entered.wait(10)
    assert sys.getswitchinterval() == pytest.approx(0.0005, rel=0.05)  # the other thread's block still runs
    leave.set()
    thread.join(10)
    assert sys.getswitchinterval() == before


def test_an_interval_already_shorter_is_kept():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0001)
    try:
        with short_switch_interval(0.0005):
            assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)  # kept in whole microseconds
    finally:
        sys.setswitchinterval(before)
