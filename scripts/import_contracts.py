"""A contract type for import-linter that reads imported names, which its own types cannot.

``no_private_names``: the modules matched by ``importers`` (the views, and the modules of a
views package) import nothing whose name starts with an underscore from another top-level
package of ``root_packages`` — what another app keeps private is its own business, and a view
that reaches for it would break when that app is refactored. Registered in pyproject.toml's
``[tool.importlinter]``.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output


def _source(module: str) -> Path | None:
    """The module's file, found without importing it (nor Django's settings with it)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    base = Path(next(iter(spec.submodule_search_locations))).joinpath(*rest)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class NoPrivateNamesContract(Contract):
    type_name = "no_private_names"

    importers = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose: bool) -> ContractCheck:
        roots = set(self.session_options["root_packages"])
        suffixes = tuple(self.importers)
        broken = []
        for module in sorted(graph.modules):
            # A views package counts as views too: questionnaires.views.builder.
            if not module.endswith(suffixes) and not any(f"{s}." in module for s in suffixes):
                continue
            path = _source(module)
            if path is None:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            own = module.split(".")[0]
            modules: dict[str, str] = {}  # local name -> another app's module imported whole
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.split(".")[0] in roots - {own}:
                            local = alias.asname or alias.name.split(".")[0]
                            modules[local] = alias.name if alias.asname else local
                if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                    continue
                top = node.module.split(".")[0]
                if top == own or top not in roots:
                    continue
                for alias in node.names:
                    if _private(alias.name) or any(_private(p) for p in node.module.split(".")):
                        broken.append(f"{module}:{node.lineno} imports {node.module}.{alias.name}")
                    elif f"{node.module}.{alias.name}" in graph.modules:
                        modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            # exports._codebook or questionnaires.exports._codebook: a private name of another
            # app's module imported whole.
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Attribute) and _private(node.attr)):
                    continue
                dotted = _dotted(node.value)
                if dotted is None or dotted.split(".")[0] not in modules:
                    continue
                first, _, rest = dotted.partition(".")
                target = modules[first] + ("." + rest if rest else "")
                if target in graph.modules:
                    broken.append(f"{module}:{node.lineno} uses {target}.{node.attr}")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(line)
            output.new_line()
