"""What a field's confidence means (< 0.8 = flagged for review), in one place.

The scale is documented in ``extractors/README.md``: exact labels and clean values keep
1.0; keyword and close wording matches 0.85; looser wording, fallbacks (label and value
run together, a heuristic pairing, an unrecognised section), and values of the wrong
shape fall below the review line.
"""

from __future__ import annotations

#: confidence of consent inferred from a completed name/signature + date block
SIGNED_CONSENT_CONFIDENCE = 0.9
#: consent is inferred from a signed block only when its name and date labels were read this surely
SIGNED_BLOCK_MIN_CONFIDENCE = 0.85
#: confidence when a value fails its normalisation (kept as written)
UNPARSED_CONFIDENCE = 0.5
#: confidence of an empty field in a section where a label was not recognised
POSSIBLY_MISSED_CONFIDENCE = 0.6
#: a postcode or UPN read only after OCR letter/digit confusions were put right by position
CORRECTED_CONFIDENCE = 0.7
#: confidence when ticks contradict each other or cannot be read
AMBIGUOUS_CONFIDENCE = 0.3


def label_confidence(score: float) -> float:
    """Exact label → 1.0; a keyword or close wording match → 0.85; a looser one is worth a review."""
    if score >= 0.97:
        return 1.0
    if score >= 0.86:
        return 0.85
    return 0.7
