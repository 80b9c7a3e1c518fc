from __future__ import annotations

import hashlib
import io
import re

import pytest

from storage import InvalidKey, StorageConfigError
from storage.keys import content_key, random_key, sha256_hex

SECRET = bytes(range(32))
KEY_SHAPE = re.compile(r"originals/([0-9a-f]{2})/([0-9a-f]{64})")


def test_content_key_shape_and_determinism() -> None:
    key = content_key(b"a completed form", secret=SECRET)
    match = KEY_SHAPE.fullmatch(key)
    assert match is not None
    assert match.group(2).startswith(match.group(1))
    assert content_key(b"a completed form", secret=SECRET) == key
    assert content_key(b"another form", secret=SECRET) != key


def test_content_key_does_not_reveal_the_plain_hash() -> None:
    data = b"a document someone else also holds"
    key = content_key(data, secret=SECRET)
    assert hashlib.sha256(data).hexdigest() not in key
    assert content_key(data, secret=b"another secret of 32 bytes......") != key


def test_content_key_from_bytes_or_digest_agree() -> None:
    data = b"streamed upload"
    digest = sha256_hex(io.BytesIO(data))
    assert digest == hashlib.sha256(data).hexdigest()
    assert content_key(digest, secret=SECRET) == content_key(data, secret=SECRET)


@pytest.mark.parametrize("digest", ["", "abc", "G" * 64, "A" * 64])
def test_content_key_rejects_malformed_digests(digest: str) -> None:
    with pytest.raises(InvalidKey):
        content_key(digest, secret=SECRET)


@pytest.mark.parametrize("secret", [b"", b"short"])
def test_content_key_refuses_weak_secrets(secret: bytes) -> None:
    with pytest.raises(StorageConfigError):
        content_key(b"x", secret=secret)


def test_namespace_is_validated() -> None:
    assert content_key(b"x", secret=SECRET, namespace="thumbs").startswith("thumbs/")
    for bad in ("", "../x", "A", "a/b"):
        with pytest.raises(InvalidKey):
            content_key(b"x", secret=SECRET, namespace=bad)
        with pytest.raises(InvalidKey):
            random_key(bad)


def test_random_keys_are_unique_and_well_formed() -> None:
    keys = {random_key("rendered", suffix=".pdf") for _ in range(200)}
    assert len(keys) == 200
    for key in keys:
        assert re.fullmatch(r"rendered/([0-9a-f]{2})/\1[0-9a-f]{30}\.pdf", key)
    with pytest.raises(InvalidKey):
        random_key("rendered", suffix="/../x")
