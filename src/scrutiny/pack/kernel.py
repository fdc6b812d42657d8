"""A Jupyter kernel manager that talks to the kernel over local IPC sockets instead of TCP.

Packs then run with no network interface at all (not even loopback), and ipykernel does not warn
about unencrypted TCP. Sockets live in a private temporary folder, removed when the kernel stops.

The kernel's own stderr (ipykernel's log, e.g. the ZMQ noise of a forced shutdown after a cell
timeout) goes to `_work/kernel-stderr.log` in the build folder rather than the user's terminal;
the runner keeps that log with a failed build and deletes it with `_work/` on success.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager


class ReadyClient(AsyncKernelClient):
    """The client Papermill's executor gets: ready as soon as the kernel has answered on the shell channel and
    IOPub has delivered a message.

    jupyter_client's wait_for_ready does the same, then waits until IOPub has been silent for 0.2 s: 0.2 s before
    every notebook of a pack (a one-cell notebook ran in 0.24 s). The IOPub message received shows the
    subscription is connected, so no output of the first cell is lost; what IOPub already holds is read off without
    waiting, and a status message of the kernel-info request that comes later is ignored by the executor, which
    reads only the messages of its own requests."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        from queue import Empty

        limit = 60.0 if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    while True:
                        try:
                            await self.iopub_channel.get_msg(timeout=0)
                        except Empty:
                            return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {limit:.0f} seconds")


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.client_factory = ReadyClient
        self._ipc_dir = tempfile.mkdtemp(prefix="scrutiny-k-")
        self.transport = "ipc"
        self.ip = f"{self._ipc_dir}/k"

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        work = Path(kw.get("cwd") or ".") / "_work"
        if not work.is_dir() or "stderr" in kw:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        with open(work / "kernel-stderr.log", "ab") as log:  # the kernel process keeps its own copy
            kw["stderr"] = log
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    async def shutdown_kernel(self, now: bool = False, restart: bool = False):
        try:
            await super().shutdown_kernel(now=now, restart=restart)
        finally:
            if not restart:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)


class SharedKernel:
    """One kernel for the sections of a pack, started once in the build folder.

    Starting a kernel and importing pandas, Altair, SciPy and the chart renderer cost several seconds; paid once
    per pack instead of once per section. Each notebook still starts from an empty namespace: `fresh()` runs
    IPython's `reset(new_session=True)` (every variable deleted, the execution counter back to 1; imported modules
    stay loaded) and returns to the build folder, so a section cannot read a name another section defined.
    """

    def __init__(self, cwd: Path):
        self.cwd = Path(cwd)
        self.km = None
        self._ready = False  # the kernel has answered once: later resets need not wait for every channel

    def __enter__(self) -> SharedKernel:
        return self.start()

    def start(self) -> SharedKernel:
        """Start the kernel in the build folder (the kernel's stderr to _work/kernel-stderr.log); once."""
        from jupyter_core.utils import run_sync

        if self.km is not None:
            return self

        self.km = IPCKernelManager(kernel_name="python3")
        run_sync(self.km.start_kernel)(cwd=str(self.cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
        return self

    def fresh(self, timeout: float = 60) -> None:
        """An empty namespace in the build folder before the next notebook; RuntimeError if the kernel fails.

        The first time, the client waits until the kernel answers on every channel (jupyter_client's
        wait_for_ready, which ends by waiting 0.2 s for IOPub to fall silent). After that the kernel is known to be
        up, and the reset needs only its reply on the shell channel: each later reset took 0.25 s, almost all of it
        that wait, on the kernel's path from one notebook to the next; it now takes a few milliseconds. A kernel
        that has died is noticed within half a second either way."""
        from queue import Empty

        from jupyter_core.utils import run_sync

        kc = self.km.blocking_client()
        first = not self._ready
        kc.start_channels(shell=True, iopub=first, stdin=False, hb=first, control=False)
        try:
            if first:
                kc.wait_for_ready(timeout=timeout)
            code = (f"get_ipython().reset(new_session=True)\nimport os as _os\n_os.chdir({str(self.cwd)!r})\n"
                    "del _os")
            msg_id = kc.execute(code, silent=True, store_history=False)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    reply = kc.get_shell_msg(timeout=0.5)
                except Empty:
                    if not run_sync(self.km.is_alive)():
                        raise RuntimeError("the kernel died before the namespace was reset") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"the kernel did not reset its namespace in {timeout:.0f} s") from None
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"].get("status") != "ok":
                raise RuntimeError(f"could not reset the kernel: {reply['content'].get('evalue', '')}")
            self._ready = True
        finally:
            kc.stop_channels()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the kernel (killed: nothing of it is kept)."""
        from jupyter_core.utils import run_sync

        if self.km is not None and self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)
