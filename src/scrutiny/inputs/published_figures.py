"""Published-figure transcriptions as pack inputs: a figures CSV and a relations CSV per document.

Both are plain UTF-8 CSV typed by hand (or saved from a spreadsheet). Each file is one source file of the
dataset; several files (several documents) may be given with a glob. Rows are kept as text, exactly as
typed, for validation; `prepare` writes them unchanged (all text columns) to Parquet for the audit notebook,
which does its own exact decimal parsing (scrutiny.audit).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scrutiny.inputs.files import InputError, connect, discover_files, file_record, open_text, sql_string
from scrutiny.reference import published_figures as vocab


@dataclass
class PublishedCsv:
    """Hand-typed CSV tables (published figures or their relations); the header must match exactly."""

    name: str
    header: list[str]
    record_id: str
    contract: str
    optional: tuple[str, ...] = ("note",)
    synthetic: bool = False

    def discover(self, pattern: str) -> list[Path]:
        return discover_files(self.name, pattern)

    def accepted_headers(self) -> list[str]:
        """The full header, and the header without any of the optional columns (note, as_at, window,
        constant), the others kept in order."""
        from itertools import combinations

        opt = [c for c in self.header if c in self.optional]
        out = []
        for k in range(len(opt), -1, -1):
            for keep in combinations(opt, k):
                out.append("|".join(c for c in self.header if c not in self.optional or c in keep))
        return out

    def files_frame(self, files: list[Path], period: tuple[str, str]) -> pd.DataFrame:
        # a transcription is not split by month
        return pd.DataFrame([{**file_record(f, strip_header=True)[0], "in_period": True} for f in files])

    def load_rows(self, files: pd.DataFrame) -> pd.DataFrame:
        """Every row of every file as text (blank cells as missing), with source_file and 1-based row."""
        frames = []
        for path, name in zip(files["path"], files["source_file"]):
            with open_text(Path(path)) as fh:
                reader = csv.reader(fh)
                header = [h.strip() for h in next(reader)]
                recs = []
                for i, rec in enumerate(reader, start=1):
                    if not any(c.strip() for c in rec):
                        continue  # blank spreadsheet rows
                    if len(rec) != len(header):
                        raise InputError(f"input {self.name}: {path}: data row {i} has {len(rec)} cells, the "
                                     f"header has {len(header)} (a comma inside a cell needs quotes)")
                    recs.append({**{h: (c.strip() or None) for h, c in zip(header, rec)}, "row": i})
            df = pd.DataFrame(recs, columns=header + ["row"])
            for c in self.header:
                if c not in df.columns:
                    df[c] = None
            df["source_file"] = name
            frames.append(df)
        out = pd.concat(frames, ignore_index=True)
        return out[self.header + ["source_file", "row"]].astype(object)

    def prepare(self, rows: pd.DataFrame, out: Path) -> int:
        df = rows[self.header + ["source_file", "row"]].copy()
        for c in self.header + ["source_file"]:
            df[c] = df[c].astype("string")
        df = df.rename(columns={"row": "source_row"})
        con = connect()
        con.register("rows", df)
        con.execute(f"COPY (SELECT * FROM rows) TO {sql_string(out)} (FORMAT parquet)")
        con.close()
        return len(df)

    def expectation_parameters(self, period: tuple[str, str], force: str) -> dict:
        return {"header": self.accepted_headers(), "units": vocab.UNITS, "relation_types": vocab.RELATION_TYPES,
                "claim_words": vocab.CLAIM_WORDS}


@dataclass
class PublishedRelations(PublishedCsv):
    """Relations are also checked against the figures: every id they name must be a figure of the pack."""

    after: str = "published_figures"  # validated after the figures, whose rows `link` reads

    def link(self, rows: pd.DataFrame, frames: dict) -> pd.DataFrame:
        """Add `unknown_figure_ids`: the ids in inputs/target (A..B ranges expanded) that no figures file
        holds, or why a range cannot be expanded; None when every id is known. Without figures rows (the
        figures input failed its own checks, or is not given) every named id is unknown."""
        figs = frames.get(self.after)
        known = dict.fromkeys(figs["figure_id"].dropna().astype(str)) if figs is not None else {}

        def unknown(inputs, target) -> str | None:
            inputs, target = (v if isinstance(v, str) else "" for v in (inputs, target))  # blank cells: NaN
            try:
                ids = vocab.expand_ids(inputs or "", known)
            except vocab.AuditInputError as e:
                return str(e)
            bad = [f for f in ids + ([target] if target else []) if f not in known]
            return " ".join(dict.fromkeys(bad)) or None

        out = rows.copy()
        out["unknown_figure_ids"] = [unknown(i, t) for i, t in zip(rows["inputs"], rows["target"])]
        return out


FIGURES = PublishedCsv("published_figures", vocab.FIGURES_HEADER, "figure_id", "published_figures.v1",
                       optional=vocab.FIGURES_OPTIONAL)
RELATIONS = PublishedRelations("published_relations", vocab.RELATIONS_HEADER, "relation_id",
                               "published_relations.v1", optional=vocab.RELATIONS_OPTIONAL)
