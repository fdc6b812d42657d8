"""`scrutiny prepare`: the validate and prepare stages only, for opening notebooks by hand (e.g. in JupyterLab).

The validated, typed tables (`<input>.parquet`) and a copy of the params file (`params.yaml`) are written to
`outputs/.prepared/<pack.id>/` (or `--out`). Bad input is refused exactly as `scrutiny validate` refuses it
(exit 2, naming the file, column, rule and rows) and nothing is written. The folder is built beside the
target and swapped into place, so an earlier prepared folder is replaced whole only on success. A notebook's
default parameters point at `outputs/.prepared/default/` (the default pack), relative to `notebooks/`.

Prepared folders live under `outputs/.prepared/`, never inside a pack folder: packs are swapped whole.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from scrutiny import paths
from scrutiny.pack import builddir
from scrutiny.pack.runner import (
    EXIT_FAILURE,
    EXIT_INPUT,
    PackError,
    _env,
    _files_read,
    check_run_date,
    load_params,
    prepare_stage,
    run_validation,
)

MARKER = ".scrutiny-prepared"
MARKER_TEXT = "This folder holds prepared tables; `scrutiny prepare --out` may replace it.\n"
DEFAULT_PARENT = Path("outputs") / ".prepared"


def default_folder(pack_id: str) -> Path:
    """Where `scrutiny prepare` writes a pack's tables by default: outputs/.prepared/<pack id>/."""
    return paths.REPO_ROOT / DEFAULT_PARENT / pack_id


def check_folder(target: Path, protected: list[Path]) -> None:
    """Refuse a folder `prepare` must not replace: the repository or above, a folder holding a file the run
    reads, a file or link, a pack, or a non-empty folder that is not a prepared folder (no marker file)."""
    flag = "--out (or the default outputs/.prepared/<pack.id>/)"
    root = paths.REPO_ROOT
    if target == root or root.is_relative_to(target):
        raise builddir.OutError(f"{flag} {target} is the repository or a folder above it; choose a folder of its "
                                "own (e.g. outputs/.prepared/<pack.id>/)")
    for f in protected:
        try:
            inside = f.resolve().is_relative_to(target)
        except OSError:
            inside = False
        if inside:
            raise builddir.OutError(f"{flag} {target} holds {f}, which this run reads (an input or the params "
                                    "file): replacing the folder would delete it; choose a folder of its own")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise builddir.OutError(f"{flag} {target} exists and is not a folder: it is left as it is")
    if target.is_dir() and builddir.is_pack(target):
        raise builddir.OutError(f"{flag} {target} is a scrutiny pack: prepared tables are kept apart from packs "
                                "(packs are replaced whole); choose another folder")
    if target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        raise builddir.OutError(f"{flag} {target} is a folder that was not written by `scrutiny prepare` (no "
                                f"{MARKER}) and is not empty: it is left as it is; choose a new or empty folder")


def prepare(params_path: str | Path, out: str | Path | None = None, today: str | None = None,
            log=print) -> Path:
    """Validate a pack's inputs and write their prepared tables and the params file to one folder; the folder.
    Raises PackError: exit 2 for bad input (nothing written), 1 for anything else."""
    import datetime as dt

    _env()
    params_path = Path(params_path)
    p = load_params(params_path)
    check_run_date(p, today or dt.date.today().isoformat())
    target = Path(os.path.abspath(Path(out) if out else default_folder(p.pack.id)))
    target = target.parent.resolve() / target.name
    try:
        check_folder(target, _files_read(p, params_path))
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = builddir.Lock(target).acquire()
    except builddir.OutError as e:
        raise PackError(f"{e}\nNothing was written.", EXIT_FAILURE) from None
    except OSError as e:
        raise PackError(f"cannot write under {target.parent}: {e.strerror or e}\nNothing was written.",
                        EXIT_FAILURE) from None
    build = target.parent / f".build-{target.name}"
    try:
        rep = run_validation(p)
        for r in rep.inputs:
            log(f"{r.dataset}: {len(r.files)} file(s), {r.rows_checked:,} rows; "
                f"{len(r.critical)} critical and {len(r.warnings)} warning failure(s)")
        if not rep.ok:
            raise PackError(rep.error_message() + "\nNothing was written.", EXIT_INPUT)
        if build.exists():
            shutil.rmtree(build)
        (build / "_work").mkdir(parents=True)
        shutil.copyfile(params_path, build / "params.yaml")
        (build / "validation.json").write_text(
            json.dumps(rep.to_json(), indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        prepare_stage(rep, build, p.filters, log)
        for f in (build / "_work").iterdir():  # the tables sit at the top of the folder: work_dir is the folder
            f.rename(build / f.name)
        (build / "_work").rmdir()
        (build / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        builddir.swap(build, target)
    except PackError:
        shutil.rmtree(build, ignore_errors=True)
        raise
    except OSError as e:
        shutil.rmtree(build, ignore_errors=True)
        raise PackError(f"cannot read or write {e.filename or target}: {e.strerror or e}", EXIT_FAILURE) from None
    finally:
        lock.release()
    return target
