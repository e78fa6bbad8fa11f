"""Progress text derived from a job's numbers."""

from cortico.jobs._context import progress_text


def test_progress_text_is_derived_from_the_numbers():
    assert progress_text("image", 3, 8) == "image 3 of 8"
    assert progress_text("image", 3, 8, "sub-01, Left lateral") == "image 3 of 8: sub-01, Left lateral"
    assert progress_text("zip", 0, 1) == "zip 0 of 1"
