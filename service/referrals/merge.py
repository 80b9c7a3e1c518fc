"""Combine what several documents of one referral say into one extracted record.

The first readable document is the base. A later one (a signed consent, a rescan)
fills what the base left empty, and replaces a value only where it was read with
higher confidence. Officers' corrections are applied afterwards, elsewhere, so a
document can never overwrite them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

Extraction = tuple[Mapping[str, Any] | None, Mapping[str, float]]


def merge_extractions(parts: Iterable[Extraction]) -> tuple[dict[str, Any] | None, dict[str, float]]:
    base: dict[str, Any] | None = None
    confidence: dict[str, float] = {}
    for record, record_confidence in parts:
        if record is None:
            continue
        if base is None:
            base, confidence = copy.deepcopy(dict(record)), dict(record_confidence)
            continue
        _merge_object(base, record, "", confidence, record_confidence)
    return base, confidence


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _under(path: str, key: str) -> bool:
    return key == path or key.startswith(path + ".") or key.startswith(path + "[")


def _score(confidence: Mapping[str, float], path: str) -> float:
    """A value's confidence: its own, else the mean of the paths beneath it, else 0."""
    if path in confidence:
        return float(confidence[path])
    inside = [float(v) for k, v in confidence.items() if _under(path, k)]
    return sum(inside) / len(inside) if inside else 0.0


def _take(dst: dict[str, Any] | list[Any], key: Any, value: Any, path: str,
          conf: dict[str, float], src_conf: Mapping[str, float]) -> None:
    dst[key] = copy.deepcopy(value)
    for old in [k for k in conf if _under(path, k)]:
        del conf[old]
    conf.update({k: float(v) for k, v in src_conf.items() if _under(path, k)})


def _merge_object(dst: dict[str, Any], src: Mapping[str, Any], prefix: str,
                  conf: dict[str, float], src_conf: Mapping[str, float]) -> None:
    for key, value in src.items():
        path = _join(prefix, key)
        _merge_value(dst, key, dst.get(key), value, path, conf, src_conf)


def _merge_value(dst: Any, key: Any, mine: Any, theirs: Any, path: str,
                 conf: dict[str, float], src_conf: Mapping[str, float]) -> None:
    if _empty(theirs):
        return
    if _empty(mine):
        _take(dst, key, theirs, path, conf, src_conf)
    elif isinstance(mine, dict) and isinstance(theirs, Mapping):
        _merge_object(mine, theirs, path, conf, src_conf)
    elif (isinstance(mine, list) and isinstance(theirs, list) and len(mine) == len(theirs)
          and all(isinstance(x, dict) for x in (*mine, *theirs))):
        for index, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            _merge_object(a, b, f"{path}[{index}]", conf, src_conf)
    elif _score(src_conf, path) > _score(conf, path):
        _take(dst, key, theirs, path, conf, src_conf)
