import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_page_renders_offline_in_chromium(browser, live_server, artifacts_dir):
    requested_hosts: set[str] = set()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    try:
        page.goto(f"{live_server.url}/api/docs/")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        page.wait_for_selector(".opblock-tag-section", timeout=15_000)
        title = page.inner_text(".swagger-ui .info .title")
        tags = page.locator(".opblock-tag").all_inner_texts()
        page.screenshot(path=str(artifacts_dir / "api-docs.png"), full_page=False)
    finally:
        page.close()

    assert title.startswith("Quanzi API")
    assert {"account", "catalogue", "shops", "my shop"} <= {t.split("\n")[0].strip() for t in tags}
    assert requested_hosts == {live_server.url.split("/")[2]}  # nothing from a CDN
