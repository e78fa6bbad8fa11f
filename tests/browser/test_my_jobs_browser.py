"""'Your recent jobs' in a real browser: stop and delete ask first, a dismissed dialog changes nothing."""

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.web.test_paint_pages import GOOD_CSV

pytestmark = [pytest.mark.browser]


def test_stop_and_delete_ask_before_acting(live_server, chromium, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    table = tmp_path / "thickness.csv"
    table.write_bytes(GOOD_CSV)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.base_url + "/paint/")
    page.set_input_files("#table", str(table))
    page.click("button[type=submit]")
    page.wait_for_url("**/paint/jobs/**")  # no worker here: the job stays queued
    page.goto(live_server.base_url + "/paint/")
    row = page.locator("#my-jobs tbody tr")
    assert row.count() == 1 and "thickness.csv" in row.inner_text() and "queued" in row.inner_text()

    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    row.locator("button", has_text="Stop").click()
    page.wait_for_timeout(300)
    assert dialogs == ["Stop this job?"] and "queued" in page.locator("#my-jobs tbody tr").inner_text()

    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("button", has_text="Stop").click()
    page.wait_for_url("**/paint/jobs/**")
    page.goto(live_server.base_url + "/paint/")
    assert "cancelled" in page.locator("#my-jobs tbody tr").inner_text()
    page.screenshot(path=str(ARTIFACTS / "my-jobs.png"), full_page=True)

    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator("#my-jobs button", has_text="Delete").click()
    page.wait_for_url("**/paint/#my-jobs")
    assert dialogs[-1] == "Delete this job and all its files?"
    assert page.locator("#my-jobs").count() == 0
    page.close()
