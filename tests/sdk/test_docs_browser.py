"""/docs in a real headless Chromium against a live `vinyasa serve`: authorize with the token, run
GET /users/me through Swagger UI's "Try it out", see a 200 with the owner's data. Assets come from
the server itself (the page loads no other origin)."""

from __future__ import annotations

import json

import pytest

from tests.browser import Page, open_page

OP = "#operations-Users-getUser"


def _try_get_me(page: Page) -> str:
    """Open Users > GET /users/{user_gid}, "Try it out" with `me`, "Execute"; the status shown."""
    page.click("#operations-tag-Users")
    page.click(f"{OP} .opblock-summary-control")
    page.click(f"{OP} .try-out__btn")
    page.type(f'{OP} tr[data-param-name="user_gid"] input', "me")
    page.click(f"{OP} .execute")
    status: str = page.wait(
        f"document.querySelector('{OP} .live-responses-table tbody .response-col_status')?.innerText"
    )
    return status.strip()


@pytest.mark.parametrize("docs_path", ["/docs", "/api/1.0/docs"])
def test_try_it_out_calls_the_api_with_the_token(live, docs_path, tmp_path):
    with open_page(live.base + docs_path, tmp_path / "profile") as page:
        page.wait("document.querySelectorAll('.opblock-tag').length > 0")
        assert page.js("document.title") == "vinyasa — Asana API reference"
        origins = page.js(
            "[...new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).origin))]"
        )
        assert origins == [live.base], f"the page loaded assets from elsewhere: {origins}"

        page.click(".btn.authorize")
        page.type(".modal-ux input", live.token)
        page.click(".modal-ux .auth-btn-wrapper .authorize")
        page.wait("document.querySelector('.modal-ux').innerText.includes('Authorized')")
        page.click(".modal-ux .btn-done")

        assert _try_get_me(page) == "200"
        url = page.js(f"document.querySelector('{OP} .request-url pre').innerText")
        assert url.startswith(f"{live.base}/api/1.0/users/me"), url
        assert "workspace=" not in url, "optional parameters' examples must not be sent"
        body = page.js(
            f"document.querySelector('{OP} .live-responses-table .response-col_description pre').innerText"
        )
        assert json.loads(body)["data"]["gid"] == live.user


def test_without_the_token_the_page_shows_asanas_401(live, tmp_path):
    with open_page(live.base + "/docs", tmp_path / "profile") as page:
        page.wait("document.querySelectorAll('.opblock-tag').length > 0")
        assert _try_get_me(page) == "401"
