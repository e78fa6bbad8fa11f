"""``cortico depth``: equivolumetric depth map of a segmentation file."""

from __future__ import annotations

import click
from tqdm import tqdm

from cortico.depth import (
    DEFAULT_MAX_MEMORY_BYTES,
    FREESURFER_RIBBON_LABELS,
    MAX_UNDEFINED_FRACTION,
    LabelMapping,
    undefined_problem,
)
from cortico.depth._io import depth_map_from_file
from cortico.exceptions import CorticoError

_PRESETS = {"freesurfer-ribbon": FREESURFER_RIBBON_LABELS}
_SIDE_PRODUCTS = ("laplace", "equidistant", "thickness", "quality", "curvature")


def parse_labels(values) -> LabelMapping | None:
    """Turn ``--labels`` values (``cortex=3,42`` ... or a preset name) into a mapping."""
    if not values:
        return None
    if len(values) == 1 and values[0] in _PRESETS:
        return _PRESETS[values[0]]
    classes = {}
    for value in values:
        name, sep, numbers = value.partition("=")
        name = name.strip()
        if not sep or name not in ("cortex", "white", "outside"):
            raise click.BadParameter(
                f"{value!r}: expected CLASS=LABEL,LABEL,... with CLASS cortex, white or "
                f"outside, or one preset out of {sorted(_PRESETS)}",
                param_hint="--labels",
            )
        try:
            classes[name] = [int(n) for n in numbers.split(",") if n.strip()]
        except ValueError:
            raise click.BadParameter(
                f"{value!r}: labels must be integers separated by commas", param_hint="--labels"
            ) from None
    try:
        return LabelMapping.coerce(classes)
    except CorticoError as exc:
        raise click.BadParameter(exc.message, param_hint="--labels") from None


def parse_also(value) -> tuple[str, ...]:
    """Split ``--also laplace,thickness`` into product names."""
    if not value:
        return ()
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in _SIDE_PRODUCTS]
    if unknown:
        raise click.BadParameter(
            f"unknown products {unknown}; choose from {', '.join(_SIDE_PRODUCTS)}",
            param_hint="--also",
        )
    return names


@click.command("depth")
@click.argument("segmentation", type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="Depth map to write (.nii or .nii.gz)."
)
@click.option(
    "--labels",
    "labels",
    multiple=True,
    metavar="CLASS=L1,L2|PRESET",
    help="Label mapping, e.g. --labels cortex=3,42 --labels white=2,41 "
    "(other labels are outside unless outside=... is given), or the preset "
    "'freesurfer-ribbon'. Default: 0 outside, 100 cortex, 200 white.",
)
@click.option(
    "--also",
    default="",
    metavar="LIST",
    help="Side products written next to the output as <name>_<product>: laplace, equidistant, "
    "thickness (mm), quality (bits: 1 flow line along a cut face, 2 path limit, 4 no boundary, "
    "8 Laplace not converged), curvature (1/mm).",
)
@click.option("--voluba-compatible", is_flag=True, help="Undefined voxels become 0.5 and values are clipped to [0, 1].")
@click.option(
    "--voxel-size",
    "voxel_size",
    type=float,
    nargs=3,
    default=None,
    metavar="X Y Z",
    help="Voxel sizes in mm to use instead of the header's (for a header with a zero pixdim or "
    "pixdim and sform that disagree).",
)
@click.option(
    "--max-path",
    "max_path",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="MM",
    help="Give up flow lines longer than this. Default: follow the data (3 x the estimated "
    "thickness, at least 6 mm, doubled for the lines that reach it).",
)
@click.option(
    "--smoothing",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="MM",
    help="Gaussian sigma before the curvature of the isosurfaces.",
)
@click.option(
    "--max-undefined",
    type=click.FloatRange(0, 100),
    default=100 * MAX_UNDEFINED_FRACTION,
    show_default=True,
    metavar="PERCENT",
    help="Exit with code 1 when more cortex voxels than this have no depth (the maps are still written).",
)
@click.option(
    "--max-memory",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_MAX_MEMORY_BYTES / (1 << 30),
    show_default=True,
    metavar="GIB",
    help="Refuse grids whose run would need more memory (checked from the header before reading).",
)
@click.option(
    "--cut-faces",
    type=click.Choice(["extend", "zero-flux"]),
    default="extend",
    show_default=True,
    help="Image faces that cut the cortex: continue the field across them, or the zero-flux "
    "condition (exact only for faces perpendicular to the cortex).",
)
@click.option(
    "--layers",
    type=click.IntRange(2, 100),
    default=None,
    metavar="N",
    help="Also write N equivolume layers (<name>_layers, 1 = pial) and the N-1 boundary level sets "
    "(<name>_boundaries, 4D, mm).",
)
@click.option(
    "--profile",
    "profile",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="IMAGE",
    help="Intensity image on the segmentation's grid to sample along the flow lines (<name>_profiles, 4D).",
)
@click.option(
    "--samples",
    type=click.IntRange(2, 1000),
    default=10,
    show_default=True,
    help="Profile samples per cortex voxel, at equivolumetric depths 0 (pial) to 1 (white).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def depth(
    segmentation, output, labels, also, voluba_compatible, voxel_size, max_path, smoothing, max_undefined,
    max_memory, cut_faces, layers, profile, samples, quiet,
):  # fmt: skip
    """Compute the equivolumetric cortical depth of SEGMENTATION (NIfTI or MGZ).

    Exit codes: 0 success, 1 unusable input or more undefined voxels than
    --max-undefined (with the likely cause), 2 bad options.
    """
    mapping = parse_labels(labels)
    products = parse_also(also)
    with tqdm(total=100, desc="depth", unit="%", disable=quiet, leave=False) as bar:

        def progress(fraction, message):
            bar.set_description(message)
            bar.update(round(100 * fraction) - bar.n)

        try:
            written = depth_map_from_file(
                segmentation,
                output,
                label_mapping=mapping,
                also=products,
                voluba_compatible=voluba_compatible,
                voxel_sizes=voxel_size or None,
                max_memory_bytes=int(max_memory * (1 << 30)),
                max_path_mm=max_path,
                smoothing_mm=smoothing,
                cut_faces=cut_faces,
                layers=layers,
                profile_path=profile,
                profile_samples=samples,
                progress=progress,
            )
        except CorticoError as exc:
            raise click.ClickException(exc.message) from None
    result = written.result
    details = result.details
    click.echo(
        f"{result.cortex_voxels} cortex voxels, {result.undefined_voxels} undefined "
        f"({100 * result.undefined_fraction:.3g} %{', set to 0.5' if voluba_compatible else ', NaN'}); "
        f"voxel size {' x '.join(f'{s:.4g}' for s in result.voxel_sizes)} mm, estimated thickness "
        f"{details['estimated_thickness_mm']:.3g} mm, path limit {details['path_limit_mm']:.3g} mm"
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for product, path in written.paths.items():
        click.echo(f"{product}: {path}")
    problem = undefined_problem(result, max_undefined / 100)
    if problem:
        raise click.ClickException(problem)
