"""Valid one-page PDFs of about 1 MiB whose bytes all differ.

Each upload must be new bytes, otherwise the service answers from its dedupe path
(200, nothing stored) and the benchmark measures a lookup instead of an upload. The
page carries a line of text and a grey image of random pixels, so the file is a real
PDF a reader opens, not padding after ``%%EOF``.
"""

from __future__ import annotations

import os

IMAGE_WIDTH = 1024


def make_pdf(serial: int, size: int = 1024 * 1024) -> bytes:
    """A PDF of roughly ``size`` bytes; ``serial`` is printed on the page."""
    pixels_len = max(IMAGE_WIDTH, size - 1200)
    height = pixels_len // IMAGE_WIDTH
    pixels = os.urandom(IMAGE_WIDTH * height)
    content = (
        b"q 400 0 0 400 97 300 cm /Im1 Do Q\n"
        b"BT /F1 12 Tf 72 770 Td (mapdocs upload benchmark %08d) Tj ET\n" % serial
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (IMAGE_WIDTH, height, len(pixels))
        + pixels
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)
