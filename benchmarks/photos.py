"""Photo uploads: peak memory and CPU time of the largest photo the server accepts.

The largest accepted photo is 40 megapixels (DESIGN §3): a JPEG and an RGBA PNG of
8000 × 5000, each under the 10 MB body limit. Each figure is measured in a fresh child
process: CPU time (user + system) of one ``PUT /api/v1/photos/<id>`` through the app
(decode, re-encode at 2048 px, thumbnail, files, database), and the peak resident memory
it adds above what the process held before (``ru_maxrss``). The bare lower bound, in the
same run: Pillow alone decoding the same file in full, measured the same way.

Run: ``make bench`` or ``.venv/bin/python benchmarks/photos.py``.
"""

import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROUNDS = 3
SIZE = (8000, 5000)  # 40,000,000 pixels: the most the server accepts


def make_photos(folder: Path) -> dict[str, Path]:
    """A photo-like 40 MP JPEG and an RGBA PNG, both under 10 MB."""
    from PIL import Image, ImageDraw, ImageFilter

    small = Image.radial_gradient("L").resize((800, 500))
    noise = Image.effect_noise((800, 500), 40)
    picture = Image.merge("RGB", (small, noise, small.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    picture = picture.filter(ImageFilter.GaussianBlur(2)).resize(SIZE, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(picture)
    for n in range(40):
        draw.rectangle([n * 200, n * 120, n * 200 + 600, n * 120 + 300], outline=(n * 6, 0, 0))
    files = {}
    jpeg = folder / "40mp.jpg"
    picture.save(jpeg, "JPEG", quality=90)
    files["JPEG"] = jpeg
    rgba = Image.new("RGBA", SIZE, (255, 255, 255, 0))
    ImageDraw.Draw(rgba).ellipse([500, 500, 7500, 4500], fill=(0, 90, 200, 180))
    png = folder / "40mp.png"
    rgba.save(png, "PNG", optimize=True)
    files["PNG"] = png
    for path in files.values():
        assert path.stat().st_size < 10 * 1024 * 1024, path
    return files


def usage() -> tuple[float, int]:
    """CPU seconds so far and peak resident memory in bytes (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime, own.ru_maxrss * 1024


def child_bare(path: Path) -> None:
    from PIL import Image

    data = path.read_bytes()
    cpu, peak = usage()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
    report(cpu, peak)


def child_upload(path: Path) -> None:
    from flask_migrate import upgrade

    from floorwalk import create_app
    from floorwalk.accounts import create_user
    from floorwalk.extensions import db

    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
            "PASSWORD_ITERATIONS": 1000,
            "PHOTO_DIR": f"{folder}/photos",
        },
        instance_path=folder,
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        create_user(db.session, "walker", "coordinator", "a long password", (), 1000)
        db.session.commit()
    client = app.test_client()
    signed = client.post(
        "/api/v1/session", json={"username": "walker", "password": "a long password"}
    )
    token = signed.get_json()["csrf_token"]
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    data = path.read_bytes()
    cpu, peak = usage()
    response = client.put(
        f"/api/v1/photos/{uuid.uuid4()}", data=data, content_type=mimetype,
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert response.status_code == 201, response.get_data(as_text=True)
    report(cpu, peak)


def report(cpu_before: float, peak_before: int) -> None:
    cpu, peak = usage()
    print(json.dumps({"cpu": cpu - cpu_before, "memory": max(0, peak - peak_before)}))


def measure(mode: str, path: Path) -> dict[str, float]:
    """Median CPU seconds and added peak memory over ROUNDS fresh child processes."""
    runs = []
    for _ in range(ROUNDS):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, str(path)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in ("cpu", "memory")}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        # Made in a child of its own: a fork inherits its parent's peak memory
        # (ru_maxrss), which would hide the children's own.
        subprocess.run([sys.executable, __file__, "--make", folder], check=True)
        photos = {"JPEG": Path(folder) / "40mp.jpg", "PNG": Path(folder) / "40mp.png"}
        for kind, path in photos.items():
            bare = measure("bare", path)
            upload = measure("upload", path)
            size = path.stat().st_size / (1024 * 1024)
            print(
                f"40 MP {kind} ({size:.1f} MB): upload {upload['cpu'] * 1000:.0f} ms CPU, "
                f"+{upload['memory'] / 2**20:.0f} MiB peak; bare Pillow decode "
                f"{bare['cpu'] * 1000:.0f} ms CPU, +{bare['memory'] / 2**20:.0f} MiB peak; "
                f"ratio CPU {upload['cpu'] / bare['cpu']:.2f}, "
                f"memory {upload['memory'] / max(bare['memory'], 1):.2f} "
                f"(median of {ROUNDS} fresh processes each)"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--make":
        make_photos(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "--child":
        {"bare": child_bare, "upload": child_upload}[sys.argv[2]](Path(sys.argv[3]))
    else:
        main()
