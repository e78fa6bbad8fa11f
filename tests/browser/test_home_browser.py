"""From the home page to a painted example in a real browser: 'Try it with an example table'."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.gl]


def test_try_it_with_an_example_table_paints_it(live_app, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_app.base_url + "/")
    page.click("text=Try it with an example table")
    page.wait_for_selector("#drop-file:has-text('cortico-example-dk-v2.csv')")
    assert page.eval_on_selector("#table", "input => input.files.length") == 1
    assert page.input_value("#atlas") == "dk"
    # One view keeps the job short.
    for box in page.query_selector_all("input[name=views]:checked"):
        box.uncheck()
    page.check("input[name=views][value=cortical-outer-left-hemisphere]")
    page.click("button[type=submit]")
    page.wait_for_url("**/paint/jobs/**")
    page.wait_for_selector(".gallery img", timeout=300_000)
    assert page.locator(".gallery img").count() == 2  # two example rows, one view each
    page.screenshot(path=str(ARTIFACTS / "home-example-job.png"), full_page=True)
    page.close()
