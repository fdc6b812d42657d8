"""A Jupyter kernel manager that talks to the kernel over local IPC sockets instead of TCP.

Packs then run with no network interface at all (not even loopback), and ipykernel does not warn
about unencrypted TCP. Sockets live in a private temporary folder, removed when the kernel stops.
"""

from __future__ import annotations

import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    def __init__(self, **kw):
        super().__init__(**kw)
        self._ipc_dir = tempfile.mkdtemp(prefix="scrutiny-k-")
        self.transport = "ipc"
        self.ip = f"{self._ipc_dir}/k"

    async def shutdown_kernel(self, now: bool = False, restart: bool = False):
        try:
            await super().shutdown_kernel(now=now, restart=restart)
        finally:
            if not restart:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)
