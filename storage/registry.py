"""Choose a storage backend from the configured URL's scheme.

Backends are named as ``"module:Class"`` strings and imported only when used (as in
fsspec's registry), so a deployment on local disk never imports boto3 and a missing
optional dependency is reported as a configuration problem, not an import crash.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from storage.base import ObjectStore, StorageConfig, StorageConfigError, UnknownBackend

_BACKENDS: dict[str, str] = {
    "file": "storage.local:LocalStore",
    "s3": "storage.s3:S3Store",
}


def register_backend(scheme: str, target: str, *, replace: bool = False) -> None:
    """Make ``scheme://`` URLs open ``target`` (``"package.module:Class"``)."""
    scheme = scheme.lower()
    if scheme in _BACKENDS and not replace and _BACKENDS[scheme] != target:
        raise StorageConfigError(f"a storage backend is already registered for {scheme}://")
    _BACKENDS[scheme] = target


def known_schemes() -> list[str]:
    return sorted(_BACKENDS)


def open_store(config: StorageConfig) -> ObjectStore:
    """Instantiate the backend registered for ``config.url``'s scheme."""
    scheme, sep, _ = config.url.partition("://")
    scheme = scheme.lower()
    if not sep or not scheme:
        raise UnknownBackend(
            f"storage URL must start with a scheme such as {', '.join(s + '://' for s in known_schemes())}"
        )
    target = _BACKENDS.get(scheme)
    if target is None:
        raise UnknownBackend(
            f"no storage backend for {scheme}:// (known: {', '.join(s + '://' for s in known_schemes())})"
        )
    module_name, _, class_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StorageConfigError(
            f"the {scheme}:// storage backend cannot be loaded (missing dependency {exc.name!r})"
        ) from None
    backend = getattr(module, class_name, None)
    if not isinstance(backend, type) or not issubclass(backend, ObjectStore):
        raise StorageConfigError(f"{target} is not an ObjectStore")
    # Backends take the frozen config as their only constructor argument.
    factory = cast(Callable[[StorageConfig], ObjectStore], backend)
    return factory(config)
