import datetime

import nibabel as nib
import numpy as np

from cortico.images import inspect_nifti
from cortico.images._extra import utc_timestamp

CHUMNI_KEYS = {"fileName", "fileSize", "fileSizeUncompressed", "uploaded", "nifti", "data", "neuroglancer", "warnings"}
NIFTI_KEYS = {
    "niftiVersion", "byteOrder", "size", "voxelSize", "spatialUnits", "temporalUnits", "dataType", "slope",
    "calMax", "description", "coordinateSystem", "intentName", "affineMatrix",
}  # fmt: skip


def test_field_names_and_values_follow_chumni(make_nifti):
    affine = np.eye(4)
    affine[:3, 3] = [-90, -126, -72]

    def edit(header):
        header["descrip"] = b"mnc2nii colin27"
        header["intent_name"] = b"Equivol. depth"
        header["cal_max"] = 1.0
        header.set_sform(affine, code=1)

    path = make_nifti(np.zeros((181, 217, 181), np.int16), affine, name="colin.nii.gz", header_edit=edit)
    moment = datetime.datetime(2019, 6, 3, 14, 30, 47, 756927, tzinfo=datetime.UTC)
    extra = inspect_nifti(path, "colin.nii.gz", segmentation=True, uploaded=moment)
    assert set(extra) == CHUMNI_KEYS
    assert set(extra["nifti"]) == NIFTI_KEYS
    assert extra["uploaded"] == "2019-06-03T14:30:47.756927Z"
    nifti = extra["nifti"]
    assert nifti["niftiVersion"] == "Nifti1"
    assert nifti["byteOrder"] == "LITTLE_ENDIAN"
    assert nifti["size"] == [181, 217, 181]
    assert nifti["voxelSize"] == [1.0, 1.0, 1.0]
    assert (nifti["spatialUnits"], nifti["temporalUnits"]) == ("Millimeter", "Seconds")
    assert nifti["dataType"] == "signed_short"
    assert nifti["description"] == "mnc2nii colin27"
    assert nifti["intentName"] == "Equivol. depth"
    assert nifti["calMax"] == 1.0
    assert nifti["coordinateSystem"] == "SCANNER_ANAT"
    assert nifti["affineMatrix"] == affine.tolist()
    assert extra["data"] == {"minValue": "0", "maxValue": "0"}
    assert extra["neuroglancer"] == {
        "type": "segmentation",
        "data_type": "uint16",
        "size": [181, 217, 181],
        "resolution": [1e6, 1e6, 1e6],
        "transform": [
            [1, 0, 0, -90500000],
            [0, 1, 0, -126500000],
            [0, 0, 1, -72500000],
            [0, 0, 0, 1],
        ],
    }


def test_missing_orientation_and_units_are_warned(tmp_path):
    path = tmp_path / "volume.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), None), path)
    warnings = inspect_nifti(path, "volume.nii.gz")["warnings"]
    assert any("neither sform nor qform" in warning for warning in warnings)
    assert any("millimetres assumed" in warning for warning in warnings)


def test_timestamp_is_utc_with_z():
    moment = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert utc_timestamp(moment) == "2020-01-02T01:04:05.000000Z"
