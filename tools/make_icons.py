"""Draw the app's PNG icons (192, 512, maskable 512, Apple touch 180) with Pillow.

Run once after changing the design: ``.venv/bin/python tools/make_icons.py``; the PNGs
are committed under floorwalk/static/icons/ so that the build needs no Python.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "floorwalk" / "static" / "icons"
BLUE = (11, 61, 145)
WHITE = (255, 255, 255)
AMBER = (255, 191, 0)


def draw(size: int, safe: float) -> Image.Image:
    """A QR-like finder square and a tick: "scan the station, it is done". ``safe`` is
    the share of the icon the glyph may use (maskable icons get cropped to a circle)."""
    image = Image.new("RGB", (size, size), BLUE)
    pen = ImageDraw.Draw(image)
    span = size * safe
    x0 = (size - span) / 2
    unit = span / 7
    # The finder pattern of a QR code: 7x7 ring, 3x3 centre.
    pen.rectangle([x0, x0, x0 + 7 * unit, x0 + 7 * unit], fill=WHITE)
    pen.rectangle([x0 + unit, x0 + unit, x0 + 6 * unit, x0 + 6 * unit], fill=BLUE)
    pen.rectangle([x0 + 2 * unit, x0 + 2 * unit, x0 + 5 * unit, x0 + 5 * unit], fill=WHITE)
    tick = [
        (x0 + 3.6 * unit, x0 + 5.4 * unit),
        (x0 + 4.9 * unit, x0 + 6.7 * unit),
        (x0 + 7.4 * unit, x0 + 3.6 * unit),
    ]
    pen.line(tick, fill=AMBER, width=max(2, round(unit * 0.9)), joint="curve")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, safe in (
        ("icon-192.png", 192, 0.62),
        ("icon-512.png", 512, 0.62),
        ("icon-maskable-512.png", 512, 0.5),
        ("apple-touch-icon.png", 180, 0.62),
    ):
        draw(size, safe).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
