import csv
import io

from click.testing import CliRunner

from cortico.cli import main


def test_atlas_list():
    result = CliRunner().invoke(main, ["atlas", "list"])
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == ["dk", "destrieux", "dkt", "aseg"]


def test_atlas_show():
    result = CliRunner().invoke(main, ["atlas", "show", "Desikan-Killiany"])
    assert result.exit_code == 0
    assert "34 cortical regions, left" in result.output
    assert "3 subcortical regions, midline" in result.output
    assert "lh.Hippocampus" in result.output and "#dcd814" in result.output


def test_atlas_template_v1_and_v2():
    result = CliRunner().invoke(main, ["atlas", "template", "tourville", "--schema", "v1"])
    assert result.exit_code == 0
    header = next(csv.reader(io.StringIO(result.output)))
    assert header[0] == "Image-name-unique" and len(header) == 45
    result = CliRunner().invoke(main, ["atlas", "template", "destrieux"])
    header = next(csv.reader(io.StringIO(result.output)))
    assert len(header) == 175 and header[1] == "Left-G_and_S_frontomargin"


def test_atlas_errors_are_messages_not_tracebacks():
    result = CliRunner().invoke(main, ["atlas", "show", "brodmann"])
    assert result.exit_code == 1
    assert "Error: Unknown atlas 'brodmann'" in result.output
    result = CliRunner().invoke(main, ["atlas", "template", "mouse", "--schema", "v1"])
    assert result.exit_code == 1 and "has no v1 template" in result.output


def test_atlas_build_fills_the_cache(atlas_cache):
    result = CliRunner().invoke(main, ["atlas", "build", "destrieux"])
    assert result.exit_code == 0, result.output
    assert "Cached destrieux." in result.output
    names = {p.name.split("-fs")[0] for p in (atlas_cache / "atlases").iterdir()}
    assert {"annot-aparc.a2009s", "aseg-meshes", "fsaverage-surfaces"} <= names
    result = CliRunner().invoke(main, ["atlas", "build", "nope"])
    assert result.exit_code == 1 and "Unknown atlas 'nope'" in result.output
