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
MODULES = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")

# the layers (tables in, tables out; nothing downstream imported upstream)
STATS = {"spc", "breaks", "dispersion", "rates", "funnel"}
ANALYSES = {"performance", "outcomes", "stopsearch", "peers", "audit", "draft_audit", "measures", "questions"}
REPORT = {"report", "present", "charts", "nb", "changes"}
INPUTS = {"ingest", "ho_outcomes", "pfa", "policeuk", "published", "contracts"}
# anything may import them; they import no other module of ours but one another (files uses paths.resolve;
# narrative: the number and p-value wording analyses and pages share)
LEAVES = {"files", "sections", "paths", "months", "csvsafe", "narrative"}

# (importer, imported): layering exceptions that hold today, each with the reason and the way out
KNOWN = {
    ("performance", "charts"): "performance.xmr_chart wraps charts.xmr_chart for the notebook; goes when chart "
                               "builders move to the report layer",
    ("published", "audit"): "the published-figures input checks units and relation types against the auditor's "
                            "vocabulary (audit.UNITS, audit.RELATION_TYPES); goes when that vocabulary moves to "
                            "the input",
}


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


def _ours(node: ast.stmt) -> set[str]:
    """The scrutiny modules one import statement names."""
    out = set()
    if isinstance(node, ast.ImportFrom):
        if node.level == 1 and node.module is None:  # from . import x, y
            out |= {a.name for a in node.names}
        elif node.level == 1:  # from .x import y
            out.add(node.module.split(".")[0])
        elif node.level == 0 and node.module and node.module.split(".")[0] == "scrutiny":
            parts = node.module.split(".")
            out |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
    elif isinstance(node, ast.Import):
        for a in node.names:
            parts = a.name.split(".")
            if parts[0] == "scrutiny" and len(parts) > 1:
                out.add(parts[1])
    return out & set(MODULES)


def imports(path: Path, top_level_only: bool = True) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _top_level(tree) if top_level_only else ast.walk(tree)
    return set().union(*(_ours(n) for n in nodes if isinstance(n, (ast.Import, ast.ImportFrom))))


GRAPH = {m: imports(PKG / f"{m}.py") for m in MODULES}


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
    f.write_text("from . import spc, rates\nfrom .months import span\nimport scrutiny.paths\n"
                 "from scrutiny import funnel\ntry:\n    from .csvsafe import neutralise\nexcept ImportError:\n"
                 "    pass\n\ndef f():\n    from . import runner\n", encoding="utf-8")
    assert imports(f) == {"spc", "rates", "months", "paths", "funnel", "csvsafe"}
    assert "runner" in imports(f, top_level_only=False)


def test_no_import_cycle_at_module_level():
    assert cycles(GRAPH) == []


def test_no_import_cycle_even_through_function_level_imports():
    """A function-level import is no way round a cycle: the input adapters share files.py instead of
    importing ingest, which imports them."""
    assert cycles({m: imports(PKG / f"{m}.py", top_level_only=False) for m in MODULES}) == []


@pytest.mark.parametrize("module", sorted(STATS))
def test_stats_import_no_analysis_input_or_report_module(module):
    wrong = imports(PKG / f"{module}.py", top_level_only=False) & (ANALYSES | INPUTS | REPORT)
    assert not wrong, f"{module} (statistics) imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(ANALYSES))
def test_analyses_import_no_report_module(module):
    wrong = {m for m in imports(PKG / f"{module}.py", top_level_only=False) & REPORT
             if (module, m) not in KNOWN}
    assert not wrong, f"{module} (analysis) imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(INPUTS))
def test_inputs_import_no_analysis_or_report_module(module):
    wrong = {m for m in imports(PKG / f"{module}.py", top_level_only=False) & (ANALYSES | REPORT)
             if (module, m) not in KNOWN}
    assert not wrong, f"{module} (input) imports {sorted(wrong)}"


def test_known_exceptions_still_exist():
    """An exception that no longer holds is taken off the list (so the list only shrinks)."""
    for a, b in KNOWN:
        assert b in imports(PKG / f"{a}.py", top_level_only=False), f"{a} no longer imports {b}: drop it from KNOWN"


@pytest.mark.parametrize("module", sorted(LEAVES))
def test_leaf_modules_import_only_leaves(module):
    assert imports(PKG / f"{module}.py", top_level_only=False) <= LEAVES - {module}


def test_input_adapters_take_file_helpers_from_files_not_ingest():
    for module in ("ho_outcomes", "pfa", "published", "measures"):
        assert "ingest" not in imports(PKG / f"{module}.py", top_level_only=False), module


def test_layers_are_known_modules():
    """A renamed module must be renamed here too (else a rule would silently check nothing)."""
    layers = [STATS, ANALYSES, INPUTS, REPORT, LEAVES]
    assert set().union(*layers) <= set(MODULES)
    assert sum(map(len, layers)) == len(set().union(*layers)), "a module is in two layers"


def test_notebooks_reach_our_code_only_through_the_scrutiny_package():
    """Notebooks are page glue: our code comes from `scrutiny` (no relative imports, no bare module names from
    src/scrutiny or tests, no sys.path changes)."""
    ours = set(MODULES) | {"src", "tests", "conftest"}
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
        assert "sys.path" not in text, nb.name
