"""How much of the hand transcription `scrutiny draft-audit` proposes: run the draft on the seed texts and
match its relations against data/published/seed_*/relations.csv (README, "Auditing a published document").

    .venv/bin/python data/published/measure_draft.py ../shared/seeds

A hand relation counts as proposed when a drafted relation of the same type has the same target and the same
inputs (figures matched by line and value), or, for same_figure, holds all of its figures in one group."""
import sys
from pathlib import Path

import pandas as pd

from scrutiny import draft_audit

HERE = Path(__file__).resolve().parent
SEED_FILES = {"seed_000": "000_0a42c4e7dfe53d47.txt", "seed_001": "001_4c84c7b52ec6327e.txt",
              "seed_003": "003_e8f2dbe11ec7086c.txt"}

if __name__ == "__main__":
    seeds = Path(sys.argv[1] if len(sys.argv) > 1 else HERE.parents[2] / "shared" / "seeds")
    for doc, name in SEED_FILES.items():
        figs, rels = draft_audit.draft((seeds / name).read_text(encoding="utf-8"), doc)
        hf = pd.read_csv(HERE / doc / "figures.csv", dtype=str, keep_default_na=False)
        hr = pd.read_csv(HERE / doc / "relations.csv", dtype=str, keep_default_na=False)
        m = draft_audit.match_hand(hf, hr, figs.fillna(""), rels.fillna(""))
        print(f"{doc}: {len(figs)} figures drafted; {m['recalled']} of {m['hand']} hand-declared relations proposed; "
              f"{m['proposals']} proposals, {m['proposals_matching']} of them matching a hand relation")
        for rid in m["missed"]:
            print(f"  not proposed: {rid}")
