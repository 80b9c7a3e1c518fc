"""The shape of a rule and the three ways a rule speaks (blocker with a route, warning, info)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from service.rules.context import Context
from service.rules.findings import Finding, Route, Severity


@dataclass(frozen=True)
class Rule:
    """A stable rule id and the function that checks it; every finding it yields carries that id."""

    id: str
    check: Callable[[Context], Iterable[Finding]]
    summary: str


def blocker(rule: str, route: Route, message: str, path: str | None = None, **data: Any) -> Finding:
    return Finding(rule, Severity.BLOCKER, message, path, route, data)


def warning(rule: str, message: str, path: str | None = None, **data: Any) -> Finding:
    return Finding(rule, Severity.WARNING, message, path, None, data)


def info(rule: str, message: str, path: str | None = None, **data: Any) -> Finding:
    return Finding(rule, Severity.INFO, message, path, None, data)


def ordinal_child(index: int) -> str:
    """Say "child 2": children are never named in a message."""
    return f"child {index + 1}"
