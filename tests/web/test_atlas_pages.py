"""The atlas pages: listing with templates, import from the browser (a job), 3D view for the owner only."""

import io
import re

import numpy as np

from cortico.atlases._fsdata import mesh_file
from tests.conftest import make_app, wait_for


def _token(client):
    page = client.get("/atlases/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_listing_shows_every_bundled_atlas_with_templates(client):
    page = client.get("/atlases/").get_data(as_text=True)
    for name in ("yeo7", "brodmann", "schaefer400", "glasser", "cole-anticevic", "mouse-dorsal"):
        assert f"<code>{name}</code>" in page
    assert "180 cortical" not in page or "360 cortical, 27 subcortical" in page
    assert "360 cortical, 27 subcortical" in page  # Glasser, both hemispheres
    assert 'href="/paint/templates/yeo7-v2.csv"' in page
    assert (
        'src="/static/paint/atlases/glasser.png"' in page
        and client.get("/static/paint/atlases/glasser.png").status_code == 200
    )
    assert 'name="lh_labels"' in page and 'name="volume"' in page and 'name="mesh"' in page
    assert "Atlases" in client.get("/").get_data(as_text=True)  # a tool card on the landing page


def test_bad_upload_shows_the_reason_and_keeps_the_name(client):
    response = client.post(
        "/atlases/import",
        data={"csrf_token": _token(client), "name": "mine", "lh_labels": (io.BytesIO(b"junk"), "lh.annot")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The atlas cannot be imported" in page and "lh.annot (lh_labels): cannot read" in page
    assert 'value="mine"' in page


def test_import_from_the_page_then_3d_for_the_owner_only(instance, start_worker):
    app = make_app(instance)
    start_worker(app)
    client, stranger = app.test_client(), app.test_client()
    annot = mesh_file("fsaverage5", "label/lh.aparc.annot").read_bytes()
    response = client.post(
        "/atlases/import",
        data={
            "csrf_token": _token(client),
            "name": "dk light",
            "mesh": "fsaverage5",
            "lh_labels": (io.BytesIO(annot), "lh.aparc.annot"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    status_url = response.headers["Location"]
    page = wait_for(
        lambda: 'id="import-result"' in (text := client.get(status_url).get_data(as_text=True)) and text,
        timeout=180,
        what="import page",
    )
    # fsaverage5's own aparc labels the corpus callosum too (the bundled DK makes it medial wall)
    assert "<code>user:dk light</code>" in page and "35 cortical" in page
    assert stranger.get(status_url).status_code == 404
    link = re.search(r'href="(/atlases/mine/[0-9a-f]{32}/3d)"', page).group(1)
    assert client.get(link).status_code == 200 and stranger.get(link).status_code == 404
    mesh = client.get(link.replace("/3d", "/mesh.bin"))
    assert mesh.status_code == 200 and len(mesh.data) > 10_000
    assert stranger.get(link.replace("/3d", "/mesh.bin")).status_code == 404
    listing = client.get("/atlases/").get_data(as_text=True)
    assert "<code>user:dk light</code>" in listing and link in listing
    assert "user:dk light" not in stranger.get("/atlases/").get_data(as_text=True)
    # the painting form offers it to its owner
    assert 'value="user:dk light"' in client.get("/paint/").get_data(as_text=True)
    assert np.frombuffer(mesh.data[:4], dtype="<u4")[0] > 0


def test_every_bundled_atlas_has_a_thumbnail():
    from PIL import Image

    from cortico.atlases import list_atlases
    from cortico.web.pages._atlas_thumbnails import ATLAS_THUMBNAIL_FOLDER

    for info in list_atlases():
        image = np.asarray(Image.open(ATLAS_THUMBNAIL_FOLDER / f"{info.name}.png"))
        assert image.shape == (120, 160, 4)
        assert 0.1 < np.mean(image[..., 3] > 0) < 0.9  # a brain on a transparent background
