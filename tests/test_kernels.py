"""Kernels forked from a preloader, and calls run beside the month's analysis."""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import nbformat
import pytest

from workbench.kernels import KernelPreloader, available, preloader_for
from workbench.staging import execute_notebook

pytestmark = pytest.mark.skipif(not available(), reason="no fork on this platform")


def _probe_notebook(path: Path) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import os, sys\n"
        "print(os.getppid(), 'pandas' in sys.modules, os.getcwd(), os.environ.get('WB_PROBE'))")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


def _printed(path: Path) -> list[str]:
    return nbformat.read(path, as_version=4).cells[0].outputs[0]["text"].split()


@pytest.fixture(scope="module")
def preloader():
    started = preloader_for("python3")
    if started is None:
        pytest.skip("the python3 kernel spec is not a plain ipykernel launch")
    with started:
        yield started


def test_kernel_is_forked_from_the_preloader_with_its_modules(preloader, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("WB_PROBE", "seen")
    source = _probe_notebook(tmp_path / "probe.ipynb")
    execute_notebook(source, tmp_path / "out.ipynb", {}, preloader=preloader)
    parent, has_pandas, cwd, probe = _printed(tmp_path / "out.ipynb")
    assert int(parent) == preloader._process.pid  # forked, not launched
    assert has_pandas == "True"  # imported once, before the fork
    assert Path(cwd) == tmp_path  # the notebook's folder, as papermill asks
    assert probe == "seen"  # the caller's environment, not the preloader's
    assert preloader.failure == ""


def test_a_call_returns_its_value_and_a_failed_call_raises(preloader):
    # module-level functions the preloader can import by name
    assert preloader.submit(math.factorial, 12).result(timeout=60) == 479001600
    with pytest.raises(RuntimeError, match="failed"):
        preloader.submit(math.sqrt, -1.0).result(timeout=60)  # ValueError in the child


def test_a_discarded_call_is_stopped_and_its_files_removed(preloader):
    import time

    call = preloader.submit(time.sleep, 60)
    folder = call._folder
    assert call.pid is not None and os.path.isdir(folder)
    call.discard()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(call.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the discarded call is still running")
    assert not os.path.exists(folder)


def test_calls_are_served_before_the_kernels_modules_are_imported():
    # the calls' modules only: a call runs although the kernels' module cannot be imported
    started = preloader_for("python3", ["no_such_module_for_kernels"], ["math"])
    if started is None:
        pytest.skip("the python3 kernel spec is not a plain ipykernel launch")
    with started:
        assert started.submit(math.factorial, 5).result(timeout=60) == 120
        # the first kernel asked for finds the kernels' modules missing: launched normally
        assert started.launch([*started.interpreter, "-m", "ipykernel_launcher", "-f", "c"],
                              dict(os.environ), os.getcwd()) is None
        assert "no_such_module_for_kernels" in started.failure
        assert not started.serves([*started.interpreter, "-m", "ipykernel_launcher"])
        assert started.submit(math.factorial, 4).result(timeout=60) == 24  # calls still run


def test_other_kernel_commands_are_launched_normally(tmp_path):
    with KernelPreloader([sys.executable, "-X", "nonexistent_flag"]) as other:
        assert not other.serves([sys.executable, "-m", "ipykernel_launcher", "-f", "c.json"])
        source = _probe_notebook(tmp_path / "probe.ipynb")
        execute_notebook(source, tmp_path / "out.ipynb", {}, preloader=other)
        parent = int(_printed(tmp_path / "out.ipynb")[0])
        assert parent == os.getpid()  # jupyter_client's own launch


def test_a_broken_preloader_falls_back(tmp_path):
    broken = KernelPreloader([sys.executable, "-c", "raise SystemExit(3)", "--"])
    broken.interpreter = [sys.executable]  # it would serve, but the process is gone
    with broken:
        assert broken.launch([sys.executable, "-m", "ipykernel_launcher", "-f", "c"],
                             dict(os.environ), str(tmp_path)) is None
        assert broken.submit(math.factorial, 2) is None
        assert "exited" in broken.failure


def test_a_call_sent_before_a_broken_preloader_answers_raises_in_result():
    broken = KernelPreloader([sys.executable, "-c", "raise SystemExit(3)", "--"])
    with broken:
        call = broken.submit(math.factorial, 2)  # sent when the preloader would be ready
        assert call is not None
        with pytest.raises(RuntimeError, match="could not start"):
            call.result(timeout=60)
        assert "exited" in broken.failure
        assert broken.submit(math.factorial, 2) is None  # now known not to serve


def test_switched_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("WORKBENCH_PRELOAD_KERNELS", "0")
    assert preloader_for("python3") is None
