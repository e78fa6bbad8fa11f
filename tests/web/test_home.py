"""The home page: working cards (no nested links), the example gallery, the example-table button."""

import re
import shutil

import pytest

from cortico.paint import _examples


def test_cards_hold_no_link_inside_a_link(client):
    page = client.get("/").get_data(as_text=True)
    for card in re.findall(r'<a class="card".*?</a>', page, flags=re.S):
        assert card.count("<a ") == 1, card
    assert 'href="/paint/#example"' in page and "Try it with an example table" in page
    assert "Made with cortico" not in page  # no gallery until the examples exist


@pytest.mark.gl
def test_gallery_shows_the_painted_examples_and_serves_only_listed_files(app, client, monkeypatch, tmp_path):
    monkeypatch.setattr(_examples, "EXAMPLE_FIGURES", _examples.EXAMPLE_FIGURES[:1])
    folder = tmp_path / "examples"
    entries = _examples.render_examples(folder, width=160, height=120)
    shutil.copytree(folder, f"{app.config['INSTANCE_PATH']}/examples")
    page = client.get("/").get_data(as_text=True)
    assert "Made with cortico" in page
    for entry in entries:
        assert f'src="/examples/{entry["file"]}"' in page
        image = client.get(f"/examples/{entry['file']}")
        assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/examples/examples.json").status_code == 404
    assert client.get("/examples/..%2Fsecret_key").status_code == 404


def test_demo_template_download(app, client):
    from tests.conftest import add_user

    response = client.get("/paint/templates/dk-v2.csv?demo=1")
    assert response.status_code == 200
    assert "cortico-example-dk-v2.csv" in response.headers["Content-Disposition"]
    rows = response.get_data(as_text=True).splitlines()
    assert rows[1].split(",")[1] not in ("", None) and len(rows) == 3
    api = client.get("/api/v1/atlases/dk/template.csv?demo=true&rows=3", headers=add_user(app, "demo"))
    assert api.status_code == 200
    lines = api.get_data(as_text=True).splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["image-1", "image-2", "image-3"]
    assert sum(1 for cell in lines[3].split(",")[1:] if cell) >= 92  # all but the medial-wall columns


def test_notice_is_linked_from_every_page_and_served_as_text(client):
    assert '<a href="/notice">NOTICE</a>' in client.get("/paint/").get_data(as_text=True)
    notice = client.get("/notice")
    assert notice.status_code == 200 and notice.mimetype == "text/plain"
    assert "FreeSurfer" in notice.get_data(as_text=True)
