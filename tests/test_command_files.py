"""The commands' --output files are written whole or not at all (organisations/files.py)."""

import pytest
from django.core.management import CommandError

from organisations.files import output_open


def test_a_write_that_fails_halfway_leaves_the_previous_file_and_no_stray_file(tmp_path):
    target = tmp_path / "export.csv"
    target.write_text("previous export\n")

    def export_dies_halfway():
        with output_open(target) as stream:
            stream.write("half of the new")
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        export_dies_halfway()
    assert target.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_a_complete_write_replaces_the_file(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    with output_open(target, binary=True) as stream:
        stream.write(b"%PDF new")
    assert target.read_bytes() == b"%PDF new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_a_missing_folder_is_a_one_line_command_error(tmp_path):
    with pytest.raises(CommandError) as refusal, output_open(tmp_path / "nowhere" / "x.csv"):
        pass
    assert refusal.value.returncode == 2
    assert "nowhere" in str(refusal.value)
