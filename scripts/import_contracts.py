"""A contract type for import-linter that reads imported names, which its own types cannot.

``no_private_names``: the modules matched by ``importers`` (the views) import nothing whose
name starts with an underscore from another top-level package of ``root_packages`` — what
another app keeps private is its own business, and a view that reaches for it would break
when that app is refactored. Registered in pyproject.toml's ``[tool.importlinter]``.
"""

from __future__ import annotations

import ast
import importlib.util

from importlinter import Contract, ContractCheck, fields, output


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
            if not module.endswith(suffixes):
                continue
            spec = importlib.util.find_spec(module)
            if spec is None or not spec.origin or not spec.origin.endswith(".py"):
                continue
            with open(spec.origin, encoding="utf-8") as source:
                tree = ast.parse(source.read(), spec.origin)
            own = module.split(".")[0]
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                    continue
                top = node.module.split(".")[0]
                if top == own or top not in roots:
                    continue
                for alias in node.names:
                    if _private(alias.name) or any(_private(p) for p in node.module.split(".")):
                        broken.append(f"{module}:{node.lineno} imports {node.module}.{alias.name}")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(line)
            output.new_line()
