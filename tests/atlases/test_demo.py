"""Demonstration values: every region, a plausible range, a smooth front-to-back pattern; demo templates."""

import numpy as np
import pytest

from cortico.atlases import demo_values, load_atlas, template_csv


@pytest.fixture(scope="module")
def dk():
    return load_atlas("dk")


def test_every_region_gets_a_thickness_like_value(dk):
    values = demo_values(dk)
    assert set(values) == {region.key for region in dk.regions}
    assert 1.5 <= min(values.values()) and max(values.values()) <= 3.6
    assert len(set(values.values())) > 40  # a pattern, not a constant


def test_values_follow_the_anterior_posterior_axis(dk):
    values = demo_values(dk)
    # Frontal regions sit where sin(y / 35) is high, occipital ones where it is low.
    assert values["lh.frontalpole"] > values["lh.lateraloccipital"] + 0.5
    assert values["lh.superiorfrontal"] != values["rh.superiorfrontal"]  # hemispheres differ slightly


@pytest.mark.parametrize("schema", ["v1", "v2"])
def test_demo_template_fills_every_region_column(dk, schema):
    from cortico.paint import read_values_table

    text = template_csv("dk", schema, image_names=("a", "b"), demo=True)
    lines = text.splitlines()
    assert len(lines) == 3 and lines[1].startswith("a,") and lines[2].startswith("b,")
    header, first, second = (line.split(",") for line in lines)
    filled = [column for column, cell in zip(header[1:], first[1:]) if cell]
    assert set(header[1:]) - set(filled) <= {"unknown", "Left-unknown", "Right-unknown"}
    # Each row is 0.15 lower than the one before.
    diffs = [float(a) - float(b) for a, b in zip(first[1:], second[1:]) if a]
    assert np.allclose(diffs, 0.15, atol=0.011)
    table = read_values_table(text.encode(), dk)
    assert [row.name for row in table.rows] == ["a", "b"]
    unpainted = {key for key, value in zip(table.region_keys, table.matrix()[0]) if np.isnan(value)}
    assert unpainted <= {"Brain-Stem", "3rd-Ventricle", "4th-Ventricle"}  # BrainPainter's template has no column


def test_empty_template_stays_empty():
    lines = template_csv("dk", "v2").splitlines()
    assert lines[1].strip(",") == "image-1"
