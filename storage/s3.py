"""The ``s3://BUCKET/PREFIX`` backend (AWS S3 or a compatible server such as SeaweedFS).

Documents about children must never sit unencrypted, so every write asks for server-side
encryption and the answer is checked: an object the server stored without it is deleted
again and the write fails. botocore errors are translated here, at the edge, into the
``StorageError`` tree; nothing above ``storage/`` sees a botocore exception.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, NoReturn, cast

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from storage import streams
from storage.base import (
    EncryptionNotApplied,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    StorageConfig,
    StorageConfigError,
    StorageError,
    StorageUnavailable,
)
from storage.naming import check_content_type, check_key, check_metadata, check_prefix

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_SUPPORTED_SSE = ("AES256", "aws:kms", "aws:kms:dsse")
#: Our own metadata lives beside the caller's; user names get a prefix so they cannot clash.
_SHA256_META = "sha256"
_USER_META = "u-"
_READ_CHUNK = 1024 * 1024
_MIN_PART = 5 * 1024 * 1024
MAX_PRESIGN_SECONDS = 60

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404", "NoSuchVersion"})
_AUTH_CODES = frozenset({
    "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken",
    "TokenRefreshRequired", "AuthorizationHeaderMalformed", "InvalidSecurity", "AllAccessDisabled",
    "AccountProblem", "403", "401",
})
_TRANSIENT_CODES = frozenset({
    "SlowDown", "ServiceUnavailable", "RequestTimeout", "InternalError", "503", "500",
})


class S3Store(ObjectStore):
    scheme = "s3"

    def __init__(self, config: StorageConfig) -> None:
        self.bucket, self.prefix = _parse_url(config.url)
        if config.s3_sse not in _SUPPORTED_SSE:
            raise StorageConfigError(
                f"s3_sse must be one of {', '.join(_SUPPORTED_SSE)}; documents are never stored unencrypted"
            )
        if (config.s3_access_key_id is None) != (config.s3_secret_access_key is None):
            raise StorageConfigError("set both s3_access_key_id and s3_secret_access_key, or neither")
        if config.max_attempts < 1:
            raise StorageConfigError("max_attempts must be at least 1")
        self._sse = config.s3_sse
        extra = config.extra
        default_style = "path" if config.s3_endpoint_url else "auto"
        addressing = _addressing_style(extra.get("addressing_style", default_style))
        session = boto3.session.Session(
            aws_access_key_id=config.s3_access_key_id,
            aws_secret_access_key=config.s3_secret_access_key,
            region_name=config.s3_region,
        )
        client_config = Config(
            signature_version="s3v4",
            retries={"mode": "standard", "max_attempts": config.max_attempts},
            connect_timeout=float(extra.get("connect_timeout", "5")),
            read_timeout=float(extra.get("read_timeout", "60")),
            s3={"addressing_style": addressing},
        )
        self._client: S3Client = session.client(
            "s3", endpoint_url=config.s3_endpoint_url, config=client_config
        )
        threshold = max(config.multipart_threshold, _MIN_PART)
        self._multipart_threshold = threshold
        self._transfer = TransferConfig(
            multipart_threshold=threshold,
            multipart_chunksize=threshold,
            max_concurrency=4,
            use_threads=True,
        )
        self._region = config.s3_region
        if extra.get("create_bucket") == "true":
            self._ensure_bucket(create=True)

    # -- ObjectStore -----------------------------------------------------------------------

    def put(self, key: str, data: bytes | BinaryIO, *, content_type: str = "application/octet-stream",
            metadata: dict[str, str] | None = None) -> ObjectInfo:
        full_key = self._full_key(key)
        content_type = check_content_type(content_type)
        user_metadata = check_metadata(metadata)
        applied: str | None = None
        with _translated(key):
            if isinstance(data, bytes | bytearray | memoryview):
                sha256 = hashlib.sha256(data).hexdigest()
                size = memoryview(data).nbytes
                args = self._put_args(content_type, sha256, user_metadata)
                if size < self._multipart_threshold:
                    response = self._client.put_object(
                        Bucket=self.bucket, Key=full_key, Body=bytes(data), **args
                    )
                    applied = response.get("ServerSideEncryption")
                else:
                    self._upload(full_key, io.BytesIO(data), args)
            elif _seekable(data):
                # Hash first (one extra local read) so the digest travels with the object.
                start = data.tell()
                hashing = _HashingReader(data)
                while hashing.read(_READ_CHUNK):
                    pass
                sha256, size = hashing.hexdigest(), hashing.size
                data.seek(start)
                self._upload(full_key, data, self._put_args(content_type, sha256, user_metadata))
            else:
                # A one-pass stream: its digest is only known afterwards, so it is returned to
                # the caller but not recorded on the object (head() reports sha256=None).
                hashing = _HashingReader(data)
                self._upload(full_key, hashing, self._put_args(content_type, None, user_metadata))
                sha256, size = hashing.hexdigest(), hashing.size
            if applied != self._sse:
                head = self._client.head_object(Bucket=self.bucket, Key=full_key)
                applied = head.get("ServerSideEncryption")
            if applied != self._sse:
                self._remove(full_key)
                raise EncryptionNotApplied(
                    f"the S3 server did not apply server-side encryption {self._sse}; the object was removed"
                )
        return ObjectInfo(key=key, size=size, content_type=content_type, sha256=sha256, encrypted=True,
                          metadata=user_metadata)

    def open(self, key: str) -> BinaryIO:
        full_key = self._full_key(key)
        with _translated(key):
            response = self._client.get_object(Bucket=self.bucket, Key=full_key)
        body = response["Body"]
        recorded = response.get("Metadata", {}).get(_SHA256_META)

        def chunks() -> Iterator[bytes]:
            while True:
                with _translated(key):
                    chunk = body.read(_READ_CHUNK)
                if not chunk:
                    return
                yield chunk

        checked = streams.verified(chunks(), size=response.get("ContentLength"), sha256=recorded)
        return streams.reader(checked, on_close=body.close)

    def head(self, key: str) -> ObjectInfo:
        full_key = self._full_key(key)
        with _translated(key):
            response = self._client.head_object(Bucket=self.bucket, Key=full_key)
        stored = response.get("Metadata", {})
        return ObjectInfo(
            key=key,
            size=response.get("ContentLength", 0),
            content_type=response.get("ContentType", "application/octet-stream"),
            sha256=stored.get(_SHA256_META),
            encrypted=response.get("ServerSideEncryption") is not None,
            metadata={name[len(_USER_META):]: value for name, value in stored.items()
                      if name.startswith(_USER_META)},
        )

    def delete(self, key: str) -> None:
        full_key = self._full_key(key)
        with _translated(key):
            self._remove(full_key)

    def list(self, prefix: str = "") -> Iterator[str]:
        check_prefix(prefix)
        paginator = self._client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        with _translated(None):
            for page in pages:
                for entry in page.get("Contents", []):
                    name = entry.get("Key", "")
                    if name.startswith(self.prefix):
                        yield name[len(self.prefix):]

    def presigned_url(self, key: str, *, expires_in: int = MAX_PRESIGN_SECONDS) -> str | None:
        """A GET URL valid for at most 60 seconds (longer requests are shortened, not refused)."""
        full_key = self._full_key(key)
        seconds = max(1, min(int(expires_in), MAX_PRESIGN_SECONDS))
        with _translated(key):
            return self._client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": full_key}, ExpiresIn=seconds
            )

    def check(self) -> None:
        self._ensure_bucket(create=False)

    # -- internals -------------------------------------------------------------------------

    def _full_key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _put_args(
        self, content_type: str, sha256: str | None, user_metadata: dict[str, str]
    ) -> dict[str, Any]:
        stored = {_USER_META + name: value for name, value in user_metadata.items()}
        if sha256 is not None:
            stored[_SHA256_META] = sha256
        return {"ContentType": content_type, "ServerSideEncryption": self._sse, "Metadata": stored}

    def _upload(self, full_key: str, stream: BinaryIO | io.RawIOBase, args: dict[str, Any]) -> None:
        """Upload through boto3's transfer manager: multipart above the threshold, with retries."""
        # RawIOBase is an IO[bytes] at runtime; typeshed models the two separately.
        fileobj = cast(BinaryIO, stream)
        self._client.upload_fileobj(fileobj, self.bucket, full_key, ExtraArgs=args, Config=self._transfer)

    def _remove(self, full_key: str) -> None:
        """Delete a key so that nothing of it remains, whether or not the bucket keeps versions.

        A plain DELETE on a versioned bucket only adds a delete marker and keeps every old
        version readable, which is not deletion for personal data.
        """
        status = self._client.get_bucket_versioning(Bucket=self.bucket).get("Status")
        if status in ("Enabled", "Suspended"):
            self._delete_every_version(full_key)
        else:
            self._client.delete_object(Bucket=self.bucket, Key=full_key)

    def _delete_every_version(self, full_key: str) -> None:
        """Delete every version and delete marker of one key (a versioned bucket keeps them all)."""
        for _ in range(3):
            targets = self._versions(full_key)
            if not targets:
                return
            for start in range(0, len(targets), 1000):
                response = self._client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": targets[start:start + 1000], "Quiet": True}
                )
                if response.get("Errors"):
                    codes = sorted({error.get("Code", "?") for error in response["Errors"]})
                    raise StorageError(f"S3 refused to delete some versions ({', '.join(codes)})")
        if self._versions(full_key):
            raise StorageError("S3 still lists versions of the object after deleting them")

    def _versions(self, full_key: str) -> builtins.list[ObjectIdentifierTypeDef]:
        paginator = self._client.get_paginator("list_object_versions")
        found: builtins.list[ObjectIdentifierTypeDef] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full_key):
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if entry.get("Key") == full_key and "VersionId" in entry:
                    found.append({"Key": full_key, "VersionId": entry["VersionId"]})
        return found

    def _ensure_bucket(self, *, create: bool) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in ("404", "NoSuchBucket", "NotFound"):
                _raise_translated(exc, None)
        except (BotoCoreError, Boto3Error) as exc:
            _raise_translated(exc, None)
        if not create:
            raise StorageUnavailable(
                f"S3 bucket {self.bucket!r} does not exist; create it (mapdocs only creates buckets in tests)"
            )
        with _translated(None):
            if self._region and self._region != "us-east-1":
                self._client.create_bucket(
                    Bucket=self.bucket,
                    CreateBucketConfiguration={"LocationConstraint": self._region},  # type: ignore[typeddict-item]
                )
            else:
                self._client.create_bucket(Bucket=self.bucket)


class _HashingReader(io.RawIOBase):
    """A read-through, non-seekable wrapper that hashes and counts what the uploader consumes."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__()
        self._stream = stream
        self._digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self._stream.read(-1 if size is None else size)
        self._digest.update(chunk)
        self.size += len(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _addressing_style(value: str) -> Literal["auto", "virtual", "path"]:
    if value == "auto":
        return "auto"
    if value == "virtual":
        return "virtual"
    if value == "path":
        return "path"
    raise StorageConfigError("addressing_style must be auto, virtual or path")


def _seekable(stream: BinaryIO) -> bool:
    seekable = getattr(stream, "seekable", None)
    try:
        return bool(seekable()) if callable(seekable) else False
    except (OSError, ValueError):
        return False


def _parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket`` or ``s3://bucket/some/prefix`` → (bucket, "some/prefix/")."""
    scheme, sep, rest = url.partition("://")
    if scheme.lower() != "s3" or not sep:
        raise StorageConfigError("S3 storage URL must look like s3://bucket/optional/prefix")
    bucket, _, prefix = rest.partition("/")
    if not _BUCKET.fullmatch(bucket):
        raise StorageConfigError("S3 bucket names are 3-63 characters of a-z, 0-9, '.' and '-'")
    prefix = prefix.strip("/")
    if prefix:
        try:
            check_key(prefix)
        except StorageError:
            raise StorageConfigError("S3 storage URL prefix is not a valid key path") from None
        prefix += "/"
    return bucket, prefix


def _error_code(exc: ClientError) -> str:
    code = exc.response.get("Error", {}).get("Code")
    if code:
        return str(code)
    return str(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))


def _raise_translated(exc: Exception, key: str | None) -> NoReturn:
    """Turn a botocore/boto3 exception into the matching ``StorageError`` (no vendor text kept)."""
    if isinstance(exc, ClientError):
        code = _error_code(exc)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code == "NoSuchBucket":
            raise StorageUnavailable("the configured S3 bucket does not exist") from None
        if key is not None and (code in _NOT_FOUND_CODES or status == 404):
            raise ObjectNotFound(key) from None
        if code in _AUTH_CODES or status in (401, 403):
            raise StorageUnavailable(f"S3 refused our credentials or permissions ({code})") from None
        if code in _TRANSIENT_CODES or status >= 500:
            raise StorageUnavailable(f"S3 is unavailable ({code})") from None
        raise StorageError(f"S3 request failed ({code})") from None
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        raise StorageUnavailable("no S3 credentials configured or found") from None
    if isinstance(exc, BotoConnectionError):
        raise StorageUnavailable(f"cannot reach the S3 endpoint ({type(exc).__name__})") from None
    if isinstance(exc, HTTPClientError | IncompleteReadError):
        # Timeouts and dropped connections mid-response: transient, the caller may retry.
        raise StorageUnavailable(f"S3 connection failed mid-request ({type(exc).__name__})") from None
    raise StorageError(f"S3 request failed ({type(exc).__name__})") from None


@contextlib.contextmanager
def _translated(key: str | None) -> Iterator[None]:
    try:
        yield
    except (ClientError, BotoCoreError, Boto3Error) as exc:
        _raise_translated(exc, key)
