"""The API reference pages in a real browser: Redoc and Swagger UI must render the operations."""

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser]


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    errors = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors
    yield opened
    context.close()


def test_redoc_renders_every_tag_and_operations(live_server, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.base_url + "/redoc")
    # Redoc writes one section per operation; its menu lists the operation summaries.
    page.wait_for_selector("[data-section-id^='tag/']", timeout=60_000)
    spec = page.request.get(live_server.base_url + "/openapi.json").json()
    tags = {
        tag
        for operations in spec["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    shown = set(page.eval_on_selector_all("[data-section-id^='tag/']", "els => els.map(e => e.dataset.sectionId)"))
    assert {f"tag/{tag}" for tag in tags} <= shown
    assert page.get_by_text("/api/v1/jobs/", exact=False).count() > 0
    page.screenshot(path=str(ARTIFACTS / "redoc.png"))
    assert page.errors == []


def test_swagger_ui_renders_operations(live_server, page):
    page.goto(live_server.base_url + "/swagger-ui")
    page.wait_for_selector(".opblock", timeout=60_000)
    assert page.locator(".opblock").count() >= 10
    assert page.errors == []
