"""The packs package's errors: each carries its HTTP status and problem slug (``service.errors``)."""

from __future__ import annotations

from service.errors import ServiceError


class PacksError(ServiceError):
    """Base of this package's errors."""

    slug = "packs-error"
    status = 422
    title = "The agenda packs could not be made"


class NoPacksBuilt(PacksError):
    slug = "no-packs"
    status = 409
    title = "No packs have been built for this meeting yet: build them first"


class TooEarlyToSend(PacksError):
    slug = "too-early-to-send"
    status = 409
    title = "The panel circulates packs on a set working day; it has not come yet"


class PackNotFound(PacksError):
    slug = "not-found"
    status = 404
    title = "This meeting's latest build has no pack of that name"


class PackRenderFailed(PacksError):
    slug = "pack-render-failed"
    status = 500
    title = "The packs could not be rendered"
