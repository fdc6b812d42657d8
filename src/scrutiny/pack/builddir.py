"""The output folder of a pack: what may be replaced, one writer at a time, and a swap that never leaves it empty.

A pack folder is recognisable: it holds `MANIFEST.json` and the marker file `.scrutiny-pack`. `--out` may name
a pack folder, an empty folder or a path that does not exist yet; anything else (a file, a folder of other
files, the repo root or a folder above it, a folder holding an input or the params file) is refused before
anything is written. Beside the target the runner keeps `.build-<name>/` (the pack being built),
`.failed-<name>/` (a failed build), `.old-<name>/` (the previous pack, for a moment during a swap) and
`.lock-<name>` (held while a run writes the pack; it names the run's pid and start time).

The swap uses Linux's renameat2(RENAME_EXCHANGE), which exchanges the two folders in one atomic step;
where that is not available it renames the old pack aside and the new one in, and a run that finds the
target missing but `.old-<name>/` present restores it first (a previous run stopped between the two renames).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import json
import os
import shutil
from pathlib import Path

MARKER = ".scrutiny-pack"
MARKER_TEXT = "This folder is a scrutiny pack; `scrutiny run --out` may replace it.\n"


class OutError(Exception):
    """The output folder cannot be used (refused before anything is written)."""


def _listed(folder: Path) -> set[str] | None:
    """The paths a folder's MANIFEST.json lists, or None when it has no readable manifest."""
    man = folder / "MANIFEST.json"
    if man.is_symlink() or not man.is_file():
        return None
    try:
        files = json.loads(man.read_text(encoding="utf-8")).get("files")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError):
        return None
    return set(files) if isinstance(files, dict) else None


def is_pack(folder: Path) -> bool:
    """A folder written by `scrutiny run`: a readable MANIFEST.json and the marker file (packs written before the
    marker existed are recognised by a manifest listing provenance.json and index.html)."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    listed = _listed(folder)
    return listed is not None and ((folder / MARKER).is_file() or {"provenance.json", "index.html"} <= listed)


def unlisted(folder: Path) -> list[str]:
    """Files in a pack folder that its MANIFEST.json does not list (someone else's files: replacing the pack
    would delete them)."""
    listed = (_listed(folder) or set()) | {"MANIFEST.json", "MANIFEST.sha256"}
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.relative_to(folder).as_posix() not in listed)


def write_marker(build: Path) -> None:
    (build / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def _holds(folder: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except OSError:
        return False


def check_target(target: Path, repo_root: Path, protected: list[Path]) -> None:
    """Refuse an output folder the pack must not replace. `target` is resolved; `protected` are the files the
    run reads (inputs, params file): a folder holding any of them is refused."""
    flag = "--out (or the default outputs/<pack.id>/)"
    if target == repo_root or repo_root.is_relative_to(target):
        raise OutError(f"{flag} {target} is the repository or a folder above it: a pack replaces its whole "
                       "output folder, so it must be a folder of its own (e.g. outputs/<pack.id>/)")
    for f in protected:
        if _holds(target, f):
            raise OutError(f"{flag} {target} holds {f}, which this run reads (an input or the params file): "
                           "replacing the folder would delete it; choose an output folder of its own")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise OutError(f"{flag} {target} exists and is not a folder: it is left as it is; choose a folder "
                       "for the pack")
    if target.is_dir() and not is_pack(target) and any(target.iterdir()):
        raise OutError(f"{flag} {target} is a folder that is not a scrutiny pack (no MANIFEST.json and "
                       f"{MARKER}) and is not empty: a pack replaces its whole output folder, so it is "
                       "left as it is; choose a new or empty folder")
    if target.is_dir() and is_pack(target):
        extra = unlisted(target)
        if extra:
            shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
            raise OutError(f"{flag} {target} is a pack that also holds files it did not write (not in its "
                           f"MANIFEST.json): {shown}; replacing the pack would delete them, so it is left as it is: "
                           "move them out, or choose another folder")


# --- one writer per pack ----------------------------------------------------------------------------------

class Lock:
    """An exclusive flock on `.lock-<name>` beside the target, held for the whole run.

    The file names the holder (pid and start time) so a second run can say who holds it. It is removed on
    release; a run that locked a file someone removed in the meantime tries again on the new one."""

    def __init__(self, target: Path):
        self.path = target.parent / f".lock-{target.name}"
        self.fd: int | None = None

    def acquire(self) -> Lock:
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                os.close(fd)
                if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                try:
                    holder = self.path.read_text(encoding="utf-8").strip() or "another run"
                except OSError:
                    holder = "another run"
                raise OutError(f"another run is writing this pack ({holder}; lock file {self.path}): wait for "
                               "it to finish; one run at a time may write a pack") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:  # the file was removed by the run that held it: lock the new one
                os.close(fd)
                continue
            started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
            os.ftruncate(fd, 0)
            os.write(fd, f"pid {os.getpid()}, started {started}\n".encode())
            self.fd = fd
            return self
        raise OutError(f"could not take the lock {self.path}")

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


# --- recovery and swap ------------------------------------------------------------------------------------

def old_path(target: Path) -> Path:
    return target.parent / f".old-{target.name}"


def recover(target: Path, log) -> None:
    """Finish a swap a previous run did not: restore `.old-<name>` when the target is missing; else remove it."""
    old = old_path(target)
    if not old.exists():
        return
    if not target.exists() and is_pack(old):
        old.rename(target)
        log(f"Restored the last good pack from {old} to {target}: a previous run stopped between the two "
            "steps of replacing it.")
    elif target.exists():
        shutil.rmtree(old)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False where the OS or file system lacks it."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    e = ctypes.get_errno()
    if e in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(e, os.strerror(e), str(b))


def swap(build: Path, target: Path, use_exchange: bool = True) -> None:
    """Put the new pack in place. With an atomic exchange the target always holds a pack; otherwise the old
    pack is renamed aside first and `recover` restores it if the run stops before the new one is in place."""
    if not target.exists():
        build.rename(target)
        return
    if use_exchange and exchange(build, target):
        shutil.rmtree(build)  # now the previous pack
        return
    old = old_path(target)
    if old.exists():
        shutil.rmtree(old)
    target.rename(old)
    build.rename(target)
    shutil.rmtree(old)
