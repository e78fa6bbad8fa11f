"""Example figures made by cortico itself from demonstration tables (the home page's gallery)."""

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES_INDEX = "examples.json"


@dataclass(frozen=True)
class ExampleFigure:
    """One gallery entry: an atlas painted with demonstration values in some views."""

    name: str
    atlas: str
    caption: str
    views: tuple[str, ...]
    settings: dict = field(default_factory=dict)


EXAMPLE_FIGURES = (
    ExampleFigure(
        "thickness-lateral",
        "dk",
        "Desikan-Killiany regions, thickness-like values, viridis",
        ("cortical-outer-left-hemisphere", "cortical-inner-left-hemisphere"),
        {"cmap": "viridis", "label": "Thickness (mm)"},
    ),
    ExampleFigure(
        "destrieux-top",
        "destrieux",
        "Destrieux regions, colour stops",
        ("top",),
        {"label": "Value"},
    ),
    ExampleFigure(
        "subcortical",
        "dk",
        "aseg structures inside a glass cortex, magma",
        ("subcortical-outer-left-hemisphere",),
        {"cmap": "magma", "label": "Volume change (%)"},
    ),
)


def render_examples(out_dir, width: int = 600, height: int = 450) -> list[dict]:
    """Paint every :data:`EXAMPLE_FIGURES` entry into ``out_dir``.

    Writes ``<example>-<view>.png`` and ``examples.json`` (written last, so a folder with an
    index is complete) and returns the index entries ``{"file", "caption", "atlas", "view"}``.
    """
    from cortico.atlases import demo_values, load_atlas
    from cortico.paint._figures import view_caption
    from cortico.paint._paint import paint

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for example in EXAMPLE_FIGURES:
        atlas = load_atlas(example.atlas)
        values = {"example": demo_values(atlas)}
        with tempfile.TemporaryDirectory(dir=out_dir) as scratch:
            result = paint(
                values,
                atlas=atlas,
                out_dir=scratch,
                views=list(example.views),
                width=width,
                height=height,
                **example.settings,
            )
            for (_, view), path in result.images.items():
                target = out_dir / f"{example.name}-{view}.png"
                shutil.move(str(path), target)
                caption = f"{view_caption(view)}: {example.caption}"
                entries.append({"file": target.name, "caption": caption, "atlas": example.atlas, "view": view})
    index = out_dir / EXAMPLES_INDEX
    partial = index.with_suffix(".partial")
    partial.write_text(json.dumps(entries, indent=1))
    partial.replace(index)
    return entries


def read_examples(out_dir) -> list[dict]:
    """The index written by :func:`render_examples`, or ``[]`` while there is none."""
    index = Path(out_dir) / EXAMPLES_INDEX
    try:
        entries = json.loads(index.read_text())
    except (OSError, ValueError):
        return []
    return [entry for entry in entries if (Path(out_dir) / entry["file"]).is_file()]
