from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from renderers.context import age_label, age_on, document_context, initials, long_date


@pytest.mark.parametrize(("name", "expected"), [
    ("amira khan", "A.K."), ("Mary-Jane Obi", "M.J.O."), ("Lars van der Berg", "L.B."),
    ("  ", "?"), ("Seán O'Neill", "S.O."), ("Zoë", "Z."),
])
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


def test_age_on_birthday_edges() -> None:
    dob = date(2016, 3, 3)
    assert age_on(dob, date(2026, 3, 2)) == 9
    assert age_on(dob, date(2026, 3, 3)) == 10
    assert age_on(date(2016, 2, 29), date(2026, 2, 28)) == 9
    assert age_on(date(2016, 2, 29), date(2026, 3, 1)) == 10


def test_age_label() -> None:
    on = date(2026, 3, 3)
    assert age_label(date(2025, 7, 10), on) == "7 months"
    assert age_label(date(2026, 2, 3), on) == "1 month"
    assert age_label(date(2026, 9, 1), on) == "unborn"
    assert age_label(None, on) == "not known"
    assert age_label(date(2019, 1, 1), on) == "7"


def test_long_date() -> None:
    assert long_date(date(2026, 3, 3)) == "Tuesday 3 March 2026"


def test_contexts_are_frozen() -> None:
    @document_context
    class Ctx:
        a: str

    ctx = Ctx(a="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.a = "y"  # type: ignore[misc]
