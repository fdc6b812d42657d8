"""`scrutiny new-notebook NAME`: an analyst's section from the template kept in the package.

The notebook (jupytext percent format) has a tagged parameters cell whose defaults read the default pack's
prepared tables, a `# requires:` line naming the inputs it reads, `page.start(params_file)`, and one chart,
table and narrative built by the library. It is a section as soon as the file exists (config/sections.py):
a params file lists it under `notebooks` with no edit to the library.
"""

from __future__ import annotations

import re
from pathlib import Path

from scrutiny.config import sections

TEMPLATE = Path(__file__).parent / "templates" / "notebook.py.tmpl"


class ScaffoldError(Exception):
    """The notebook cannot be created (bad name, or the file exists); nothing was written."""


def title_of(name: str) -> str:
    """The default page title: the name in words (violence_deep_dive -> 'Violence deep dive')."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


PACK_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # as params pack.id


def new_notebook(name: str, folder: Path = sections.NOTEBOOKS_DIR, title: str | None = None,
                 pack: str = "default") -> Path:
    """Write folder/NAME.py from the template; refuse a bad name, a declared section's name or an existing file.
    pack: the pack id whose prepared tables (outputs/.prepared/<pack>/) the default parameters read."""
    if not sections.NAME_RE.match(name):
        raise ScaffoldError(f"notebook name {name!r} is not allowed: use letters, digits and underscores, "
                            "starting with a letter (e.g. violence_deep_dive)")
    if name in sections.SECTIONS:
        raise ScaffoldError(f"{name!r} is the name of a shipped section; choose another name")
    if not PACK_RE.match(pack):
        raise ScaffoldError(f"--pack {pack!r} is not a pack id (lower-case letters, digits, '_' and '-')")
    title = (title or title_of(name)).strip()
    if not title or "\n" in title:
        raise ScaffoldError("the title must be one non-empty line")
    path = Path(folder) / f"{name}.py"
    text = TEMPLATE.read_text(encoding="utf-8").replace("{{NAME}}", name).replace("{{TITLE}}", title).replace("{{PACK}}", pack)
    try:
        with open(path, "x", encoding="utf-8") as f:  # "x": never overwrite
            f.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists: it is left as it is; choose another name") from None
    except OSError as e:
        raise ScaffoldError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def how_to_use(name: str, path: Path, pack: str = "default") -> str:
    """What to do next, printed by the command."""
    return (f"Created {path}.\n"
            f"Add it to a params file's notebooks list, e.g.\n"
            f"  notebooks: [performance, {name}]\n"
            f"and give the inputs named on its `# requires:` line under inputs (police_uk_street by default).\n"
            f"Its default parameters read outputs/.prepared/{pack}/: open it by hand after `scrutiny prepare` of the "
            f"params file whose pack id is {pack}, or run the pack with `scrutiny run PARAMS.yaml`: its page is "
            f"{name}.html.")
