from __future__ import annotations

import datetime as dt

import pytest

from extractors import normalise as nz

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("12/03/2024", "2024-03-12"),
        ("12.03.24", "2024-03-12"),
        ("12-3-2024", "2024-03-12"),
        ("12 March 2024", "2024-03-12"),
        ("12th March 2024", "2024-03-12"),
        ("12 Mar 2024", "2024-03-12"),
        ("2024-03-12", "2024-03-12"),
        ("1st Sept 2023", "2023-09-01"),
        ("Tuesday, 12 March 2024", "2024-03-12"),
        ("12/03/99", "1999-03-12"),
        ("March 12 2024", "2024-03-12"),
        (" 7/10/2020 ", "2020-10-07"),
    ],
)
def test_dates_day_first(text: str, iso: str) -> None:
    assert nz.parse_date(text, today=TODAY) == iso


@pytest.mark.parametrize("text", ["31/02/2024", "sometime in spring", "N/A", "", None, "12/13/2024"])
def test_not_a_date(text: str | None) -> None:
    assert nz.parse_date(text) is None


@pytest.mark.parametrize(
    "text", ["N/A", "n/a", "Not known", "none", "None.", "  ", "-", "Unknown", "not applicable"]
)
def test_nullish(text: str) -> None:
    assert nz.clean_text(text) is None


def test_whitespace_collapsed() -> None:
    assert nz.clean_text("  St  Thomas\tMore \n School ") == "St Thomas More School"


@pytest.mark.parametrize(
    ("text", "out"), [("nw9 9yt", "NW9 9YT"), ("E93TE", "E9 3TE"), ("sw1a  1aa", "SW1A 1AA")]
)
def test_postcodes(text: str, out: str) -> None:
    assert nz.normalise_postcode(text) == out
    assert nz.looks_like_postcode(out)


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("+44 7557 824975", "+447557824975"),
        ("(01604) 214764", "01604214764"),
        ("07708-230-339", "07708230339"),
        ("n/a", None),
    ],
)
def test_phones(text: str, out: str | None) -> None:
    assert nz.normalise_phone(text) == out


def test_email_lower_case() -> None:
    assert nz.normalise_email(" Louise.Okafor@Barnet.gov.uk ") == "louise.okafor@barnet.gov.uk"
    assert nz.normalise_email("mailto:A@B.COM") == "a@b.com"


def test_digits_and_codes() -> None:
    assert nz.normalise_digits("416 697 1131") == "4166971131"
    assert nz.normalise_code(" f3296 73623566 ") == "F329673623566"


@pytest.mark.parametrize(
    ("lines", "items"),
    [
        (["1. Rent arrears", "2. Low mood"], ["Rent arrears", "Low mood"]),
        (["1) Rent arrears", "2) Low mood"], ["Rent arrears", "Low mood"]),
        (["- Rent arrears", "• Low mood", "* Sleep"], ["Rent arrears", "Low mood", "Sleep"]),
        (["Rent arrears", "", "N/A"], ["Rent arrears"]),
        (["1. Rent arrears 2. Low mood 3. Sleep"], ["Rent arrears", "Low mood", "Sleep"]),
        (
            ["Overcrowding – 5 people in a two-bedroom flat"],
            ["Overcrowding – 5 people in a two-bedroom flat"],
        ),
        (["a) Rent", "b) Mood"], ["Rent", "Mood"]),
    ],
)
def test_one_item_per_line_markers_stripped(lines: list[str], items: list[str]) -> None:
    assert nz.split_items(lines) == items


def test_numbers_inside_an_item_are_kept() -> None:
    assert nz.split_items(["School attendance 82% this term", "5 people share 2 rooms"]) == [
        "School attendance 82% this term",
        "5 people share 2 rooms",
    ]


def test_address_lines_joined() -> None:
    assert (
        nz.join_address(["Flat 2", "111 Elliott Extensions,", "Northampton"])
        == "Flat 2, 111 Elliott Extensions, Northampton"
    )


@pytest.mark.parametrize(
    "marker",
    ["\uf0b7", "\uf0a7", "\uf076", "\uf0d8", "\u25aa", "\u27a2", "\u2713", "\u2192", "\u25c6", "\u2043"],
)
def test_symbol_font_and_other_bullets_are_list_markers(marker: str) -> None:
    assert nz.split_items([f"{marker} Rent arrears", f"{marker}\tLow mood"]) == ["Rent arrears", "Low mood"]


@pytest.mark.parametrize(
    ("text", "iso"),
    [("3rd of March 2024", "2024-03-03"), ("Tuesday 3rd March 2024", "2024-03-03"),
     ("March 3rd, 2024", "2024-03-03"), ("03-Mar-24", "2024-03-03")],
)
def test_more_written_dates(text: str, iso: str) -> None:
    assert nz.parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "out"),
    [("E8 SFL", "E8 5FL"), ("£2 2NQ", "E2 2NQ"), ("NNL 8BR", "NN1 8BR"), ("0X1 1AA", "OX1 1AA"),
     ("B1 I0B", "B1 1OB")],
)
def test_ocr_confusions_in_a_postcode_are_put_right_by_position_and_reported(text: str, out: str) -> None:
    assert nz.read_postcode(text) == (out, True)
    assert nz.looks_like_postcode(out)


@pytest.mark.parametrize(
    ("text", "out"), [("nw9 9yt", "NW9 9YT"), ("SW1A 1AA", "SW1A 1AA"), ("E8 5FL", "E8 5FL")]
)
def test_a_clean_postcode_is_not_reported_as_corrected(text: str, out: str) -> None:
    assert nz.read_postcode(text) == (out, False)


def test_text_that_fits_no_postcode_shape_is_kept_as_written() -> None:
    assert nz.read_postcode("see address") == (nz.normalise_postcode("see address"), False)
    assert nz.read_postcode(None) == (None, False)


@pytest.mark.parametrize(
    ("text", "out", "corrected"),
    [("7682318722269", "T682318722269", True), ("E3O2 1188 44019", "E302118844019", True),
     ("f3296 73623566", "F329673623566", False), ("A12345678901B", "A12345678901B", False),
     ("12345", "12345", False)],
)
def test_upn_confusions_are_put_right_by_position(text: str, out: str, corrected: bool) -> None:
    assert nz.read_upn(text) == (out, corrected)
