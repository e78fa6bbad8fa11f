"""The ``paint`` job kind on real workers: images, panels, movie, zip, progress, cancel."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cortico.exceptions import InputError
from cortico.jobs.kinds._paint_pool import plan_parts
from cortico.jobs.kinds.paint import validate
from tests.conftest import add_user, make_app, wait_for

pytestmark = pytest.mark.gl

SMALL = {"width": 160, "height": 120}


@pytest.mark.parametrize("n_rows, n_views, processes", [(1, 4, 2), (5, 2, 2), (2, 3, 4), (3, 1, 1), (1, 1, 3)])
def test_plan_parts_covers_every_image_once(n_rows, n_views, processes):
    views = [f"v{i}" for i in range(n_views)]
    parts = plan_parts(n_rows, views, processes)
    pairs = [(row, view) for part in parts for row in part.rows for view in part.views]
    assert sorted(pairs) == sorted((r, v) for r in range(n_rows) for v in views)
    assert len(parts) <= max(processes, n_rows)
    assert len(parts) == min(processes, n_rows * n_views) or n_rows >= processes


def test_validate_rejects_missing_table_and_bad_settings():
    with pytest.raises(InputError, match="needs 'values'"):
        validate({"settings": {}})
    with pytest.raises(InputError, match="Unknown paint job parameter"):
        validate({"settings": {}, "values": {"a": {"bankssts": 1}}, "path": "/etc/passwd"})
    with pytest.raises(InputError) as caught:
        validate(
            {
                "settings": {"vmin": 5, "vmax": 1, "surface": "flat"},
                "values": {"a": {"Left-bankssts": 1, "Left-cuneuss": 2}},
            }
        )
    problems = caught.value.problems
    assert any("vmax (1) must be greater than vmin (5)" in p for p in problems)
    assert any("surface must be one of" in p for p in problems)
    assert any(
        "Column 'Left-cuneuss': no region of atlas 'dk' has this name; did you mean 'Left-cuneus'?" in p
        for p in problems
    )
    with pytest.raises(InputError, match="image 'a', column 'Left-bankssts': expected a number or null, got text"):
        validate({"values": {"a": {"Left-bankssts": "x"}}})


def test_validate_normalises_settings():
    params = validate({"values": {"a": {"Left-bankssts": 1.5}}, "settings": {"surface": "inflated"}})
    assert params["settings"]["surface"] == "inflated"
    assert params["settings"]["width"] == 1200  # every field filled in
    assert params["input_name"] == "values.csv"


def _status(client, headers, job_id):
    response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_paint_job_writes_images_panels_movie_and_zip(instance, start_worker):
    app = make_app(instance, PAINT_PROCESSES=2)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    values = {
        "sub 01": {"Left-superiorfrontal": 1.0, "Right-precentral": 3.0, "Left-Hippocampus": 2.0},
        "sub/02": {"Left-superiorfrontal": 2.0, "Right-precentral": None, "Left-Hippocampus": 0.5},
    }
    settings = dict(
        SMALL,
        views=["cortical-outer-left-hemisphere", "top", "subcortical-outer-left-hemisphere"],
        panel=True,
        panel_formats=["png", "svg"],
        movie=True,
        movie_formats=["gif"],
        movie_steps=1,
        label="Thickness (mm)",
    )
    response = client.post(
        "/api/v1/jobs/", json={"kind": "paint", "params": {"values": values, "settings": settings}}, headers=headers
    )
    assert response.status_code == 202, response.json
    job_id = response.json["id"]
    seen = []

    def finished():
        body = _status(client, headers, job_id)
        seen.append(body["message"])
        return body["finished"] and body

    final = wait_for(finished, timeout=180, interval=0.05, what="paint job")
    assert final["state"] == "succeeded", final["error"]
    result = final["result"]
    assert [row["name"] for row in result["rows"]] == ["sub 01", "sub/02"]
    assert [row["file_name"] for row in result["rows"]] == ["sub_01", "sub_02"]
    assert result["image_count"] == 6
    assert (result["vmin"], result["vmax"]) == (0.5, 3.0)
    assert any(m.startswith("image ") and " of 6: " in m for m in seen), seen
    out = Path(app.config["STORAGE_PATH"]) / "jobs" / job_id / "results"
    first = result["rows"][0]
    assert [image["view"] for image in first["images"]] == settings["views"]
    assert first["images"][0]["caption"] == "Left lateral"
    for row in result["rows"]:
        for image in row["images"]:
            with Image.open(out / image["file"]) as png:
                assert png.size == (160, 120)
            with Image.open(out / image["thumb"]) as thumb:
                assert thumb.size == (160, 120)  # never enlarged
    assert first["panels"] == ["panel_sub_01.png", "panel_sub_01.svg"]
    assert "Thickness (mm)" in (out / "panel_sub_01.svg").read_text()
    assert result["movies"] == ["movie.gif"]
    with Image.open(out / "movie.gif") as gif:
        assert gif.n_frames == 3  # two rows and one frame between them
    written = json.loads((out / "settings.json").read_text())
    assert (written["vmin"], written["vmax"]) == (0.5, 3.0)
    with zipfile.ZipFile(out / result["zip"]) as archive:
        names = set(archive.namelist())
        table = archive.read("values.csv").decode()
    expected = {image["file"] for row in result["rows"] for image in row["images"]}
    expected |= {
        "panel_sub_01.png",
        "panel_sub_01.svg",
        "panel_sub_02.png",
        "panel_sub_02.svg",
        "movie.gif",
        "settings.json",
        "values.csv",
        "colorbar.png",
        "colorbar.pdf",
        "colorbar.svg",
    }
    assert names == expected
    header = table.splitlines()[0].split(",")
    assert header[0] == "Image-name-unique"
    assert set(header[1:]) == {"Left-superiorfrontal", "Right-precentral", "Left-Hippocampus"}
    assert not (out.parent / "work").exists()
    # Right precentral holds the maximum of row 1: red from above (anterior right in a
    # landscape image, so the right hemisphere is the lower half), on that half only.
    top = np.asarray(Image.open(out / first["images"][1]["file"]).convert("RGB"), dtype=int)
    red = (top[..., 0] > 150) & (top[..., 1] < 60) & (top[..., 2] < 60)
    assert red[65:, :].sum() > 20 and red[:55, :].sum() == 0


def test_cancelled_paint_job_stops_its_renderers(instance, start_worker):
    app = make_app(instance, PAINT_PROCESSES=2)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app, concurrency=1)
    values = {f"row{i}": {"Left-superiorfrontal": float(i)} for i in range(40)}
    settings = {"width": 320, "height": 240, "views": ["top", "bottom", "anterior", "posterior"]}
    job_id = client.post(
        "/api/v1/jobs/", json={"kind": "paint", "params": {"values": values, "settings": settings}}, headers=headers
    ).json["id"]
    wait_for(lambda: _status(client, headers, job_id)["message"].startswith("image "), timeout=120, what="first image")
    assert client.delete(f"/api/v1/jobs/{job_id}", headers=headers).json["state"] == "cancelled"
    follow_up = client.post(
        "/api/v1/jobs/",
        json={
            "kind": "paint",
            "params": {"values": {"x": {"Left-superiorfrontal": 1}}, "settings": dict(SMALL, views=["top"])},
        },
        headers=headers,
    ).json["id"]
    try:
        final = wait_for(
            lambda: (b := _status(client, headers, follow_up))["finished"] and b, timeout=120, what="follow-up job"
        )
    except AssertionError:
        logs = "\n".join(log.read_text()[-4000:] for log in instance.glob("worker-*.log"))
        raise AssertionError(
            f"follow-up job not finished: {_status(client, headers, follow_up)}; "
            f"cancelled job: {_status(client, headers, job_id)}\n{logs}"
        ) from None
    assert final["state"] == "succeeded", final["error"]
    body = _status(client, headers, job_id)
    assert body["state"] == "cancelled"
    results = Path(app.config["STORAGE_PATH"]) / "jobs" / job_id / "results"
    assert not (results / "cortico-paint.zip").exists()
    assert len(list(results.glob("*_row*.png"))) < 160


@pytest.mark.slow
def test_brainpainter_v1_and_v2_templates_give_one_png_per_row_and_view(instance, start_worker):
    """BrainPainter's own template CSVs (column names from painter.md) paint unchanged."""
    from cortico.atlases import template_columns

    app = make_app(instance, PAINT_PROCESSES=1)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    views = ["cortical-outer-right-hemisphere", "subcortical-top"]
    jobs = {}
    rng = np.random.default_rng(0)
    for atlas in ("dk", "destrieux", "dkt"):
        for schema in ("v1", "v2"):
            columns = template_columns(atlas, schema)
            stream = io.StringIO()
            stream.write("Image-name-unique," + ",".join(columns) + "\r\n")
            for name in ("1", "2"):  # numeric image names, as in BrainPainter's examples
                stream.write(name + "," + ",".join(f"{v:.2f}" for v in rng.uniform(0, 3, len(columns))) + "\r\n")
            values_csv = stream.getvalue().encode("utf-8-sig")
            response = client.post(
                "/api/v1/paint/jobs",
                data={
                    "table": (io.BytesIO(values_csv), f"{atlas}-{schema}.csv"),
                    "settings": json.dumps({"atlas": atlas, "views": views, "width": 64, "height": 48}),
                },
                headers=headers,
                content_type="multipart/form-data",
            )
            assert response.status_code == 202, response.json
            jobs[(atlas, schema)] = response.json["id"]
    for key, job_id in jobs.items():
        final = wait_for(
            lambda job_id=job_id: (b := _status(client, headers, job_id))["finished"] and b,
            timeout=240,
            what=f"{key} job",
        )
        assert final["state"] == "succeeded", (key, final["error"])
        files = sorted(image["file"] for row in final["result"]["rows"] for image in row["images"])
        assert files == sorted(f"{view}_{name}.png" for view in views for name in ("1", "2")), key
