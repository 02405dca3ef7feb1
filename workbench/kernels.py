"""Notebook kernels forked from a preloaded process, so a report pays its imports once.

A report executes seven notebooks, each in a fresh kernel, and most of a kernel's start-up is
importing the same libraries (IPython, ipykernel, pandas, matplotlib, the report modules):
about 1.5 to 2.5 CPU seconds per kernel. On POSIX systems with ``fork`` a *preloader*
process imports them once, then forks one kernel per notebook: each kernel starts with those
modules already in memory (shared copy-on-write) and runs exactly what ``python -m
ipykernel_launcher -f <connection file>`` runs. Only that command, with the same interpreter
and flags as the kernel spec, is served; anything else, a platform without ``fork`` or any
error in the preloader falls back to jupyter_client's normal launch, so a report never
depends on it.

The preloader is a child of the process that runs the report; it exits when that process
closes its request pipe (or dies), and every kernel it forked exits when the preloader is
gone (ipykernel's parent poller), so nothing outlives the report.

Run as ``python -m workbench.kernels [CALL_MODULE...] --kernels MODULE...`` it is the
preloader itself.
"""

from __future__ import annotations

import importlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Any

#: What every kernel imports before it runs a cell.
KERNEL_MODULES = (
    "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger",
    "IPython.core.magics.execution", "IPython.core.completerlib", "IPython.extensions.storemagic",
    "sqlite3", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
    "matplotlib.backends.backend_agg", "PIL.PngImagePlugin", "pandas",
)

_LAUNCHER = ("-m", "ipykernel_launcher")


def available() -> bool:
    """Whether kernels can be forked from a preloader on this platform."""
    return hasattr(os, "fork") and sys.platform != "win32" and os.name == "posix"


class ForkedKernel:
    """The handle jupyter_client keeps for a kernel process, for a kernel the preloader forked.

    The kernel is the preloader's child, not ours, so it cannot be waited for: it is alive
    while its pid exists (the preloader reaps its children at once, so none lingers as a
    zombie). Its exit status is not known; a finished kernel reports 0.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """None while the kernel runs, else 0."""
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:  # pid reused by another user's process: ours is gone
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Block until the kernel has exited (jupyter_client polls before it calls this)."""
        import time

        waited = 0.0
        while self.poll() is None:
            if timeout is not None and waited >= timeout:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
            waited += 0.05
        return 0

    def send_signal(self, signum: int) -> None:
        """Send ``signum`` to the kernel."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        """Ask the kernel to stop (SIGTERM)."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """Stop the kernel (SIGKILL)."""
        self.send_signal(signal.SIGKILL)


class ForkedCall:
    """A function call running in a process forked from the preloader.

    :meth:`result` waits for the process to end and returns the value it pickled; it raises
    RuntimeError when the call failed (its traceback went to stderr) or the preloader could
    not start it.
    """

    def __init__(self, pid: int | Callable[[], int | None], folder: str) -> None:
        # the pid, or a function that waits for it (the request is sent in the background)
        self._pid = pid
        self._folder = folder
        #: Set by whoever takes this call's result (the runner hands it over once).
        self.taken = False

    @property
    def pid(self) -> int | None:
        """The call's process (None when the preloader could not start it)."""
        if callable(self._pid):
            self._pid = self._pid()
        return self._pid

    def discard(self) -> None:
        """Stop the call (its result is not wanted) and remove its files."""
        try:
            if self.pid is not None:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # already ended (and reaped by the preloader)
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)

    def result(self, timeout: float | None = None) -> Any:
        """The call's return value, once its process has ended."""
        try:
            if self.pid is None:
                raise RuntimeError("the kernel preloader could not start the call")
            ForkedKernel(self.pid).wait(timeout)
            path = os.path.join(self._folder, "result.pickle")
            if not os.path.exists(path):
                raise RuntimeError(f"the call in process {self.pid} failed")
            with open(path, "rb") as handle:
                return pickle.load(handle)  # written by our own child just now
        finally:
            shutil.rmtree(self._folder, ignore_errors=True)


class KernelPreloader:
    """A preloader process and the client side of its one-line-JSON protocol.

    Args:
        interpreter: The kernel spec's ``argv`` before ``-m ipykernel_launcher`` (the Python
            executable and its flags); only kernels with exactly this prefix are served.
        modules: Modules to import once in the preloader, on top of :data:`KERNEL_MODULES`.
        call_modules: Modules the calls (:meth:`submit`) need: imported first, so a call
            starts before the kernels' modules are imported (they are imported when the
            first kernel is asked for).
    """

    def __init__(self, interpreter: Sequence[str], modules: Sequence[str] = (),
                 call_modules: Sequence[str] = ()) -> None:
        self.interpreter = list(interpreter)
        env = {k: v for k, v in os.environ.items() if k != "JPY_PARENT_PID"}
        self._process = subprocess.Popen(
            [*self.interpreter, "-m", "workbench.kernels", *call_modules, KERNELS_FLAG,
             *KERNEL_MODULES, *modules],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env,
            close_fds=True)
        self._lock = threading.Lock()
        self._ready: bool | None = None
        self._kernels_ok = True
        self.failure = ""
        #: Environment variables added to every kernel's (set by the caller before launches).
        self.kernel_env: dict[str, str] = {}

    def serves(self, cmd: Sequence[str]) -> bool:
        """Whether ``cmd`` is a plain ipykernel launch with the preloader's interpreter."""
        n = len(self.interpreter)
        return (list(cmd[:n]) == self.interpreter and tuple(cmd[n:n + 2]) == _LAUNCHER
                and self._ready is not False and self._kernels_ok)

    def launch(self, cmd: Sequence[str], env: dict[str, str], cwd: str) -> int | None:
        """Fork a kernel running ``cmd``; its pid, or None when it must be launched normally."""
        if not self.serves(cmd):
            return None
        return self._request({"args": list(cmd[len(self.interpreter) + 2:]),
                              "env": dict(env), "cwd": str(cwd)})

    def submit(self, function: Callable[[Any], Any], argument: Any) -> ForkedCall | None:
        """Start ``function(argument)`` in a process forked from the preloader.

        ``function`` must be importable by name (a module-level function) and ``argument``
        picklable. Returns at once: while the preloader is still importing, the request is
        sent when it is ready. None when the preloader is known not to serve (the caller
        then runs it itself); a call it turns out not to serve raises in ``result()``.
        """
        if self._ready is False:
            return None
        folder = tempfile.mkdtemp(prefix="wb-call-")
        try:
            with open(os.path.join(folder, "argument.pickle"), "wb") as handle:
                pickle.dump(argument, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            shutil.rmtree(folder, ignore_errors=True)
            return None
        request = {"call": f"{function.__module__}:{function.__qualname__}", "folder": folder}
        if self._ready:
            pid = self._request(request)
            if pid is None:
                shutil.rmtree(folder, ignore_errors=True)
                return None
            return ForkedCall(pid, folder)
        # Still importing: send the request from a thread as soon as the preloader is ready,
        # so the caller works meanwhile instead of waiting (about 1.5 s of a report's start).
        sent: list[int | None] = []
        sender = threading.Thread(target=lambda: sent.append(self._request(request)),
                                  name="wb-preloader-call", daemon=True)
        sender.start()

        def pid() -> int | None:
            sender.join()
            return sent[0] if sent else None

        return ForkedCall(pid, folder)

    def _request(self, request: dict[str, Any]) -> int | None:
        with self._lock:
            try:
                if self._ready is None:
                    self._ready = self._read().get("ready") is True
                if not self._ready:
                    return None
                assert self._process.stdin is not None
                self._process.stdin.write(json.dumps(request) + "\n")
                self._process.stdin.flush()
                reply = self._read()
                if "error" in reply and "call" not in request:
                    self._kernels_ok = False  # the kernels' modules failed: launch normally
                    return None
                return int(reply["pid"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                self._ready = False
                self.failure = self.failure or f"{type(exc).__name__}: {exc}"
                return None

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise ValueError(f"the kernel preloader exited ({self._process.poll()})")
        message = json.loads(line)
        if "error" in message:
            self.failure = str(message["error"])
        return message

    def close(self) -> None:
        """End the preloader (kernels it forked keep running until they are shut down)."""
        try:
            if self._process.stdin:
                self._process.stdin.close()
            self._process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            if self._process.stdout:
                self._process.stdout.close()

    def __enter__(self) -> KernelPreloader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def preloader_for(kernel_name: str, modules: Sequence[str] = (),
                  call_modules: Sequence[str] = ()) -> KernelPreloader | None:
    """A started preloader for ``kernel_name``'s kernels, or None where it cannot serve them.

    None on platforms without ``fork``, when ``WORKBENCH_PRELOAD_KERNELS=0``, and for kernel
    specs that are not ``<python> [flags] -m ipykernel_launcher ...``.
    """
    if not available() or os.environ.get("WORKBENCH_PRELOAD_KERNELS", "1") == "0":
        return None
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = list(KernelSpecManager().get_kernel_spec(kernel_name).argv)
    except NoSuchKernel:
        return None
    for index in range(len(argv) - 1):
        if tuple(argv[index:index + 2]) == _LAUNCHER:
            return KernelPreloader(argv[:index], modules, call_modules) if index else None
    return None


# ------------------------------------------------------------------------- preloader side
#: Separates the calls' modules from the kernels' on the preloader's command line.
KERNELS_FLAG = "--kernels"


def _serve(arguments: Sequence[str]) -> int:
    """The preloader's main loop: import, then fork one kernel or call per request.

    ``arguments``: the calls' modules, :data:`KERNELS_FLAG`, the kernels' modules. The
    calls' modules are imported before ``ready`` is announced; the kernels' when the first
    kernel is asked for, so a call asked for first (the month's second half) starts without
    waiting for IPython and matplotlib.
    """
    arguments = list(arguments)
    split = arguments.index(KERNELS_FLAG) if KERNELS_FLAG in arguments else 0
    call_modules = arguments[:split]
    kernel_modules = arguments[split + 1:] if KERNELS_FLAG in arguments else arguments
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed here, or by a kernel, goes to stderr
    try:
        # ipykernel_launcher takes the working folder off sys.path before it imports; a
        # kernel puts it back (InteractiveShellApp.init_path), so do the same here
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]
        # what ipykernel sets before matplotlib is first used, set before it is imported
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        _import_for_fork(call_modules)
    except Exception as exc:  # noqa: BLE001  (reported to the client, which falls back)
        replies.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return 1
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
    replies.write(json.dumps({"ready": True}) + "\n")
    kernels_ready: bool | None = None
    for line in sys.stdin:
        request = json.loads(line)
        if "call" not in request and kernels_ready is None:
            try:
                _import_for_fork(kernel_modules)
                _warm_matplotlib()
                _check_no_threads()
                kernels_ready = True
            except Exception as exc:  # noqa: BLE001  (kernels are then launched normally)
                kernels_ready = False
                failure = f"{type(exc).__name__}: {exc}"
        if "call" not in request and not kernels_ready:
            replies.write(json.dumps({"error": failure}) + "\n")
            continue
        pid = os.fork()
        if pid == 0:
            replies.close()
            if "call" in request:
                _run_call(request)  # never returns
            _run_kernel(request)  # never returns
        replies.write(json.dumps({"pid": pid}) + "\n")
    return 0


def _import_for_fork(modules: Sequence[str]) -> None:
    for name in modules:
        importlib.import_module(name)
    _check_no_threads()


def _check_no_threads() -> None:
    # A Python thread could hold a lock across the fork; the native pools started on
    # import (OpenBLAS by numpy, jemalloc's by pyarrow) install their own fork handlers.
    if threading.active_count() != 1:
        raise RuntimeError("the preloaded modules started Python threads; forking them "
                           "is unsafe")


def _warm_matplotlib() -> None:
    """Draw one small figure off-screen, so the fonts it loads are shared by every kernel.

    Uses the Agg canvas directly: pyplot's state (figures, backend) stays untouched.
    """
    if "matplotlib" not in sys.modules:
        return
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1))
    axes = figure.add_subplot()
    axes.plot([0, 1], [0, 1], label="warm")
    axes.set_title("Warm-up 0.5x 1x 2x")
    axes.legend()
    FigureCanvasAgg(figure).print_png(io.BytesIO())


def _run_call(request: dict[str, Any]) -> None:
    """In the forked child: run the requested function, pickle its value, exit."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        module, _, name = str(request["call"]).partition(":")
        function: Any = importlib.import_module(module)
        for part in name.split("."):
            function = getattr(function, part)
        folder = str(request["folder"])
        with open(os.path.join(folder, "argument.pickle"), "rb") as handle:
            argument = pickle.load(handle)  # written by the process that asked, just now
        value = function(argument)
        partial = os.path.join(folder, "result.pickle.partial")
        with open(partial, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, os.path.join(folder, "result.pickle"))
        code = 0
    except BaseException:  # noqa: BLE001  (the caller sees no result and computes it itself)
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def _run_kernel(request: dict[str, Any]) -> None:
    """In the forked child: become ``python -m ipykernel_launcher ARGS`` and exit with it."""
    code: Any = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # its own process group, as jupyter_client's launcher does
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # the kernel exits if the preloader dies (the report's process ended abruptly)
        sys.argv = ["ipykernel_launcher", *request["args"],
                    f"--IPKernelApp.parent_handle={os.getppid()}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
    finally:
        import atexit

        atexit._run_exitfuncs()  # the kernel's own clean-up (history, connection files)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code if isinstance(code, int) else 1)


if __name__ == "__main__":
    raise SystemExit(_serve(sys.argv[1:]))
