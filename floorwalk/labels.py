"""QR labels for stations: a PNG or SVG each, and printable PDF sheets (A4 or US Letter).

Each label's QR code (error correction Q, so a scuffed label still reads) encodes
``{public_url}/s/{code}``: a phone's own camera app opens the station in floorwalk too.
The symbol is printed 30 mm wide (the design asks for at least 25 mm), plus its quiet
zone. PDF sheets are drawn as vectors with fpdf2 (pure Python), so they print sharp on
any printer. Their text, and the PNG's, is set in DejaVu Sans (Latin, Greek, Cyrillic
and more), which the front-end build copies from the npm package ``dejavu-fonts-ttf``;
without a build, PDF text falls back to the core Helvetica (Latin-1 only, other
characters print as '?') and PNG text to Pillow's own font.
"""

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_Q
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import Area, Station
from .settings import check_public_url, public_url

QUIET_ZONE = 4  # modules of blank margin, as the QR standard asks
QR_MM = 30.0  # width of the symbol itself on a sheet
PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
MARGIN_MM = 10.0
COLUMNS, ROWS = 2, 5
PNG_DPI = 300
FONT_DIR = Path(__file__).parent / "static" / "dist" / "fonts"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


class LabelError(ValueError):
    """Labels cannot be made as asked (no public URL, no station), with a message."""

    field: str | None = None  # the whole form's, as every refusal says where it belongs


@dataclass(frozen=True)
class Label:
    code: str
    name: str
    area: str
    url: str


NO_PUBLIC_URL = (
    "No public URL is set, so labels cannot say where floorwalk is: set one with "
    "`floorwalk settings set public_url https://…` (or FLOORWALK_PUBLIC_URL)."
)


def station_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/s/{code}"


def labels_base_url(session: Session, configured: str = "") -> str:
    """The public URL labels encode: the plant setting, else FLOORWALK_PUBLIC_URL
    (``configured``), checked as the setting is. LabelError without one: a label never
    takes the address a request came in on, which its Host header decides."""
    url = public_url(session)
    if url:
        return url
    if not configured:
        raise LabelError(NO_PUBLIC_URL)
    try:
        return check_public_url(configured)
    except ValueError as error:
        raise LabelError(f"FLOORWALK_PUBLIC_URL: {error}") from None


def station_label(station: Station, public_url: str) -> Label:
    if not public_url:
        raise LabelError(NO_PUBLIC_URL)
    return Label(
        station.code, station.name, station.area.name, station_url(public_url, station.code)
    )


def stations_for_labels(
    session: Session, codes: tuple[str, ...] | list[str] = (), area: str | None = None
) -> list[Station]:
    """The active stations to label: those named (in that order), else an area's, else all."""
    query = select(Station).join(Station.area).options(selectinload(Station.area))
    query = query.where(Station.active).order_by(Area.name, Station.code)
    if area:
        if session.execute(select(Area.id).where(Area.name == area)).first() is None:
            raise LabelError(f"There is no area {area!r}.")
        query = query.where(Area.name == area)
    if not codes:
        return list(session.execute(query).scalars())
    found = {s.code: s for s in session.execute(query.where(Station.code.in_(codes))).scalars()}
    missing = [code for code in codes if code not in found]
    if missing:
        where = f" in {area}" if area else ""
        raise LabelError(f"No active station{where} with the code {', '.join(missing)}.")
    return [found[code] for code in dict.fromkeys(codes)]


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR symbol's modules, dark True, without a quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def dark_runs(matrix: list[list[bool]]):
    """(row, first column, length) of each horizontal run of dark modules."""
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


# PNG ----------------------------------------------------------------------------------


def label_png(label: Label, module_px: int = 12) -> bytes:
    """A label at 300 dpi: the QR on the left (about 33 mm with its margin), text right."""
    matrix = qr_matrix(label.url)
    side = (len(matrix) + 2 * QUIET_ZONE) * module_px
    text_width = int(side * 1.4)
    image = Image.new("L", (side + text_width, side), 255)
    draw = ImageDraw.Draw(image)
    offset = QUIET_ZONE * module_px
    for y, x, length in dark_runs(matrix):
        left, top = offset + x * module_px, offset + y * module_px
        draw.rectangle([left, top, left + length * module_px - 1, top + module_px - 1], fill=0)
    x = side
    y = offset
    lines = (
        (label.code, "B", side // 5),
        (label.name, "", side // 11),
        (label.area, "", side // 13),
    )
    for text, style, size in lines:
        font = fitted_font(draw, text, style, size, text_width - offset)
        draw.text((x, y), text, fill=0, font=font)
        y += int(size * 1.35)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(PNG_DPI, PNG_DPI), optimize=True)
    return out.getvalue()


def font_files() -> dict[str, Path] | None:
    """The label font's files by style ('' and 'B') as the build copied them, or None
    in a checkout that was never built."""
    files = {style: FONT_DIR / name for style, name in FONT_FILES.items()}
    return files if all(path.exists() for path in files.values()) else None


def fitted_font(draw: ImageDraw.ImageDraw, text: str, style: str, size: int, width: int):
    """The label font at ``size``, or smaller until ``text`` fits ``width`` pixels."""
    files = font_files()
    while True:
        if files:
            font = ImageFont.truetype(str(files[style]), size)
        else:
            font = ImageFont.load_default(size=size)
        if size <= 10 or draw.textlength(text, font=font) <= width:
            return font
        size = int(size * 0.9)


# SVG ----------------------------------------------------------------------------------


def label_svg(label: Label) -> str:
    """The label as SVG in millimetres, drawn with presentation attributes only (CSP)."""
    matrix = qr_matrix(label.url)
    module = QR_MM / len(matrix)
    side = QR_MM + 2 * QUIET_ZONE * module
    width, height = side + 55.0, side
    quiet = QUIET_ZONE * module
    path = "".join(
        f"M{quiet + x * module:.3f} {quiet + y * module:.3f}h{n * module:.3f}v{module:.3f}"
        f"h-{n * module:.3f}z"
        for y, x, n in dark_runs(matrix)
    )
    text_x = side + 1.0
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width:.1f}mm" height="{height:.1f}mm" viewBox="0 0 {width:.3f} {height:.3f}">'
        f'<rect width="{width:.3f}" height="{height:.3f}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/>'
        f'<g font-family="Helvetica, Arial, sans-serif" fill="#000">'
        f'<text x="{text_x:.3f}" y="{quiet + 8:.3f}" font-size="9" font-weight="bold">'
        f"{escape(label.code)}</text>"
        f'<text x="{text_x:.3f}" y="{quiet + 15:.3f}" font-size="4.2">{escape(label.name)}</text>'
        f'<text x="{text_x:.3f}" y="{quiet + 21:.3f}" font-size="3.6">{escape(label.area)}</text>'
        "</g></svg>"
    )


# PDF sheets ---------------------------------------------------------------------------


def latin1(text: str) -> str:
    """What the PDF core fonts can print: Latin-1, anything else as '?'."""
    return text.translate(TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


class LabelText:
    """The font that label text is set in on a PDF sheet, and the text it can print."""

    def __init__(self, pdf: FPDF):
        files = font_files()
        if files:
            for style, path in files.items():
                pdf.add_font("DejaVu", style, str(path))
            self.family, self.printable = "DejaVu", str
        else:
            self.family, self.printable = "Helvetica", latin1


def label_sheet_pdf(labels: list[Label], paper: str = "a4") -> bytes:
    """Labels on ``paper``, 2 across and 5 down, each in a light cutting frame."""
    if not labels:
        raise LabelError("No active station matches, so there are no labels to print.")
    page_w, page_h = PAPERS[paper]
    cell_w = (page_w - 2 * MARGIN_MM) / COLUMNS
    cell_h = (page_h - 2 * MARGIN_MM) / ROWS
    pdf = FPDF(unit="mm", format=(page_w, page_h))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    pdf.set_title("floorwalk station labels")
    pdf.set_creator("floorwalk")
    per_page = COLUMNS * ROWS
    text = LabelText(pdf)
    for index, label in enumerate(labels):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = MARGIN_MM + (slot % COLUMNS) * cell_w
        y = MARGIN_MM + (slot // COLUMNS) * cell_h
        draw_label(pdf, text, label, x, y, cell_w, cell_h)
    return bytes(pdf.output())


def draw_label(
    pdf: FPDF, text: LabelText, label: Label, x: float, y: float, w: float, h: float
) -> None:
    pdf.set_draw_color(190)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=1, gap=1)
    pdf.rect(x, y, w, h)
    pdf.set_dash_pattern()

    matrix = qr_matrix(label.url)
    module = QR_MM / len(matrix)
    quiet = QUIET_ZONE * module
    qr_x, qr_y = x + quiet, y + (h - QR_MM) / 2
    pdf.set_fill_color(0)
    for row, column, length in dark_runs(matrix):
        pdf.rect(qr_x + column * module, qr_y + row * module, length * module, module, style="F")

    text_x = qr_x + QR_MM + quiet
    text_w = x + w - text_x - 3
    pdf.set_text_color(0)
    top = y + (h - QR_MM) / 2
    for line, style, size, gap in (
        (label.code, "B", 24, 11),
        (label.name, "", 12, 6.5),
        (label.area, "", 10, 6),
        (label.url, "", 6.5, None),
    ):
        line = text.printable(line)
        pdf.set_font(text.family, style, fit_size(pdf, text.family, line, style, size, text_w))
        top = qr_y + QR_MM if gap is None else top + gap
        pdf.text(text_x, top, line)


def fit_size(pdf: FPDF, family: str, text: str, style: str, size: float, width: float) -> float:
    """``size`` points, or less so that ``text`` fits ``width`` millimetres."""
    pdf.set_font(family, style, size)
    text_width = pdf.get_string_width(text)
    return size if text_width <= width else max(4.0, size * width / text_width)
