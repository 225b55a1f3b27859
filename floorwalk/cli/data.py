"""Commands that bring data in and out: ``import`` (catalog CSV files, a phone's records),
``labels`` (QR label sheets) and ``photos purge``."""

from pathlib import Path

import click
from flask import current_app

from ..database import begin_writing
from ..extensions import db
from ..models import utcnow
from ..sync.push import count_statuses
from . import needs_database

# import -------------------------------------------------------------------------------


@click.group("import", help="Bulk load catalog CSV files, or records exported from a phone.")
def import_group() -> None:
    pass


# import: catalog CSV kinds (metrics, stations, targets, employees, categories, plan)


def catalog_import_command(kind: str) -> click.Command:
    from ..catalog.csv_io import COLUMNS

    @click.command(
        kind,
        help=f"Load or update {kind} from a CSV file with the columns {','.join(COLUMNS[kind])}. "
        "A file with any bad row stores nothing; every bad row is reported by line.",
    )
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--check", is_flag=True, help="Report what would change; store nothing.")
    @needs_database
    def command(file: Path, check: bool) -> None:
        from ..catalog.csv_io import check_csv, import_csv

        begin_writing(db.session)
        run = check_csv if check else import_csv
        report = run(db.session, kind, file.read_bytes())
        if report.errors:
            db.session.rollback()
            for line, message in report.errors:
                click.echo(f"{file.name}: line {line}: {message}", err=True)
            count = len(report.errors)
            raise click.ClickException(
                f"nothing was stored: {count} error{'s' if count != 1 else ''} in {file.name}."
            )
        if check:
            db.session.rollback()
            click.echo(f"{kind}: {report.summary()} (checked only, nothing stored).")
            return
        db.session.commit()
        click.echo(f"{kind}: {report.summary()}.")

    return command


for _kind in ("metrics", "stations", "targets", "employees", "categories", "plan"):
    import_group.add_command(catalog_import_command(_kind))


# import: records exported from a phone (floorwalk import records FILE.json)


@import_group.command("records")
@click.argument("file", type=click.File("rb"))
@needs_database
def import_records_command(file) -> None:
    """Load records exported from a phone, as a push would store them (records keep their
    authors; no clock correction). Prints one STATUS: N line per status."""
    from ..sync.push import import_records

    try:
        results = import_records(db.session, file.read(), utcnow())
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for result in results:
        if result["status"] == "rejected":
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in result["errors"].items())
            click.echo(f"rejected {result['id']}: {problems}", err=True)
    for status, count in count_statuses(results).items():
        click.echo(f"{status.upper()}: {count}")


# labels -------------------------------------------------------------------------------


@click.command(help="Print a PDF sheet of QR labels for the active stations.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--station", "codes", multiple=True, help="A station code (repeatable).")
@click.option("--area", help="Only the active stations of this area.")
@click.option("--route", "route_name", help="A route's active stations, in walking order.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@click.option(
    "--test-print", is_flag=True, help="One label and a 100 mm ruler, to check the scale."
)
@needs_database
def labels(
    out: Path,
    codes: tuple[str, ...],
    area: str | None,
    route_name: str | None,
    paper: str,
    test_print: bool,
) -> None:
    from ..catalog import record_label_print
    from ..labels import (
        NO_PUBLIC_URL,
        LabelError,
        label_sheet_pdf,
        labels_base_url,
        route_for_labels,
        scale_check_label,
        scale_check_pdf,
        station_label,
        stations_for_labels,
    )

    try:
        base_url = labels_base_url(db.session, current_app.config["PUBLIC_URL"])
        route = route_for_labels(db.session, route_name) if route_name is not None else None
        stations = stations_for_labels(db.session, codes, area, route)
        if test_print:
            sheet = scale_check_pdf(scale_check_label(stations, base_url), paper)
        else:
            sheet = label_sheet_pdf([station_label(s, base_url) for s in stations], paper)
    except LabelError as error:
        message = str(error)
        if message == NO_PUBLIC_URL:
            message += (
                " Set one with `floorwalk settings set public_url https://…`"
                " (or FLOORWALK_PUBLIC_URL)."
            )
        raise click.ClickException(message) from None
    out.write_bytes(sheet)
    if test_print:
        click.echo(f"Wrote a test print page to {out}: print it at 100 % and measure the line.")
        return
    begin_writing(db.session)
    record_label_print(db.session, None, out.name, len(stations))
    db.session.commit()
    click.echo(f"Wrote {len(stations)} label{'s' if len(stations) != 1 else ''} to {out}.")


# photos -------------------------------------------------------------------------------


@click.group(help="Stored photos.")
def photos() -> None:
    pass


@photos.command("purge")
@needs_database
def purge_photos_command() -> None:
    """Delete photos no record has named for 7 days (run it daily from a timer)."""
    from ..sync.photos import purge_photos, remove_photo_files

    begin_writing(db.session)
    purged = purge_photos(db.session, utcnow())
    db.session.commit()
    remove_photo_files(current_app.config["PHOTO_DIR"], purged)
    click.echo(f"Purged {len(purged)} unreferenced photos.")
