"""A reader reads the article, votes, sees the results and changes their vote."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from forum.debates.models import Ballot, DailyTally, Report
from forum.debates.services import comment_create

from .steps import reply_to, results_row, vote

pytestmark = pytest.mark.browser

INVASION = "An unacceptable invasion of privacy"
UNSURE = "Not sure / it depends"


def test_reader_reads_votes_sees_results_and_changes_their_mind(page, debate):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(debate.title)
    expect(page.locator(".story")).to_contain_text("CNIL")
    expect(page.get_by_role("link", name="Clearview AI image-scraping")).to_have_attribute("href", debate.source_url)
    expect(page.locator("#poll")).to_contain_text("Results appear once you have voted")
    expect(page.locator(".results-table")).to_have_count(0)

    vote(page, INVASION)
    expect(results_row(page, INVASION)).to_contain_text("100.0%")
    expect(page.locator(".results .results-table tfoot")).to_contain_text("1")

    page.get_by_role("link", name="Full results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(debate.question)
    expect(results_row(page, INVASION)).to_contain_text("1")
    expect(page.get_by_text("Nobody has changed their vote yet.")).to_be_visible()

    page.get_by_role("link", name="Back to the debate").click()
    vote(page, UNSURE)
    expect(results_row(page, UNSURE)).to_contain_text("100.0%")
    expect(results_row(page, INVASION)).to_contain_text("0.0%")
    expect(page.locator("#poll")).to_contain_text("1 reader changed their mind")

    page.goto(f"/debates/{debate.slug}/results/")
    expect(page.locator("body")).to_contain_text(f"1 from “{INVASION}” to “{UNSURE}”")
    assert Ballot.objects.filter(debate=debate).count() == 1


def test_the_trend_chart_is_readable_on_a_phone_and_shows_tied_answers(new_page, debate):
    # The poll ran the day before too (a vote cast and withdrawn): the chart has two days to join.
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    DailyTally.objects.create(option=debate.options.get(key="useful"), day=yesterday, added=1, removed=1)
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto("/")
    vote(page, INVASION)
    other = new_page()
    other.goto("/")
    vote(other, UNSURE)  # two answers tied at 50 %: their lines lie on top of each other
    page.goto(f"/debates/{debate.slug}/results/")
    chart = page.locator(".line-chart")
    expect(chart).to_be_visible()
    # The labels were drawn about 6 px high on a phone.
    for tick in chart.locator(".tick").all():
        assert tick.bounding_box()["height"] >= 11, tick.inner_html()
    # Each line is drawn thinner than the one under it, so that a tie hides neither.
    widths = chart.locator("polyline").evaluate_all(
        "lines => lines.map(l => parseFloat(getComputedStyle(l).strokeWidth))"
    )
    assert widths == sorted(widths, reverse=True)
    assert len(set(widths)) == len(widths) == 3, widths


def test_reader_withdraws_their_vote_and_the_results_hide_again(page, debate):
    page.goto("/")
    vote(page, UNSURE)
    page.get_by_role("button", name="Withdraw my vote").click()
    expect(page.locator("#poll")).to_contain_text("Results appear once you have voted")
    expect(page.get_by_role("button", name="Vote", exact=True)).to_be_visible()
    assert not Ballot.objects.filter(debate=debate).exists()


def test_voting_and_commenting_work_without_javascript(new_page, debate):
    page = new_page(java_script_enabled=False)
    page.goto("/")
    vote(page, INVASION)
    expect(results_row(page, INVASION)).to_contain_text("100.0%")
    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill("Posted by a browser without JavaScript.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment-body", has_text="without JavaScript")).to_be_visible()
    expect(page.locator(".comment .badge", has_text=INVASION)).to_be_visible()


def test_a_refused_comment_without_javascript_comes_back_where_it_was_written(new_page, debate, settings):
    """The refusal is a whole page: it opens at the comment form, with the error and the text, not at the top."""
    settings.FORM_MIN_SECONDS = 60  # every comment is "too fast"
    page = new_page(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page.goto("/")
    form = page.locator("#comment-form")
    form.get_by_label("Your comment").fill("Refused, and kept.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator("#comment-error")).to_contain_text("faster than anyone can type")
    expect(page.locator("#comment-error")).to_be_in_viewport()
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value("Refused, and kept.")


def test_reporting_works_without_javascript(new_page, debate, make_participant):
    author = make_participant().participant
    comment_create(debate=debate, participant=author, body="Report me without scripts.")
    page = new_page(java_script_enabled=False)
    page.goto("/")
    page.get_by_role("link", name="Report", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a comment")
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your report")
    assert Report.objects.get().reason == "spam"


def test_replying_works_without_javascript(new_page, debate, make_participant):
    author = make_participant().participant
    comment_create(debate=debate, participant=author, body="Reply to me without scripts.")
    page = new_page(java_script_enabled=False)
    page.goto("/")
    reply_to(page, "Reply to me without scripts.", "A reply from a page of its own.", javascript=False)
    expect(page.locator("#reply-form")).to_be_hidden()


def test_the_figures_of_a_first_day_fit_a_phone(new_page, debate):
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto("/")
    vote(page, INVASION)
    page.goto(f"/debates/{debate.slug}/results/")
    expect(page.locator("#trend-one-day")).to_be_visible()
    table = page.locator("table.by-day")
    expect(table).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls in its box
    lines = table.locator("tbody th").first.evaluate(
        "th => { const r = document.createRange(); r.selectNodeContents(th); return r.getClientRects().length; }"
    )
    assert lines == 1  # the date on one line
