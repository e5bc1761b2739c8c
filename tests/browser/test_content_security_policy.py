"""An inline script that reached a page does not run: the policy blocks it in Chromium."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.csp_urls")]


def test_an_injected_inline_script_handler_and_javascript_link_are_blocked(page):
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    response = page.goto("/test-only/injected/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    page.locator("#link").click()
    expect(page.locator("#target")).to_have_text("untouched")
    assert page.dialogs == []
    assert len(violations) >= 2, violations


def test_the_same_page_runs_its_script_when_the_policy_is_bypassed(new_page):
    # The control: without the policy the injected script does run, so the
    # test above fails if the header goes missing or loosens.
    page = new_page(bypass_csp=True)
    page.goto("/test-only/injected/")
    expect(page.locator("#target")).not_to_have_text("untouched")
    assert "inline script" in page.dialogs
    page.dialogs.clear()
