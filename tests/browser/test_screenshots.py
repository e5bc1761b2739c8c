"""Screenshots of the debate and results pages for a person to look at, in test-artifacts/.

The test checks what a machine can (nothing wider than the screen, the page
in the requested colour scheme); the pictures are for the eye of a reviewer.
"""

import pytest

from forum.debates.models import WordRule

from .steps import post_comment, reply_to, vote

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
BACKGROUND = "() => getComputedStyle(document.body).backgroundColor"


def _discussion(new_page):
    """Two readers, a vote, comments, a reply and a held comment, as a reader would leave them."""
    WordRule.objects.create(pattern="template", action="hold")
    other = new_page()
    other.goto("/")
    vote(other, "A useful, acceptable service for law enforcement")
    post_comment(
        other,
        "Police forces need **every tool** they can get. A search engine for faces finds victims as well as "
        "suspects; I would rather it were regulated than banned. See the [CNIL decision](https://www.cnil.fr/).",
        name="Pragmatist",
        shows="Police forces need every tool",
    )


@pytest.mark.parametrize(
    ("name", "viewport", "color_scheme"),
    [
        ("desktop-light", DESKTOP, "light"),
        ("desktop-dark", DESKTOP, "dark"),
        ("phone-light", PHONE, "light"),
        ("phone-dark", PHONE, "dark"),
    ],
)
def test_screenshots_of_the_debate_and_results_pages(new_page, debate, artifacts, name, viewport, color_scheme):
    _discussion(new_page)
    page = new_page(viewport=viewport, color_scheme=color_scheme, is_mobile=viewport == PHONE, has_touch=True)
    page.goto("/")
    vote(page, "An unacceptable invasion of privacy")
    reply_to(page, "Police forces need", "Regulated how? The company ignored the CNIL's formal notice for months.")
    post_comment(page, "A biometric template of my face, made without asking me, is not a service.", name="Reader")
    # The key panel shows once, after the first action, and stays until the reader leaves.
    assert page.locator("#your-key").is_visible()
    page.screenshot(path=artifacts / f"debate-{name}.png", full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, "the debate page scrolls sideways"
    dark = page.evaluate(BACKGROUND) != "rgb(251, 250, 247)"
    assert dark == (color_scheme == "dark")

    # The Sort and Show menus line up: side by side on a desktop, one above the other, as wide, on a phone.
    sort, show = page.locator("#sort").bounding_box(), page.locator("#stance").bounding_box()
    if viewport == PHONE:
        assert (sort["x"], sort["width"]) == (show["x"], show["width"])
        assert show["y"] > sort["y"]
    else:
        assert show["y"] == sort["y"]

    page.goto(f"/debates/{debate.slug}/results/")
    page.locator("details").first.evaluate("el => el.open = true")
    page.screenshot(path=artifacts / f"results-{name}.png", full_page=True)
    assert page.evaluate(OVERFLOW) <= 0, "the results page scrolls sideways"
