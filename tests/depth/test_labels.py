"""Label mappings and label-volume validation."""

import numpy as np
import pytest

from cortico.depth import DEFAULT_LABELS, FREESURFER_RIBBON_LABELS, LabelMapping
from cortico.depth._labels import CORTEX, OUTSIDE, WHITE, validate_label_volume
from cortico.exceptions import InputError


def test_default_mapping_classifies_0_100_200():
    labels = np.array([0, 100, 200, 100]).reshape(4, 1, 1)
    np.testing.assert_array_equal(DEFAULT_LABELS.classify(labels).ravel(), [OUTSIDE, CORTEX, WHITE, CORTEX])


def test_default_mapping_is_strict_and_lists_unexpected_labels():
    labels = np.array([0, 100, 5, 200, 5, 42]).reshape(6, 1, 1)
    with pytest.raises(InputError, match=r"labels \[5, 42\]") as info:
        DEFAULT_LABELS.classify(labels)
    assert "expected only cortex [100], white [200] and outside [0]" in info.value.message


def test_long_lists_of_unexpected_labels_are_shortened():
    labels = np.arange(300, 330).reshape(30, 1, 1)
    with pytest.raises(InputError, match="and 10 more") as info:
        DEFAULT_LABELS.classify(labels)
    assert len(info.value.problems) == 30


def test_freesurfer_ribbon_mapping_treats_other_labels_as_outside():
    labels = np.array([3, 42, 2, 41, 0, 17, 77]).reshape(7, 1, 1)
    np.testing.assert_array_equal(
        FREESURFER_RIBBON_LABELS.classify(labels).ravel(),
        [CORTEX, CORTEX, WHITE, WHITE, OUTSIDE, OUTSIDE, OUTSIDE],
    )


def test_coerce_accepts_dicts_and_strict_outside():
    mapping = LabelMapping.coerce({"cortex": [3, 42], "white": 2, "outside": [0]})
    assert mapping == LabelMapping(cortex=(3, 42), white=(2,), outside=(0,))
    with pytest.raises(InputError, match=r"labels \[41\]"):
        mapping.classify(np.array([0, 3, 41]).reshape(3, 1, 1))
    assert LabelMapping.coerce(None) is DEFAULT_LABELS
    assert LabelMapping.coerce(mapping) is mapping


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"cortex": [3]}, r"lacks the key\(s\) \['white'\]"),
        ({"cortex": [3], "white": [2], "csf": [0]}, r"unknown keys \['csf'\]"),
        ({"cortex": [3, 2], "white": [2]}, r"labels \[2\] are listed as both cortex and white"),
        ({"cortex": [], "white": [2]}, "no cortex label"),
        ({"cortex": [1.5], "white": [2]}, "1.5 for 'cortex' is not an integer"),
        ({"cortex": "3", "white": [2]}, "must be a list of integers"),
        ([3, 2], "must be a dict"),
    ],
)
def test_bad_mappings_are_input_errors(mapping, message):
    with pytest.raises(InputError, match=message):
        LabelMapping.coerce(mapping)


def test_validate_accepts_integer_floats_and_drops_a_singleton_axis():
    data = np.array([0.0, 100.0, 200.0]).reshape(3, 1, 1, 1)
    validated = validate_label_volume(data)
    assert validated.shape == (3, 1, 1) and validated.dtype == np.int64
    np.testing.assert_array_equal(validated.ravel(), [0, 100, 200])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (np.zeros((2, 2, 2), bool), "boolean mask"),
        (np.array([0.0, np.nan]).reshape(2, 1, 1), "NaN or infinite"),
        (np.array([0.0, 99.7]).reshape(2, 1, 1), r"non-integer values such as \[99.7"),
        (np.zeros((0, 2, 2)), "empty"),
        (np.array(["a", "b"]).reshape(2, 1, 1), "data type <U1"),
        (np.zeros((2, 2, 2, 3)), "4D data of shape \\(2, 2, 2, 3\\)"),
    ],
)
def test_validate_rejects_bad_volumes(data, message):
    with pytest.raises(InputError, match=message):
        validate_label_volume(data)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.int64])
def test_classify_gives_the_same_classes_for_c_and_fortran_order(dtype):
    rng = np.random.default_rng(3)
    labels = rng.choice(np.array([0, 2, 3, 41, 42, 77], dtype=dtype), size=(7, 9, 11))
    expected = np.select([np.isin(labels, (3, 42)), np.isin(labels, (2, 41))], [1, 2], 0)
    for data in (labels, np.asfortranarray(labels), labels[:, ::2, 1:]):
        want = expected if data is labels or data.flags.f_contiguous else expected[:, ::2, 1:]
        np.testing.assert_array_equal(FREESURFER_RIBBON_LABELS.classify(data), want)


def test_classify_handles_negative_and_widely_spread_labels():
    labels = np.array([[[-5, 100], [200, 0]], [[1 << 30, 100], [0, -(1 << 30)]]], dtype=np.int64)
    mapping = LabelMapping((100,), (200,))
    np.testing.assert_array_equal(mapping.classify(labels), [[[0, 1], [2, 0]], [[0, 1], [0, 0]]])
    strict = LabelMapping((100,), (200,), (0,))
    with pytest.raises(InputError, match=r"labels \[-1073741824, -5, 1073741824\]"):
        strict.classify(labels)
    small = np.array([[[-5, 100], [200, 0]]], dtype=np.int16)
    with pytest.raises(InputError, match=r"labels \[-5\]"):
        strict.classify(small)
