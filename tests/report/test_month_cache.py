"""The month's cache: one computation shared by the runner and the notebooks."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import time

from workbench.analysis import month as M
from workbench.analysis.results import MonthResults


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lock_left_by_a_crashed_run_is_ignored(tmp_path):
    path, lock = tmp_path / "m.pickle", tmp_path / "m.lock"
    lock.write_text(str(_dead_pid()), encoding="utf-8")
    started = time.monotonic()
    assert M._wait_for_other(path, lock, timeout=30) is None
    assert time.monotonic() - started < 10
    assert not lock.exists()


def test_a_waiter_gets_the_other_process_result(tmp_path):
    path, lock = tmp_path / "m.pickle", tmp_path / "m.lock"
    lock.write_text(str(os.getpid()), encoding="utf-8")  # a live owner
    produced = MonthResults.__new__(MonthResults)

    def finish():
        time.sleep(0.3)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pickle.dumps(produced))
        os.replace(tmp, path)  # as the runner writes it: atomically
        lock.unlink()

    threading.Thread(target=finish).start()
    assert isinstance(M._wait_for_other(path, lock, timeout=30), MonthResults)


def test_a_waiter_gives_up_after_its_timeout(tmp_path):
    path, lock = tmp_path / "m.pickle", tmp_path / "m.lock"
    lock.write_text(str(os.getpid()), encoding="utf-8")
    assert M._wait_for_other(path, lock, timeout=0.3) is None
    assert lock.exists()  # a live owner's lock is left alone


def test_unreadable_cache_is_recomputed_not_trusted(tmp_path):
    path = tmp_path / "m.pickle"
    path.write_bytes(b"not a pickle")
    assert M._read_cache(path) is None
    path.write_bytes(pickle.dumps({"month": "2024-03"}))  # not a MonthResults
    assert M._read_cache(path) is None
