"""Error pages in a real browser: a dead job link shows the site, a title and a sentence."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser]


def test_dead_job_link_shows_a_page_with_navigation(live_server, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    page = chromium.new_page()
    response = page.goto(live_server.base_url + "/paint/jobs/0123456789abcdef")
    assert response.status == 404
    assert page.title() == "404 · Not Found · cortico"
    assert page.locator("header nav a", has_text="Brain painting").is_visible()
    assert "expired" in page.locator("section.errors p").inner_text()
    page.screenshot(path=str(ARTIFACTS / "error-404-job.png"))
    icon = page.request.get(live_server.base_url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in {"image/vnd.microsoft.icon", "image/x-icon"}
    page.close()
