from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from storage import StorageConfig, StorageConfigError, UnknownBackend, open_store
from storage.local import LocalStore
from storage.s3 import S3Store

KEY = b"\x07" * 32
REPO = Path(__file__).resolve().parents[2]


def test_file_url_opens_the_local_store(tmp_path: Path) -> None:
    assert isinstance(open_store(StorageConfig(url=f"file://{tmp_path}", encryption_key=KEY)), LocalStore)


def test_s3_url_opens_the_s3_store_without_touching_the_network() -> None:
    store = open_store(StorageConfig(url="s3://some-bucket/a/prefix", s3_endpoint_url="http://127.0.0.1:9"))
    assert isinstance(store, S3Store)
    assert (store.bucket, store.prefix) == ("some-bucket", "a/prefix/")


@pytest.mark.parametrize("url", ["ftp://host/x", "gs://bucket", "/var/lib/mapdocs", "", "://x"])
def test_unknown_or_missing_scheme_is_refused_clearly(url: str) -> None:
    with pytest.raises(UnknownBackend, match="file://"):
        open_store(StorageConfig(url=url, encryption_key=KEY))


@pytest.mark.parametrize(
    "config",
    [
        StorageConfig(url="s3://X"),
        StorageConfig(url="s3://bucket/../x"),
        StorageConfig(url="s3://bucket", s3_sse=""),
        StorageConfig(url="s3://bucket", s3_access_key_id="only-half"),
        StorageConfig(url="file://", encryption_key=KEY),
    ],
    ids=["short-bucket", "bad-prefix", "no-sse", "half-credentials", "empty-path"],
)
def test_unusable_configuration_is_refused(config: StorageConfig) -> None:
    with pytest.raises(StorageConfigError):
        open_store(config)


def test_backends_are_imported_lazily(tmp_path: Path) -> None:
    """A file-store deployment never imports boto3."""
    code = (
        "import sys\n"
        "from storage import StorageConfig, open_store\n"
        f"open_store(StorageConfig(url='file://{tmp_path}', encryption_key=b'k' * 32))\n"
        "assert 'boto3' not in sys.modules and 'storage.s3' not in sys.modules, 'eager import'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
