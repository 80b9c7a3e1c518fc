"""Every dev-corpus truth record evaluates under every panel; a recorded harm concern always refers."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from service.rules import Route, evaluate
from service.rules.catalogue import Catalogue
from tests.rules.records import FULL_CONFIDENCE, SLUGS

SHARED = Path(
    os.environ.get("MAPDOCS_SHARED_DIR", Path(__file__).resolve().parents[2] / ".." / "shared")
)
TRUTHS = sorted((SHARED / "corpus" / "dev").glob("*.truth.json"))


@pytest.mark.corpus
@pytest.mark.skipif(not TRUTHS, reason="dev corpus not found (set MAPDOCS_SHARED_DIR)")
@pytest.mark.parametrize("slug", SLUGS)
def test_truth_records_route_under_every_panel(catalogue: Catalogue, slug: str) -> None:
    routes = set()
    for path in TRUTHS:
        record = json.loads(path.read_text(encoding="utf-8"))
        received = dt.datetime.fromisoformat(
            record.get("assessment_date") or "2024-03-01"
        ) + dt.timedelta(days=3)
        evaluation = evaluate(
            record,
            profile=catalogue.profile_for(slug),
            panel=catalogue.panel(slug),
            confidence=FULL_CONFIDENCE,
            uploaded_at=received,
        )
        if record["safeguarding"]["significant_harm_concern"] is True:
            assert evaluation.route is Route.REFER_TO_SOCIAL_CARE_NOW, path.name
        if record["safeguarding"]["significant_harm_concern"] is None:
            assert evaluation.route is Route.NEEDS_REVIEW, path.name
        routes.add(evaluation.route)
    assert Route.READY_FOR_PANEL in routes or slug in ("barnet-map", "luton-afsp")
