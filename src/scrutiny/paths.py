"""Where the project lives, and how paths in params files resolve."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve(path: str | Path, root: Path = REPO_ROOT) -> Path:
    """Resolve a params path: absolute paths stay as they are, relative ones are taken from the repo root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (root / p)
