"""Papermill staging shared by the monthly report and the experiment analyses.

A notebook is executed into a staging folder; on a cell error the partial notebook is kept
under ``<final>/failed/`` and the staging folder removed, so the previous good output stays
untouched. :func:`execute_many` runs independent notebooks side by side, one kernel process
each, driven from threads (kernels talk to papermill over local IPC sockets, never TCP).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.kernels import KernelPreloader


def first_line(text: object) -> str:
    """The first line of an exception value (empty when there is none)."""
    return str(text).splitlines()[0] if text else ""


def _ipc_kernel_manager(preloader: KernelPreloader | None = None):
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP.

    The kernel only ever runs on this machine; IPC keeps its traffic off the network (and
    ipykernel stops warning about unencrypted TCP on every notebook). With a ``preloader``
    the kernel is forked from it (:mod:`workbench.kernels`) when it can serve the kernel's
    command, and launched normally otherwise.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import CaselessStrEnum, default

    class PreloadedProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs: Any):
            if preloader is not None and preloader.kernel_env:  # the caller's additions
                kwargs["env"] = {**(kwargs.get("env") or os.environ), **preloader.kernel_env}
            pid = preloader.launch(cmd, kwargs.get("env") or dict(os.environ),
                                   kwargs.get("cwd") or os.getcwd()) if preloader else None
            if pid is None:
                return await super().launch_kernel(cmd, **kwargs)
            from workbench.kernels import ForkedKernel

            self.process = ForkedKernel(pid)
            self.pid = self.pgid = pid  # the kernel leads its own process group
            self.cwd = kwargs.get("cwd") or os.getcwd()
            return self.connection_info

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _default_ip(self) -> str:
            # one socket prefix per kernel: kernels started side by side must not pick the
            # same socket files (the default prefix is shared by every kernel in the folder)
            return os.path.join(tempfile.gettempdir(), f"wb-kernel-{uuid.uuid4().hex[:12]}")

        async def _async_pre_start_kernel(self, **kw: Any):
            if preloader is not None and self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = PreloadedProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


def execute_notebook(source: Path, output: Path, parameters: dict[str, Any], *,
                     preloader: KernelPreloader | None = None) -> None:
    """Execute ``source`` into ``output`` with papermill (raises PapermillExecutionError).

    Args:
        source: The notebook to run.
        output: Where the executed notebook is written.
        parameters: Papermill parameters.
        preloader: A :class:`workbench.kernels.KernelPreloader` to fork the kernel from
            (None: the usual kernel launch).
    """
    import papermill as pm

    pm.execute_notebook(  # absolute paths: papermill chdirs process-wide while it runs
        str(Path(source).resolve()),
        str(Path(output).resolve()),
        parameters=parameters,
        cwd=str(Path(source).parent),
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        # Papermill would rewrite (and re-validate) the whole notebook before and after every
        # cell: over a second of a report's CPU. Written once at the end instead, and on a
        # cell error before the error is raised, so a failed notebook is still kept.
        request_save_on_cell_execute=False,
        kernel_manager_class=_ipc_kernel_manager(preloader),
    )


def execute_staged(source: Path, staging: Path, final_dir: Path, parameters: dict) -> Path:
    """Execute ``source`` with papermill into ``staging``; on failure keep it in ``failed/``.

    On a cell error the partial executed notebook is copied to ``final_dir/failed/``, the
    staging folder is removed (so the previous good output stays untouched) and papermill's
    ``PapermillExecutionError`` is re-raised for the caller to word.

    Returns:
        The executed notebook's path inside ``staging``.
    """
    from papermill.exceptions import PapermillExecutionError

    output = Path(staging) / Path(source).name
    try:
        execute_notebook(Path(source), output, parameters)
    except PapermillExecutionError:
        _keep_failed(output, final_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return output


def _keep_failed(output: Path, final_dir: Path) -> None:
    failed = Path(final_dir) / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    if output.exists():
        shutil.copy2(output, failed / output.name)


@dataclass(frozen=True)
class NotebookFailure:
    """A notebook that failed: its name, the cell and the error's first line."""

    name: str
    exec_count: int | None
    ename: str
    evalue: str


def _run_one(source: str, output: str, parameters: dict[str, Any],
             preloader: KernelPreloader | None = None) -> NotebookFailure | None:
    """Worker: execute one notebook; a cell error comes back as a NotebookFailure."""
    from papermill.exceptions import PapermillExecutionError

    try:
        execute_notebook(Path(source), Path(output), parameters, preloader=preloader)
    except PapermillExecutionError as exc:
        return NotebookFailure(Path(source).name, exc.exec_count, exc.ename,
                               first_line(exc.evalue))
    return None


def workers() -> int:
    """Notebooks run side by side: ``WORKBENCH_WORKERS``, else twice the machine's cores.

    Twice the cores because a report notebook's kernel spends part of its life waiting (for
    the month's results while the runner computes them, for papermill between cells): more
    kernels than cores keep every core busy.
    """
    configured = os.environ.get("WORKBENCH_WORKERS")
    if configured and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, 2 * (os.cpu_count() or 1))


def execute_many(sources: list[Path], staging: Path, final_dir: Path,
                 parameters: dict[str, Any], *, max_workers: int | None = None,
                 progress=None, preloader: KernelPreloader | None = None,
                 ) -> NotebookFailure | None:
    """Execute independent notebooks into ``staging``, side by side.

    Every notebook runs to its end (or error); the first failure in ``sources`` order is
    returned after its partial notebook was kept under ``final_dir/failed/`` and the staging
    folder removed. None when all succeeded.

    Args:
        sources: Notebooks to execute (they must not depend on each other).
        staging: Folder receiving the executed notebooks.
        final_dir: The output folder whose ``failed/`` keeps failed notebooks.
        parameters: Papermill parameters, the same for every notebook.
        max_workers: Worker processes (default :func:`workers`); 1 runs them in this process.
        progress: Called with each notebook's name when it finishes.
        preloader: Fork the kernels from this :class:`workbench.kernels.KernelPreloader`.
    """
    max_workers = max_workers or workers()
    jobs = [(str(s), str(Path(staging) / Path(s).name), parameters, preloader)
            for s in sources]
    if max_workers == 1 or len(jobs) == 1:
        outcomes = []
        for job in jobs:
            outcomes.append(_run_one(*job))
            if progress:
                progress(Path(job[0]).name)
    else:
        # Threads, not processes: each notebook runs in its own kernel process already, and
        # papermill only waits on it; worker processes would each import papermill again and
        # re-run the caller's script under the spawn/forkserver start methods.
        with ThreadPoolExecutor(max_workers=min(max_workers, len(jobs))) as pool:
            futures = [pool.submit(_run_one, *job) for job in jobs]
            outcomes = []
            for job, future in zip(jobs, futures, strict=True):
                outcomes.append(future.result())
                if progress:
                    progress(Path(job[0]).name)
    failure = next((o for o in outcomes if o is not None), None)
    if failure is not None:
        _keep_failed(Path(staging) / failure.name, final_dir)
        shutil.rmtree(staging, ignore_errors=True)
    return failure
