"""Provenance and manifest: what a pack was made from, and the sha256 of everything it contains."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from scrutiny import paths
from scrutiny.inputs.files import sha256_file

PACKAGES = ["scrutiny", "great_expectations", "pandas", "numpy", "scipy", "statsmodels", "duckdb", "pyarrow",
            "altair", "vl-convert-python", "papermill", "nbconvert", "nbformat", "ipykernel", "jupytext"]


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()




CODE_ROOTS = ("src", "notebooks", "data_contracts", "params")
_NOT_CODE = ("__pycache__", ".egg-info", ".pyc")


def code_files(root: Path = paths.REPO_ROOT) -> list[str]:
    """The code a run uses: every file under src/ (library and templates), notebooks/, data_contracts/ and
    params/ (the measure catalogues), repo-relative, sorted; caches and build metadata left out."""
    out = []
    for top in CODE_ROOTS:
        for p in (root / top).rglob("*"):
            rel = p.relative_to(root).as_posix()
            if p.is_file() and not any(x in rel for x in _NOT_CODE):
                out.append(rel)
    return sorted(out)


def code_digest(root: Path = paths.REPO_ROOT) -> dict:
    """sha256 of the code that ran: of the lines `<sha256>  <path>` (sha256sum's format), one per code file in
    byte order of path. The same value comes from the shell:
    `find src notebooks data_contracts params -type f ! -path '*__pycache__*' ! -path '*.egg-info*'
    ! -name '*.pyc' | LC_ALL=C sort | xargs sha256sum | sha256sum`."""
    files = code_files(root)
    listing = "".join(f"{sha256_file(root / f)}  {f}\n" for f in files)
    return {"sha256": sha256_bytes(listing.encode("utf-8")), "files": len(files), "roots": list(CODE_ROOTS)}


def git_state(root: Path = paths.REPO_ROOT) -> dict:
    """Commit, the tracked files changed since it, and untracked files among the code (src/, notebooks/,
    data_contracts/, params/); `dirty` when either list is non-empty. Untracked files elsewhere (build logs,
    outputs) do not make a run dirty. None values when not a git checkout."""
    try:
        def git(*args):
            return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

        commit = git("rev-parse", "HEAD").strip()
        modified = sorted(ln[3:] for ln in git("status", "--porcelain", "--untracked-files=no", "--", ".",
                                                ":(exclude)outputs").splitlines() if ln.strip())
        untracked = sorted(git("ls-files", "--others", "--exclude-standard", "--", *CODE_ROOTS).splitlines())
        untracked = [f for f in untracked if not any(x in f for x in _NOT_CODE)]
        return {"commit": commit, "dirty": bool(modified or untracked), "modified": modified,
                "untracked_code": untracked}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None, "modified": None, "untracked_code": None}


def versions() -> dict:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


DIGEST_FILE = "MANIFEST.sha256"
NOT_LISTED = ("MANIFEST.json", DIGEST_FILE)


def write_manifest(pack_dir: Path) -> str:
    """MANIFEST.json: sha256 and size of every file in the pack (sorted paths; MANIFEST.json and MANIFEST.sha256
    excluded). Then MANIFEST.sha256, the manifest's own digest in sha256sum's format. Returns that digest.

    The digest cannot live in provenance.json: provenance.json is listed in the manifest, so its bytes would have
    to contain the hash of a file that contains its hash. The digest is printed at the end of the run; kept
    outside the pack (e.g. in the minutes of the meeting that received it), `scrutiny verify PACK --digest D`
    proves the pack is the one that was published."""
    files = {}
    for p in sorted(pack_dir.rglob("*")):
        rel = p.relative_to(pack_dir).as_posix()
        if p.is_file() and rel not in NOT_LISTED:
            files[rel] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
    data = (json.dumps({"files": files}, indent=2, sort_keys=True) + "\n").encode("utf-8")
    (pack_dir / "MANIFEST.json").write_bytes(data)
    digest = sha256_bytes(data)
    (pack_dir / DIGEST_FILE).write_text(f"{digest}  MANIFEST.json\n", encoding="utf-8")
    return digest


def _read_json(p: Path, what: str) -> tuple[object, str | None]:
    try:
        return json.loads(p.read_text(encoding="utf-8")), None
    except UnicodeDecodeError:
        return None, f"{what}: not UTF-8 text"
    except json.JSONDecodeError as e:
        return None, f"{what}: not valid JSON ({e.msg} at line {e.lineno}, column {e.colno})"
    except OSError as e:
        return None, f"{what}: cannot be read ({e.strerror or e})"


def _inside(pack_dir: Path, rel: str) -> bool:
    """A manifest path that names a file inside the pack (relative, no '..')."""
    parts = Path(rel).parts
    return bool(rel) and not Path(rel).is_absolute() and ".." not in parts and "\\" not in rel


def verify(pack_dir: Path, digest: str | None = None) -> list[str]:
    """Problems found when recomputing MANIFEST.json, MANIFEST.sha256 and provenance.json input hashes (empty
    list: all match). `digest`: the manifest's sha256 as published; checked when given.

    A pack holds only regular files and folders: any symbolic link inside it is a problem (a link can point
    outside the pack, and its target is not what was published)."""
    if not pack_dir.is_dir():
        return [f"{pack_dir}: not a folder"]
    problems = []
    for dirpath, dirnames, filenames in os.walk(pack_dir, followlinks=False):
        for n in sorted(dirnames + filenames):
            p = Path(dirpath) / n
            if p.is_symlink():
                problems.append(f"{p.relative_to(pack_dir).as_posix()}: a symbolic link (a pack holds only "
                                "regular files; the link is not followed)")
    man = pack_dir / "MANIFEST.json"
    if man.is_symlink():
        return problems  # reported above
    if not man.is_file():
        return problems + [f"{man}: missing"]
    raw = man.read_bytes()
    actual = sha256_bytes(raw)
    if digest is not None and digest.strip().lower() != actual:
        problems.append(f"MANIFEST.json: sha256 is {actual}, not the digest given ({digest.strip()}): this is not "
                        "the pack that digest was published for")
    dfile = pack_dir / DIGEST_FILE
    if dfile.is_file() and not dfile.is_symlink():
        recorded = dfile.read_text(encoding="utf-8", errors="replace").split()[:1]
        if recorded != [actual]:
            problems.append(f"{DIGEST_FILE}: does not match MANIFEST.json (MANIFEST.json was changed after the run)")
    data, err = _read_json(man, "MANIFEST.json")
    if err:
        return problems + [err]
    listed = data.get("files") if isinstance(data, dict) else None
    if not isinstance(listed, dict):
        return problems + ["MANIFEST.json: not a pack manifest (it needs an object 'files' mapping each path to "
                           "{sha256, bytes})"]
    for rel, info in listed.items():
        if not _inside(pack_dir, rel):
            problems.append(f"{rel}: listed in MANIFEST.json but not a path inside the pack")
            continue
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            problems.append(f"{rel}: MANIFEST.json entry has no sha256")
            continue
        p = pack_dir / rel
        if p.is_symlink():
            continue  # reported above
        if not p.is_file():
            problems.append(f"{rel}: listed in MANIFEST.json but missing")
        elif sha256_file(p) != info["sha256"]:
            problems.append(f"{rel}: sha256 differs from MANIFEST.json")
    present = {p.relative_to(pack_dir).as_posix() for p in pack_dir.rglob("*")
               if p.is_file() and not p.is_symlink()} - set(NOT_LISTED)
    for rel in sorted(present - set(listed)):
        problems.append(f"{rel}: present but not listed in MANIFEST.json")
    prov = pack_dir / "provenance.json"
    if prov.is_file() and not prov.is_symlink():
        data, err = _read_json(prov, "provenance.json")
        if err or not isinstance(data, dict):
            return problems + [err or "provenance.json: not a JSON object"]
        try:
            for inp in data.get("inputs", []):
                for f in inp.get("files", []):
                    p = paths.resolve(f["path"])
                    if not p.is_file():
                        problems.append(f"input {f['path']}: missing")
                    elif sha256_file(p) != f["sha256"]:
                        problems.append(f"input {f['path']}: sha256 differs from provenance.json")
            for c in data.get("contracts", []):
                p = paths.resolve(c["path"])
                if not p.is_file() or sha256_file(p) != c["sha256"]:
                    problems.append(f"contract {c['path']}: missing or sha256 differs from provenance.json")
        except (AttributeError, KeyError, TypeError) as e:
            problems.append(f"provenance.json: an input or contract entry is malformed ({type(e).__name__}: {e})")
    elif not prov.is_symlink():
        problems.append("provenance.json: missing")
    return problems


def assemble(p, params_path: Path, rep, rows_per_file: dict, run_date: str, synthetic: list[str]) -> dict:
    """json of a pack: params, every input file (sha256, bytes, rows used) and whether the input is a
    generated sample (`synthetic`), the contracts, the code that ran (files, digest, git state) and versions."""
    inputs, contracts = [], []
    for r in rep.inputs:
        files = [{"path": f["path"], "sha256": f["sha256"], "bytes": f["bytes"],
                  "rows": int(rows_per_file.get(r.dataset, {}).get(f["source_file"], 0)),
                  "used": bool(f["in_period"])} for f in r.files]
        inputs.append({"dataset": r.dataset, "pattern": r.pattern, "files": files,
                       "rows": sum(f["rows"] for f in files), "synthetic": r.dataset in synthetic})
        contracts.append({"name": r.contract, "path": r.contract_path, "sha256": r.contract_sha256})
    extra = []
    cat = paths.resolve(p.performance.catalogue)
    if cat.is_file():
        extra.append({"path": _rel(cat), "sha256": sha256_file(cat)})
    for f in sorted(paths.resolve(p.aqa.logs).glob("*.yaml")):
        extra.append({"path": _rel(f), "sha256": sha256_file(f)})
    ref = paths.resolve(p.outcomes.categories)
    if "outcomes" in p.notebooks and ref.is_file():
        extra.append({"path": _rel(ref), "sha256": sha256_file(ref)})
    if "peers" in p.notebooks and p.peers.msg_file:
        msg = paths.resolve(p.peers.msg_file)
        extra.append({"path": _rel(msg), "sha256": sha256_file(msg)})
    for n in p.notebooks:
        nbsrc = paths.REPO_ROOT / "notebooks" / f"{n}.py"
        extra.append({"path": _rel(nbsrc), "sha256": sha256_file(nbsrc)})
    filters = getattr(p, "filters", None)
    deep_dive = ({"filters": {**filters.model_dump(), "text": filters.describe()}}
                 if filters is not None and filters.active else {})  # only a filtered pack has the key
    return {
        **deep_dive,
        "pack": p.pack.model_dump(), "run_date": run_date,
        # the params file's own location is not recorded when outside the repo (its copy is params.yaml),
        # so the same params give the same bytes wherever they were kept
        "params_file": {"path": _rel(params_path.resolve()) if _in_repo(params_path) else params_path.name,
                        "sha256": sha256_file(params_path), "copy": "params.yaml"},
        "params": p.model_dump(mode="json"),
        "inputs": inputs, "contracts": contracts, "code": extra, "code_digest": code_digest(),
        "git": git_state(), "versions": versions(),
    }


def _in_repo(path: Path) -> bool:
    return path.resolve().is_relative_to(paths.REPO_ROOT)


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(paths.REPO_ROOT).as_posix()
    except ValueError:
        return str(path)
