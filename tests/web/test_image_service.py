"""The Chumni-compatible image service at /image-service/ and /api/v1/images."""

import gzip
import io
import json
import math
import struct

import nibabel as nib
import numpy as np
import pytest

from tests.conftest import add_user, make_app
from tests.web._volumes import labels, nifti_bytes, ramp, upload


@pytest.fixture
def alice(app):
    return add_user(app, "alice")


@pytest.fixture
def bob(app):
    return add_user(app, "bob")


def stored_folders(app):
    from pathlib import Path

    root = Path(app.config["STORAGE_PATH"]) / "images"
    return sorted(p.name for p in root.iterdir() if p.name != ".incoming"), sorted((root / ".incoming").iterdir())


def entry_named(client, headers, name):
    return next(e for e in client.get("/image-service/list", headers=headers).json if e["name"] == name)


# --- round trips -------------------------------------------------------------------------------------------


def test_upload_list_download_round_trip(client, alice):
    data = ramp()
    content = nifti_bytes(data, affine=np.diag([0.5, 0.5, 2.0, 1.0]))
    response = upload(client, alice, content, "patch.nii.gz")
    assert response.status_code == 200, response.json
    extra = response.json
    assert extra["fileName"] == "patch.nii.gz"
    assert extra["fileSize"] == len(content)
    assert extra["fileSizeUncompressed"] == len(gzip.decompress(content))
    assert extra["nifti"]["size"] == [20, 12, 8]
    assert extra["nifti"]["voxelSize"] == [0.5, 0.5, 2.0]
    assert extra["data"] == {"minValue": "0", "maxValue": str(19 + 1100 + 70000)}
    assert extra["neuroglancer"]["type"] == "image"
    assert extra["neuroglancer"]["resolution"] == [500000.0, 500000.0, 2000000.0]

    listing = client.get("/image-service/list", headers=alice).json
    assert [e["name"] for e in listing] == ["patch"]
    assert listing[0]["visibility"] == "private"
    assert listing[0]["links"]["normalized"].startswith("/nifti/")
    assert listing[0]["extra"] == extra

    gz = client.get("/image-service/download/patch.nii.gz", headers=alice)
    assert gz.status_code == 200 and gz.data == content
    raw = client.get("/image-service/download/patch.nii", headers=alice)
    assert raw.status_code == 200 and raw.data == gzip.decompress(content)
    assert "patch.nii" in raw.headers["Content-Disposition"]
    original = client.get("/image-service/download/patch", headers=alice)
    assert original.data == content
    assert "filename=patch.nii.gz" in original.headers["Content-Disposition"]
    loaded = nib.Nifti1Image.from_bytes(raw.data)
    assert np.array_equal(np.asarray(loaded.dataobj), data)


def test_raw_upload_is_served_gzipped_on_demand(client, alice):
    content = nifti_bytes(ramp(), compressed=False)
    assert upload(client, alice, content, "raw.nii").status_code == 200
    gz = client.get("/image-service/download/raw.nii.gz", headers=alice)
    assert gz.status_code == 200
    assert gzip.decompress(gz.data) == content
    assert client.get("/image-service/download/raw.nii", headers=alice).data == content
    assert client.get("/image-service/download/raw", headers=alice).data == content


def test_segmentation_flag_makes_a_segmentation_layer(client, alice):
    response = upload(client, alice, nifti_bytes(labels()), "seg.nii.gz", segmentation=True)
    assert response.status_code == 200, response.json
    assert response.json["neuroglancer"]["type"] == "segmentation"
    normalized = entry_named(client, alice, "seg")["links"]["normalized"]
    info = client.get(f"/image-service{normalized}/info").json
    assert info["type"] == "segmentation"
    assert info["data_type"].startswith("uint")


def test_delete_by_normalized_link_removes_files(app, client, alice):
    upload(client, alice, nifti_bytes(ramp()), "gone.nii.gz")
    normalized = entry_named(client, alice, "gone")["links"]["normalized"]
    assert stored_folders(app)[0] != []
    assert client.delete(f"/image-service{normalized}", headers=alice).status_code == 204
    assert client.get("/image-service/list", headers=alice).json == []
    assert client.get(f"/image-service{normalized}/info").status_code == 404
    assert client.get("/image-service/download/gone.nii.gz", headers=alice).status_code == 404
    assert stored_folders(app) == ([], [])
    assert client.delete(f"/image-service{normalized}", headers=alice).status_code == 404


def test_same_name_conflicts_and_preflight_says_so(client, alice):
    content = nifti_bytes(ramp())
    assert upload(client, alice, content, "dup.nii.gz").status_code == 200
    again = upload(client, alice, content, "dup.nii")
    assert again.status_code == 409
    assert "dup" in again.json["message"]
    preflight = upload(client, alice, content[:2048], "dup.nii.gz", url="/image-service/preflight", announce=False)
    assert preflight.status_code == 409


def test_preflight_reads_the_header_only_and_stores_nothing(app, client, alice):
    content = nifti_bytes(ramp(shape=(64, 64, 64)))
    response = client.post(
        "/image-service/preflight",
        content_type="multipart/form-data",
        headers={**alice, "X-CHUNMA-FILESIZE": str(len(content))},
        data={"image": (io.BytesIO(content[:2048]), "big.nii.gz")},
    )
    assert response.status_code == 200, response.json
    assert "data" not in response.json
    assert response.json["nifti"]["size"] == [64, 64, 64]
    assert response.json["fileSize"] == len(content)
    assert response.json["fileSizeUncompressed"] == 352 + 64**3 * 4
    assert client.get("/image-service/list", headers=alice).json == []
    assert stored_folders(app) == ([], [])
    bad = upload(client, alice, b"not a nifti header" * 50, "x.nii", url="/image-service/preflight")
    assert bad.status_code == 422
    assert "NIfTI" in bad.json["message"]


# --- bad files: clear 4xx, nothing stored ------------------------------------------------------------------


def _zero_dimension():
    raw = bytearray(nifti_bytes(ramp(shape=(4, 4, 4)), compressed=False))
    struct.pack_into("<h", raw, 40 + 2 * 2, 0)  # dim[2] = 0
    return bytes(raw)


def _gzip_bomb():
    header = nib.Nifti1Image(np.zeros((2, 2, 2), np.uint8), np.eye(4)).to_bytes()
    return gzip.compress(header + bytes(64 << 20), compresslevel=9)


def _huge_header():
    image = nib.Nifti1Image(np.zeros((2, 2, 2), np.float32), np.eye(4))
    image.header.set_data_shape((4096, 4096, 4096))
    image.header.set_data_offset(352)
    return gzip.compress(image.header.binaryblock + b"\0" * 4 + bytes(1000))


@pytest.mark.parametrize(
    "name, content, file_name, status, words",
    [
        ("truncated gzip", nifti_bytes(ramp())[:-200], "t.nii.gz", 422, "truncated"),
        ("truncated raw", nifti_bytes(ramp(), compressed=False)[:1000], "t.nii", 422, "truncated"),
        ("gzip bomb", _gzip_bomb(), "bomb.nii.gz", 422, "gzip bomb"),
        ("declares too much", _huge_header(), "huge.nii.gz", 413, "bytes"),
        ("not NIfTI", b"Lorem ipsum dolor sit amet " * 40, "text.nii", 422, "NIfTI"),
        ("0-sized dimension", _zero_dimension(), "zero.nii", 422, "dimension 2"),
        ("wrong suffix", nifti_bytes(ramp()), "patch.png", 422, ".nii"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(app, client, alice, name, content, file_name, status, words):
    response = upload(client, alice, content, file_name)
    assert response.status_code == status, (name, response.json)
    assert words in response.json["message"], response.json
    assert client.get("/image-service/list", headers=alice).json == []
    assert stored_folders(app) == ([], [])


def test_announced_size_must_match(app, client, alice):
    content = nifti_bytes(ramp())
    response = client.post(
        "/image-service/upload",
        content_type="multipart/form-data",
        headers={**alice, "X-CHUNMA-FILESIZE": str(len(content) + 10)},
        data={"image": (io.BytesIO(content), "short.nii.gz")},
    )
    assert response.status_code == 422
    assert "announced" in response.json["message"]
    assert stored_folders(app) == ([], [])


def test_upload_needs_multipart_image_field(client, alice):
    as_json = client.post("/image-service/upload", headers=alice, json={"image": "x"})
    assert as_json.status_code == 422 and "multipart" in as_json.json["message"]
    no_file = client.post(
        "/image-service/upload",
        headers=alice,
        content_type="multipart/form-data",
        data={"other": (io.BytesIO(b"x"), "a.nii")},
    )
    assert no_file.status_code == 422 and "'image'" in no_file.json["message"]


def test_request_size_limit_is_413_and_stores_nothing(instance):
    app = make_app(instance, MAX_CONTENT_LENGTH=4096)
    client, alice = app.test_client(), add_user(app, "alice")
    response = upload(client, alice, nifti_bytes(ramp(), compressed=False), "big.nii")
    assert response.status_code == 413
    assert stored_folders(app) == ([], [])


# --- users ---------------------------------------------------------------------------------------------------


def test_routes_need_a_token(client):
    for method, path in [
        ("get", "/image-service/list"),
        ("post", "/image-service/upload"),
        ("post", "/image-service/preflight"),
        ("get", "/image-service/download/x.nii.gz"),
        ("delete", "/image-service/nifti/abc"),
        ("get", "/api/v1/images/"),
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 401, path
        assert response.json["message"] == "Missing Bearer token Authorization header"
    wrong = client.get("/image-service/list", headers={"Authorization": "Bearer ctk_wrong"})
    assert wrong.status_code == 401 and "Invalid" in wrong.json["message"]


def test_users_see_their_own_and_public_volumes_only(client, alice, bob):
    upload(client, alice, nifti_bytes(ramp()), "secret.nii.gz")
    upload(client, alice, nifti_bytes(ramp()), "shared.nii.gz", visibility="public")
    upload(client, bob, nifti_bytes(ramp()), "bobs.nii.gz")
    assert [e["name"] for e in client.get("/image-service/list", headers=alice).json] == ["secret", "shared"]
    bob_view = client.get("/image-service/list", headers=bob).json
    assert [(e["name"], e["visibility"]) for e in bob_view] == [("bobs", "private"), ("shared", "public")]

    secret = entry_named(client, alice, "secret")["links"]["normalized"]
    shared = entry_named(client, alice, "shared")["links"]["normalized"]
    for suffix in (".nii.gz", ".nii", ""):
        assert client.get(f"/image-service/download/secret{suffix}", headers=bob).status_code == 404
    assert client.get("/image-service/download/shared.nii.gz", headers=bob).status_code == 200
    assert client.delete(f"/image-service{secret}", headers=bob).status_code == 404
    assert client.delete(f"/image-service{shared}", headers=bob).status_code == 404
    assert len(client.get("/image-service/list", headers=alice).json) == 2
    # Bob may use the same name for his own volume.
    assert upload(client, bob, nifti_bytes(ramp()), "secret.nii.gz").status_code == 200


def test_own_api_round_trip_and_isolation(client, alice, bob):
    created = upload(
        client, alice, nifti_bytes(labels()), "mine.nii.gz", url="/api/v1/images/", announce=False, segmentation="true"
    )
    assert created.status_code == 201, created.json
    image = created.json
    assert image["name"] == "mine" and image["segmentation"] is True and image["own"] is True
    assert (
        image["links"]["neuroglancer"] == "precomputed://http://localhost/image-service" + image["links"]["normalized"]
    )
    assert client.get(image["links"]["self"], headers=alice).json["id"] == image["id"]
    assert [i["id"] for i in client.get("/api/v1/images/", headers=alice).json] == [image["id"]]
    downloaded = client.get(image["links"]["download"] + "?format=raw", headers=alice)
    assert np.array_equal(np.asarray(nib.Nifti1Image.from_bytes(downloaded.data).dataobj), labels())

    assert client.get(image["links"]["self"], headers=bob).status_code == 404
    assert client.get(image["links"]["download"], headers=bob).status_code == 404
    assert client.delete(image["links"]["self"], headers=bob).status_code == 404
    assert client.patch(image["links"]["self"], headers=bob, json={"visibility": "public"}).status_code == 404
    public = client.patch(image["links"]["self"], headers=alice, json={"visibility": "public"})
    assert public.status_code == 200 and public.json["visibility"] == "public"
    assert client.get(image["links"]["self"], headers=bob).json["own"] is False
    assert client.delete(image["links"]["self"], headers=bob).status_code == 404
    assert client.delete(image["links"]["self"], headers=alice).status_code == 204
    assert client.get(image["links"]["self"], headers=alice).status_code == 404


def test_user_text_never_reaches_file_paths(app, client, alice):
    name = "../../é patch;rm -rf.nii.gz"
    response = upload(client, alice, nifti_bytes(ramp()), name)
    assert response.status_code == 200, response.json
    assert response.json["fileName"] == "é patch;rm -rf.nii.gz"  # the folders were dropped
    folders, _ = stored_folders(app)
    from pathlib import Path

    root = Path(app.config["STORAGE_PATH"]) / "images"
    files = sorted(str(p.relative_to(root / folders[0])) for p in (root / folders[0]).iterdir())
    assert files == ["precomputed", "volume.nii.gz"]
    assert client.get("/image-service/download/é patch;rm -rf.nii.gz", headers=alice).status_code == 200


# --- Neuroglancer precomputed --------------------------------------------------------------------------------

_DATA_TYPES = {"uint8", "uint16", "uint32", "uint64", "float32"}


def _check_info(info):
    """The precomputed volume ``info`` format (neuroglancer/src/datasource/precomputed/volume.md)."""
    assert info["type"] in ("image", "segmentation")
    assert info["data_type"] in _DATA_TYPES
    assert isinstance(info["num_channels"], int) and info["num_channels"] >= 1
    assert isinstance(info["scales"], list) and info["scales"]
    keys = set()
    for scale in info["scales"]:
        assert isinstance(scale["key"], str) and scale["key"] and "/" not in scale["key"]
        keys.add(scale["key"])
        assert len(scale["size"]) == 3 and all(isinstance(v, int) and v > 0 for v in scale["size"])
        assert len(scale["resolution"]) == 3 and all(v > 0 for v in scale["resolution"])
        assert len(scale["voxel_offset"]) == 3 and all(isinstance(v, int) for v in scale["voxel_offset"])
        assert scale["encoding"] in ("raw", "jpeg", "compressed_segmentation")
        assert scale["chunk_sizes"] and all(
            len(c) == 3 and all(isinstance(v, int) and v > 0 for v in c) for c in scale["chunk_sizes"]
        )
    assert len(keys) == len(info["scales"])
    first = info["scales"][0]["resolution"]
    for scale in info["scales"][1:]:
        assert all(r >= f for r, f in zip(scale["resolution"], first))


def _read_scale(client, base, scale, dtype):
    """Assemble a whole scale from its chunks, as Neuroglancer fetches them."""
    size, chunk = scale["size"], scale["chunk_sizes"][0]
    volume = np.zeros(size, dtype)
    for x0 in range(0, size[0], chunk[0]):
        for y0 in range(0, size[1], chunk[1]):
            for z0 in range(0, size[2], chunk[2]):
                x1, y1, z1 = min(x0 + chunk[0], size[0]), min(y0 + chunk[1], size[1]), min(z0 + chunk[2], size[2])
                response = client.get(f"{base}/{scale['key']}/{x0}-{x1}_{y0}-{y1}_{z0}-{z1}")
                assert response.status_code == 200, response.data[:200]
                assert response.headers["Access-Control-Allow-Origin"] == "*"
                shape = (x1 - x0, y1 - y0, z1 - z0)
                assert len(response.data) == math.prod(shape) * np.dtype(dtype).itemsize
                volume[x0:x1, y0:y1, z0:z1] = np.frombuffer(response.data, dtype).reshape(shape, order="F")
    return volume


def test_precomputed_volume_is_valid_for_neuroglancer(client, alice):
    data = ramp(shape=(150, 70, 20))
    upload(client, alice, nifti_bytes(data, affine=np.diag([0.5, 0.5, 1.0, 1.0])), "big.nii.gz")
    base = "/image-service" + entry_named(client, alice, "big")["links"]["normalized"]
    response = client.get(f"{base}/info")  # no token: Neuroglancer sends none
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    info = json.loads(response.data)
    _check_info(info)
    assert info["type"] == "image" and info["data_type"] == "float32" and info["num_channels"] == 1
    assert info["scales"][0]["size"] == [150, 70, 20]
    assert info["scales"][0]["resolution"] == [500000.0, 500000.0, 1000000.0]
    assert len(info["scales"]) >= 2
    assert np.array_equal(_read_scale(client, base, info["scales"][0], "<f4"), data)
    coarse = _read_scale(client, base, info["scales"][1], "<f4")
    assert coarse.shape == tuple(info["scales"][1]["size"])
    assert abs(float(coarse.mean()) - float(data.mean())) < 0.05 * float(data.mean())


def test_precomputed_refuses_unknown_keys_chunks_and_paths(client, alice):
    upload(client, alice, nifti_bytes(ramp()), "v.nii.gz")
    base = "/image-service" + entry_named(client, alice, "v")["links"]["normalized"]
    key = client.get(f"{base}/info").json["scales"][0]["key"]
    assert client.get(f"{base}/{key}/0-20_0-12_0-8").status_code == 200
    for path in (
        f"{base}/{key}/0-64_0-64_0-64",
        f"{base}/nokey/0-20_0-12_0-8",
        f"{base}/{key}/..%2Finfo",
        f"{base}/{key}/0-20_0-12",
        "/image-service/nifti/unknown/info",
    ):
        assert client.get(path).status_code == 404, path


def test_cors_preflight_allows_chumni_headers(instance):
    app = make_app(instance, CORS_ORIGINS=r"https://voluba\.example")
    client = app.test_client()
    response = client.options(
        "/image-service/upload",
        headers={
            "Origin": "https://voluba.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, X-CHUNMA-FILESIZE, X-CHUNMA-SEGMENTATION",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://voluba.example"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "x-chunma-filesize" in allowed and "authorization" in allowed


def test_preflight_says_when_the_upload_would_be_too_large(instance):
    app = make_app(instance, MAX_CONTENT_LENGTH=1 << 20)
    client, alice = app.test_client(), add_user(app, "alice")
    content = nifti_bytes(ramp())
    response = client.post(
        "/image-service/preflight",
        content_type="multipart/form-data",
        headers={**alice, "X-CHUNMA-FILESIZE": str(5 << 20)},
        data={"image": (io.BytesIO(content[:2048]), "big.nii.gz")},
    )
    assert response.status_code == 413
    assert str(1 << 20) in response.json["message"]


# --- the documented base URL with its trailing slash (VoluBA appends "/list" to it) ---------------------------


def test_doubled_slash_is_served_on_every_route_without_redirect(client, alice):
    content = nifti_bytes(ramp())
    response = client.post(
        "/image-service//upload",
        content_type="multipart/form-data",
        headers={**alice, "X-CHUNMA-FILESIZE": str(len(content))},
        data={"image": (io.BytesIO(content), "v.nii.gz")},
    )
    assert response.status_code == 200, response.json
    single = client.get("/image-service/list", headers=alice)
    doubled = client.get("/image-service//list", headers=alice)
    assert doubled.status_code == 200 and doubled.json == single.json
    assert client.get("/image-service//download/v.nii.gz", headers=alice).data == content
    preflight = client.post(
        "/image-service//preflight",
        content_type="multipart/form-data",
        headers=alice,
        data={"image": (io.BytesIO(content[:2048]), "w.nii.gz")},
    )
    assert preflight.status_code == 200 and preflight.json["nifti"]["size"] == [20, 12, 8]

    # Neuroglancer is given precomputed://<base>/ + links.normalized, i.e. a doubled slash too.
    normalized = single.json[0]["links"]["normalized"]
    info = client.get(f"/image-service/{normalized}/info")
    assert info.status_code == 200 and info.json["scales"][0]["size"] == [20, 12, 8]
    key = info.json["scales"][0]["key"]
    chunk = client.get(f"/image-service/{normalized}//{key}/0-20_0-12_0-8")
    assert chunk.status_code == 200
    assert np.array_equal(np.frombuffer(chunk.data, "<f4").reshape((20, 12, 8), order="F"), ramp())
    assert client.delete(f"/image-service/{normalized}", headers=alice).status_code in (200, 204)
    assert client.get("/image-service//list", headers=alice).json == []


def test_doubled_slash_cors_preflight_is_answered_directly(instance):
    app = make_app(instance, CORS_ORIGINS=r"https://voluba\.example")
    client = app.test_client()
    for path, method in (("/image-service//list", "GET"), ("/image-service//upload", "POST")):
        response = client.options(
            path,
            headers={
                "Origin": "https://voluba.example",
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "Authorization, X-CHUNMA-FILESIZE",
            },
        )
        assert response.status_code == 200, (path, response.status_code, response.headers.get("Location"))
        assert response.headers["Access-Control-Allow-Origin"] == "https://voluba.example"
        assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    alice = add_user(app, "alice")
    listed = client.get("/image-service//list", headers={**alice, "Origin": "https://voluba.example"})
    assert listed.status_code == 200 and listed.json == []
    assert listed.headers["Access-Control-Allow-Origin"] == "https://voluba.example"


def test_storage_quotas_answer_413_and_507_and_store_nothing(instance):
    # 20x12x8 float32 volumes: 7680 bytes of voxels, ~8.8 KB with the viewer copy
    app = make_app(instance, IMAGE_QUOTA_COUNT=2, IMAGE_QUOTA_BYTES=30_000)
    client, alice = app.test_client(), add_user(app, "alice")
    volume = nifti_bytes(np.ones((20, 12, 8), np.float32))
    assert upload(client, alice, volume, "a.nii.gz").status_code == 200
    assert upload(client, alice, volume, "b.nii.gz").status_code == 200
    third = upload(client, alice, volume, "c.nii.gz")
    assert third.status_code == 507
    assert "already stores 2 volume(s), the limit is 2" in third.json["message"]
    app.config.update(IMAGE_QUOTA_COUNT=10)
    big = upload(client, alice, nifti_bytes(np.ones((40, 24, 16), np.float32)), "big.nii.gz")
    assert big.status_code == 413
    assert "needs 0.1 MiB on the server" in big.json["message"] and "quota of your account" in big.json["message"]
    fits_alone = upload(client, alice, nifti_bytes(np.ones((20, 12, 12), np.float32)), "d.nii.gz")
    assert fits_alone.status_code == 507 and "already uses" in fits_alone.json["message"]
    names = {entry["name"] for entry in client.get("/image-service/list", headers=alice).json}
    assert names == {"a", "b"}
    stored = [p for p in (instance / "storage" / "images").iterdir() if not p.name.startswith(".")]
    assert len(stored) == 2


def test_large_upload_is_prepared_by_a_job_and_answers_being_prepared_until_then(instance, start_worker):
    from tests.conftest import wait_for

    app = make_app(instance, IMAGE_CONVERT_INLINE_MAX_BYTES=1000)
    client, alice = app.test_client(), add_user(app, "alice")
    data = ramp(shape=(150, 70, 20))
    response = upload(client, alice, nifti_bytes(data), "big.nii.gz")
    assert response.status_code == 200  # stored at once; no conversion in the request
    base = "/image-service" + entry_named(client, alice, "big")["links"]["normalized"]
    waiting = client.get(f"{base}/info")
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "5"
    assert "being prepared for viewing (queued)" in waiting.json["message"]
    assert client.get(f"{base}/1000um/0-64_0-64_0-20").status_code == 503
    folder = instance / "storage" / "images"
    assert [p.name for p in folder.glob("*/*")] == ["volume.nii.gz"]
    start_worker(app)
    ready = wait_for(lambda: (r := client.get(f"{base}/info")).status_code == 200 and r, timeout=120, what="info")
    info = json.loads(ready.data)
    assert np.array_equal(_read_scale(client, base, info["scales"][0], "<f4"), data)
    # the job was the owner's, outside the unfinished-jobs limit
    jobs = client.get("/api/v1/jobs/", headers=alice).json
    assert [(job["kind"], job["state"]) for job in jobs] == [("images.prepare", "succeeded")]


def test_prepare_job_refuses_another_users_volume(instance, start_worker):
    from tests.conftest import wait_for

    app = make_app(instance, IMAGE_CONVERT_INLINE_MAX_BYTES=1000)
    client, alice, bob = app.test_client(), add_user(app, "alice"), add_user(app, "bob")
    upload(client, alice, nifti_bytes(ramp()), "v.nii.gz")
    image_id = client.get("/api/v1/images/", headers=alice).json[0]["id"]
    start_worker(app)
    job = client.post("/api/v1/jobs/", json={"kind": "images.prepare", "params": {"image_id": image_id}}, headers=bob)
    final = wait_for(
        lambda: (b := client.get(f"/api/v1/jobs/{job.json['id']}", headers=bob).json)["finished"] and b, timeout=120
    )
    assert final["state"] == "failed" and "There is no volume with id" in final["error"]
