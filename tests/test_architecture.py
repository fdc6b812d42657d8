"""The import graph of src/scrutiny: no cycle at module level, and the layering that keeps stages apart.

Imports are read with `ast` (nothing is imported): `from . import x`, `from .x import y`, `import scrutiny.x`
and `from scrutiny.x import y`. Module level means the module's top level (including `if`/`try` blocks there),
not inside a function or class body: a function-level import runs only when called.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

PKG = REPO / "src" / "scrutiny"


def _dotted(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


FILES = {_dotted(p): p for p in sorted(PKG.rglob("*.py")) if _dotted(p)}
MODULES = set(FILES)

# The stages, upstream first: a layer may import its own modules and those of the layers it names, nothing else.
# Top-level modules are their own layer (cli, paths, provenance, aqa).
ALLOWED = {
    "paths": set(),
    "reference": {"paths"},
    "inputs": {"paths", "reference", "stats"},  # stats: the volume checks of police.uk files (stats.breaks)
    "config": {"paths", "reference", "inputs"},  # inputs: dataset names (inputs.registry) in the params check
    "contracts": {"paths", "reference", "inputs"},
    "stats": {"paths", "reference"},
    "synthetic": {"paths", "reference", "stats"},
    "analyses": {"paths", "reference", "inputs", "stats", "config", "reuse"},
    "reuse": set(),  # a result computed once for the sections of one pack (performance and districts)
    "report": {"paths", "reference", "inputs", "stats", "config", "analyses", "aqa"},
    "aqa": {"paths", "inputs"},  # inputs: the logs may name only known datasets (inputs.registry)
    "provenance": {"paths", "inputs", "contracts", "config"},
    "pack": {"paths", "reference", "inputs", "stats", "config", "analyses", "report", "contracts", "provenance",
             "aqa"},
    # bench: generates large inputs from the shipped files and times the pack in child processes (no pack import)
    "bench": {"paths", "reference", "inputs", "config"},
    "cli": {"paths", "reference", "inputs", "config", "contracts", "pack", "report", "analyses", "synthetic",
            "provenance", "aqa", "bench"},
}
# leaves: anything may import them; they import nothing of ours but what is named
LEAVES = {"inputs.files": {"paths"}, "config.sections": {"paths"}, "paths": set(), "reuse": set()}


def layer(module: str) -> str:
    return module.split(".")[0]


def _top_level(tree: ast.Module):
    """The statements run at import: the module body, descending into if/try/with blocks but not defs."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            todo.extend(getattr(node, field, []) or [])


def _resolve(base: str, names: list[str]) -> set[str]:
    """`from scrutiny.<base> import <names>`: each name that is a module, else the base module itself."""
    out = set()
    for n in names:
        full = f"{base}.{n}" if base else n
        if full in MODULES:
            out.add(full)
        elif base in MODULES:
            out.add(base)
    return out


def _ours(node: ast.stmt, here: str) -> set[str]:
    """The scrutiny modules one import statement names (relative imports resolved from module `here`)."""
    if isinstance(node, ast.ImportFrom):
        if node.level:
            pkg = here if FILES[here].name == "__init__.py" else ".".join(here.split(".")[:-1])
            pkg_parts = pkg.split(".") if pkg else []
            pkg_parts = pkg_parts[:len(pkg_parts) - (node.level - 1)] if node.level > 1 else pkg_parts
            base = ".".join(pkg_parts + ([node.module] if node.module else []))
            return _resolve(base, [a.name for a in node.names])
        if node.module and node.module.split(".")[0] == "scrutiny":
            base = node.module[len("scrutiny"):].lstrip(".")
            return _resolve(base, [a.name for a in node.names])
        return set()
    if isinstance(node, ast.Import):
        out = set()
        for a in node.names:
            if a.name.startswith("scrutiny."):
                name = a.name[len("scrutiny."):]
                if name in MODULES:
                    out.add(name)
        return out
    return set()


def imports(module: str, top_level_only: bool = True, path: Path | None = None) -> set[str]:
    tree = ast.parse((path or FILES[module]).read_text(encoding="utf-8"))
    nodes = _top_level(tree) if top_level_only else ast.walk(tree)
    return set().union(*(_ours(n, module) for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom)))) - {module}


GRAPH = {m: imports(m) for m in MODULES}
FULL_GRAPH = {m: imports(m, top_level_only=False) for m in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (or a module importing itself), by Tarjan's
    algorithm (Tarjan 1972, SIAM J. Comput. 1(2)); each group listed sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in graph.get(v, ()):
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_planted_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert sorted(cycles(g)) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_reader_sees_each_form(tmp_path):
    f = tmp_path / "m.py"
    f.write_text("from scrutiny.stats import spc, rates\nfrom scrutiny.reference.months import span\n"
                 "import scrutiny.paths\nfrom scrutiny import provenance\ntry:\n    from scrutiny.report.csvsafe import "
                 "neutralise\nexcept ImportError:\n    pass\n\ndef f():\n    from scrutiny.pack import runner\n",
                 encoding="utf-8")
    assert imports("aqa", path=f) == {"stats.spc", "stats.rates", "reference.months", "paths", "provenance",
                                      "report.csvsafe"}
    assert "pack.runner" in imports("aqa", top_level_only=False, path=f)


def test_every_module_is_in_a_known_layer():
    """A new package or top-level module must be placed in the stage order here (else no rule would check it)."""
    assert {layer(m) for m in MODULES} <= set(ALLOWED)


def test_no_import_cycle_at_module_level():
    assert cycles(GRAPH) == []


def test_no_import_cycle_even_through_function_level_imports():
    """A function-level import is no way round a cycle."""
    assert cycles(FULL_GRAPH) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layering(module):
    """Nothing downstream is imported upstream: stats import no analysis, input or report module; analyses
    import no report module; inputs import no analysis; only the run (pack) and the command line see everything."""
    own = layer(module)
    wrong = {m for m in FULL_GRAPH[module] if layer(m) != own and layer(m) not in ALLOWED[own]}
    assert not wrong, f"{module} ({own}) imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(LEAVES))
def test_leaf_modules_import_only_what_they_name(module):
    assert FULL_GRAPH[module] <= LEAVES[module]


def test_registry_is_imported_last():
    """Dataset modules never import the registry (it imports them)."""
    for m in MODULES:
        if layer(m) == "inputs" and m != "inputs.registry":
            assert "inputs.registry" not in FULL_GRAPH[m], m


def test_every_registered_dataset_offers_the_input_interface():
    from scrutiny.inputs.base import InputDataset
    from scrutiny.inputs.registry import DATASETS

    for name, ds in DATASETS.items():
        assert isinstance(ds, InputDataset), name
        assert ds.name == name
        assert isinstance(ds.synthetic, bool)


def test_the_great_expectations_import_is_in_contracts_only():
    for m, path in FILES.items():
        text = path.read_text(encoding="utf-8")
        if "import great_expectations" in text:
            assert layer(m) == "contracts", m


def test_notebooks_reach_our_code_only_through_the_scrutiny_package():
    """Notebooks are page glue: our code comes from `scrutiny` (no relative imports, no bare module names from
    src/scrutiny or tests, no sys.path changes), and never from the run itself (pack) or the command line."""
    ours = {m.split(".")[0] for m in MODULES} | {"src", "tests", "conftest"}
    for nb in sorted((REPO / "notebooks").glob("*.py")):
        text = nb.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{nb.name}: relative import"
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in ours, f"{nb.name}: imports {name} (use `from scrutiny import ...`)"
                assert not name.startswith(("scrutiny.pack", "scrutiny.cli")), f"{nb.name}: imports {name}"
        assert "sys.path" not in text, nb.name
