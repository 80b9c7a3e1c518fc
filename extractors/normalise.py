"""Normalisation of values read off a form, exactly as ``referral-record/1`` describes.

Every reader (Word, printed PDF, fillable PDF, OCR) ends with the same strings, so the
rules live here once: ISO dates read day first, null-ish answers ("N/A", "Not known")
to ``None``, postcodes, phone numbers and e-mails in one canonical shape, and one list
item per bullet, number or line.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata

NULLISH = frozenset(
    {
        "",
        "n/a",
        "na",
        "n.a",
        "n.a.",
        "not known",
        "unknown",
        "none",
        "-",
        "--",
        "—",
        "–",
        "not applicable",
        "null",
        "nil",
        "none known",
        "no one",
        "nobody",
        "not recorded",
        "not provided",
        "not given",
        "tbc",
        "n / a",
    }
)

_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
_MONTHS.update({name[:3]: number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9

#: list markers stripped from the start of an item: "1.", "1)", "(a)", "a)", "-", "•" …
#: (symbol fonts' bullets land in the Private Use Area: Word's U+F0B7 "•", U+F0A7 "§", U+F076 "v", …)
_MARKER = re.compile(
    r"^\s*(?:[•\-*–—·▪◦●○■□➢➤►▶‣⁃∙◆◇❖➔→⇒✓✔\ue000-\uf8ff]+"
    r"|\(?\d{1,2}[.)]|\(?[a-z][.)](?=\s)|\(?[ivx]{1,4}\)(?=\s))\s*",
    re.IGNORECASE,
)
_WS = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Trim, NFKC-normalise and collapse whitespace; null-ish answers become None."""
    if value is None:
        return None
    text = _WS.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    if is_nullish(text):
        return None
    return text


def is_nullish(text: str | None) -> bool:
    """True for blanks and the ways forms say "nothing here" (N/A, Not known, None)."""
    if text is None:
        return True
    key = _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower().rstrip(".:")
    return key in NULLISH


def strip_marker(item: str) -> str:
    """Remove one leading bullet or number marker ("1.", "2)", "-", "•")."""
    return _MARKER.sub("", item, count=1).strip()


def split_items(lines: list[str]) -> list[str]:
    """One item per logical line, markers stripped, null-ish lines dropped.

    A line holding several inline markers ("1. foo 2. bar") is split at them too, since
    some printed forms lose the line breaks of a list.
    """
    items: list[str] = []
    for line in lines:
        for piece in _split_inline_numbering(line):
            text = clean_text(strip_marker(piece))
            if text is not None:
                items.append(text)
    return items


_INLINE_NUM = re.compile(r"\s(?=(?:\d{1,2}[.)]|[•])\s+\S)")


def _split_inline_numbering(line: str) -> list[str]:
    stripped = line.strip()
    match = re.match(r"(\d{1,2})[.)]\s", stripped)
    if not match or match.group(1) != "1":
        return [line]
    pieces = _INLINE_NUM.split(stripped)
    # accept the split only if the numbers run 1, 2, 3 …
    expected = 1
    for piece in pieces:
        head = re.match(r"(\d{1,2})[.)]\s", piece)
        if not head or int(head.group(1)) != expected:
            return [line]
        expected += 1
    return pieces


_DATE_IN_TEXT = re.compile(
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:\d{4}|\d{2})\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Za-z]{3,9}\.?,?\s+\d{2,4}\b",
    re.IGNORECASE)


def parse_date(value: str | None, *, today: _dt.date | None = None) -> str | None:
    """A UK date in any common form → ``YYYY-MM-DD``; None when it is not a date.

    Day first always (12/03/2024 is 12 March). Two-digit years pivot on the current year.
    A date with a short aside ("EDD 14/02/2026", "1/2/2015 (age 9)") is read too.
    """
    text = clean_text(value)
    if text is None:
        return None
    today = today or _dt.date.today()
    exact = _parse_date_exact(text, today)
    if exact is not None:
        return exact
    found = list(_DATE_IN_TEXT.finditer(text))
    if len(found) == 1:
        rest = (text[: found[0].start()] + " " + text[found[0].end() :]).strip()
        if len(re.findall(r"[A-Za-z0-9]+", rest)) <= 3:
            return _parse_date_exact(found[0].group(0), today)
    return None


def _parse_date_exact(text: str, today: _dt.date) -> str | None:
    text = text.strip().rstrip(".")
    try:
        match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text)
        if match:
            return _dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        match = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})", text)
        if match:
            return _dt.date(_year(match[3], today), int(match[2]), int(match[1])).isoformat()
        words = re.sub(r"(?i)\b(\d{1,2})(st|nd|rd|th)\b", r"\1", text)
        words = re.sub(r"(?i)^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", words)
        words = re.sub(r"(?i)\bthe\b|\bof\b|,", " ", words)
        words = _WS.sub(" ", words).strip()
        match = re.fullmatch(r"(\d{1,2})[\s\-/]*([A-Za-z]+)\.?[\s\-/]*(\d{4}|\d{2})", words)
        if match and match[2].lower() in _MONTHS:
            return _dt.date(_year(match[3], today), _MONTHS[match[2].lower()], int(match[1])).isoformat()
        match = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})\s+(\d{4})", words)
        if match and match[1].lower() in _MONTHS:
            return _dt.date(int(match[3]), _MONTHS[match[1].lower()], int(match[2])).isoformat()
    except ValueError:
        return None
    return None


def _year(text: str, today: _dt.date) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= today.year % 100 else 1900
    return year


_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def normalise_postcode(value: str | None) -> str | None:
    """Upper case with one space before the inward code ("nw9 9yt" → "NW9 9YT")."""
    text = clean_text(value)
    if text is None:
        return None
    compact = re.sub(r"\s+", "", text).upper()
    if len(compact) > 3:
        return compact[:-3] + " " + compact[-3:]
    return compact


def looks_like_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(re.sub(r"\s+", "", value).upper()))


# OCR confuses letters and digits of the same shape. A code with a fixed pattern says which
# one each position holds, so a misread can be put right by position, and only there.
_AS_DIGIT = {"S": "5", "O": "0", "I": "1", "L": "1", "B": "8", "Z": "2"}
_AS_LETTER = {"0": "O", "5": "S", "1": "I", "8": "B", "£": "E", "7": "T", "2": "Z"}
#: UK postcode outward codes by length (L letter, D digit, A either), inward code is DLL
_OUTWARD_SHAPES = {2: ("LD",), 3: ("LDD", "LLD", "LDL"), 4: ("LLDD", "LLDL")}
#: a UPN: a check letter, eleven digits, then a digit or (temporary UPN) a letter
_UPN_SHAPE = "L" + "D" * 11 + "A"


def _fit(text: str, shape: str) -> tuple[str, int] | None:
    """``text`` read by ``shape`` position by position, with how many characters were changed."""
    out: list[str] = []
    changed = 0
    for char, kind in zip(text, shape, strict=True):
        if kind == "A" and char.isascii() and char.isalnum():
            fixed: str | None = char
        elif kind == "D":
            fixed = char if char.isdigit() else _AS_DIGIT.get(char)
        else:
            fixed = char if char.isascii() and char.isalpha() else _AS_LETTER.get(char)
        if fixed is None:
            return None
        changed += fixed != char
        out.append(fixed)
    return "".join(out), changed


def _read_by_shape(compact: str, shapes: tuple[str, ...]) -> tuple[str, bool] | None:
    """The one reading of ``compact`` that fits a shape with fewest changes; None if none or two tie."""
    fits = sorted({fit for shape in shapes if len(shape) == len(compact) and (fit := _fit(compact, shape))},
                  key=lambda fit: fit[1])
    if not fits or (len(fits) > 1 and fits[0][1] == fits[1][1]):
        return None
    return fits[0][0], fits[0][1] > 0


def read_postcode(value: str | None) -> tuple[str | None, bool]:
    """A postcode as ``normalise_postcode`` gives it, OCR letter/digit confusions put right by position.

    Returns ``(postcode, corrected)``: ``corrected`` is True when a character was changed
    ("E8 SFL" → "E8 5FL", "£2 2NQ" → "E2 2NQ"), so the caller can flag the value for review.
    Text that fits no postcode shape even after correction comes back as written.
    """
    text = clean_text(value)
    if text is None:
        return None, False
    compact = re.sub(r"\s+", "", text).upper()
    shapes = tuple(outward + "DLL" for outward in _OUTWARD_SHAPES.get(len(compact) - 3, ()))
    found = _read_by_shape(compact, shapes)
    if found is None:
        return normalise_postcode(text), False
    fixed, corrected = found
    return fixed[:-3] + " " + fixed[-3:], corrected


def read_upn(value: str | None) -> tuple[str | None, bool]:
    """A unique pupil number as ``normalise_code`` gives it, OCR confusions put right by position.

    Returns ``(upn, corrected)`` ("7682318722269" → ("T682318722269", True)); text that
    does not fit a UPN even after correction comes back as written, uncorrected.
    """
    code = normalise_code(value)
    if code is None:
        return None, False
    found = _read_by_shape(code, (_UPN_SHAPE,))
    return found if found is not None else (code, False)


def normalise_phone(value: str | None) -> str | None:
    """Digits only, a leading + kept ("+44 7557 824975" → "+447557824975")."""
    text = clean_text(value)
    if text is None:
        return None
    digits = re.sub(r"[^0-9+]", "", text)
    plus = digits.startswith("+")
    digits = digits.replace("+", "")
    if not digits:
        return None
    return ("+" if plus else "") + digits


def normalise_email(value: str | None) -> str | None:
    """Lower case, no surrounding whitespace or "mailto:"."""
    text = clean_text(value)
    if text is None:
        return None
    text = re.sub(r"(?i)^mailto:", "", text).replace(" ", "")
    return text.lower()


def normalise_digits(value: str | None) -> str | None:
    """NHS numbers: the digits only ("416 697 1131" → "4166971131")."""
    text = clean_text(value)
    if text is None:
        return None
    digits = re.sub(r"\D", "", text)
    return digits or None


def normalise_code(value: str | None) -> str | None:
    """UPNs and similar codes: no spaces, upper case."""
    text = clean_text(value)
    if text is None:
        return None
    return re.sub(r"\s+", "", text).upper()


def join_lines(lines: list[str], sep: str = " ") -> str | None:
    """Free text kept as one string: lines joined, whitespace collapsed."""
    parts = [part for part in (clean_text(line) for line in lines) if part]
    return clean_text(sep.join(parts)) if parts else None


def join_address(lines: list[str]) -> str | None:
    """An address over several lines → one line, parts joined with ', '."""
    parts: list[str] = []
    for line in lines:
        text = clean_text(line)
        if text:
            parts.append(text.rstrip(","))
    return ", ".join(parts) if parts else None
