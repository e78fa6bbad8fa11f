"""The seed's /v0 API: schemas, status codes, error bodies, auth, polling on real workers."""

import copy
import time

import nibabel as nib
import numpy as np
import pytest

from tests.conftest import add_user, make_app
from tests.web._volumes import cortex_slab, mode_app, nifti_bytes, poll, ramp, upload

BASE = "http://localhost/image-service/"
DEPTH = "/v0/depth-map-computation/"
ALIGN = "/v0/alignment-computation/"
MISSING = {"errors": ["Missing Bearer token Authorization header"]}
ALIGNMENT_REQUEST = {
    "image_service_base_url": BASE,
    "image_name": "patch",
    "depth_map_name": "patch-depth",
    "transformation_matrix": [[1, 0, 0, 0], [0, 1.1, 0, -2], [0, 0, 0.9, 0], [0, 0, 0, 1]],
    "landmark_pairs": [
        {"source_point": [0, 0, 0], "target_point": [1, 1, 1], "name": "toto", "active": True, "colour": "#012345"},
        {"source_point": [-1, -2, -3.5], "target_point": [0, 0, 1.5]},
    ],
}


@pytest.fixture
def alice(app):
    return add_user(app, "alice")


@pytest.fixture
def stored(client, alice):
    """alice's segmentation 'seg', image 'patch' and depth map 'patch-depth'."""
    assert upload(client, alice, nifti_bytes(cortex_slab()), "seg.nii.gz", segmentation=True).status_code == 200
    assert upload(client, alice, nifti_bytes(ramp()), "patch.nii.gz").status_code == 200
    depth = np.clip(ramp() / ramp().max(), 0, 1).astype(np.float32)
    assert upload(client, alice, nifti_bytes(depth), "patch-depth.nii.gz").status_code == 200
    return alice


# --- request checks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [DEPTH, ALIGN])
def test_invalid_body_is_422_even_without_token(client, path):
    for body in (None, {}, {"image_service_base_url": "not a url", "segmentation_name": "seg"}):
        response = client.post(path, json=body) if body is not None else client.post(path)
        assert response.status_code == 422, (body, response.json)
        assert response.json["errors"]
    missing = client.post(path, json={}).json["errors"]["json"]
    assert "image_service_base_url" in missing


@pytest.mark.parametrize(
    "path, body", [(DEPTH, {"image_service_base_url": BASE, "segmentation_name": "seg"}), (ALIGN, ALIGNMENT_REQUEST)]
)
def test_valid_body_without_token_is_401_with_seed_body(client, path, body):
    response = client.post(path, json=body)
    assert response.status_code == 401
    assert response.json == MISSING
    response = client.post(path, json=body, headers={"Authorization": "Basic abc"})
    assert response.json == MISSING


_PAIR = {"source_point": [0, 0, 0], "target_point": [1, 1, 1]}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"transformation_matrix": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}, "transformation_matrix"),
        ({"transformation_matrix": [[1, 0, 0, 0]] * 5}, "transformation_matrix"),
        ({"transformation_matrix": [[{}, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]}, "transformation_matrix"),
        ({"transformation_matrix": [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]}, "transformation_matrix"),
        ({"landmark_pairs": [{"source_point": [0, 0, 0]}]}, "landmark_pairs"),
        ({"landmark_pairs": [{"source_point": [0, 0], "target_point": [1, 1, 1]}]}, "landmark_pairs"),
        ({"landmark_pairs": None}, "landmark_pairs"),
        (
            {"landmark_pairs": [{"source_point": [0, 0, 0], "target_point": [1, 1, 1], "name": "x" * 201}]},
            "landmark_pairs",
        ),
        ({"landmark_pairs": [{"source_point": [0, 0, 0], "target_point": [1, 1, 1]}] * 1001}, "landmark_pairs"),
        ({"image_name": ""}, "image_name"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_alignment_schema_refuses_malformed_fields(client, alice, change, field):
    response = client.post(ALIGN, json={**copy.deepcopy(ALIGNMENT_REQUEST), **change}, headers=alice)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_singular_matrix_says_why(client):
    body = {**ALIGNMENT_REQUEST, "transformation_matrix": [[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]}
    message = client.post(ALIGN, json=body).json["errors"]["json"]["transformation_matrix"]
    assert "singular" in str(message)


def test_invalid_token_for_our_store_is_401(client):
    response = client.post(
        DEPTH,
        json={"image_service_base_url": BASE, "segmentation_name": "seg"},
        headers={"Authorization": "Bearer ctk_nope"},
    )
    assert response.status_code == 401
    assert response.json == {"errors": ["Invalid or revoked API token."]}


def test_missing_or_wrong_type_images_are_400(client, stored):
    def post(path, body):
        return client.post(path, json=body, headers=stored)

    response = post(DEPTH, {"image_service_base_url": BASE, "segmentation_name": "nonexistent"})
    assert response.status_code == 400
    assert response.json == {"errors": ["Cannot find an image named 'nonexistent' on the image service"]}
    response = post(DEPTH, {"image_service_base_url": BASE, "segmentation_name": "patch"})
    assert response.status_code == 400
    assert response.json == {"errors": ["The image named 'patch' is not of 'segmentation' type"]}
    for key, value in (("image_name", "nonexistent"), ("image_name", "seg"), ("depth_map_name", "seg")):
        response = post(ALIGN, {**ALIGNMENT_REQUEST, key: value})
        assert response.status_code == 400, (key, value)
        assert value in response.json["errors"][0]


def test_remote_service_must_be_allowed(client, alice):
    response = client.post(
        DEPTH, headers=alice, json={"image_service_base_url": "http://127.0.0.1:9/chumni/", "segmentation_name": "seg"}
    )
    assert response.status_code == 400
    assert "REMOTE_IMAGE_SERVICES" in response.json["errors"][0]


def test_unreachable_remote_service_is_500(instance):
    app = make_app(instance, REMOTE_IMAGE_SERVICES=r"http://127\.0\.0\.1:9/.*")
    response = app.test_client().post(
        DEPTH,
        headers={"Authorization": "Bearer remote-token"},
        json={"image_service_base_url": "http://127.0.0.1:9/chumni/", "segmentation_name": "seg"},
    )
    assert response.status_code == 500
    assert "Cannot access the image service" in response.json["errors"][0]


def test_submission_is_202_with_polling_url_and_unknown_keys_ignored(app, client, stored):
    response = client.post(ALIGN, json=ALIGNMENT_REQUEST, headers=stored)
    assert response.status_code == 202, response.json
    url = response.json["status_polling_url"]
    assert url.startswith(ALIGN) and not url.endswith("/")
    assert list(response.json) == ["status_polling_url"]
    status = client.get(url)
    assert status.status_code == 200
    assert status.json == {"finished": False, "message": "PENDING"}
    from cortico.db import Job

    with app.extensions["cortico.db"].session() as session:
        job = session.get(Job, url.rsplit("/", 1)[1])
        assert job.kind == "align"
        assert job.params["landmark_pairs"][0] == {
            "source_point": [0.0, 0.0, 0.0],
            "target_point": [1.0, 1.0, 1.0],
            "active": True,
            "name": "toto",
        }
        assert job.params["landmark_pairs"][1]["active"] is True
        assert job.params["image_service_local"] is True


def test_unknown_ids_are_404_and_kinds_do_not_mix(client, stored):
    assert client.get(DEPTH + "nope").status_code == 404
    assert client.get(DEPTH + "nope").json["errors"]
    assert client.get(ALIGN + "nope").status_code == 404
    url = client.post(DEPTH, json={"image_service_base_url": BASE, "segmentation_name": "seg"}, headers=stored).json[
        "status_polling_url"
    ]
    computation = url.rsplit("/", 1)[1]
    assert client.get(DEPTH + computation).status_code == 200
    assert client.get(ALIGN + computation).status_code == 404


def test_trailing_slashes_are_kept(client, stored):
    no_slash = client.post(
        DEPTH.rstrip("/"), json={"image_service_base_url": BASE, "segmentation_name": "seg"}, headers=stored
    )
    assert no_slash.status_code == 308
    assert no_slash.headers["Location"].endswith(DEPTH)


def test_openapi_documents_v0(client):
    spec = client.get("/openapi.json").json
    assert {
        "/v0/depth-map-computation/",
        "/v0/depth-map-computation/{computation_id}",
        "/v0/alignment-computation/",
        "/v0/alignment-computation/{computation_id}",
        "/v0/worker-health",
    } <= set(spec["paths"])
    for name in ("DepthMapComputationRequest", "AlignmentComputationRequest", "LandmarkPair"):
        assert all(field.get("description") for field in spec["components"]["schemas"][name]["properties"].values())


def test_cors_preflight_of_v0(instance):
    app = make_app(instance, CORS_ORIGINS=r"https://voluba\.example")
    response = app.test_client().options(
        DEPTH,
        headers={
            "Origin": "https://voluba.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://voluba.example"


# --- worker health ---------------------------------------------------------------------------------------------


def test_worker_health_without_worker_answers_500_quickly(client):
    started = time.monotonic()
    response = client.get("/v0/worker-health")
    assert response.status_code == 500
    assert "No worker" in response.json["message"]
    assert time.monotonic() - started < 5


def test_worker_health_needs_a_live_worker_and_the_template(instance, start_worker):
    from tests.conftest import wait_for

    template = instance / "template-depth.nii.gz"
    app = make_app(instance, TEMPLATE_DEPTH_PATH=str(template))
    client = app.test_client()
    start_worker(app)
    missing = wait_for(
        lambda: (r := client.get("/v0/worker-health")).json and "template" in r.json["message"] and r,
        what="worker heartbeat",
    )
    assert missing.status_code == 500
    assert str(template) in missing.json["message"]
    template.write_bytes(nifti_bytes(np.full((4, 4, 4), 0.5, np.float32)))
    healthy = client.get("/v0/worker-health")
    assert healthy.status_code == 200
    assert healthy.json["template"] == {
        "source": "TEMPLATE_DEPTH_PATH",
        "path": str(template),
        "shape": [4, 4, 4],
        "voxel_size": [1.0, 1.0, 1.0],
        "description": f"{template} (TEMPLATE_DEPTH_PATH), 4x4x4 voxels of 1x1x1 mm",
    }
    assert (
        healthy.json["message"]
        == f"1 worker(s) alive; template: {template} (TEMPLATE_DEPTH_PATH), 4x4x4 voxels of 1x1x1 mm"
    )


# --- computations on real workers ------------------------------------------------------------------------------


@pytest.fixture(params=["embedded", "distributed"])
def any_mode(request, instance):
    app = mode_app(request, instance)
    yield app
    app.extensions["cortico.db"].dispose()


def test_depth_computation_polls_through_progress_to_success(any_mode, start_worker):
    client, alice = any_mode.test_client(), add_user(any_mode, "alice")
    upload(client, alice, nifti_bytes(cortex_slab(), zooms=(1.0, 1.0, 1.0)), "seg.nii.gz", segmentation=True)
    url = client.post(DEPTH, json={"image_service_base_url": BASE, "segmentation_name": "seg"}, headers=alice).json[
        "status_polling_url"
    ]
    assert client.get(url).json == {"finished": False, "message": "PENDING"}
    start_worker(any_mode)
    final, messages = poll(client, url, headers=alice)
    assert "PROGRESS (computing the depth map)" in messages, messages
    assert final["message"] == "SUCCESS (success)" and "error" not in final
    results = final["results"]
    assert results["image_service_base_url"] == BASE
    assert results["depth_map_name"] == "seg-equivolumetric-depth"
    entry = next(
        e for e in client.get("/image-service/list", headers=alice).json if e["name"] == "seg-equivolumetric-depth"
    )
    assert results["depth_map_neuroglancer_url"] == "precomputed://" + BASE + entry["links"]["normalized"][1:]
    depth = np.asarray(
        nib.Nifti1Image.from_bytes(
            client.get("/image-service/download/seg-equivolumetric-depth.nii", headers=alice).data
        ).dataobj
    )
    assert depth.shape == cortex_slab().shape
    assert np.all(depth[:, :, :6] == 0) and np.all(depth[:, :, 12:] == 1)
    column = depth[6, 6, 6:12]
    assert np.all((column > 0) & (column < 1)) and np.all(np.diff(column) > 0), column

    # The same segmentation again: the name is taken, a time-stamped one is used.
    again = client.post(DEPTH, json={"image_service_base_url": BASE, "segmentation_name": "seg"}, headers=alice).json[
        "status_polling_url"
    ]
    name = poll(client, again, headers=alice)[0]["results"]["depth_map_name"]
    assert name.startswith("seg-equivolumetric-depth-20") and len(name) == len("seg-equivolumetric-depth-") + 19


def test_depth_computation_failure_carries_a_message(any_mode, start_worker):
    client, alice = any_mode.test_client(), add_user(any_mode, "alice")
    no_white = np.where(cortex_slab() == 200, 0, cortex_slab()).astype(np.uint8)
    upload(client, alice, nifti_bytes(no_white), "bad-seg.nii.gz", segmentation=True)
    start_worker(any_mode)
    url = client.post(DEPTH, json={"image_service_base_url": BASE, "segmentation_name": "bad-seg"}, headers=alice).json[
        "status_polling_url"
    ]
    final, _ = poll(client, url)
    assert final["finished"] is True and final["error"] is True and "results" not in final
    assert final["message"].startswith("FAILURE (The segmentation 'bad-seg' cannot be used: ")
    assert "white" in final["message"]


def test_cancelled_computation_reports_revoked(client, stored):
    url = client.post(DEPTH, json={"image_service_base_url": BASE, "segmentation_name": "seg"}, headers=stored).json[
        "status_polling_url"
    ]
    job_id = url.rsplit("/", 1)[1]
    assert client.delete(f"/api/v1/jobs/{job_id}", headers=stored).status_code == 200
    assert client.get(url).json == {"finished": True, "error": True, "message": "REVOKED (cancelled by the user)"}


@pytest.mark.parametrize(
    "aliases", [["https://public.example.org/image-service"], "https://public.example.org/image-service/"]
)
def test_alias_base_urls_mean_our_own_store(instance, aliases):
    app = make_app(instance, IMAGE_SERVICE_ALIASES=aliases)
    client, alice = app.test_client(), add_user(app, "alice")
    upload(client, alice, nifti_bytes(cortex_slab()), "seg.nii.gz", segmentation=True)
    response = client.post(
        DEPTH,
        headers=alice,
        json={"image_service_base_url": "https://PUBLIC.example.org:443/image-service/", "segmentation_name": "seg"},
    )
    assert response.status_code == 202, response.json
    from cortico.db import Job

    with app.extensions["cortico.db"].session() as session:
        job = session.get(Job, response.json["status_polling_url"].rsplit("/", 1)[1])
        assert job.params["image_service_local"] is True


def test_worker_health_times_out_when_the_database_hangs(instance):
    import socket

    from cortico.db import Database

    app = make_app(instance, WORKER_HEALTH_TIMEOUT_SECONDS=1.0)
    silent = socket.socket()  # accepts connections (kernel backlog) but never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    healthy_db = app.extensions["cortico.db"]
    app.extensions["cortico.db"] = Database(f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/x")
    try:
        started = time.monotonic()
        response = app.test_client().get("/v0/worker-health")
        assert time.monotonic() - started < 5
        assert response.status_code == 500
        assert "did not answer in time" in response.json["message"]
    finally:
        silent.close()
        app.extensions["cortico.db"] = healthy_db


# --- alignments that cannot be right are refused at submission -------------------------------------------------


@pytest.fixture
def templated(instance):
    """An app whose template is 64 mm wide around the origin, alice's 'patch' (20x12x8 mm) and its depth map."""
    template = instance / "template-depth.nii.gz"
    affine = np.diag([1.0, 1.0, 1.0, 1.0])
    affine[:3, 3] = -32
    nib.save(nib.Nifti1Image(np.full((64, 64, 64), 0.5, np.float32), affine), template)
    app = make_app(instance, TEMPLATE_DEPTH_PATH=str(template))
    client, alice = app.test_client(), add_user(app, "alice")
    assert upload(client, alice, nifti_bytes(ramp()), "patch.nii.gz").status_code == 200
    depth = np.clip(ramp() / ramp().max(), 0, 1).astype(np.float32)
    assert upload(client, alice, nifti_bytes(depth), "patch-depth.nii.gz").status_code == 200
    assert upload(client, alice, nifti_bytes(depth[:, :, :6]), "short-depth.nii.gz").status_code == 200
    return client, alice


def test_huge_matrix_scale_is_422_naming_the_matrix(client):
    body = {**ALIGNMENT_REQUEST, "transformation_matrix": [[1e300, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]}
    response = client.post(ALIGN, json=body)
    assert response.status_code == 422
    (message,) = response.json["errors"]["json"]["transformation_matrix"]
    assert message.startswith("transformation matrix has an entry of 1e+300")


def test_matrix_placing_the_patch_outside_the_template_is_422(templated):
    client, alice = templated
    assert client.post(ALIGN, json=ALIGNMENT_REQUEST, headers=alice).status_code == 202
    far = copy.deepcopy(ALIGNMENT_REQUEST)
    far["transformation_matrix"][0][3] = 500
    response = client.post(ALIGN, json=far, headers=alice)
    assert response.status_code == 422
    (message,) = response.json["errors"]
    assert message.startswith("transformation_matrix places 0% of the incoming volume inside the template")
    assert "the template spans RAS [-32.5, -32.5, -32.5] to [31.5, 31.5, 31.5] mm" in message


def test_landmarks_outside_the_volumes_are_422_naming_them(templated):
    client, alice = templated
    body = copy.deepcopy(ALIGNMENT_REQUEST)
    body["landmark_pairs"][0]["source_point"] = [1500, 0, 0]
    body["landmark_pairs"][1]["target_point"] = [0, 0, 30]
    response = client.post(ALIGN, json=body, headers=alice)
    assert response.status_code == 422
    assert response.json["errors"] == [
        "landmark #1: target_point [0.0, 0.0, 30.0] mm is outside the incoming volume "
        "(neuroglancer space from [0.0, 0.0, 0.0] to [20.0, 12.0, 8.0] mm)",
        "landmark toto: source_point [1500.0, 0.0, 0.0] mm is outside the template "
        "(RAS [-32.5, -32.5, -32.5] to [31.5, 31.5, 31.5] mm)",
    ]


def test_grid_mismatch_says_what_differs(templated):
    client, alice = templated
    response = client.post(ALIGN, json={**ALIGNMENT_REQUEST, "depth_map_name": "short-depth"}, headers=alice)
    assert response.status_code == 422
    assert response.json["errors"] == ["shape (20, 12, 8) vs (20, 12, 6)"]


def test_our_api_refuses_the_same_alignments(templated):
    client, alice = templated
    body = {key: ALIGNMENT_REQUEST[key] for key in ("image_name", "transformation_matrix", "landmark_pairs")}
    response = client.post("/api/v1/align/jobs", json={**body, "depth_map_name": "short-depth"}, headers=alice)
    assert response.status_code == 422
    assert "depth map 'short-depth' must be on the incoming image 'patch''s voxel grid" in response.json["message"]
    assert "shape (20, 12, 8) vs (20, 12, 6)" in response.json["message"]
    far = copy.deepcopy(body)
    far["transformation_matrix"][0][3] = -500
    response = client.post("/api/v1/align/jobs", json={**far, "depth_map_name": "patch-depth"}, headers=alice)
    assert response.status_code == 422
    assert "transformation_matrix places 0% of the incoming volume" in response.json["message"]


def test_landmark_pair_count_is_refused_before_the_pairs_are_loaded(client, alice):
    """300,000 pairs are refused by their count, not after deserializing each one."""
    body = {**copy.deepcopy(ALIGNMENT_REQUEST), "landmark_pairs": [_PAIR] * 300_000}
    for url in (ALIGN, "/api/v1/align/jobs"):
        response = client.post(url, json=body, headers=alice)
        assert response.status_code == 422, url
        message = "300000 items were given; at most 1000 are allowed."
        assert response.json["errors"]["json"]["landmark_pairs"] == [message]
