"""Field paths (``children[0].date_of_birth``): parse, read, write and check them against the record schema.

The same syntax as extraction's confidence and provenance keys, so an officer's
correction, the engine's confidence lookup and a finding's ``path`` all speak alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields

from service.records.schema import ReferralRecordSchema
from service.referrals.errors import InvalidCorrection

_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")
_INDEX = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Step:
    """One hop: a key, or a list index."""

    key: str | int


def parse_path(path: str) -> list[Step]:
    steps: list[Step] = []
    if not isinstance(path, str) or not path:
        raise InvalidCorrection("A correction needs a field path", path=path)
    for part in path.split("."):
        match = _PART.fullmatch(part)
        if match is None:
            raise InvalidCorrection(f"{path}: Not a field path (e.g. children[0].date_of_birth).", path=path)
        steps.append(Step(match.group(1)))
        steps.extend(Step(int(i)) for i in _INDEX.findall(match.group(2)))
    return steps


def schema_field(path: str) -> fields.Field[Any]:
    """The record schema's field at ``path``; ``InvalidCorrection`` naming the path if there is none."""
    schema: Schema | None = ReferralRecordSchema()
    field: fields.Field[Any] | None = None
    for step in parse_path(path):
        if isinstance(step.key, int):
            if not isinstance(field, fields.List):
                raise InvalidCorrection(f"{path}: Not a list, cannot be indexed.", path=path)
            field = field.inner
        else:
            if schema is None or step.key not in schema.fields:
                raise InvalidCorrection(f"{path}: Unknown field.", path=path)
            field = schema.fields[step.key]
        schema = field.schema if isinstance(field, fields.Nested) else None
    assert field is not None  # parse_path never returns no steps
    return field


def check_value(path: str, value: Any) -> Any:
    """The value as the record schema reads it (``"3"`` → 3 for a tier), or ``InvalidCorrection``."""
    field = schema_field(path)
    try:
        return field.deserialize(value)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
        raise InvalidCorrection(f"{path}: {' '.join(map(str, messages))}", path=path) from None


def get_value(record: Any, path: str) -> Any:
    """The value at ``path``, or None where any step is missing."""
    node = record
    for step in parse_path(path):
        if isinstance(step.key, int):
            if not isinstance(node, list) or step.key >= len(node):
                return None
        elif not isinstance(node, dict):
            return None
        node = node[step.key] if isinstance(step.key, int) else node.get(step.key)
    return node


def set_value(record: dict[str, Any], path: str, value: Any) -> None:
    """Write ``value`` at ``path`` in place, creating missing objects; an index may append one item."""
    steps = parse_path(path)
    node: Any = record
    for here, after in zip(steps, steps[1:], strict=False):
        empty: Any = [] if isinstance(after.key, int) else {}
        node = _child(node, here.key, empty, path)
    last = steps[-1].key
    if isinstance(last, int):
        if not isinstance(node, list) or last > len(node):
            raise InvalidCorrection(f"{path}: No item at this index.", path=path)
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    else:
        node[last] = value


def _child(node: Any, key: str | int, empty: Any, path: str) -> Any:
    if isinstance(key, int):
        if not isinstance(node, list) or key > len(node):
            raise InvalidCorrection(f"{path}: No item at this index.", path=path)
        if key == len(node):
            node.append(empty)
        elif node[key] is None:
            node[key] = empty
        return node[key]
    if node.get(key) is None:
        node[key] = empty
    return node[key]


def leaf_paths(path: str, value: Any) -> Iterator[str]:
    """``path`` and every path beneath it in ``value`` (a corrected object confirms all its fields)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(f"{path}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(f"{path}[{index}]", item)
