"""Object storage for originals and rendered documents: one interface, backends chosen by URL."""

from storage.base import (
    EncryptionNotApplied,
    IntegrityError,
    InvalidKey,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    StorageConfig,
    StorageConfigError,
    StorageError,
    StorageUnavailable,
    UnknownBackend,
)
from storage.registry import open_store, register_backend

__all__ = [
    "EncryptionNotApplied",
    "IntegrityError",
    "InvalidKey",
    "ObjectInfo",
    "ObjectNotFound",
    "ObjectStore",
    "StorageConfig",
    "StorageConfigError",
    "StorageError",
    "StorageUnavailable",
    "UnknownBackend",
    "open_store",
    "register_backend",
]
