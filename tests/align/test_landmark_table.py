"""Landmark pairs pasted as a table: separators, names, headers, every problem with its line."""

import pytest

from cortico.align import landmark_pairs_from_table, parse_landmark_pairs
from cortico.exceptions import InputError


@pytest.mark.parametrize(
    "text",
    [
        "1,2,3,4,5,6\n7,8,9,10,11,12",
        "1;2;3;4;5;6\r\n7;8;9;10;11;12\r\n",
        "1\t2\t3\t4\t5\t6\n7\t8\t9\t10\t11\t12",
        "1 2 3 4 5 6\n  7 8 9   10 11 12\n\n",
        "sx,sy,sz,tx,ty,tz\n1,2,3,4,5,6\n7,8,9,10,11,12",
    ],
)
def test_separators_and_header(text):
    pairs = landmark_pairs_from_table(text)
    assert pairs == [
        {"source_point": [1.0, 2.0, 3.0], "target_point": [4.0, 5.0, 6.0]},
        {"source_point": [7.0, 8.0, 9.0], "target_point": [10.0, 11.0, 12.0]},
    ]
    parsed = parse_landmark_pairs(pairs)
    assert parsed.template_points.tolist() == [[1, 2, 3], [7, 8, 9]] and parsed.incoming_points.shape == (2, 3)


def test_named_pairs_keep_their_names():
    pairs = landmark_pairs_from_table("name,sx,sy,sz,tx,ty,tz\ncalcarine,1,2,3,4,5,6\n")
    assert pairs == [{"source_point": [1.0, 2.0, 3.0], "target_point": [4.0, 5.0, 6.0], "name": "calcarine"}]


def test_every_bad_line_is_reported_at_once():
    with pytest.raises(InputError) as caught:
        landmark_pairs_from_table("1,2,3,4,5,6\n1,2,3,4,5\n1,2,x,4,5,6\n")
    assert caught.value.problems == [
        "line 2: 5 numbers; expected 6 (template x y z, then patch x y z), optionally after a name",
        "line 3: '1,2,x,4,5,6' has a cell that is not a number",
    ]


def test_a_header_alone_is_no_table():
    with pytest.raises(InputError, match="no pair"):
        landmark_pairs_from_table("sx,sy,sz,tx,ty,tz\n")
