"""Regenerate the shipped blank forms from ``fields.json``: ``python -m form_templates.build``.

Writes ``caf.pdf``, ``caf.docx``, ``csf.pdf`` and ``csf.docx`` beside this module (or
into ``--out``). Builds are deterministic, so a test can rebuild into a temporary
folder and compare the shipped files byte for byte.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from form_templates.build_docx import build_docx
from form_templates.build_pdf import build_pdf
from form_templates.definition import Definition, load_definition

TEMPLATE_DIR = Path(__file__).resolve().parent


def template_path(form: str, suffix: str, directory: Path = TEMPLATE_DIR) -> Path:
    """Where the blank ``form`` ("CAF"/"CSF") is kept as ``suffix`` ("pdf"/"docx")."""
    return directory / f"{form.lower()}.{suffix}"


def build_all(out_dir: Path = TEMPLATE_DIR, definition: Definition | None = None) -> list[Path]:
    """Write every form in every format; returns the paths written."""
    definition = definition or load_definition()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for form in definition.forms:
        for suffix, build in (("pdf", build_pdf), ("docx", build_docx)):
            path = template_path(form, suffix, out_dir)
            path.write_bytes(build(definition, form))
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TEMPLATE_DIR, help="folder to write the forms into")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(path.name)


if __name__ == "__main__":
    main()
