"""Provenance and manifest: what a pack was made from, and the sha256 of everything it contains."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from . import paths

PACKAGES = ["scrutiny", "great_expectations", "pandas", "numpy", "scipy", "statsmodels", "duckdb", "pyarrow",
            "altair", "vl-convert-python", "papermill", "nbconvert", "nbformat", "ipykernel", "jupytext"]


def sha256_bytes(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def sha256_path(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_state(root: Path = paths.REPO_ROOT) -> dict:
    """Commit and dirty flag (tracked or untracked changes outside outputs/); None when not a git checkout."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--", ".", ":(exclude)outputs"], cwd=root,
                                capture_output=True, text=True, check=True).stdout
        return {"commit": commit, "dirty": bool(status.strip())}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def versions() -> dict:
    out = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = None
    return out


def write_manifest(pack_dir: Path) -> Path:
    """MANIFEST.json: sha256 and size of every file in the pack (sorted paths; the manifest itself excluded)."""
    files = {}
    for p in sorted(pack_dir.rglob("*")):
        if p.is_file() and p.name != "MANIFEST.json":
            rel = p.relative_to(pack_dir).as_posix()
            files[rel] = {"sha256": sha256_path(p), "bytes": p.stat().st_size}
    out = pack_dir / "MANIFEST.json"
    out.write_text(json.dumps({"files": files}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def verify(pack_dir: Path) -> list[str]:
    """Problems found when recomputing MANIFEST.json and provenance.json input hashes (empty list: all match)."""
    problems = []
    man = pack_dir / "MANIFEST.json"
    if not man.is_file():
        return [f"{man}: missing"]
    listed = json.loads(man.read_text(encoding="utf-8"))["files"]
    for rel, info in listed.items():
        p = pack_dir / rel
        if not p.is_file():
            problems.append(f"{rel}: listed in MANIFEST.json but missing")
        elif sha256_path(p) != info["sha256"]:
            problems.append(f"{rel}: sha256 differs from MANIFEST.json")
    present = {p.relative_to(pack_dir).as_posix() for p in pack_dir.rglob("*") if p.is_file()} - {"MANIFEST.json"}
    for rel in sorted(present - set(listed)):
        problems.append(f"{rel}: present but not listed in MANIFEST.json")
    prov = pack_dir / "provenance.json"
    if prov.is_file():
        data = json.loads(prov.read_text(encoding="utf-8"))
        for inp in data.get("inputs", []):
            for f in inp.get("files", []):
                p = paths.resolve(f["path"])
                if not p.is_file():
                    problems.append(f"input {f['path']}: missing")
                elif sha256_path(p) != f["sha256"]:
                    problems.append(f"input {f['path']}: sha256 differs from provenance.json")
        for c in data.get("contracts", []):
            p = paths.resolve(c["path"])
            if not p.is_file() or sha256_path(p) != c["sha256"]:
                problems.append(f"contract {c['path']}: missing or sha256 differs from provenance.json")
    else:
        problems.append("provenance.json: missing")
    return problems
