import numpy as np
import pytest

from cortico.atlases._dkt import DKT_CLASSIFIER
from cortico.atlases._fsdata import data_file
from cortico.atlases._gcsa import read_gcsa_priors
from cortico.exceptions import InputError


@pytest.fixture(scope="module")
def dkt_bytes():
    return data_file(DKT_CLASSIFIER.format(hemi="lh")).read_bytes()


def test_reads_dkt_priors_on_ico7():
    priors = read_gcsa_priors(data_file(DKT_CLASSIFIER.format(hemi="lh")))
    assert (priors.ico_priors, priors.ico_classifiers) == (7, 4)
    assert priors.input_names == ("mean_curvature",)
    assert priors.labels.shape == (163_842,)
    assert ((priors.probabilities > 0) & (priors.probabilities <= 1)).all()
    names = {priors.colortable[value][0] for value in np.unique(priors.labels)}
    assert len(names - {"unknown"}) == 31
    assert {"bankssts", "frontalpole", "temporalpole"}.isdisjoint(names)
    # annotation value = r + 256 g + 65536 b of the embedded colour table
    name, (r, g, b) = priors.colortable[14423100]
    assert name == "precentral" and (r, g, b) == (60, 20, 220)


def test_rejects_wrong_magic(tmp_path, dkt_bytes):
    path = tmp_path / "bad.gcs"
    path.write_bytes(b"\x00\x00\x00\x01" + dkt_bytes[4:1000])
    with pytest.raises(InputError, match="bad.gcs: not a GCSA file"):
        read_gcsa_priors(path)


@pytest.mark.parametrize("length", [40, 200_000, 2_000_000])
def test_rejects_truncated_file(tmp_path, dkt_bytes, length):
    path = tmp_path / "cut.gcs"
    path.write_bytes(dkt_bytes[:length])
    with pytest.raises(InputError, match="cut.gcs: .*(end of file|ASCII matrix|length|unterminated)"):
        read_gcsa_priors(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="none.gcs: cannot read"):
        read_gcsa_priors(tmp_path / "none.gcs")
