"""The example figures: real paintings of the demonstration tables, indexed for the home page."""

import json

import numpy as np
import pytest
from PIL import Image

from cortico.paint import _examples
from cortico.paint._examples import EXAMPLE_FIGURES, read_examples, render_examples

pytestmark = [pytest.mark.gl]


def test_render_examples_writes_every_view_and_the_index_last(tmp_path, monkeypatch):
    # Two of the examples (one cortical, one subcortical) at a small size keep the test short.
    monkeypatch.setattr(_examples, "EXAMPLE_FIGURES", (EXAMPLE_FIGURES[0], EXAMPLE_FIGURES[2]))
    entries = render_examples(tmp_path, width=240, height=180)
    assert [entry["view"] for entry in entries] == [
        "cortical-outer-left-hemisphere",
        "cortical-inner-left-hemisphere",
        "subcortical-outer-left-hemisphere",
    ]
    assert json.loads((tmp_path / "examples.json").read_text()) == entries == read_examples(tmp_path)
    for entry in entries:
        image = np.asarray(Image.open(tmp_path / entry["file"]).convert("RGB"), dtype=float)
        assert image.shape == (180, 240, 3)
        assert image.std(axis=(0, 1)).max() > 20  # a painted brain, not a blank frame
    lateral = np.asarray(Image.open(tmp_path / entries[0]["file"]).convert("RGB"))
    assert len(np.unique(lateral.reshape(-1, 3), axis=0)) > 200  # many colours of viridis
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([e["file"] for e in entries] + ["examples.json"])


def test_read_examples_is_empty_without_a_complete_index(tmp_path):
    assert read_examples(tmp_path) == []
    (tmp_path / "examples.json").write_text('[{"file": "gone.png", "caption": "x"}]')
    assert read_examples(tmp_path) == []  # a listed file that is missing is not offered
