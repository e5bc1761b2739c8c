"""Reader actions in the browser, written once and shared by the journeys.

Locators go by role and visible text where the page offers them, so that a
change of class names or layout does not break a journey that still works.
"""

from playwright.sync_api import Page, expect


def comment_item(page: Page, text: str):
    """The list item of the comment whose own body contains ``text`` (not its replies')."""
    return page.locator("li.comment").filter(has=page.locator(":scope > article .comment-body", has_text=text))


def vote(page: Page, label: str) -> None:
    """Choose an answer in the poll and send it; waits until the page shows the vote."""
    poll = page.locator("#poll")
    poll.get_by_label(label, exact=True).check()
    poll.get_by_role("button", name="Change my vote").or_(poll.get_by_role("button", name="Vote", exact=True)).click()
    expect(page.locator("#poll")).to_contain_text(f"You voted “{label}”")


def post_comment(page: Page, text: str, name: str = "", *, shows: str = "") -> None:
    """Write a top-level comment and wait until it is on the page (``shows``: its
    visible text, where Markdown changes it)."""
    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill(text)
    if name:
        form.get_by_label("Display name").fill(name)
    form.get_by_role("button", name="Post comment").click()
    expect(comment_item(page, shows or text)).to_be_visible()


def reply_to(page: Page, parent_text: str, text: str, *, javascript: bool = True) -> None:
    """Reply to a comment through its Reply link: with JavaScript the page's reply
    form opens under the comment; without, the link opens a reply page."""
    item = comment_item(page, parent_text)
    actions = item.locator(":scope > article .comment-actions")
    actions.get_by_role("link", name="Reply", exact=True).click()
    form = actions if javascript else page
    if not javascript:
        expect(page.get_by_role("heading", level=1)).to_have_text("Reply to a comment")
    form.get_by_role("textbox", name="Your reply").fill(text)
    form.get_by_role("button", name="Post reply").click()
    expect(comment_item(page, parent_text).locator(".replies")).to_contain_text(text)


def results_row(page: Page, label: str):
    """The row of the results table for one answer: label, votes, share."""
    return page.locator(".results .results-table tbody tr").filter(has=page.get_by_role("rowheader", name=label))


def tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} was not reached after {limit} presses of Tab")


def focus_is_visible(page: Page) -> bool:
    """Whether the focused element draws a focus indicator (an outline or a ring)."""
    return page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
        }"""
    )


def moderator_logs_in(page: Page, user) -> None:
    """Log in at the moderation page as a moderator does: e-mail and password, then
    the code their authenticator app shows now; ends on the queue. ``user`` comes
    from ``tests.moderation.conftest.make_user(moderator=True, with_2fa=True)``."""
    from tests.moderation.conftest import PASSWORD, totp_code

    page.goto("/moderation/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(totp_code(user.totp_secret))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
