import os

# ITK reads its thread count once, at its first multi-threaded call.
os.environ.setdefault("ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cortico.align import align_patch  # noqa: E402
from cortico.align._synthetic import make_synthetic_patch  # noqa: E402


@pytest.fixture(scope="session")
def patch():
    return make_synthetic_patch(size=64, voxel_size=1.0)


@pytest.fixture(scope="session")
def syn_only(patch):
    return align_patch(patch.incoming_image, patch.incoming_depth, patch.template_depth, patch.matrix)


@pytest.fixture(scope="session")
def with_landmarks(patch):
    pairs = patch.landmark_pairs + [{**patch.held_out_pairs[0], "active": False, "colour": "#ff0000"}]
    return align_patch(patch.incoming_image, patch.incoming_depth, patch.template_depth, patch.matrix, pairs)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
