"""Object storage for originals and rendered documents: one interface, backends chosen by URL."""

from storage.base import (
    IntegrityError,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    StorageConfig,
    StorageError,
    StorageUnavailable,
)
from storage.registry import open_store

__all__ = [
    "IntegrityError",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "StorageConfig",
    "StorageError",
    "StorageUnavailable",
    "open_store",
]
