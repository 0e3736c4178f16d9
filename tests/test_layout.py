"""The package's layout: imports run one way, down the flow, with no cycle.

Every module of `assistant` is parsed with `ast` (imports inside functions included,
relative and absolute), mapped to its stage, and checked: a module may import its own stage
or an earlier one, never a later one; nothing imports the app; no two modules import each
other, directly or through others.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

# Stages in flow order; a module may import only its own stage or a lower one.
STAGES = {
    "shared": 0,  # errors, models, settings, locking
    "text": 1,
    "ingest": 2,
    "embed": 3,
    "store": 4,
    "retrieve": 5,
    "answer": 6,
    "edge": 7,  # api, cli, evaluate, feedback, render, the package's __init__/__main__
    "app": 8,
}
SHARED = {"errors", "models", "settings", "locking"}


def module_name(path: Path) -> str:
    parts = ["assistant", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "edge"  # the package itself: its __init__ exports the Assistant
    if parts[1] in STAGES:
        return parts[1]  # a stage folder
    return "shared" if parts[1] in SHARED else "edge"


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: set[str]) -> list[tuple[int, str, str]]:
    """(line, imported module, source text) for every import of a package module."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            # `from pkg import module` imports the module; `from module import name` the module.
            targets = [
                f"{base_name}.{a.name}" if f"{base_name}.{a.name}" in known else base_name
                for a in node.names
            ]
        else:
            continue
        text = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
        for target in dict.fromkeys(targets):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target.startswith("assistant"):
                out.append((node.lineno, target, " ".join(text.split())))
    return out


def graph() -> tuple[dict[str, Path], dict[str, list[tuple[int, str, str]]]]:
    mods = modules()
    known = set(mods)
    return mods, {m: imports_of(p, known) for m, p in mods.items()}


def test_every_module_has_a_stage():
    for module in modules():
        assert stage_of(module) in STAGES, module


def test_imports_run_down_the_flow():
    mods, edges = graph()
    wrong = []
    for module, imported in edges.items():
        here = stage_of(module)
        for line, target, text in imported:
            there = stage_of(target)
            if target == module or target == "assistant" and here != "edge":
                if target == "assistant":
                    wrong.append(f"{mods[module].relative_to(PACKAGE.parent)}:{line}: "
                                 f"`{text}` imports the package root from stage {here}")
                continue
            if there == "app" and here != "app":
                wrong.append(f"{mods[module].relative_to(PACKAGE.parent)}:{line}: `{text}` "
                             f"imports the app ({target}); nothing may import the app")
            elif STAGES[there] > STAGES[here]:
                wrong.append(f"{mods[module].relative_to(PACKAGE.parent)}:{line}: `{text}`: "
                             f"stage {here} imports {target} of the later stage {there}")
    assert not wrong, "imports against the flow:\n" + "\n".join(wrong)


def test_no_import_cycle():
    mods, edges = graph()
    targets = {m: sorted({t for _, t, _ in imported if t != m and t != "assistant"})
               for m, imported in edges.items()}
    # The package root (assistant/__init__) re-exports the API; a submodule importing it
    # would be flagged above, so it is left out of the cycle search.
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in targets.get(m, []):
            if state.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(targets):
        if m not in state:
            visit(m)
    lines = []
    for cycle in cycles:
        steps = []
        for a, b in zip(cycle, cycle[1:]):
            line, _, text = next(x for x in edges[a] if x[1] == b)
            steps.append(f"{mods[a].relative_to(PACKAGE.parent)}:{line}: `{text}`")
        lines.append(" -> ".join(cycle) + "\n    " + "\n    ".join(steps))
    assert not cycles, "modules that import each other:\n" + "\n".join(lines)
