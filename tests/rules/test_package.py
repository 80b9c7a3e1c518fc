"""The rules package stays pure: no web framework, no database, nothing from the service around it."""

from __future__ import annotations

import ast
from pathlib import Path

import service.rules

PACKAGE = Path(service.rules.__file__).resolve().parent
FORBIDDEN = ("flask", "sqlalchemy", "celery", "boto3", "botocore", "psycopg")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_rules_import_nothing_from_the_web_or_database_layers() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        for name in imported_modules(path):
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
            if name.split(".")[0] == "service":
                assert name.startswith("service.rules"), f"{path.name} imports {name}"
