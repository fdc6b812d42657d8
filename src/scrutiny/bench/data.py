"""Large police.uk-format inputs for the benchmark, generated from the shipped Gwent files with a fixed seed.

- `met_sized`: every street and outcomes row of Gwent's 36 months repeated `repeats` times (15: about the
  Metropolitan Police's volume), each copy under new Crime IDs, one file per month and dataset.
- `national_year`: 12 months (Gwent's last 12) for each of the 43 territorial forces, each force's rows being
  Gwent's scaled by the ratio of its Home Office recorded crime to Gwent's (the latest 12 months in the Home
  Office table), with the force's name in `Reported by` and `Falls within`.

A new Crime ID is the sha256 of (seed, force, copy, original Crime ID), so an outcome keeps its link to its
crime and the same seed gives the same bytes. Rows without a Crime ID (anti-social behaviour) are copied as they
are. Files are gzip with no name and no time stamp in the header, so their bytes depend only on their rows.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

from scrutiny import paths
from scrutiny.reference import forces

VERSION = 1  # bump when the generated rows change: cached data with another version is rebuilt
SEED = 20250715
REPEATS = 15
GWENT = paths.REPO_ROOT / "data" / "raw" / "police_uk" / "gwent"
HOME_OFFICE = paths.REPO_ROOT / "data" / "raw" / "home_office" / "rec-crime-pfa.csv.gz"
CACHE = paths.REPO_ROOT / "outputs" / ".bench-data"
_ID = re.compile(rb"^[0-9a-f]{64}$")
_NAME = re.compile(r"^(\d{4}-\d{2})-(.+)-(street|outcomes)\.csv(\.gz)?$")


def _lines(path: Path) -> tuple[bytes, list[bytes]]:
    """Header and data lines of a police.uk file; refused if a line does not start with a Crime ID or nothing
    (a quoted field across lines would break the line-by-line copy)."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as f:
        text = f.read()
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    head, body = lines[0], lines[1:]
    for i, ln in enumerate(body, start=2):
        cid = ln.split(b",", 1)[0]
        if cid and not _ID.match(cid):
            raise ValueError(f"{path.name} line {i}: does not start with a 64-character Crime ID or nothing")
    return head, body


def new_id(seed: int, force: str, copy: int, crime_id: bytes) -> bytes:
    """The Crime ID of one copy of a crime: sha256 of seed, force, copy number and the original id (hex)."""
    return hashlib.sha256(b"%d:%s:%d:%s" % (seed, force.encode(), copy, crime_id)).hexdigest().encode()


def _keep(seed: int, force: str, key: bytes, frac: float) -> bool:
    """Whether a row (by its Crime ID, or file and line without one) joins the last, partial copy: a uniform draw
    from sha256, so a crime and its outcomes are drawn together."""
    h = hashlib.sha256(b"%d:%s:part:%s" % (seed, force.encode(), key)).digest()
    return int.from_bytes(h[:8], "big") / 2 ** 64 < frac


def _copy_lines(body: list[bytes], seed: int, force: str, factor: float, name: bytes | None,
                file_key: bytes) -> list[bytes]:
    """`factor` copies of the data lines (whole copies, then a drawn share for the fraction), with new Crime IDs
    and, when `name` is given, that force in `Reported by` and `Falls within`."""
    whole = int(factor)
    frac = factor - whole
    out = []
    for copy in range(whole + (1 if frac > 0 else 0)):
        part = copy == whole
        for i, ln in enumerate(body):
            cid, rest = ln.split(b",", 1)
            if part and not _keep(seed, force, cid or b"%s:%d" % (file_key, i), frac):
                continue
            if name is not None:
                month, _, _, rest = rest.split(b",", 3)
                rest = b"%s,%s,%s,%s" % (month, name, name, rest)
            out.append((new_id(seed, force, copy, cid) if cid else b"") + b"," + rest)
    return out


def _write_gz(path: Path, head: bytes, lines: list[bytes]) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=1, mtime=0) as gz:
        gz.write(head + b"\n")
        gz.write(b"\n".join(lines))
        if lines:
            gz.write(b"\n")
    path.write_bytes(buf.getvalue())


def source_files(src: Path = GWENT) -> list[tuple[str, str, Path]]:
    """(month, dataset, path) of every police.uk street and outcomes file in a folder, sorted."""
    out = []
    for p in sorted(src.iterdir()):
        m = _NAME.match(p.name)
        if m:
            out.append((m.group(1), m.group(3), p))
    return out


def _workers(tasks: int) -> int:
    """Processes to write the files with: one per core, at most one per task."""
    return max(1, min(tasks, os.cpu_count() or 1))


def _met_file(out: Path, seed: int, repeats: float, month: str, dataset: str, path: Path) -> tuple[str, int]:
    head, body = _lines(path)
    lines = _copy_lines(body, seed, "met", repeats, None, path.name.encode())
    _write_gz(out / f"{month}-met-sized-{dataset}.csv.gz", head, lines)
    return dataset, len(lines)


def met_sized(out: Path, repeats: float = REPEATS, seed: int = SEED, src: Path = GWENT, log=print) -> dict:
    """Write a force `repeats` times Gwent's size into `out` (one street and one outcomes file per month), a file
    per process on every core (each file's bytes depend only on its rows). Returns {dataset: data rows written}."""
    out.mkdir(parents=True, exist_ok=True)
    rows = {"street": 0, "outcomes": 0}
    files = source_files(src)
    with ProcessPoolExecutor(_workers(len(files))) as pool:
        futures = [pool.submit(_met_file, out, seed, repeats, *f) for f in files]
        for k, fut in enumerate(as_completed(futures), 1):
            dataset, n = fut.result()
            rows[dataset] += n
            if k % 12 == 0 or k == len(files):
                log(f"  met-sized force: {k}/{len(files)} files, {sum(rows.values()):,} rows")
    return rows


def home_office_factors(ho_file: Path = HOME_OFFICE, reference: str = "Gwent") -> pd.DataFrame:
    """Each territorial force's recorded crime (all offences, the latest 12 months in the Home Office table) and
    its ratio to the reference force's: one row per force (pfa, period_end, offences, factor)."""
    ho = pd.read_csv(ho_file)
    ho.columns = ["period_end", "pfa", "region", "offence", "offences"]
    ho["offences"] = pd.to_numeric(ho["offences"], errors="coerce")
    ho["date"] = pd.to_datetime(ho["period_end"], format="%d-%m-%Y")
    last = ho["date"].max()
    ho = ho[ho["date"] == last]
    names = {}
    for p in ho["pfa"].unique():
        try:
            names[p] = forces.force_name(p)
        except ValueError:
            pass  # British Transport Police, Action Fraud and the other non-territorial rows
    ho = ho[ho["pfa"].isin(names)].assign(pfa=lambda d: d["pfa"].map(names))
    tot = ho.groupby("pfa", as_index=False)["offences"].sum()
    ref = float(tot.loc[tot["pfa"] == reference, "offences"].iloc[0])
    tot["factor"] = tot["offences"] / ref
    tot.insert(1, "period_end", last.strftime("%Y-%m-%d"))
    missing = set(forces.TERRITORIAL) - set(tot["pfa"])
    if missing:
        raise ValueError(f"the Home Office table has no rows for {sorted(missing)} in the year to {last:%Y-%m-%d}")
    return tot.sort_values("pfa").reset_index(drop=True)


def slug(pfa: str) -> str:
    """The data.police.uk file-name form of a force ("Devon and Cornwall" -> "devon-and-cornwall")."""
    return forces.force_key(pfa).replace(" ", "-")


def national_year(out: Path, scale: float = 1.0, seed: int = SEED, src: Path = GWENT, months: int = 12,
                  ho_file: Path = HOME_OFFICE, log=print) -> dict:
    """Write `months` months (Gwent's last ones) for each of the 43 forces into `out`, each force's volume
    Gwent's times its Home Office ratio (times `scale`), a force per process on every core. Returns {dataset: data
    rows written}."""
    out.mkdir(parents=True, exist_ok=True)
    factors = home_office_factors(ho_file)
    files = source_files(src)
    keep = sorted({m for m, _, _ in files})[-months:]
    files = [f for f in files if f[0] in keep]
    rows = {"street": 0, "outcomes": 0}
    with ProcessPoolExecutor(_workers(len(factors))) as pool:
        # the largest forces first, so the last to finish are small
        futures = [pool.submit(_force_files, out, seed, f.pfa, f.factor * scale, files)
                   for f in factors.sort_values("factor", ascending=False, kind="stable").itertuples()]
        for k, fut in enumerate(as_completed(futures), 1):
            for dataset, n in fut.result().items():
                rows[dataset] += n
            if k % 5 == 0 or k == len(factors):
                log(f"  national year: {k}/{len(factors)} forces, {sum(rows.values()):,} rows")
    return rows


def _force_files(out: Path, seed: int, pfa: str, factor: float, files: list[tuple[str, str, Path]]) -> dict:
    """One force's files of the national year; {dataset: data rows written}."""
    name = (f"{pfa} Police" if pfa != "Metropolitan Police" else "Metropolitan Police Service").encode()
    rows = {"street": 0, "outcomes": 0}
    for month, dataset, path in files:
        head, body = _lines(path)
        lines = _copy_lines(body, seed, pfa, factor, name, path.name.encode())
        _write_gz(out / f"{month}-{slug(pfa)}-{dataset}.csv.gz", head, lines)
        rows[dataset] += len(lines)
    return rows


def cached(kind: str, build, cache: Path = CACHE, **settings) -> tuple[Path, dict]:
    """The folder of generated data `kind` under `cache`, built by `build(folder)` unless a folder made with the
    same settings and generator version is there. Returns (folder, its stamp)."""
    folder = cache / kind
    stamp_file = folder / "stamp.json"
    want = {"version": VERSION, **settings}
    if stamp_file.is_file():
        stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
        if {k: stamp.get(k) for k in want} == want and all((folder / n).is_file() for n in stamp.get("files", [])):
            return folder, stamp
    if folder.exists():
        for p in folder.iterdir():
            if p.is_file():
                p.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    rows = build(folder)
    stamp = {**want, "rows": rows, "files": sorted(p.name for p in folder.glob("*.csv.gz"))}
    stamp_file.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return folder, stamp
