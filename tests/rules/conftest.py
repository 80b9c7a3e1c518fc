"""Fixtures for the rules engine: the shipped catalogue and a runner with full confidence by default."""

from __future__ import annotations

from typing import Any

import pytest

from service.rules import Evaluation, TriageFacts, evaluate, load_catalogue
from service.rules.catalogue import BUILTIN_DIR, Catalogue
from tests.rules.records import FULL_CONFIDENCE, UPLOADED, Run, clean_record


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue([BUILTIN_DIR])


@pytest.fixture
def run(catalogue: Catalogue) -> Run:
    def _run(
        slug: str,
        record: dict[str, Any] | None = None,
        *,
        triage: TriageFacts | None = None,
        confidence: dict[str, float] | None = None,
        **kwargs: Any,
    ) -> Evaluation:
        return evaluate(
            record if record is not None else clean_record(slug),
            profile=catalogue.profile_for(slug),
            panel=catalogue.panel(slug),
            triage=triage or TriageFacts(),
            confidence=FULL_CONFIDENCE if confidence is None else confidence,
            uploaded_at=kwargs.pop("uploaded_at", UPLOADED),
            **kwargs,
        )

    return _run
