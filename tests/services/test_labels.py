"""QR labels (DESIGN §2, §5): every label of a printed sheet decodes to its station's URL."""

import io
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from floorwalk.extensions import db
from floorwalk.settings import public_url, set_setting

DPI = 300
PUBLIC_URL = "https://floor.example.com"


MM = 25.4 / 72  # millimetres in a PDF point


def decode_pdf(pdf_bytes: bytes) -> tuple[list[str], list[float], list[tuple[float, float]]]:
    """Every QR code on every page in reading order (URLs, widths in mm) and the pages'
    sizes in mm."""
    urls, widths, sizes = [], [], []
    document = pdfium.PdfDocument(pdf_bytes)
    try:
        for page in document:
            sizes.append((page.get_width() * MM, page.get_height() * MM))
            bitmap = page.render(scale=DPI / 72)
            image = bitmap.to_pil()
            found_codes = zxingcpp.read_barcodes(image)
            found_codes.sort(key=lambda f: (f.position.top_left.y, f.position.top_left.x))
            for found in found_codes:
                assert found.format == zxingcpp.BarcodeFormat.QRCode
                urls.append(found.text)
                xs = [p.x for p in (found.position.top_left, found.position.top_right)]
                widths.append((max(xs) - min(xs)) * 25.4 / DPI)
            bitmap.close()
            page.close()
    finally:
        document.close()
    return urls, widths, sizes


@pytest.fixture
def stations(make_station):
    made = [make_station(f"PRS-{n:02d}", f"Press {n}", "Press Shop") for n in range(1, 9)]
    made += [make_station(f"WLD-{n:02d}", f"Zoë’s cell {n}", "Welding") for n in range(1, 5)]
    make_station("OLD-01", "Retired", "Welding", active=False)
    return made


@pytest.mark.parametrize(("paper", "size"), [("a4", (210, 297)), ("letter", (215.9, 279.4))])
def test_every_label_on_the_sheet_decodes_to_its_station_url(
    runner, stations, tmp_path, paper, size
):
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    out = tmp_path / "labels.pdf"
    result = runner.invoke(args=["labels", "--out", str(out), "--paper", paper])
    assert result.exit_code == 0, result.output
    assert "Wrote 12 labels" in result.output
    urls, widths, sizes = decode_pdf(out.read_bytes())
    expected = {f"{PUBLIC_URL}/s/{s.code}" for s in stations}
    assert sorted(urls) == sorted(expected)  # each once; the inactive station has none
    assert all(width >= 25 for width in widths), widths
    assert len(sizes) == 3 and all(  # 5 labels a page, each across the sheet
        abs(w - size[0]) < 0.5 and abs(h - size[1]) < 0.5 for w, h in sizes
    )


def test_a_sheet_of_chosen_stations_or_one_area(runner, stations, tmp_path):
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL + "/"])
    out = tmp_path / "chosen.pdf"
    args = ["labels", "--out", str(out), "--station", "WLD-02", "--station", "PRS-07"]
    assert runner.invoke(args=args).exit_code == 0
    assert sorted(decode_pdf(out.read_bytes())[0]) == [
        f"{PUBLIC_URL}/s/PRS-07",
        f"{PUBLIC_URL}/s/WLD-02",
    ]
    assert runner.invoke(args=["labels", "--out", str(out), "--area", "Welding"]).exit_code == 0
    assert sorted(decode_pdf(out.read_bytes())[0]) == [
        f"{PUBLIC_URL}/s/WLD-0{n}" for n in range(1, 5)
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--station", "OLD-01"], "No active station with the code OLD-01."),
        (["--area", "Paint"], "There is no area 'Paint'."),
    ],
)
def test_the_command_refuses_what_it_cannot_label(runner, stations, tmp_path, args, message):
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    result = runner.invoke(args=["labels", "--out", str(tmp_path / "x.pdf"), *args])
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_needs_a_public_url(runner, stations, tmp_path):
    result = runner.invoke(args=["labels", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "No public URL is set" in result.output
    assert "floorwalk settings set public_url" in result.output  # how, where it is read


def test_the_configured_public_url_is_used_when_the_setting_is_empty(make_app, stations):
    import os

    os.environ["FLOORWALK_PUBLIC_URL"] = "https://from-env.example.com"
    try:
        other = make_app()
    finally:
        del os.environ["FLOORWALK_PUBLIC_URL"]
    with other.app_context():
        result = other.test_cli_runner().invoke(
            args=["labels", "--out", "/dev/null", "--station", "PRS-01"]
        )
    assert result.exit_code == 0, result.output


def test_png_label_decodes_and_prints_at_least_25_mm(admin, stations):
    set_setting(db.session, "public_url", PUBLIC_URL)
    response = admin.get("/admin/stations/PRS-03/label.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    dpi = image.info["dpi"][0]
    (found,) = zxingcpp.read_barcodes(image)
    assert found.text == f"{PUBLIC_URL}/s/PRS-03"
    width_px = found.position.top_right.x - found.position.top_left.x
    assert width_px * 25.4 / dpi >= 25


def test_svg_label_names_the_station_and_uses_no_style_attributes(admin, stations):
    set_setting(db.session, "public_url", PUBLIC_URL)
    response = admin.get("/admin/stations/WLD-01/label.svg")
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # noqa: S314 (our own output)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["WLD-01", "Zoë’s cell 1", "Welding"]
    assert b"style=" not in response.data


def forged(admin) -> dict:
    """Headers of the admin's own session, sent to this server under another host name."""
    for name in ("floorwalk", "floorwalk_remember"):
        if cookie := admin.client.get_cookie(name):
            admin.client.set_cookie(name, cookie.value, domain="evil.example")
    return {"base_url": "http://evil.example"}


@pytest.mark.parametrize(
    "url", ["/admin/stations/PRS-01/label.png", "/admin/stations/PRS-01/label.svg",
            "/admin/labels.pdf?station=PRS-01&paper=letter"],
)  # fmt: skip
def test_without_a_public_url_label_pages_print_nothing_and_offer_to_set_it(admin, stations, url):
    response = admin.get(url, **forged(admin))
    assert response.status_code == 302 and response.mimetype == "text/html"
    assert response.headers["Location"] == "/admin/stations"
    page = admin.get("/admin/stations", **forged(admin)).get_data(as_text=True)
    assert "No public URL is set" in page and "No label is printed until it is set." in page
    assert "floorwalk settings set" not in page  # the page has the field, not a command
    # The address the admin is using is offered, not stored, and labels do not use it.
    assert 'name="public_url" type="url" value="http://evil.example"' in page
    assert "evil.example/s/" not in page and "label.png" not in page
    assert public_url(db.session) == ""


def test_without_a_public_url_a_station_page_says_why_it_shows_no_label(admin, stations):
    page = admin.get("/admin/stations/PRS-01").get_data(as_text=True)
    assert "No public URL is set" in page and "No label is printed until it is set" in page
    assert "label.svg" not in page and "label.png" not in page and "labels.pdf" not in page
    set_setting(db.session, "public_url", PUBLIC_URL)
    page = admin.get("/admin/stations/PRS-01").get_data(as_text=True)
    assert "label.svg?preview=1" in page and "No public URL is set" not in page


def test_the_public_url_offered_on_the_stations_page_is_stored_when_saved(admin, stations):
    response = admin.post("/admin/stations/public-url", {"public_url": PUBLIC_URL + "/"})
    assert response.status_code == 302
    assert public_url(db.session) == PUBLIC_URL
    assert f"Labels open {PUBLIC_URL}/s/CODE." in admin.get("/admin/stations").get_data(True)
    label = admin.get("/admin/stations/PRS-02/label.png", **forged(admin))
    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(label.data)))
    assert found.text == f"{PUBLIC_URL}/s/PRS-02"
    refused = admin.post("/admin/stations/public-url", {"public_url": "https://x.example/s"})
    assert refused.status_code == 302 and public_url(db.session) == PUBLIC_URL
    assert "is not a public URL" in admin.get("/admin/stations").get_data(True)


def test_a_forged_host_never_reaches_a_label(admin, stations):
    set_setting(db.session, "public_url", PUBLIC_URL)
    response = admin.get("/admin/labels.pdf?station=PRS-01", **forged(admin))
    assert decode_pdf(response.data)[0] == [f"{PUBLIC_URL}/s/PRS-01"]
    page = admin.get("/admin/stations", **forged(admin)).get_data(as_text=True)
    assert "evil.example" not in page


def test_stations_page_prints_a_whole_area(admin, stations):
    set_setting(db.session, "public_url", PUBLIC_URL)
    response = admin.get("/admin/labels.pdf?area=Press+Shop")
    assert len(decode_pdf(response.data)[0]) == 8


def test_labels_are_for_admins_only(client, signed_in, stations):
    signed_in("manager")
    assert client.get("/admin/stations/PRS-01/label.png").status_code == 403
    assert client.get("/admin/labels.pdf").status_code == 403


def test_a_sheet_prints_station_names_in_their_own_letters(runner, make_station, tmp_path):
    """Plants name stations in their own language: Polish, Greek, Cyrillic print as
    typed, not as '?' (the PDF core fonts know Latin-1 alone)."""
    names = {"LDZ-01": ("Prasa №3 — Łódź", "Hala Śląsk"), "ATH-01": ("Πρέσα", "Αθήνα"),
             "KZN-01": ("Пресс 5", "Цех Щ")}  # fmt: skip
    for code, (name, area) in names.items():
        make_station(code, name, area)
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    out = tmp_path / "labels.pdf"
    assert runner.invoke(args=["labels", "--out", str(out)]).exit_code == 0
    document = pdfium.PdfDocument(out.read_bytes())
    text = document[0].get_textpage().get_text_range()
    for code, (name, area) in names.items():
        assert code in text and name in text and area in text
    assert "?" not in text
    assert sorted(decode_pdf(out.read_bytes())[0]) == sorted(
        f"{PUBLIC_URL}/s/{code}" for code in names
    )


# Sheets a plant prints (issue 14) -----------------------------------------------------


def test_a_route_sheet_holds_its_stations_in_walking_order(runner, stations, make_route, tmp_path):
    walk = ["WLD-03", "PRS-05", "OLD-01", "WLD-01", "PRS-02", "PRS-08", "WLD-04"]
    make_route("Morning loop", walk)
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    out = tmp_path / "route.pdf"
    result = runner.invoke(args=["labels", "--out", str(out), "--route", "Morning loop"])
    assert result.exit_code == 0, result.output
    assert "Wrote 6 labels" in result.output  # the inactive OLD-01 has none
    urls, widths, sizes = decode_pdf(out.read_bytes())
    assert urls == [f"{PUBLIC_URL}/s/{code}" for code in walk if code != "OLD-01"]
    assert len(sizes) == 2 and all(width >= 25 for width in widths)


def test_the_routes_page_links_each_route_to_its_sheet(admin, stations, make_route):
    set_setting(db.session, "public_url", PUBLIC_URL)
    route = make_route("Welding loop", ["WLD-04", "WLD-02"])
    page = admin.get("/admin/routes").get_data(as_text=True)
    assert f'href="/admin/labels.pdf?route={route.id}">Labels</a>' in page
    response = admin.get(f"/admin/labels.pdf?route={route.id}&paper=letter")
    assert response.mimetype == "application/pdf"
    urls, _, sizes = decode_pdf(response.data)
    assert urls == [f"{PUBLIC_URL}/s/WLD-04", f"{PUBLIC_URL}/s/WLD-02"]
    assert abs(sizes[0][0] - 215.9) < 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--route", "Night loop"], "There is no route 'Night loop'."),
        (["--route", "Morning loop", "--area", "Welding"], "ask for a route, or for stations"),
        (["--route", "Retired loop"], "The route 'Retired loop' has no active station to label."),
    ],
)
def test_the_command_refuses_a_route_it_cannot_label(
    runner, stations, make_route, tmp_path, args, message
):
    make_route("Morning loop", ["PRS-01"])
    make_route("Retired loop", ["OLD-01"])
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    for extra in ([], ["--test-print"]):
        result = runner.invoke(args=["labels", "--out", str(tmp_path / "x.pdf"), *args, *extra])
        assert result.exit_code == 1 and message in result.output, result.output
        assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("url", ["/admin/labels.pdf?route=999", "/admin/labels/test.pdf?route=x"])
def test_an_unknown_route_prints_nothing_and_says_so(admin, stations, url):
    set_setting(db.session, "public_url", PUBLIC_URL)
    response = admin.get(url)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/routes"
    asked = url.rsplit("=", 1)[1]
    assert f"There is no route &#39;{asked}&#39;." in admin.get("/admin/routes").get_data(True)


def text_boxes(page) -> tuple[str, object]:
    textpage = page.get_textpage()
    return textpage.get_text_range(), textpage


def test_the_name_is_large_enough_to_read_from_2_m_with_the_code_and_url_under_it(
    runner, stations, tmp_path
):
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    out = tmp_path / "labels.pdf"
    assert runner.invoke(args=["labels", "--out", str(out), "--area", "Press Shop"]).exit_code == 0
    page = pdfium.PdfDocument(out.read_bytes())[0]
    text, textpage = text_boxes(page)
    for n in range(1, 6):
        name, code = text.index(f"Press {n}"), text.index(f"PRS-0{n}")
        url = text.index(f"{PUBLIC_URL}/s/PRS-0{n}")
        # The tight box of the capital P: its height is the capitals' height on paper.
        _, name_bottom, _, name_top = textpage.get_charbox(name)
        assert 9.5 <= (name_top - name_bottom) * MM <= 12, (name_top - name_bottom) * MM
        _, code_bottom, _, code_top = textpage.get_charbox(code)
        _, url_bottom, _, url_top = textpage.get_charbox(url)
        assert name_bottom > code_top and code_bottom > url_top  # top to bottom
        assert (url_top - url_bottom) * MM < 3 < (code_top - code_bottom) * MM


def ruler_bars(page) -> tuple[list[float], list[float]]:
    """Widths of the thin horizontal bars and heights of the thin vertical ones, in mm."""
    lines, ticks = [], []
    for item in page.get_objects():
        if item.type != pdfium.raw.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = (value * MM for value in item.get_bounds())
        if top - bottom < 1 and right - left > 50:  # wider than any QR code
            lines.append(right - left)
        elif right - left < 0.5 and top - bottom > 1:
            ticks.append(top - bottom)
    return lines, ticks


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_test_print_page_has_one_label_and_a_100_mm_ruler(runner, stations, tmp_path, paper):
    runner.invoke(args=["settings", "set", "public_url", PUBLIC_URL])
    out = tmp_path / "test.pdf"
    args = ["labels", "--test-print", "--out", str(out), "--paper", paper]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "print it at 100 %" in result.output
    urls, widths, sizes = decode_pdf(out.read_bytes())
    assert urls == [f"{PUBLIC_URL}/s/PRS-01"] and widths[0] >= 25 and len(sizes) == 1
    page = pdfium.PdfDocument(out.read_bytes())[0]
    lines, ticks = ruler_bars(page)
    assert len(lines) == 1 and abs(lines[0] - 100) <= 0.5, lines
    assert len(ticks) == 101  # one a millimetre, 0 to 100
    text = " ".join(text_boxes(page)[0].split())
    assert (
        "This line is 100 mm long. If it measures otherwise, turn off 'fit to page' "
        "in the print dialog."
    ) in text


def test_the_test_print_page_from_the_stations_page(admin, make_station):
    set_setting(db.session, "public_url", PUBLIC_URL)
    page = admin.get("/admin/stations").get_data(as_text=True)
    assert 'href="/admin/labels/test.pdf?paper=letter"' in page
    response = admin.get("/admin/labels/test.pdf?paper=letter")
    assert response.mimetype == "application/pdf"
    urls, _, sizes = decode_pdf(response.data)
    # No station yet: the printer can still be checked, with a sample label.
    assert urls == [f"{PUBLIC_URL}/s/SAMPLE-01"] and abs(sizes[0][1] - 279.4) < 0.5
    lines, _ = ruler_bars(pdfium.PdfDocument(response.data)[0])
    assert len(lines) == 1 and abs(lines[0] - 100) <= 0.5
