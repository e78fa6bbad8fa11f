import csv
import io

import pytest

from cortico.atlases import template_columns, template_csv
from cortico.atlases._fsaverage import annotation_labels
from cortico.exceptions import InputError, NotFoundError


@pytest.mark.parametrize(
    "name, schema, count",
    [
        ("dk", "v1", 47),
        ("dk", "v2", 94),
        ("destrieux", "v1", 87),
        ("destrieux", "v2", 174),
        ("dkt", "v1", 44),
        ("Tourville", "v2", 88),
        ("mouse", "v2", 54),
    ],
)
def test_brainpainter_column_counts(name, schema, count):
    columns = template_columns(name, schema)
    assert len(columns) == len(set(columns)) == count


def test_template_names_match_the_annotations():
    assert template_columns("dk", "v1")[:34] == [str(n) for n in annotation_labels("aparc")["lh_names"]]
    destrieux = template_columns("destrieux", "v1")
    assert destrieux[:74] == [str(n) for n in annotation_labels("aparc.a2009s")["lh_names"]]
    assert destrieux[74] == "Unknown" and "Thalamus-Proper" in destrieux
    assert template_columns("dk", "v2")[0] == "Left-bankssts"
    assert "Right-VentralDC" in template_columns("dk", "v2")


def test_template_csv_is_ready_to_fill():
    rows = list(csv.reader(io.StringIO(template_csv("dk", "v1"))))
    assert rows[0][0] == "Image-name-unique" and len(rows[0]) == 48
    assert rows[1] == ["image-1"] + [""] * 47


def test_template_from_an_atlas(dk):
    v2 = template_columns(dk, "v2")
    assert v2[0] == "Left-bankssts" and "Brain-Stem" in v2 and len(v2) == len(dk.regions)
    assert len(template_columns(dk, "v1")) == 34 + 12 + 3


def test_template_errors():
    with pytest.raises(NotFoundError, match="No template for atlas 'yeo'"):
        template_columns("yeo", "v1")
    with pytest.raises(InputError, match="has no v1 template"):
        template_columns("mouse", "v1")
    with pytest.raises(InputError, match="schema 'v3'"):
        template_columns("dk", "v3")
