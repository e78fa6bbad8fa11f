"""Brain painting in a real browser: Debian's Chromium driven by Playwright against a live server
(werkzeug in a thread) and a real ``cortico worker``. Screenshots go to test-artifacts/."""

import time
import zipfile

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import ARTIFACTS
from tests.conftest import scaled

pytestmark = [pytest.mark.browser, pytest.mark.gl]

VIEWS = ("cortical-outer-left-hemisphere", "top")
ROWS = 8


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(scaled(30) * 1000)  # Playwright's 30 s, for a loaded machine
    yield opened
    context.close()


def template_csv(path):
    """BrainPainter's DK v2 template (from the atlas library) filled with values."""
    from cortico.atlases import template_columns

    columns = template_columns("dk", "v2")
    rng = np.random.default_rng(3)
    lines = ["Image-name-unique," + ",".join(columns)]
    for index in range(ROWS):
        lines.append(f"subject-{index + 1}," + ",".join(f"{v:.2f}" for v in rng.uniform(1.5, 3.5, len(columns))))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_upload_paint_watch_progress_open_image_download_zip(live_app, page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_app.base_url + "/paint/")
    page.set_input_files("#table", str(template_csv(tmp_path / "thickness.csv")))
    assert "thickness.csv" in page.inner_text("#drop-file")
    for box in page.query_selector_all("input[name=views]"):
        box.set_checked(box.get_attribute("value") in VIEWS)
    page.fill("input[name=width]", "320")
    page.fill("input[name=height]", "240")
    page.fill("input[name=label]", "Thickness (mm)")
    page.check("#panel")
    page.click("#paint-button")
    page.wait_for_url("**/paint/jobs/*")
    job_url = page.url
    seen = []
    deadline = time.monotonic() + scaled(120)
    while time.monotonic() < deadline:
        try:
            if page.query_selector(".result-actions"):
                break
            bar = page.query_selector("#bar")
            if bar is not None:
                seen.append(
                    (bar.evaluate("element => parseFloat(element.style.width)"), page.inner_text("#progress-text"))
                )
        except PlaywrightError:  # the page reloads itself when the job finishes
            pass
        page.wait_for_timeout(100)
    else:
        raise AssertionError(f"the job did not finish within {scaled(120):g} s: {seen[-3:]}")
    widths = sorted({width for width, _ in seen if 0 < width < 100})
    counts = {text for _, text in seen if text.startswith("Image ")}
    assert len(widths) >= 2, seen
    assert counts and all(text.endswith(f" of {ROWS * len(VIEWS)}") for text in counts), counts
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "paint-gallery.png"), full_page=True)
    captions = page.locator(".gallery figcaption").all_inner_texts()
    assert len(captions) == ROWS * len(VIEWS)
    assert "subject-1 · Left lateral" in captions[0] and "subject-1 · Superior" in captions[1]

    page.click("a.zoom >> nth=0")
    page.wait_for_selector("#lightbox:not([hidden])")
    page.wait_for_function("document.getElementById('lightbox-img').naturalWidth > 0")
    assert page.evaluate("document.getElementById('lightbox-img').naturalWidth") == 320
    assert page.inner_text("#lightbox-caption") == "subject-1 — Left lateral"
    page.screenshot(path=str(ARTIFACTS / "paint-lightbox.png"))
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#lightbox-caption") == "subject-1 — Superior"
    assert page.inner_text("#lightbox-counter") == f"2 / {ROWS * len(VIEWS)}"
    page.click("#lightbox-prev")
    page.keyboard.press("ArrowLeft")  # wraps around to the last image
    assert page.inner_text("#lightbox-caption") == f"subject-{ROWS} — Superior"
    page.keyboard.press("Escape")
    assert page.locator("#lightbox").is_hidden()

    with page.expect_download() as download_info:
        page.click("#zip-link")
    archive_path = tmp_path / "results.zip"
    download_info.value.save_as(archive_path)
    with zipfile.ZipFile(archive_path) as archive:
        names = set(archive.namelist())
    pngs = {f"{view}_subject-{i + 1}.png" for view in VIEWS for i in range(ROWS)}
    assert pngs <= names
    assert {"values.csv", "settings.json", "panel_subject-1.png", "colorbar.svg"} <= names

    page.goto(job_url + "/3d/0")
    page.wait_for_selector("#viewer[data-ready=true]", timeout=scaled(60) * 1000)
    page.wait_for_timeout(500)
    shot = ARTIFACTS / "paint-3d.png"
    page.locator("#viewer").screenshot(path=str(shot))
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=int)
    painted = (np.abs(pixels - 255).sum(axis=2) > 60).mean()
    assert painted > 0.05, "the 3D view shows no brain"


def test_wrong_column_shows_the_problem_and_keeps_the_form(live_app, page, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("Image-name-unique,Left-superiorfrontl,Right-precentral\ns1,1,2\n")
    page.goto(live_app.base_url + "/paint/")
    page.set_input_files("#table", str(bad))
    page.fill("input[name=label]", "My label")
    page.click("#paint-button")
    page.wait_for_selector("#problems")
    problems = page.inner_text("#problems")
    assert (
        "Column 'Left-superiorfrontl': no region of atlas 'dk' has this name; did you mean 'Left-superiorfrontal'?"
    ) in problems
    assert page.input_value("input[name=label]") == "My label"
    assert "Using bad.csv from your last try" in page.inner_text("#drop-file")
    page.screenshot(path=str(ARTIFACTS / "paint-validation.png"), full_page=True)
