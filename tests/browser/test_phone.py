"""Phones: at 390x844 no page a user opens scrolls sideways (forms, a finished job, its 3D view, errors, API)."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.conftest import add_user, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.gl]

PHONE = {"width": 390, "height": 844}


def scroll_width(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_no_page_scrolls_sideways_on_a_phone(live_app, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    client, headers = live_app.test_client(), add_user(live_app, "phone")
    body = {
        "values": {"phone-row": {"Left-superiorfrontal": 2.5, "Right-precuneus": 1.0}},
        "settings": {"views": ["cortical-outer-left-hemisphere", "top"], "width": 400, "height": 300},
    }
    created = client.post("/api/v1/paint/jobs", json=body, headers=headers)
    assert created.status_code == 202, created.json
    job = created.json
    final = wait_for(
        lambda: (b := client.get(job["links"]["self"], headers=headers).json)["finished"] and b,
        timeout=300,
        what="the painting job",
    )
    assert final["state"] == "succeeded", final["error"]

    context = chromium.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    pages = ["/", "/paint/", "/align/", job["links"]["page"], f"{job['links']['page']}/3d/0", "/paint/jobs/gone"]
    pages += ["/redoc", "/swagger-ui"]
    widths = {path: scroll_width(page, live_app.base_url + path) for path in pages}
    page.goto(live_app.base_url + job["links"]["page"])
    page.screenshot(path=str(ARTIFACTS / "phone-paint-job.png"), full_page=True)
    context.close()
    assert {path: width for path, width in widths.items() if width > PHONE["width"]} == {}
