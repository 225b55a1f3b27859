"""QR labels for stations: a PNG or SVG each, and printable PDF sheets (A4 or US Letter).

Each label's QR code (error correction Q, so a scuffed label still reads) encodes
``{public_url}/s/{code}``: a phone's own camera app opens the station in floorwalk too.
The symbol is printed 30 mm wide (the design asks for at least 25 mm), plus its quiet
zone. On a sheet the station's name is set large (capital letters about 10 mm high, read
from 2 m), its code under it and the URL small under the code. PDF sheets are drawn as
vectors with fpdf2 (pure Python), so they print sharp on any printer. Their text, and
the PNG's, is set in DejaVu Sans (Latin, Greek, Cyrillic and more), which the front-end
build copies from the npm package ``dejavu-fonts-ttf``;
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

from .models import Area, Route, Station
from .settings import check_public_url, public_url

QUIET_ZONE = 4  # modules of blank margin, as the QR standard asks
QR_MM = 30.0  # width of the symbol itself on a sheet
PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}
MARGIN_MM = 10.0
ROWS = 5  # one label across the sheet, so that the name can be large
NAME_PT = 40.0  # DejaVu Sans Bold's capitals are 0.73 em: 40 pt is 10.3 mm high
NAME_LINES = 2
CODE_PT, AREA_PT, URL_PT = 20.0, 11.0, 8.0
PT_MM = 25.4 / 72
RULER_MM = 100
RULER_TEXT = (
    f"This line is {RULER_MM} mm long. If it measures otherwise, turn off 'fit to page' "
    "in the print dialog."
)
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


# Said where the admin is: the page beside a Public URL field, the command with how to
# set it from the command line (cli/data.py).
NO_PUBLIC_URL = "No public URL is set, so labels cannot say where floorwalk is."


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


def scale_check_label(stations: list[Station], public_url: str) -> Label:
    """The label on the test print page: the first station's, or a sample one when
    there is none yet (the printer can be checked before the stations are imported)."""
    if stations:
        return station_label(stations[0], public_url)
    return Label("SAMPLE-01", "Sample station", "Test print", station_url(public_url, "SAMPLE-01"))


def route_for_labels(session: Session, name: str | None = None, route_id: str | None = None):
    """The route asked for by name (command line) or id (pages); LabelError if none is."""
    if route_id is not None:
        route = session.get(Route, int(route_id)) if route_id.isdigit() else None
        asked = route_id
    else:
        route = session.execute(select(Route).where(Route.name == name)).scalar_one_or_none()
        asked = name
    if route is None:
        raise LabelError(f"There is no route {asked!r}.")
    return route


def route_stations(route: Route) -> list[Station]:
    """A route's active stations in walking order (the order of its stops)."""
    stations = [stop.station for stop in route.stops if stop.station.active]
    if not stations:
        raise LabelError(f"The route {route.name!r} has no active station to label.")
    return stations


def stations_for_labels(
    session: Session,
    codes: tuple[str, ...] | list[str] = (),
    area: str | None = None,
    route: Route | None = None,
) -> list[Station]:
    """The active stations to label: a route's in walking order, else those named (in
    that order), else an area's, else all."""
    if route is not None:
        if codes or area:
            raise LabelError(
                "A route's sheet holds its own stations in walking order: "
                "ask for a route, or for stations and an area, not both."
            )
        return route_stations(route)
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


def new_pdf(paper: str, title: str) -> tuple[FPDF, "LabelText"]:
    page_w, page_h = PAPERS[paper]
    pdf = FPDF(unit="mm", format=(page_w, page_h))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    pdf.set_title(title)
    pdf.set_creator("floorwalk")
    return pdf, LabelText(pdf)


def label_cell(paper: str) -> tuple[float, float]:
    """The width and height of one label on ``paper``: the sheet's width, a fifth of its height."""
    page_w, page_h = PAPERS[paper]
    return page_w - 2 * MARGIN_MM, (page_h - 2 * MARGIN_MM) / ROWS


def label_sheet_pdf(labels: list[Label], paper: str = "a4") -> bytes:
    """Labels on ``paper`` in the order given, 5 down a page, each in a light cutting frame."""
    if not labels:
        raise LabelError("No active station matches, so there are no labels to print.")
    pdf, text = new_pdf(paper, "floorwalk station labels")
    cell_w, cell_h = label_cell(paper)
    for index, label in enumerate(labels):
        if index % ROWS == 0:
            pdf.add_page()
        y = MARGIN_MM + (index % ROWS) * cell_h
        draw_label(pdf, text, label, MARGIN_MM, y, cell_w, cell_h)
    return bytes(pdf.output())


def scale_check_pdf(label: Label, paper: str = "a4") -> bytes:
    """One label as on a sheet and a ruler of RULER_MM millimetres, to check that the
    printer prints at scale (a dialog's 'fit to page' shrinks labels and their QR)."""
    pdf, text = new_pdf(paper, "floorwalk test print")
    pdf.add_page()
    cell_w, cell_h = label_cell(paper)
    draw_label(pdf, text, label, MARGIN_MM, MARGIN_MM, cell_w, cell_h)
    page_w, _ = PAPERS[paper]
    left, top = (page_w - RULER_MM) / 2, MARGIN_MM + cell_h + 25
    draw_ruler(pdf, text, left, top)
    pdf.set_font(text.family, "", 12)
    pdf.set_xy(MARGIN_MM + 10, top + 16)
    pdf.multi_cell(cell_w - 20, 6, RULER_TEXT, align="C")
    pdf.set_font(text.family, "", 10)
    width, height = PAPERS[paper]
    pdf.set_x(MARGIN_MM + 10)
    pdf.multi_cell(
        cell_w - 20,
        5,
        f"Paper: {'A4' if paper == 'a4' else 'US Letter'} ({width:g} × {height:g} mm). "
        f"The QR code above is {QR_MM:g} mm wide; a phone's camera opens {label.url}.",
        align="C",
    )
    return bytes(pdf.output())


def draw_ruler(pdf: FPDF, text: "LabelText", left: float, top: float) -> None:
    """A RULER_MM line (a filled bar, so that its drawn length is exactly its length)
    with a tick at every millimetre, longer at 5 and numbered at 10."""
    pdf.set_fill_color(0)
    pdf.rect(left, top, RULER_MM, 0.3, style="F")
    pdf.set_font(text.family, "", 7)
    for mm in range(RULER_MM + 1):
        length = 5.0 if mm % 10 == 0 else 3.5 if mm % 5 == 0 else 2.0
        pdf.rect(left + mm - 0.075, top - length, 0.15, length, style="F")
        if mm % 10 == 0:
            number = f"{mm} mm" if mm == RULER_MM else str(mm)
            pdf.text(left + mm - pdf.get_string_width(str(mm)) / 2, top - 6, number)


def draw_label(
    pdf: FPDF, text: LabelText, label: Label, x: float, y: float, w: float, h: float
) -> None:
    """The QR on the left; on its right the name large, the code and area under it, and
    the URL the code opens small at the bottom, the whole block centred in height."""
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

    text_x = qr_x + QR_MM + quiet + 2
    text_w = x + w - text_x - 4
    pdf.set_text_color(0)
    name_pt, lines = name_lines(pdf, text, text.printable(label.name), text_w)
    name_mm = name_pt * PT_MM
    code_gap, url_gap = CODE_PT * PT_MM * 1.5, URL_PT * PT_MM * 2
    block = 0.75 * name_mm + (len(lines) - 1) * 1.1 * name_mm + code_gap + url_gap
    baseline = y + (h - block) / 2 + 0.75 * name_mm
    for line in lines:
        pdf.text(text_x, baseline, line)
        baseline += 1.1 * name_mm
    baseline += code_gap - 1.1 * name_mm
    code = text.printable(label.code)
    pdf.set_font(text.family, "B", fit_size(pdf, text.family, code, "B", CODE_PT, text_w / 2))
    pdf.text(text_x, baseline, code)
    area_x = text_x + pdf.get_string_width(code) + 6
    area = text.printable(label.area)
    pdf.set_font(text.family, "", fit_size(pdf, text.family, area, "", AREA_PT, x + w - area_x - 4))
    pdf.text(area_x, baseline, area)
    url = text.printable(label.url)
    pdf.set_font(text.family, "", fit_size(pdf, text.family, url, "", URL_PT, text_w))
    pdf.text(text_x, baseline + url_gap, url)


def name_lines(pdf: FPDF, text: LabelText, name: str, width: float) -> tuple[float, list[str]]:
    """The name's size in points and its lines: NAME_PT on up to NAME_LINES lines, or
    smaller when it needs more; the font is left set."""
    size = NAME_PT
    while True:
        pdf.set_font(text.family, "B", size)
        lines = wrap(pdf, name, width)
        fits = all(pdf.get_string_width(line) <= width for line in lines)
        if (fits and len(lines) <= NAME_LINES) or size <= 10:
            return size, lines
        size *= 0.9


def wrap(pdf: FPDF, line: str, width: float) -> list[str]:
    """``line`` broken between words into lines no wider than ``width`` in the current
    font (a word wider than that stays whole, on a line of its own)."""
    lines: list[str] = []
    for word in line.split():
        if lines and pdf.get_string_width(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def fit_size(pdf: FPDF, family: str, text: str, style: str, size: float, width: float) -> float:
    """``size`` points, or less so that ``text`` fits ``width`` millimetres."""
    pdf.set_font(family, style, size)
    text_width = pdf.get_string_width(text)
    return size if text_width <= width else max(4.0, size * width / text_width)
