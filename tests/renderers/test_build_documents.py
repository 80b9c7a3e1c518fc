from __future__ import annotations

from pathlib import Path

from form_templates.documents.build import BUILDERS, HERE, build_all
from renderers.kinds import CONTEXTS


def test_shipped_templates_match_their_builder(tmp_path: Path) -> None:
    """Run ``python -m form_templates.documents.build`` after changing the builder."""
    for path in build_all(tmp_path):
        assert path.read_bytes() == (HERE / path.name).read_bytes(), f"{path.name} is stale"


def test_every_builder_has_a_context() -> None:
    assert set(BUILDERS) == set(CONTEXTS)
