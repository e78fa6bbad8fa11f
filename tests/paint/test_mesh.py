"""The 3D-preview mesh: a core output of a checked request, painted per row."""

import json
import struct

import numpy as np

from cortico.paint import check_paint_request, preview_geometry, preview_mesh


def _decode(data):
    (length,) = struct.unpack("<I", data[:4])
    header = json.loads(data[4 : 4 + length])
    offset = 4 + length
    positions = np.frombuffer(data, "<f4", header["vertex_count"] * 3, offset).reshape(-1, 3)
    offset += positions.nbytes
    indices = np.frombuffer(data, "<u4", header["index_count"], offset)
    offset += indices.nbytes
    colors = np.frombuffer(data, np.uint8, header["vertex_count"] * 3, offset).reshape(-1, 3)
    assert offset + colors.nbytes == len(data)
    return header, positions, indices, colors


def _part(header, colors, name):
    part = next(p for p in header["parts"] if p["name"] == name)
    return colors[part["vertex_offset"] : part["vertex_offset"] + part["vertex_count"]]


def test_preview_mesh_paints_each_row_with_the_request_scale():
    table = b"Image-name-unique,Left-superiorfrontal,Right-superiorfrontal\nhigh-left,3,1\nhigh-right,1,3\n"
    request = check_paint_request(table, {"colors": ["#0000ff", "#ff0000"]})
    header, positions, indices, colors = _decode(preview_mesh(request, 0))
    assert header["title"] == "high-left" and indices.max() < len(positions)
    red, blue = np.array([255, 0, 0]), np.array([0, 0, 255])
    assert np.all(_part(header, colors, "cortex-lh") == red, axis=1).sum() > 100
    assert np.all(_part(header, colors, "cortex-rh") == blue, axis=1).sum() > 100
    header, _, _, colors = _decode(preview_mesh(request, 1))
    assert header["title"] == "high-right"
    assert np.all(_part(header, colors, "cortex-rh") == red, axis=1).sum() > 100
    assert not np.all(_part(header, colors, "cortex-lh") == red, axis=1).any()
    # the decimated geometry is built once per atlas and surface
    assert preview_geometry(request.atlas, "pial") is preview_geometry(request.atlas, "pial")
