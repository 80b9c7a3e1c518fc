"""PDF operations for panel packs: flatten forms, shrink scans, wrap images, assemble and stamp.

pypdf merges flat pages fast (20 x 6 pages in < 0.1 s) but slows twenty-fold when inputs
still carry AcroForm fields, so original forms are flattened first; scans are re-rendered
at 150 dpi greyscale JPEG so a 20-case pack stays under 10 MB; every page of a pack gets
"OFFICIAL-SENSITIVE" at top and bottom and "Page N of M", drawn once per page size with
ReportLab and placed as a form XObject (no content-stream parsing, so stamping stays cheap).

Not for accessible letters: pypdf's writer drops the structure tree of a tagged PDF, so
family letters go from LibreOffice to storage untouched.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar, cast

import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    RectangleObject,
    StreamObject,
)
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from extractors.pdfium_lock import PDFIUM_LOCK
from renderers.errors import PdfError, RenderError

log = logging.getLogger(__name__)

MARKING = "OFFICIAL-SENSITIVE"
A4 = (595.28, 841.89)
P = ParamSpec("P")
R = TypeVar("R")
_MAX_PIXELS = 60_000_000  # refuse decompression bombs well before Pillow's own limit


__all__ = ["MARKING", "PackPart", "PdfError", "assemble", "downsample_scanned", "flatten_form",
           "image_to_pdf"]


@dataclass(frozen=True, slots=True)
class PackPart:
    """One bookmarked piece of a pack: its own pages, then its children's (nested bookmarks)."""

    title: str
    pdf: bytes | None = None
    children: Sequence[PackPart] = field(default_factory=tuple)


_VENDOR_ERRORS = (PdfReadError, PyPdfError, pdfium.PdfiumError, ValueError, KeyError, TypeError,
                  AttributeError, IndexError, RecursionError, AssertionError, OSError)


def _translated(func: Callable[P, R]) -> Callable[P, R]:
    """Translate vendor errors at the edge: pypdf and pdfium read lazily, so damage shows anywhere."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except RenderError:
            raise
        except _VENDOR_ERRORS as exc:
            raise PdfError(f"a PDF in the pack could not be read ({type(exc).__name__})") from None
    return wrapper


def _reader(pdf: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted:
        # Owner-password-only files (print/copy restrictions) open with the empty password.
        try:
            opened = reader.decrypt("")
        except (PdfReadError, PyPdfError, NotImplementedError):
            opened = None
        if not opened:
            raise PdfError("a PDF in the pack is password-protected: ask for an unprotected copy")
    _ = reader.pages[0] if len(reader.pages) else None
    return reader


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- flattening ---------------------------------------------------------------------------------

def _appearance(annot: DictionaryObject) -> StreamObject | None:
    """The normal appearance a viewer shows for a widget (the /AS state for tick boxes)."""
    ap = annot.get("/AP")
    ap = ap.get_object() if ap is not None else None
    if not isinstance(ap, DictionaryObject):
        return None
    normal = ap.get("/N")
    if normal is None:
        return None
    normal = normal.get_object()
    if isinstance(normal, StreamObject):
        return normal
    if isinstance(normal, DictionaryObject):
        state = annot.get("/AS")
        chosen = normal.get(state) if state is not None else None
        chosen = chosen.get_object() if chosen is not None else None
        return chosen if isinstance(chosen, StreamObject) else None
    return None


def _placement(rect: RectangleObject, form: StreamObject) -> Transformation:
    """Matrix mapping the appearance's (transformed) BBox onto the widget Rect (PDF 32000 12.5.5)."""
    bbox = [float(v) for v in form.get("/BBox", [0, 0, 1, 1])]
    matrix = [float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0])]
    corners = [(bbox[0], bbox[1]), (bbox[2], bbox[1]), (bbox[0], bbox[3]), (bbox[2], bbox[3])]
    xs = [matrix[0] * x + matrix[2] * y + matrix[4] for x, y in corners]
    ys = [matrix[1] * x + matrix[3] * y + matrix[5] for x, y in corners]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    sx = float(rect.width) / width if width else 1.0
    sy = float(rect.height) / height if height else 1.0
    return Transformation().translate(-min(xs), -min(ys)).scale(sx, sy).translate(
        float(rect.left), float(rect.bottom))


class _Inliner:
    """Copies widget appearances into one page's content, renaming their resources.

    Inlining (rather than one form XObject per widget) matters for speed: a filled CAF has
    ~200 widgets, and 200 small objects per form made every later merge re-parse them all.
    Resources are shared by identity, so 200 appearances using one font add one font.
    """

    def __init__(self, writer: PdfWriter, page: PageObject) -> None:
        self.writer = writer
        resources = page.get("/Resources")
        self.resources = (DictionaryObject(resources.get_object()) if resources is not None
                          else DictionaryObject())
        page[NameObject("/Resources")] = self.resources
        self.names: dict[tuple[str, str], NameObject] = {}
        self.copied: set[str] = set()

    def _resource_name(self, category: str, raw: Any) -> NameObject:
        identity = (f"ref {raw.idnum}" if isinstance(raw, IndirectObject) else f"direct {raw!r}")
        key = (category, identity)
        if key not in self.names:
            if category not in self.copied:
                existing = self.resources.get(category)
                self.resources[NameObject(category)] = (DictionaryObject(existing.get_object())
                                                        if existing is not None else DictionaryObject())
                self.copied.add(category)
            target = cast(DictionaryObject, self.resources[category])
            name = NameObject(f"/MdW{len(self.names)}")
            target[name] = raw
            self.names[key] = name
        return self.names[key]

    def commands(self, form: StreamObject, placement: Transformation) -> bytes:
        rename: dict[str, NameObject] = {}
        resources = form.get("/Resources")
        if resources is not None:
            for category, entries in resources.get_object().items():
                entries = entries.get_object()
                if not isinstance(entries, DictionaryObject):
                    continue
                for name in entries:
                    rename[name] = self._resource_name(category, entries.raw_get(name))
        operations: list[tuple[Any, bytes]] = []
        depth = 0
        for operands, operator in ContentStream(form, self.writer).operations:
            if operator == b"q":
                depth += 1
            elif operator == b"Q":
                if depth == 0:
                    continue  # an unbalanced Q would undo the page's own state
                depth -= 1
            if operator != b"INLINE IMAGE":
                operands = [rename.get(o, o) if isinstance(o, NameObject) else o for o in operands]
            operations.append((operands, operator))
        operations.extend(([], b"Q") for _ in range(depth))
        body = ContentStream(None, self.writer)
        body.operations = operations
        matrix = " ".join(f"{float(v):g}" for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
        x0, y0, x1, y1 = (float(v) for v in form.get("/BBox", [0, 0, 0, 0]))
        clip = f"{x0:g} {y0:g} {x1 - x0:g} {y1 - y0:g} re W n"
        return f"q {placement._to_cm()} {matrix} cm {clip}\n".encode() + body.get_data() + b"\nQ"


@_translated
def flatten_form(pdf: bytes) -> bytes:
    """Bake every form widget's appearance into its page and drop the fields.

    What a reader saw (typed text, ticked boxes) stays, as page content that text
    extraction still finds; the /AcroForm dictionary and widget annotations go, so later
    merges are fast and nobody edits a panel's copy. Hidden widgets are dropped unseen.
    A PDF without fields is returned unchanged.
    """
    reader = _reader(pdf)
    if "/AcroForm" not in reader.root_object:
        return pdf
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        commands: list[bytes] = []
        inliner = _Inliner(writer, page)
        for ref in annots.get_object():
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                kept.append(ref)
                continue
            hidden = int(annot.get("/F", 0)) & 2
            form = _appearance(annot)
            if hidden or form is None or "/Rect" not in annot:
                continue
            rect = RectangleObject(annot["/Rect"])
            if float(rect.width) <= 0 or float(rect.height) <= 0:
                continue
            try:
                commands.append(inliner.commands(form, _placement(rect, form)))
            except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError):
                log.warning("skipped a form widget whose appearance could not be read")
        if commands:
            _wrap_and_append(writer, page, b"\n".join(commands))
        if kept:
            page[NameObject("/Annots")] = kept
        else:
            del page[NameObject("/Annots")]
    del writer.root_object[NameObject("/AcroForm")]
    writer.compress_identical_objects()  # the appearance streams are unreferenced now
    return _write(writer)


def _own_resource(page: PageObject, category: str) -> DictionaryObject:
    """The page's own resource dictionary of ``category`` (/XObject, /Font), unshared.

    Producers often share one /Resources between all pages; a name added for one page
    must not reach the others.
    """
    resources = page.get("/Resources")
    own = DictionaryObject(resources.get_object()) if resources is not None else DictionaryObject()
    entries = own.get(category)
    own[NameObject(category)] = (DictionaryObject(entries.get_object()) if entries is not None
                                 else DictionaryObject())
    page[NameObject("/Resources")] = own
    return cast(DictionaryObject, own[category])


def _wrap_and_append(writer: PdfWriter, page: PageObject, extra: bytes) -> None:
    """Append drawing commands after the page's own, isolated by q/Q, without parsing it."""
    before = DecodedStreamObject()
    before.set_data(b"q\n")
    after = DecodedStreamObject()
    after.set_data(b"\nQ\n" + extra + b"\n")
    parts: list[Any] = [writer._add_object(before)]
    if "/Contents" in page:
        contents = page.raw_get("/Contents")  # keep references: resolving would copy the streams
        existing = contents.get_object()
        if isinstance(existing, ArrayObject):
            parts.extend(existing)
        else:
            parts.append(contents if isinstance(contents, IndirectObject) else writer._add_object(existing))
    parts.append(writer._add_object(after.flate_encode()))
    page[NameObject("/Contents")] = ArrayObject(parts)


# --- scans and images ---------------------------------------------------------------------------

def _jpeg(image: Image.Image, greyscale: bool, quality: int) -> tuple[bytes, str]:
    image = ImageOps.exif_transpose(image) or image
    if greyscale:
        image = image.convert("L")
    elif image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue(), "/DeviceGray" if image.mode == "L" else "/DeviceRGB"


def _image_page(writer: PdfWriter, jpeg: bytes, colour: str, pixels: tuple[int, int],
                box: tuple[float, float], fit: tuple[float, float, float, float] | None = None) -> PageObject:
    """A page of size ``box`` showing one JPEG, stretched over ``fit`` (x, y, w, h) or the page."""
    image = StreamObject()
    image._data = jpeg
    image.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Image"),
        NameObject("/Width"): NumberObject(pixels[0]), NameObject("/Height"): NumberObject(pixels[1]),
        NameObject("/ColorSpace"): NameObject(colour), NameObject("/BitsPerComponent"): NumberObject(8),
        NameObject("/Filter"): NameObject("/DCTDecode"),
    })
    page = PageObject.create_blank_page(writer, width=box[0], height=box[1])
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
        {NameObject("/Scan"): writer._add_object(image)})})
    x, y, w, h = fit or (0.0, 0.0, box[0], box[1])
    content = DecodedStreamObject()
    content.set_data(f"q {w:.2f} 0 0 {h:.2f} {x:.2f} {y:.2f} cm /Scan Do Q".encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    return page


def _is_scanned(page: PageObject) -> bool:
    """A page whose biggest image could be the whole page at >= 100 dpi: a scan, not a logo."""
    width_in, height_in = float(page.mediabox.width) / 72, float(page.mediabox.height) / 72
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        for ref in xobjects.get_object().values():
            xobj = ref.get_object()
            if xobj.get("/Subtype") != "/Image":
                continue
            w, h = int(xobj.get("/Width", 0)), int(xobj.get("/Height", 0))
            short_px, long_px = sorted((w, h))
            short_in, long_in = sorted((width_in, height_in))
            if short_px >= 0.8 * short_in * 100 and long_px >= 0.8 * long_in * 100:
                return True
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return False


@_translated
def downsample_scanned(pdf: bytes, dpi: int = 150, greyscale: bool = True, quality: int = 60) -> bytes:
    """Re-render scanned pages as ``dpi`` JPEG (greyscale by default); other pages untouched.

    A 300-dpi colour scan is ~1 MB a page; at 150 dpi greyscale quality 60 it is ~100 kB
    and still readable on screen and in print. A scan's invisible OCR text layer is not
    kept (packs are for reading; the extracted record holds the data). Pages are rendered
    one at a time so memory stays at one page's bitmap.
    """
    reader = _reader(pdf)
    scanned = [i for i, page in enumerate(reader.pages) if _is_scanned(page)]
    if not scanned:
        return pdf
    writer = PdfWriter(clone_from=reader)
    with PDFIUM_LOCK:  # PDFium is not thread-safe (see extractors.pdfium_lock)
        document = pdfium.PdfDocument(pdf)
        try:
            for index in scanned:
                page = document[index]
                try:
                    bitmap = page.render(scale=dpi / 72, grayscale=greyscale, rotation=0)
                    image = bitmap.to_pil()
                    box = (float(page.get_width()), float(page.get_height()))
                finally:
                    page.close()
                jpeg, colour = _jpeg(image, greyscale, quality)
                _replace_page(writer, index, _image_page(writer, jpeg, colour, image.size, box), box)
        finally:
            document.close()
    writer.compress_identical_objects()  # defaults: drop duplicates and the replaced images
    return _write(writer)


def _replace_page(writer: PdfWriter, index: int, new: PageObject, box: tuple[float, float]) -> None:
    """Give page ``index`` the new page's content and size, keeping its place and outline."""
    old = writer.pages[index]
    old[NameObject("/Resources")] = new.raw_get("/Resources")
    old[NameObject("/Contents")] = new.raw_get("/Contents")
    old[NameObject("/MediaBox")] = RectangleObject([0, 0, box[0], box[1]])
    for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox", "/Rotate"):
        if key in old:
            del old[NameObject(key)]


@_translated
def image_to_pdf(image_bytes: bytes, dpi: int = 150, greyscale: bool = False, quality: int = 75) -> bytes:
    """PNG/JPEG/TIFF (every frame) -> PDF pages: A4, portrait or landscape to suit, image fitted.

    Images larger than ``dpi`` at A4 are scaled down first, so a phone photo of a form
    does not put 12 MB into a pack.
    """
    try:
        opened = Image.open(io.BytesIO(image_bytes))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PdfError("the image could not be read (PNG, JPEG or TIFF expected)") from None
    writer = PdfWriter()
    with opened:
        for frame_no in range(getattr(opened, "n_frames", 1)):
            opened.seek(frame_no)
            if opened.width * opened.height > _MAX_PIXELS:
                raise PdfError("the image is too large to include")
            frame = ImageOps.exif_transpose(opened.copy()) or opened.copy()
            landscape = frame.width > frame.height
            box = (A4[1], A4[0]) if landscape else A4
            margin = 18.0
            scale = min((box[0] - 2 * margin) / frame.width, (box[1] - 2 * margin) / frame.height)
            w, h = frame.width * scale, frame.height * scale
            max_px = (int(w / 72 * dpi), int(h / 72 * dpi))
            if frame.width > max_px[0]:
                frame = frame.resize(max_px, Image.Resampling.LANCZOS)
            if frame.mode in ("RGBA", "LA", "P"):
                background = Image.new("RGB", frame.size, "white")
                rgba = frame.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                frame = background
            jpeg, colour = _jpeg(frame, greyscale, quality)
            fit = ((box[0] - w) / 2, (box[1] - h) / 2, w, h)
            writer.add_page(_image_page(writer, jpeg, colour, frame.size, box, fit))
    return _write(writer)


# --- assembling ---------------------------------------------------------------------------------

def _leaves(parts: Sequence[PackPart]) -> Iterator[PackPart]:
    for part in parts:
        yield part
        yield from _leaves(part.children)


def _marking_form(writer: PdfWriter, width: float, height: float, marking: str) -> IndirectObject:
    """Form XObject for one page size: the marking centred at top and bottom on white (ReportLab)."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    label_width = pdfmetrics.stringWidth(marking, "Helvetica-Bold", 9) + 12
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect((width - label_width) / 2, height - 20, label_width, 14, stroke=0, fill=1)
    pdf.rect((width - label_width) / 2, 6, label_width, 14, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawCentredString(width / 2, height - 16, marking)
    pdf.drawCentredString(width / 2, 10, marking)
    pdf.showPage()
    pdf.save()
    stamp = PdfReader(io.BytesIO(out.getvalue())).pages[0]
    contents = stamp.get_contents()
    form = DecodedStreamObject()
    form.set_data(contents.get_data() if contents is not None else b"")
    form.update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width),
                                          FloatObject(height)]),
        NameObject("/Resources"): cast(DictionaryObject, stamp["/Resources"]).clone(writer),
    })
    return writer._add_object(form.flate_encode())


def _page_number(width: float, number: int, total: int) -> bytes:
    """Drawing commands for "Page N of M", bottom right on white, in the pack's own Helvetica."""
    label = f"Page {number} of {total}"
    text_width = pdfmetrics.stringWidth(label, "Helvetica", 8)
    x = width - 14 - text_width
    return (f"1 g {x - 4:.2f} 6 {text_width + 8:.2f} 12 re f 0 g "
            f"BT /MdHelv 8 Tf {x:.2f} 9 Td ({label}) Tj ET").encode()


def _visible_size(page: PageObject) -> tuple[float, float, float, float, int]:
    box = page.cropbox
    rotation = (page.rotation or 0) % 360
    return float(box.left), float(box.bottom), float(box.width), float(box.height), rotation


def _stamp_matrix(left: float, bottom: float, width: float, height: float, rotation: int) -> str:
    """Matrix placing an upright overlay of the visible size onto a page stored with /Rotate."""
    if rotation == 90:
        return f"0 1 -1 0 {left + width:.2f} {bottom:.2f}"
    if rotation == 180:
        return f"-1 0 0 -1 {left + width:.2f} {bottom + height:.2f}"
    if rotation == 270:
        return f"0 -1 1 0 {left:.2f} {bottom + height:.2f}"
    return f"1 0 0 1 {left:.2f} {bottom:.2f}"


@_translated
def assemble(parts: Sequence[PackPart], marking: str = MARKING, title: str | None = None) -> bytes:
    """Merge parts into one PDF with an outline entry per part and every page stamped.

    Inputs that still carry form fields are flattened first (merging them is 20x slower);
    outlines of the inputs are not carried over, only ours.
    """
    writer = PdfWriter()
    starts: dict[int, int] = {}
    for part in _leaves(parts):
        starts[id(part)] = len(writer.pages)
        if part.pdf is None:
            continue
        reader = _reader(part.pdf)
        if "/AcroForm" in reader.root_object:
            reader = _reader(flatten_form(part.pdf))
        writer.append(reader, import_outline=False)
    total = len(writer.pages)
    if total == 0:
        raise PdfError("the pack has no pages")

    def outline(items: Sequence[PackPart], parent: Any = None) -> None:
        for item in items:
            start = starts[id(item)]
            if start >= total:
                continue
            node = writer.add_outline_item(title=item.title, page_number=start, parent=parent)
            outline(item.children, node)

    outline(parts)
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding")}))
    forms: dict[tuple[float, float], IndirectObject] = {}
    for number, page in enumerate(writer.pages, start=1):
        left, bottom, width, height, rotation = _visible_size(page)
        upright = (width, height) if rotation in (0, 180) else (height, width)
        if upright not in forms:
            forms[upright] = _marking_form(writer, upright[0], upright[1], marking)
        _own_resource(page, "/XObject")[NameObject("/MdMarking")] = forms[upright]
        _own_resource(page, "/Font")[NameObject("/MdHelv")] = font
        matrix = _stamp_matrix(left, bottom, width, height, rotation)
        _wrap_and_append(writer, page, f"q {matrix} cm /MdMarking Do ".encode()
                         + _page_number(upright[0], number, total) + b" Q")
    writer.page_mode = "/UseOutlines"
    if title:
        writer.add_metadata({"/Title": title})
    return _write(writer)


