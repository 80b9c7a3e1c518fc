"""What only the ``s3://`` backend promises, checked against a real SeaweedFS server."""

from __future__ import annotations

import dataclasses
import os
import socket
from typing import Any

import pytest
from seaweed import SeaweedServer

from storage import IntegrityError, StorageConfig, StorageUnavailable, open_store
from storage.s3 import S3Store

pytestmark = pytest.mark.s3


@pytest.fixture
def s3(s3_config: StorageConfig) -> S3Store:
    store = open_store(s3_config)
    assert isinstance(store, S3Store)
    return store


def test_objects_are_stored_with_server_side_encryption(s3: S3Store, seaweedfs: SeaweedServer) -> None:
    s3.put("sse/small", b"small document")
    s3.put("sse/big", os.urandom(9 * 1024 * 1024))  # above the 8 MiB multipart threshold
    client = seaweedfs.client()
    for key in ("sse/small", "sse/big"):
        head = client.head_object(Bucket=s3.bucket, Key=s3.prefix + key)
        assert head["ServerSideEncryption"] == "AES256"
    assert s3.head("sse/small").encrypted


def test_large_objects_use_multipart_upload(s3: S3Store, seaweedfs: SeaweedServer) -> None:
    s3.put("mp/object", os.urandom(10 * 1024 * 1024 + 1))
    head = seaweedfs.client().head_object(Bucket=s3.bucket, Key=s3.prefix + "mp/object")
    assert head["ETag"].strip('"').endswith("-2")  # multipart ETags end in -<parts>


def test_keys_live_under_the_configured_prefix(s3: S3Store, seaweedfs: SeaweedServer) -> None:
    s3.put("originals/ab/x", b"x")
    assert s3.prefix.startswith("mapdocs/") and s3.prefix.endswith("/")
    listed = seaweedfs.client().list_objects_v2(Bucket=s3.bucket, Prefix="mapdocs/")
    assert s3.prefix + "originals/ab/x" in [entry["Key"] for entry in listed["Contents"]]
    assert list(s3.list()) == ["originals/ab/x"]


@pytest.fixture
def versioned(s3_own_bucket_config: StorageConfig, seaweedfs: SeaweedServer) -> tuple[S3Store, Any]:
    """A store on a bucket of its own with versioning on, and a raw client to inspect that bucket."""
    s3 = open_store(s3_own_bucket_config)
    assert isinstance(s3, S3Store)
    client = seaweedfs.client()
    client.put_bucket_versioning(Bucket=s3.bucket, VersioningConfiguration={"Status": "Enabled"})
    return s3, client


def test_delete_removes_every_version_in_a_versioned_bucket(versioned: tuple[S3Store, Any]) -> None:
    s3, client = versioned
    full_key = s3.prefix + "v/doc"
    for version in range(3):
        s3.put("v/doc", f"version {version}".encode())
    client.delete_object(Bucket=s3.bucket, Key=full_key)  # leaves a delete marker behind
    s3.put("v/doc", b"version 4")
    s3.put("v/keep", b"another key, untouched")

    def versions(key: str) -> list[str]:
        listing = client.list_object_versions(Bucket=s3.bucket, Prefix=key)
        entries = [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]
        return [entry["VersionId"] for entry in entries if entry["Key"] == key]

    assert len(versions(full_key)) == 5
    s3.delete("v/doc")
    assert versions(full_key) == []
    assert not s3.exists("v/doc")
    assert s3.get_bytes("v/keep") == b"another key, untouched"
    assert len(versions(s3.prefix + "v/keep")) == 1


def test_delete_removes_old_versions_after_versioning_was_suspended(versioned: tuple[S3Store, Any]) -> None:
    s3, client = versioned
    s3.put("s/doc", b"kept while versioning was on")
    client.put_bucket_versioning(Bucket=s3.bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put("s/doc", b"written while suspended")
    s3.delete("s/doc")
    listing = client.list_object_versions(Bucket=s3.bucket, Prefix=s3.prefix + "s/doc")
    assert listing.get("Versions", []) == []
    assert listing.get("DeleteMarkers", []) == []


def test_reading_detects_an_object_replaced_behind_our_back(s3: S3Store, seaweedfs: SeaweedServer) -> None:
    info = s3.put("i/doc", b"genuine content")
    assert info.sha256 is not None
    seaweedfs.client().put_object(
        Bucket=s3.bucket, Key=s3.prefix + "i/doc", Body=b"forged content!",
        Metadata={"sha256": info.sha256}, ServerSideEncryption="AES256",
    )
    with pytest.raises(IntegrityError):
        s3.get_bytes("i/doc")


def test_wrong_secret_key_is_reported_as_unavailable(s3_config: StorageConfig) -> None:
    open_store(s3_config).check()  # the right credentials work
    bad = dataclasses.replace(s3_config, s3_secret_access_key="not-the-secret")
    with pytest.raises(StorageUnavailable, match="credentials"):
        open_store(bad).check()
    with pytest.raises(StorageUnavailable):
        open_store(bad).put("x/y", b"data")
    with pytest.raises(StorageUnavailable):
        open_store(bad).get_bytes("x/y")


def test_unknown_access_key_is_reported_as_unavailable(s3_config: StorageConfig) -> None:
    bad = dataclasses.replace(s3_config, s3_access_key_id="nobody-we-know")
    with pytest.raises(StorageUnavailable, match="credentials"):
        open_store(bad).check()
    with pytest.raises(StorageUnavailable):
        open_store(bad).head("x/y")


def test_missing_bucket_fails_check_unless_creation_is_allowed(s3_own_bucket_config: StorageConfig) -> None:
    no_create = dataclasses.replace(s3_own_bucket_config, extra={})
    with pytest.raises(StorageUnavailable, match="does not exist"):
        open_store(no_create).check()
    open_store(s3_own_bucket_config).check()  # create_bucket=true creates it
    open_store(no_create).check()


def test_unreachable_endpoint_is_reported_as_unavailable(s3_config: StorageConfig) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = dataclasses.replace(
        s3_config, s3_endpoint_url=f"http://127.0.0.1:{port}", max_attempts=2, extra={"connect_timeout": "1"}
    )
    store = open_store(dead)
    with pytest.raises(StorageUnavailable, match="cannot reach"):
        store.check()
    with pytest.raises(StorageUnavailable):
        store.get_bytes("x/y")


def test_presigned_url_is_clamped_to_sixty_seconds(s3: S3Store) -> None:
    s3.put("p/x", b"x")
    assert "X-Amz-Expires=60" in (s3.presigned_url("p/x", expires_in=86_400) or "")
    assert "X-Amz-Expires=5" in (s3.presigned_url("p/x", expires_in=5) or "")
