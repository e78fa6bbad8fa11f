"""``cortico align``: non-linear alignment of a cortical patch to the template."""

import json
import os
from pathlib import Path

import click
from tqdm import tqdm

from cortico.align import DEFAULT_PRESET, INCOMING_SPACES, PRESETS, align_patch
from cortico.exceptions import CorticoError


def read_json_file(path, what, key):
    """Load a JSON file holding ``what``; a ``{key: value}`` object is unwrapped."""
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=what) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.BadParameter(f"{path} is not valid JSON ({exc})", param_hint=what) from None
    if isinstance(content, dict) and key in content:
        content = content[key]
    return content


@click.command("align")
@click.argument("incoming", type=click.Path(dir_okay=False))
@click.option(
    "--depth",
    "depth_map",
    required=True,
    type=click.Path(dir_okay=False),
    help="Equivolumetric depth map of INCOMING, on its grid.",
)
@click.option(
    "--matrix",
    required=True,
    type=click.Path(dir_okay=False),
    help="JSON 4x4 (or 3x4) incoming -> template affine in mm, list of rows "
    "(or an object with 'transformation_matrix').",
)
@click.option(
    "--landmarks",
    type=click.Path(dir_okay=False),
    help="JSON list of {source_point (template mm), target_point (incoming mm), "
    "active, name} (or an object with 'landmark_pairs').",
)
@click.option(
    "--template-depth",
    type=click.Path(dir_okay=False),
    help="Template depth map. Default: the fsaverage ribbon's, computed once and cached.",
)
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    default=DEFAULT_PRESET,
    show_default=True,
    help="'voluba' = the original backend's exact ANTs settings; 'fast' = same accuracy, much faster.",
)
@click.option(
    "--incoming-space",
    type=click.Choice(INCOMING_SPACES),
    default="neuroglancer",
    show_default=True,
    help="Meaning of incoming coordinates: Neuroglancer/VoluBA (voxel centres at (i+0.5)*size), "
    "the original backend's (i*size) or the NIfTI world.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=None,
    help="ITK threads (default: ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS or all cores).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs (created if missing).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def align(incoming, depth_map, matrix, landmarks, template_depth, preset, incoming_space, threads, output, quiet):
    """Align the INCOMING patch to the template through the depth maps."""
    if threads is not None:
        # ITK reads this once, at its first multi-threaded call in the process.
        os.environ["ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS"] = str(threads)
    matrix_value = read_json_file(matrix, "--matrix", "transformation_matrix")
    pairs = read_json_file(landmarks, "--landmarks", "landmark_pairs") if landmarks else None
    os.makedirs(output, exist_ok=True)
    with tqdm(total=100, desc="align", unit="%", disable=quiet, leave=False) as bar:

        def progress(fraction, message):
            bar.set_description(message)
            bar.update(round(100 * fraction) - bar.n)

        try:
            if template_depth is None:
                from cortico.depth import template_depth_map

                bar.set_description("computing the template depth map")
                template_depth = template_depth_map()
            result = align_patch(
                incoming, depth_map, template_depth, matrix_value, pairs,
                preset=preset, incoming_space=incoming_space, progress=progress,
            )  # fmt: skip
            paths = result.save(output)
        except CorticoError as exc:
            raise click.ClickException(exc.message) from None
    report = result.report
    lm = report["landmarks"]
    if lm["count"]:
        click.echo(
            f"landmarks: {lm['count']} active, mean residual {lm['mean_residual_before_mm']} mm -> "
            f"{lm['mean_residual_after_mm']} mm"
        )
    depth = report["depth"]
    click.echo(
        f"depth mean squared difference: {depth['mean_squared_difference_before']} -> "
        f"{depth['mean_squared_difference_after']} over {depth['cortex_voxels']} cortex voxels"
    )
    for warning in report["quality"]["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{report['timings']['total_s']:.1f} s ({preset} preset)")
    for role, path in paths.items():
        click.echo(f"{role}: {path}")
