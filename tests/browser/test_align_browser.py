"""Cortical alignment in a real browser: Debian's Chromium driven by Playwright against a live
server and a real worker; NiiVue must load and draw the volumes. Screenshots go to test-artifacts/."""

import numpy as np
import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS
from tests.conftest import scaled
from tests.web._volumes import cortex_slab, nifti_bytes

pytestmark = [pytest.mark.browser]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        opened = context.new_page()
        opened.set_default_timeout(scaled(30) * 1000)  # Playwright's 30 s, for a loaded machine
        requests = []
        opened.on("request", lambda request: requests.append(request.url))
        opened.requests = requests
        yield opened
        browser.close()


def test_upload_compute_depth_and_view_it_in_niivue(live_app, page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    segmentation = tmp_path / "patch-seg.nii.gz"
    segmentation.write_bytes(nifti_bytes(cortex_slab(shape=(24, 24, 24), pial=8, white=13)))
    page.goto(live_app.base_url + "/align/")
    page.set_input_files("input[name=image]", str(segmentation))
    page.check("input[name=segmentation]")
    page.click("form.upload button[type=submit]")
    page.wait_for_selector("text=Stored patch-seg.")
    page.select_option("select[name=segmentation_name]", "patch-seg")
    page.click("text=Compute the depth map")
    page.wait_for_selector("text=is in your volumes", timeout=scaled(90) * 1000)
    page.wait_for_selector("canvas#niivue[data-loaded='2']", timeout=scaled(30) * 1000)
    assert page.get_attribute("canvas#niivue", "data-error") is None
    page.wait_for_timeout(500)
    shot = ARTIFACTS / "align-depth-niivue.png"
    page.locator("canvas#niivue").screenshot(path=str(shot))
    page.screenshot(path=str(ARTIFACTS / "align-depth-job-page.png"), full_page=True)
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    colours = {tuple(p) for p in pixels[::7]}
    assert len(colours) > 50, "the viewer drew (almost) nothing"
    assert np.mean(np.all(pixels > 245, axis=1)) < 0.95
    host = live_app.base_url.split("//", 1)[1]
    assert all(host in url or url.startswith(("data:", "blob:")) for url in page.requests), [
        url for url in page.requests if host not in url
    ]
