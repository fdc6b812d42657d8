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
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kw):
        super().__init__(**kw)
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
