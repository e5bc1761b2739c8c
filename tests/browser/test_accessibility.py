"""axe-core finds no serious or critical violation on the pages readers use.

axe is injected through the DevTools protocol (``page.evaluate``), which the
page's Content-Security-Policy does not govern, so the policy under test stays
exactly as served.
"""

import pytest
from playwright.sync_api import expect

from forum.debates.models import WordRule

from .steps import post_comment, reply_to, vote

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")


def axe_violations(page, axe_source) -> list[dict]:
    page.evaluate(axe_source)
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def _serious(violations):
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_debate_and_results_pages_have_no_serious_violation(new_page, debate, axe_source, color_scheme):
    WordRule.objects.create(pattern="held", action="hold")
    other = new_page(color_scheme=color_scheme)
    other.goto("/")
    post_comment(other, "Someone else's comment, to like and reply to.", name="Other")

    page = new_page(color_scheme=color_scheme)
    page.goto("/")
    assert _serious(axe_violations(page, axe_source)) == []  # before voting: no results, no key

    vote(page, "Not sure / it depends")
    post_comment(page, "My own comment, *with emphasis* and a [link](https://example.com).", shows="My own comment")
    post_comment(page, "This one is held for a moderator.")
    reply_to(page, "Someone else's comment", "A reply in the thread.")
    page.goto("/#comments")
    expect(page.locator(".badge-pending")).to_be_visible()
    page.locator("details.reply").first.evaluate("el => el.open = true")
    assert _serious(axe_violations(page, axe_source)) == []

    page.goto(f"/debates/{debate.slug}/results/")
    page.locator("details").first.evaluate("el => el.open = true")
    assert _serious(axe_violations(page, axe_source)) == []

    page.goto("/me/key/restore/")
    assert _serious(axe_violations(page, axe_source)) == []
