"""Reading a catalog on several processes gives what one process gives."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.util import parallel
from kg.catalog.loader import load_catalog
from kg.catalog.checks import check_catalog
from kg.catalog.diagnostics import Report
from kg.catalog.schema import KINDS

from .conftest import FIXTURE_CATALOG, ROOT

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="shares run in forked processes on Linux")


@pytest.mark.parametrize("n, parts, weights", [
    (10, 2, None), (10, 3, [5, 1, 1, 1, 1, 1, 1, 1, 1, 1]), (7, 4, [0] * 7), (1, 4, None), (0, 2, None),
    (100, 2, [i % 7 for i in range(100)]),
])
def test_split_keeps_every_item_in_order_in_nonempty_shares(n, parts, weights):
    items = list(range(n))
    shares = parallel.split(items, parts, weights)
    assert [x for share in shares for x in share] == items
    assert all(shares) and len(shares) <= max(1, parts)


def test_split_balances_by_weight():
    heavy_first = [10] * 10 + [1] * 100
    first, second = parallel.split(list(range(110)), 2, heavy_first)
    assert abs(sum(heavy_first[i] for i in first) - sum(heavy_first[i] for i in second)) <= 10


def _emitting(share, tick, emit):
    """Emits its items one batch per item, each batch ``[(pid, item)]``, and returns the share's sum."""
    for item in share:
        emit([(os.getpid(), item)])
        tick(1)
    return sum(share)


def test_streamed_shares_keep_order_and_come_from_children():
    seen = []
    results = parallel.map_shares_streaming(_emitting, [[1, 2], [3], [4, 5, 6]], seen.append)
    assert [[item for _pid, item in items] for items, _total in results] == [[1, 2], [3], [4, 5, 6]]
    assert [total for _items, total in results] == [3, 3, 15]
    pids = [{pid for pid, _item in items} for items, _total in results]
    assert pids[-1] == {os.getpid()} and all(len(p) == 1 and os.getpid() not in p for p in pids[:-1])
    assert seen[-1] == 6


def test_streamed_batches_larger_than_the_pipe_arrive_whole():
    """A child whose batches are several times the pipe's size, while this process's own share is
    short: it waits for the child without deadlock, and every byte arrives."""
    big = "x" * (3 * parallel._Stream.PIPE_BYTES)

    def large(share, tick, emit):
        for item in share:
            emit([item, big])
        return len(share)

    (child_items, child_count), (own_items, own_count) = parallel.map_shares_streaming(large, [[1, 2], [3]])
    assert child_items == [1, big, 2, big] and child_count == 2
    assert own_items == [3, big] and own_count == 1


def test_every_streaming_child_is_read_while_another_waits(tmp_path):
    """The first child waits (up to 10 s) for the second to have sent more than its pipe holds: read
    one child after the other, the second would wait on its full pipe, the first would give up,
    and its share would be redone here."""
    big = "x" * (2 * parallel._Stream.PIPE_BYTES)
    flag = tmp_path / "second-sent-everything"

    def share_work(share, tick, emit):
        if share == ["first"]:
            emit([(os.getpid(), "first")])
            deadline = time.monotonic() + 10
            while not flag.exists():
                if time.monotonic() > deadline:
                    raise TimeoutError("the second child's batches were not read")
                time.sleep(0.01)
        elif share == ["second"]:
            for _ in range(3):
                emit([(os.getpid(), big)])
            flag.touch()
        return share[0]

    first, second, own = parallel.map_shares_streaming(share_work, [["first"], ["second"], ["own"]])
    assert first[1] == "first" and first[0][0][0] != os.getpid()  # from the child, not redone here
    assert second[1] == "second" and len(second[0]) == 3 and second[0][0][0] != os.getpid()
    assert own == ([], "own")


def test_a_streaming_child_that_fails_midway_is_redone_here():
    parent = os.getpid()

    def fails_after_one(share, tick, emit):
        emit([share[0]])
        if os.getpid() != parent:
            raise RuntimeError("boom")
        emit(list(share[1:]))
        return "done"

    assert parallel.map_shares_streaming(fails_after_one, [[1, 2], [3, 4]]) == [([1, 2], "done"), ([3, 4], "done")]


def test_a_streaming_child_that_dies_midway_is_redone_here():
    parent = os.getpid()

    def dies_after_one(share, tick, emit):
        emit([share[0]])
        if os.getpid() != parent:
            os._exit(3)
        emit(list(share[1:]))
        return len(share)

    assert parallel.map_shares_streaming(dies_after_one, [[1, 2], [3]]) == [([1, 2], 2), ([3], 1)]


def test_streamed_shares_run_here_without_fork(monkeypatch):
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    assert parallel.map_shares_streaming(_emitting, [[1], [2, 3]]) == [([(os.getpid(), 1)], 1),
                                                                       ([(os.getpid(), 2), (os.getpid(), 3)], 5)]


def _snapshot(data: Path, processes: int):
    report = Report()
    catalog = load_catalog(data, report, processes=processes)
    check_catalog(catalog, report)
    entries = [(e.kind.folder, e.id, e.file, str(e.doc.path), e.doc.digest,
                {k: [(v.value, v.path, v.relation) for v in vs] for k, vs in e.values.items()})
               for e in catalog.entries]
    assert all(any(e.kind is k for k in KINDS) for e in catalog.entries)  # the schema's own Kinds
    return entries, report.items


@pytest.mark.parametrize("data", [FIXTURE_CATALOG, ROOT / "tests" / "fixtures" / "broken",
                                  ROOT / "data"])
def test_several_processes_read_what_one_reads(data):
    assert data.is_dir(), data
    one = _snapshot(data, 1)
    assert one[0]
    for processes in (2, 3):
        assert _snapshot(data, processes) == one


def test_diagnostics_of_a_child_share_keep_their_lines(tmp_path):
    """A broken file read by a child process is reported at its line, like on one process."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_CATALOG, data)
    first = data / "models" / "0-broken.yaml"  # sorts first: in the first share, a child's
    first.write_text("name: Broken\n\nreleased: 2023-13\nbased_on: [nothere]\n")
    entries, items = _snapshot(data, 2)
    mine = [(d.line, d.code) for d in items if d.file.endswith(first.name)]
    assert mine == [(3, "KG107"), (4, "KG201")]
    assert mine == [(d.line, d.code) for d in _snapshot(data, 1)[1] if d.file.endswith(first.name)]


def test_ctrl_c_while_reading_leaves_no_child_behind(tmp_path):
    """SIGINT to the whole process group: kg exits and no reading process survives it."""
    script = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a terminal, even when the tests\n"
        "# run as a background job, whose shell starts its processes with SIGINT ignored\n"
        "from kg.util import parallel\n"
        "def share(items, tick, emit):\n"
        "    os.write(1, f'{os.getpid()}\\n'.encode())  # one write: the two children's lines never interleave\n"
        "    time.sleep(60)\n"
        "parallel.map_shares_streaming(share, [[1], [2]])\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    pids = {int(proc.stdout.readline()), int(proc.stdout.readline())}
    os.killpg(proc.pid, 2)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode != 0 and "KeyboardInterrupt" in err
    for pid in pids - {proc.pid}:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


@pytest.mark.skipif(not parallel.can_fork(), reason="children are forked on Linux only")
def test_a_child_that_closes_its_pipe_before_it_exits_reports_its_real_exit_code():
    """The pipe's end-of-file comes before the exit: the code must be read after the child is reaped."""
    import os
    import time

    def closes_then_exits():
        os.closerange(3, 4096)  # the pipe to the parent among them: the parent sees EOF now
        time.sleep(0.3)
        os._exit(5)

    with pytest.raises(RuntimeError, match="exit code 5"):
        parallel.start_in_child(closes_then_exits).wait()


class _TwoArgumentError(Exception):
    def __init__(self, message, extra):
        super().__init__(message)
        self.extra = extra


@pytest.mark.skipif(not parallel.can_fork(), reason="children are forked on Linux only")
def test_an_outcome_that_cannot_be_read_back_is_a_failure_not_a_crash():
    def raises_what_does_not_unpickle():
        raise _TwoArgumentError("boom", 1)

    ok, value = parallel.start_in_child(raises_what_does_not_unpickle).outcome()
    assert not ok and isinstance(value, RuntimeError) and "cannot be read back" in str(value)


@pytest.mark.skipif(not parallel.can_fork(), reason="children are forked on Linux only")
def test_what_the_parent_buffered_is_written_once(tmp_path):
    script = ("import sys\nfrom kg.util import parallel\nprint('before the fork')\n"
              "parallel.start_in_child(lambda: None).wait()\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout == "before the fork\n", done.stderr


def test_split_makes_the_childrens_shares_lighter_by_their_handback():
    """With handback h, each share but the last weighs 1/(1+h) of the last (map_shares_streaming runs that one here)."""
    shares = parallel.split(list(range(1000)), 2, handback=0.25)
    assert [len(share) for share in shares] == [445, 555]  # 1000 / 2.25 = 444.4: cut once 445 are in
    assert sum(len(share) for share in parallel.split(list(range(1000)), 3, handback=0.5)[:2]) == 572


@pytest.mark.skipif(not parallel.can_fork(), reason="children are forked on Linux only")
def test_finished_is_true_only_once_the_child_has_exited():
    """A child whose outcome does not fit the pipe is still alive, blocked on writing it: not finished."""
    import time

    child = parallel.start_in_child(lambda: b"x" * (1 << 20))
    deadline = time.monotonic() + 10
    while not parallel._readable(child.fd, 0.05) and time.monotonic() < deadline:
        pass
    time.sleep(0.2)  # it has begun writing its megabyte: the pipe holds 64 KiB of it
    assert not child.finished()
    assert child.wait() == b"x" * (1 << 20)
    assert child.finished()
    quick = parallel.start_in_child(lambda: 1)
    deadline = time.monotonic() + 10
    while not quick.finished() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert quick.finished() and quick.wait() == 1


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="CPU affinity is Linux's")
def test_work_on_one_cpu_keeps_its_threads_there_and_gives_the_cpus_back(monkeypatch):
    import threading

    from kg.util.parallel import current_cpu, on_one_cpu

    monkeypatch.setattr(parallel, "_on_disk_store_used", False)  # as in a process that opened no store
    allowed = os.sched_getaffinity(0)
    assert current_cpu() in allowed
    avoid = min(allowed)
    seen = {}

    def work():
        seen["here"] = os.sched_getaffinity(0)
        thread = threading.Thread(target=lambda: seen.setdefault("thread", os.sched_getaffinity(0)))
        thread.start()
        thread.join()
        return "done"

    assert on_one_cpu(work, avoid=avoid) == "done"
    assert os.sched_getaffinity(0) == allowed  # given back
    assert len(seen["here"]) == 1 and seen["thread"] == seen["here"]
    if len(allowed) > 1:
        assert seen["here"] != {avoid}

    def fails():
        raise KeyError("x")

    with pytest.raises(KeyError):
        on_one_cpu(fails, avoid=avoid)
    assert os.sched_getaffinity(0) == allowed  # given back after a failure too
    monkeypatch.setattr(parallel, "_on_disk_store_used", True)  # RocksDB's pools: the CPUs stay as they are
    assert on_one_cpu(lambda: os.sched_getaffinity(0), avoid=avoid) == allowed
    os.sched_setaffinity(0, {avoid})
    try:  # one CPU allowed: the work runs there, as it is
        assert on_one_cpu(lambda: os.sched_getaffinity(0), avoid=avoid) == {avoid}
    finally:
        os.sched_setaffinity(0, allowed)


def test_a_stuck_child_is_stopped_and_a_busy_one_waited_for():
    """``outcome(stalled_after=S)``: a child that uses no CPU time for S seconds is stuck (a lock no
    thread of it will release) and is stopped; one that works longer than S is waited for."""
    import threading

    def stuck():
        lock = threading.Lock()
        lock.acquire()
        lock.acquire()  # waits for ever, using no CPU

    began = time.monotonic()
    ok, error = parallel.start_in_child(stuck).outcome(stalled_after=0.5)
    assert not ok and isinstance(error, TimeoutError) and time.monotonic() - began < 10

    def busy():
        until = time.process_time() + 1.5
        while time.process_time() < until:
            pass
        return "worked"

    assert parallel.start_in_child(busy).outcome(stalled_after=0.5) == (True, "worked")
    stopped = parallel.start_in_child(busy)  # stopped (Ctrl-Z) for longer than 0.5 s: still waited for
    os.kill(stopped.pid, signal.SIGSTOP)
    threading.Timer(1.5, os.kill, (stopped.pid, signal.SIGCONT)).start()
    assert stopped.outcome(stalled_after=0.5) == (True, "worked")
