"""A result two sections of one pack both need, computed once and kept in the pack's work folder.

The performance and districts pages both start from `performance.prepare` (crime counts, series breaks, XmR
frames, the summary), and the pack runs its sections in two kernels at once. `once` computes under an exclusive
lock on a file in the work folder: the first section to ask computes and keeps the result with its key; a section
asking while it computes waits for the lock and then reads what was kept. The key holds everything the result
depends on (see `performance.prepare`: the prepared table's size and modification time, the params, the
catalogue, `code_version()`), so a kept result is read only for the same inputs, params and code; any other key
computes again and replaces it. The kept file is a pickle the pack itself wrote in its own work folder (`_work/`
of the build, or a folder `scrutiny prepare` wrote): it is never read from anywhere else.

Where the folder cannot be locked or written (no `fcntl`, as on Windows; a read-only folder), the result is
computed and returned without keeping it: each section computes its own, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any


def code_version() -> str:
    """sha256 of every Python file of the scrutiny package (path and bytes, in path order): a kept result is not
    read by other code."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(root.rglob("*.py")):
        h.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def digest(key: dict) -> str:
    """sha256 of a key's JSON (keys sorted; values not JSON-native written with str)."""
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _read(store: Path, want: str) -> tuple[bool, Any]:
    try:
        with open(store, "rb") as f:
            kept, value = pickle.load(f)
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
        return False, None
    return (True, value) if kept == want else (False, None)


def _keep(store: Path, key: str, value: Any) -> None:
    tmp = store.with_name(store.name + f".{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            pickle.dump((key, value), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, store)
    except OSError:
        tmp.unlink(missing_ok=True)


def once(work_dir: str | Path, name: str, key: dict, compute: Callable[[], Any]) -> Any:
    """`compute()`, or the value kept under `name` in `work_dir` when it was kept with the same `key`."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here: nothing is shared
        return compute()
    folder = Path(work_dir)
    want = digest(key)
    store = folder / f".{name}.pickle"
    try:
        lock = open(folder / f".{name}.lock", "a")
    except OSError:
        return compute()
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed, or by the OS if the process dies
        found, value = _read(store, want)
        if found:
            return value
        value = compute()
        _keep(store, want, value)
        return value
