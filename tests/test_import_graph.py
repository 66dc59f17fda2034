"""Imports flow one way: no module of ``src/scriptcheck`` imports one of a higher layer, and
there is no import cycle, counting imports inside functions (they run too, just later).

Imports under ``if TYPE_CHECKING:`` are not counted: they never run, and exist only for
annotations.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "scriptcheck"

# Lowest first. A module belongs to the first layer whose prefix matches its dotted name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("scriptcheck.errors", "scriptcheck.models", "scriptcheck.resources", "scriptcheck.cachedir",
              "scriptcheck.datafile", "scriptcheck.safe_yaml", "scriptcheck.limits", "scriptcheck.lazy_regex",
              "scriptcheck.regex_program")),
    ("text", ("scriptcheck.text",)),
    ("match", ("scriptcheck.match",)),
    ("lexicon", ("scriptcheck.lexicon", "scriptcheck.lexicon.tone", "scriptcheck.lexicon.ngram",
                 "scriptcheck.lexicon.ngram_features")),
    ("rules", ("scriptcheck.rules",)),
    ("profile", ("scriptcheck.profile",)),
    ("scoring", ("scriptcheck.scoring",)),
    ("api", ("scriptcheck.api", "scriptcheck.__init__")),
    # Everything that uses the public API: readers, batches, docs, the linter, the CLI and
    # the integrations; ordered among themselves too.
    ("io", ("scriptcheck.io", "scriptcheck.tables")),
    ("batch", ("scriptcheck.batch", "scriptcheck.schemas", "scriptcheck.ruledoc", "scriptcheck.score_writers")),
    ("linter", ("scriptcheck.templates",)),
    # The report page and the review of its verdicts: read reports and transcripts (io),
    # write lexicon overlays (lexicon); used only by the CLI.
    ("report", ("scriptcheck.report",)),
    ("commands", ("scriptcheck.cli_options", "scriptcheck.cli_score", "scriptcheck.cli_report", "scriptcheck.cli", "scriptcheck.__main__", "scriptcheck.integrations")),
]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts)


def _layer(module: str) -> int:
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                return index
    raise AssertionError(f"module {module} is in no layer: add it to LAYERS in {__file__}")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, module: str) -> list[tuple[str, int]]:
    """(imported scriptcheck module, line) for every import in the file, wherever it sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name in ("__init__.py", "__init__.pyx") else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names if alias.name.startswith("scriptcheck"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            if base.startswith("scriptcheck"):
                # `from scriptcheck.rules import step` depends on the submodule step, not on
                # what the package's __init__ holds (any import initialises parent packages).
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    stem = PACKAGE.parent / candidate.replace(".", "/")
                    if stem.with_suffix(".py").exists() or stem.with_suffix(".pyx").exists():
                        found.append((candidate, node.lineno))
                    else:
                        found.append((base, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, list[tuple[str, int]]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        if module.endswith(".__init__"):
            module = module[: -len(".__init__")]
        graph[module] = _imports(path, module)
    return graph


def _canonical(module: str, graph: dict) -> str:
    """``scriptcheck`` (the package) is its __init__, which sits in the api layer."""
    return "scriptcheck.__init__" if module == "scriptcheck" else module


GRAPH = _graph()


def test_every_module_is_in_a_layer() -> None:
    for module in GRAPH:
        _layer(_canonical(module, GRAPH))


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_from_a_higher_layer(module: str) -> None:
    here = _layer(_canonical(module, GRAPH))
    upward = [(target, line) for target, line in GRAPH[module]
              if _layer(_canonical(target, GRAPH)) > here]
    assert not upward, (f"{module} ({LAYERS[here][0]}) imports from higher layers: "
                        + ", ".join(f"{t} ({LAYERS[_layer(_canonical(t, GRAPH))][0]}) at line {line}"
                                    for t, line in upward))


def test_no_import_cycle() -> None:
    edges = {m: sorted({t for t, _ in targets if t in GRAPH and t != m}) for m, targets in GRAPH.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in edges.get(node, ()):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if state.get(target) is None:
                walk(target)
        stack.pop()
        state[node] = 2

    for module in sorted(edges):
        if state.get(module) is None:
            walk(module)


def test_native_helpers_import_nothing_of_scriptcheck() -> None:
    # Cython source is not Python: read its import lines as text.
    for path in PACKAGE.rglob("*.pyx"):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines()
                 if line.lstrip().startswith(("import ", "from ")) and "scriptcheck" in line]
        assert not lines, f"{path}: {lines}"


def test_the_checker_detects_an_upward_import(tmp_path) -> None:
    # The test above must be able to fail: a lower-layer file importing the API is caught.
    sample = tmp_path / "scriptcheck" / "text" / "bad.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("def f():\n    from scriptcheck.api import Checker\n", encoding="utf-8")
    assert ("scriptcheck.api", 2) in _imports(sample, "scriptcheck.text.bad")
    assert _layer("scriptcheck.api") > _layer("scriptcheck.text.bad")
