"""An official most-similar-group (MSG) list supplied for the peers section: one row per force and peer, with
its source and as-of date (`peers.msg_file` in params)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scrutiny.inputs.files import sha256_file
from scrutiny.reference.forces import force_name

MSG_COLUMNS = ["force", "peer", "source", "as_of"]


@dataclass(frozen=True)
class MsgFile:
    """An official peer group list as supplied: the rows, with where it came from."""

    path: Path
    sha256: str
    rows: pd.DataFrame

    def peers_of(self, force: str) -> list[str]:
        r = self.rows[self.rows["force"] == force]
        if r.empty:
            raise ValueError(f"{self.path.name}: no peers listed for {force!r}")
        return list(r["peer"])

    def provenance(self, force: str) -> str:
        r = self.rows[self.rows["force"] == force]
        src = "; ".join(sorted(set(r["source"])))
        asof = ", ".join(sorted(set(r["as_of"])))
        return f"{self.path.name} (sha256 {self.sha256[:16]}…): source {src}; as of {asof}"


def read_msg(path: Path) -> MsgFile:
    """Read and check an official MSG CSV (force, peer, source, as_of); ValueError says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"peers.msg_file: {path} not found")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in MSG_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"peers.msg_file {path.name}: missing column(s) {missing}; expected {MSG_COLUMNS}")
    df = df[MSG_COLUMNS].apply(lambda s: s.str.strip())
    if df.empty:
        raise ValueError(f"peers.msg_file {path.name}: no rows")
    for c in ("force", "peer"):
        try:
            df[c] = df[c].map(force_name)
        except ValueError as e:
            raise ValueError(f"peers.msg_file {path.name}: column {c}: {e}") from None
    if (df["source"] == "").any():
        raise ValueError(f"peers.msg_file {path.name}: every row needs a source")
    for v in df["as_of"]:
        try:
            dt.date.fromisoformat(v)
        except ValueError:
            raise ValueError(f"peers.msg_file {path.name}: as_of must be a date YYYY-MM-DD, got {v!r}") from None
    if (df["force"] == df["peer"]).any():
        raise ValueError(f"peers.msg_file {path.name}: a force is listed as its own peer")
    if df.duplicated(["force", "peer"]).any():
        raise ValueError(f"peers.msg_file {path.name}: a force-peer pair is listed twice")
    return MsgFile(path=path, sha256=sha256_file(path), rows=df.reset_index(drop=True))
