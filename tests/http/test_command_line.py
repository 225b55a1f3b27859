"""The command line beside the demo: a missing database is a sentence, `--demo`, and
relative SQLite paths (issue 14)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from floorwalk import create_app
from floorwalk.config import load_config

FLOORWALK = str(Path(sys.executable).parent / "floorwalk")
NO_TABLES = "has no tables yet"


def floorwalk(*args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOORWALK_")}
    env.update({"FLOORWALK_INSTANCE_PATH": str(cwd / "instance"), **(env_extra or {})})
    return subprocess.run(
        [FLOORWALK, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    "args",
    [
        ["settings", "show"],
        ["settings", "set", "timezone", "UTC"],
        ["labels", "--out", "labels.pdf"],
        ["users", "create", "ann", "--role", "admin", "--password-stdin"],
        ["import", "metrics", "metrics.csv"],
        ["import", "records", "records.json"],
        ["photos", "purge"],
    ],
)
def test_a_command_on_a_database_that_does_not_exist_says_so_and_creates_nothing(
    tmp_path, monkeypatch, args
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "metrics.csv").write_text("key,name,kind,unit\n")
    (tmp_path / "records.json").write_text('{"records": []}')
    missing = tmp_path / "plant.sqlite"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{missing}", "SECRET_KEY": "x"},
        instance_path=str(tmp_path / "instance"),
    )
    result = app.test_cli_runner().invoke(args=args, input="a long password\n")
    assert result.exit_code == 1
    assert f"This database {NO_TABLES} ({missing} does not exist): run `floorwalk db upgrade`" in (
        result.output
    )
    assert "Traceback" not in result.output and result.exception.__class__ is SystemExit
    assert not missing.exists()
    assert not (tmp_path / "labels.pdf").exists()


def test_a_command_on_an_empty_database_says_it_needs_an_upgrade(tmp_path):
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{empty}", "SECRET_KEY": "x"},
        instance_path=str(tmp_path / "instance"),
    )
    result = app.test_cli_runner().invoke(args=["settings", "show"])
    assert result.exit_code == 1
    assert f"This database (sqlite:///{empty}) {NO_TABLES}: run `floorwalk db upgrade`" in (
        result.output
    )


def test_a_relative_sqlite_path_is_taken_from_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLOORWALK_DATABASE_URL", "sqlite:///instance/demo.sqlite")
    config = load_config(str(tmp_path / "elsewhere"))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/instance/demo.sqlite"


def test_the_readme_commands_work_beside_the_demo(tmp_path):
    demo = floorwalk("demo", "--no-serve", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "Demo plant loaded" in demo.stdout

    plain = floorwalk("settings", "show", cwd=tmp_path)
    assert plain.returncode == 1
    assert NO_TABLES in plain.stderr and "Traceback" not in plain.stderr
    assert not (tmp_path / "instance" / "floorwalk.sqlite").exists()

    shown = floorwalk("--demo", "settings", "show", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "timezone = America/Chicago" in shown.stdout.splitlines()

    public_url = ["settings", "set", "public_url", "https://fw.example"]
    public = floorwalk("--demo", *public_url, cwd=tmp_path)
    assert public.returncode == 0, public.stderr
    labels = floorwalk("--demo", "labels", "--out", "labels.pdf", "--area", "Welding", cwd=tmp_path)
    assert labels.returncode == 0, labels.stderr
    assert labels.stdout.startswith("Wrote ")
    assert (tmp_path / "labels.pdf").read_bytes().startswith(b"%PDF")
    nowhere = floorwalk("--demo", "labels", "--out", "no-such-folder/labels.pdf", cwd=tmp_path)
    assert nowhere.returncode == 1
    assert nowhere.stderr == (
        f"Error: Cannot use {Path('no-such-folder/labels.pdf')}: No such file or directory.\n"
    )

    relative = floorwalk(
        "settings",
        "show",
        cwd=tmp_path,
        env_extra={"FLOORWALK_DATABASE_URL": "sqlite:///instance/demo.sqlite"},
    )
    assert relative.returncode == 0, relative.stderr
    assert "public_url = https://fw.example" in relative.stdout.splitlines()
