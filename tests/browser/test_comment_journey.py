"""Readers comment, reply, edit, delete, like and report; an author sees their own held comment."""

import datetime
import re
import zoneinfo

import pytest
from playwright.sync_api import expect

from forum.debates.models import Comment, Report, WordRule
from forum.debates.services import comment_create

from .steps import comment_item, post_comment, reply_to, vote

pytestmark = pytest.mark.browser


def test_two_readers_comment_reply_like_report_edit_and_delete(new_page, debate):
    alice, bob = new_page(), new_page()
    alice.goto("/")
    post_comment(alice, "Scraping faces without consent is not a service.", name="Alice")
    expect(comment_item(alice, "without consent").locator(".author")).to_have_text("Alice")
    expect(alice.locator("#comments-title")).to_contain_text("(1)")
    # Nobody can like their own comment.
    expect(comment_item(alice, "without consent").get_by_role("button", name="Like this comment")).to_be_disabled()

    bob.goto("/")
    reply_to(bob, "without consent", "The police might disagree.")
    mine = comment_item(bob, "without consent")
    mine.locator(":scope > article").get_by_role("button", name="Like this comment").click()
    expect(comment_item(bob, "without consent").locator(":scope > article .like-button")).to_contain_text("1")

    report = comment_item(bob, "without consent").locator(":scope > article .comment-actions")
    report.get_by_role("link", name="Report", exact=True).click()
    report.get_by_label("Off topic").check()
    report.get_by_label("Anything to add?").fill("Testing the report form.")
    report.get_by_role("button", name="Send report").click()
    # Thanked where the reader is: under the comment, on screen.
    thanks = comment_item(bob, "without consent").get_by_role("status").filter(has_text="Thank you for your report")
    expect(thanks).to_be_in_viewport()
    # The comment now says it is reported instead of offering the report again.
    actions = comment_item(bob, "without consent").locator(":scope > article .comment-actions")
    expect(actions).to_contain_text("Reported by you")
    expect(actions.get_by_role("link", name="Report", exact=True)).to_have_count(0)
    report = Report.objects.get()
    assert (report.reason, report.note) == ("off_topic", "Testing the report form.")

    alice.reload()
    comment_item(alice, "without consent").locator(":scope > article").get_by_role("link", name="Edit").click()
    alice.get_by_label("Your comment").fill("Scraping faces without consent is surveillance, not a service.")
    alice.get_by_role("button", name="Save changes").click()
    edited = comment_item(alice, "is surveillance")
    expect(edited.locator(":scope > article .comment-meta")).to_contain_text("edited")
    # The comment's actions look alike (Reply and Report were bare, Edit and Delete underlined).
    decorations = edited.locator(":scope > article .comment-actions a").evaluate_all(
        "links => links.map(a => getComputedStyle(a).textDecorationLine)"
    )
    assert decorations == ["none"] * 3, decorations
    expect(edited.get_by_role("status")).to_have_text("Your edit is saved.")
    expect(alice).not_to_have_url(re.compile(r"[?&]edited="))

    edited.locator(":scope > article").get_by_role("link", name="Delete").click()
    alice.get_by_role("button", name="Delete for good").click()
    # Bob's reply hangs on it, so a placeholder keeps the thread readable.
    expect(alice.get_by_text("This comment was deleted.")).to_be_visible()
    expect(alice.locator(".comment-body", has_text="The police might disagree.")).to_be_visible()
    expect(alice.locator(".comment-body", has_text="surveillance")).to_have_count(0)
    assert not Comment.objects.filter(body__contains="surveillance").exists()


def test_a_refused_reply_comes_back_under_its_comment_with_the_reason(new_page, debate):
    WordRule.objects.create(pattern="scumbag", action="reject")
    comment_create(debate=debate, participant=None, body="Face search helps find missing children.")
    page = new_page()
    page.goto("/")
    main = page.locator("#comment-form")
    actions = comment_item(page, "missing children").locator(":scope > article .comment-actions")
    actions.get_by_role("link", name="Reply", exact=True).click()
    keys = """() => [...document.querySelectorAll('form[id$=-form] [name=idempotency_key]')]
        .map(i => i.form.id + ' ' + i.value)"""
    for draft in ("", "A draft of my own."):
        main.get_by_label("Your comment").fill(draft)
        actions.get_by_role("textbox", name="Your reply").fill("Only a scumbag would say that.")
        sent = page.evaluate(keys)
        actions.get_by_role("button", name="Post reply").click()
        # Refused: the reply, its text and the reason are where the reader wrote it,
        # and the comment form holds the reader's own draft, not the reply.
        expect(actions.get_by_role("alert")).to_contain_text("Your comment was not posted.")
        expect(actions.get_by_role("alert")).to_be_focused()
        expect(actions.get_by_role("textbox", name="Your reply")).to_have_value("Only a scumbag would say that.")
        expect(main.get_by_label("Your comment")).to_have_value(draft)
        expect(main).not_to_contain_text("Replying to")
        expect(main.get_by_role("alert")).to_have_count(0)
        # The reply is sent again as the same reply; the comment form never takes its key.
        now = page.evaluate(keys)
        assert [k for k in now if k.startswith("reply-form")] == [k for k in sent if k.startswith("reply-form")]
        assert len({k.split()[1] for k in now}) == len(now) == 2, now
    # Mended and sent again, it is a reply to that comment; the draft then posts on its own.
    actions.get_by_role("textbox", name="Your reply").fill("I disagree, politely.")
    actions.get_by_role("button", name="Post reply").click()
    expect(comment_item(page, "missing children").locator(".replies")).to_contain_text("I disagree, politely.")
    main.get_by_role("button", name="Post comment").click()
    expect(comment_item(page, "A draft of my own.")).to_be_visible()
    parent = Comment.objects.get(body="Face search helps find missing children.")
    assert Comment.objects.get(body="I disagree, politely.").parent_id == parent.pk
    assert Comment.objects.get(body="A draft of my own.").parent_id is None


def test_an_author_sees_their_held_comment_and_nobody_else_does(new_page, debate):
    WordRule.objects.create(pattern="biometric", action="hold")
    author, other = new_page(), new_page()
    author.goto("/")
    post_comment(author, "A biometric template is personal data.")
    held = comment_item(author, "biometric template")
    expect(held.locator(".badge-pending")).to_contain_text("Awaiting moderation: only you can see it")
    # Held comments cannot be liked, replied to or reported yet.
    expect(held.get_by_role("button", name="Like this comment")).to_have_count(0)
    author.reload()
    expect(comment_item(author, "biometric template")).to_be_visible()
    # The author's list of comments and their status: cards, without list bullets beside them.
    author.goto("/comments/mine/")
    card = author.locator(".own-comments li", has_text="biometric template")
    expect(card).to_contain_text("Awaiting moderation")
    assert card.evaluate("li => getComputedStyle(li).listStyleType") == "none"

    other.goto("/")
    expect(other.locator(".comment-body", has_text="biometric template")).to_have_count(0)
    expect(other.locator("#comments")).to_contain_text("No comments yet")
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_a_reply_is_signed_with_the_name_the_reader_gave(new_page, debate, make_participant):
    comment_create(debate=debate, participant=make_participant().participant, body="Reply to me, with a name.")
    reader = new_page()
    reader.goto("/")
    reader.locator("#id_author_name").fill("Chloé")  # typed in the comment form, nothing posted yet
    actions = comment_item(reader, "Reply to me").locator(":scope > article .comment-actions")
    actions.get_by_role("link", name="Reply", exact=True).click()
    expect(actions.get_by_role("textbox", name="Display name")).to_have_value("Chloé")
    actions.get_by_role("textbox", name="Your reply").fill("Signed, as you see.")
    actions.get_by_role("button", name="Post reply").click()
    reply = comment_item(reader, "Signed, as you see.")
    expect(reply.locator(".author").first).to_have_text("Chloé")
    # After a reload the site remembers the name the reader last signed with,
    # and a new name typed into the comment form still signs the next reply.
    reader.reload()
    expect(reader.locator("#id_author_name")).to_have_value("Chloé")
    reader.locator("#id_author_name").fill("Chloé B.")
    actions = comment_item(reader, "Reply to me").locator(":scope > article .comment-actions")
    actions.get_by_role("link", name="Reply", exact=True).click()
    expect(actions.get_by_role("textbox", name="Display name")).to_have_value("Chloé B.")


def test_one_of_reply_and_report_is_open_at_a_time_and_cancel_closes_it_keeping_the_text(
    new_page, debate, make_participant
):
    comment_create(debate=debate, participant=make_participant().participant, body="Answer or report me.")
    reader = new_page()
    reader.goto("/")
    actions = comment_item(reader, "Answer or report me").locator(":scope > article .comment-actions")
    reply_link = actions.get_by_role("link", name="Reply", exact=True)
    report_link = actions.get_by_role("link", name="Report", exact=True)
    reply_link.click()
    reader.locator("#reply-body").fill("A draft I may come back to.")
    report_link.click()  # opening the report closes the reply
    expect(reader.locator("#reply-form")).to_be_hidden()
    expect(reply_link).to_have_attribute("aria-expanded", "false")
    expect(reader.locator("#report-form")).to_be_visible()
    reader.locator("#report-form").get_by_role("button", name="Cancel").click()
    expect(reader.locator("#report-form")).to_be_hidden()
    expect(report_link).to_have_attribute("aria-expanded", "false")
    expect(report_link).to_be_focused()
    reply_link.click()  # the draft is still there
    expect(reader.locator("#reply-body")).to_have_value("A draft I may come back to.")
    expect(reader.locator("#report-form")).to_be_hidden()
    reader.locator("#reply-form").get_by_role("button", name="Cancel").click()
    expect(reader.locator("#reply-form")).to_be_hidden()
    expect(reply_link).to_be_focused()


def test_a_draft_survives_a_vote_and_a_like_sent_in_place(new_page, debate, make_participant):
    """A vote or a like sent in place swaps the discussion for a fresh copy,
    which used to wipe a comment or a reply the reader had begun."""
    make_participant().post(
        f"/api/v1/debates/{debate.slug}/comments", {"body": "Someone else's thread."}, content_type="application/json"
    )
    page = new_page()
    page.goto("/")
    page.locator("#comment-form").get_by_label("Your comment").fill("Half a thought, typed before voting.")
    thread = comment_item(page, "Someone else's thread.")
    thread.locator(":scope > article .comment-actions").get_by_role("link", name="Reply", exact=True).click()
    thread.get_by_role("textbox", name="Your reply").fill("A reply, begun before voting.")
    vote(page, "Not sure / it depends")
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value(
        "Half a thought, typed before voting."
    )
    thread = comment_item(page, "Someone else's thread.")
    expect(thread.get_by_role("textbox", name="Your reply")).to_have_value("A reply, begun before voting.")
    like = thread.locator(":scope > article .comment-actions").get_by_role(
        "button", name=re.compile("like this comment")
    )
    like.click()
    expect(page.locator("#comment-form").get_by_label("Your comment")).to_have_value(
        "Half a thought, typed before voting."
    )
    # Both then post as written, each once: the reply's draft survives the comment's posting too.
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(comment_item(page, "Half a thought, typed before voting.")).to_be_visible()
    thread = comment_item(page, "Someone else's thread.")
    expect(thread.get_by_role("textbox", name="Your reply")).to_have_value("A reply, begun before voting.")
    thread.get_by_role("button", name="Post reply").click()
    expect(comment_item(page, "Someone else's thread.").locator(".replies")).to_contain_text(
        "A reply, begun before voting."
    )
    assert Comment.objects.filter(body="Half a thought, typed before voting.").count() == 1
    assert Comment.objects.filter(body="A reply, begun before voting.").count() == 1


def test_a_report_from_a_later_page_is_thanked_on_that_page(new_page, debate, settings):
    settings.COMMENTS_PER_PAGE = 2
    for n in range(3):
        comment_create(debate=debate, participant=None, body=f"Comment number {n} about the fine.")
    reader = new_page()
    reader.goto("/?page=2")
    oldest = comment_item(reader, "Comment number 0")
    oldest.locator(":scope > article").get_by_role("link", name="Report", exact=True).click()
    oldest.get_by_label("Spam").check()
    oldest.get_by_role("button", name="Send report").click()
    # The page that comes back is page 2 again (a first action also shows the new key, which takes the focus).
    expect(comment_item(reader, "Comment number 0").get_by_role("status")).to_contain_text("Thank you for your report")
    assert Report.objects.get().comment.body == "Comment number 0 about the fine."


def test_a_report_refused_in_place_opens_again_with_its_note(new_page, debate, settings):
    settings.RATE_LIMITS = True
    settings.RATE_LIMIT_ACTIONS = "1/3600"  # one action per reader: the like and its undoing use it up
    comment_create(debate=debate, participant=None, body="A comment to like, then to report.")
    reader = new_page()
    reader.goto("/")
    item = comment_item(reader, "A comment to like")
    item.locator(":scope > article").get_by_role("button", name="Like this comment").click()
    expect(comment_item(reader, "A comment to like").locator(":scope > article .like-button")).to_contain_text("1")
    comment_item(reader, "A comment to like").locator(":scope > article .like-button").click()
    expect(comment_item(reader, "A comment to like").locator(":scope > article .like-button")).to_contain_text("0")
    item = comment_item(reader, "A comment to like")
    item.locator(":scope > article").get_by_role("link", name="Report", exact=True).click()
    item.get_by_label("Spam").check()
    item.get_by_label("Anything to add?").fill("It links to a scam shop, twice.")
    item.get_by_role("button", name="Send report").click()
    again = comment_item(reader, "A comment to like")
    # The reason for the refusal, the choice and the note, all in the form that comes back.
    expect(again.locator("#report-form").get_by_role("alert")).to_contain_text("Too many")
    expect(again.get_by_label("Anything to add?")).to_have_value("It links to a scam shop, twice.")
    expect(again.get_by_label("Spam")).to_be_checked()
    assert not Report.objects.exists()


def test_the_edit_deadline_reads_in_the_readers_own_time(new_page, debate):
    page = new_page(timezone_id="Asia/Kolkata", locale="en-GB")  # UTC+5:30: no other zone shares its minutes
    page.goto("/")
    post_comment(page, "A warrant for every search.")
    comment_item(page, "warrant for every").locator(":scope > article").get_by_role("link", name="Edit").click()
    deadline = page.locator("time.js-local-time")
    when = datetime.datetime.fromisoformat(deadline.get_attribute("datetime"))
    local = when.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    expect(deadline).to_have_text(f"{local:%H:%M} your time")
    expect(deadline).to_have_attribute("title", f"{when.astimezone(datetime.UTC):%H:%M} UTC")


def test_a_paste_over_the_limit_is_kept_whole_counted_and_refused_with_its_text(new_page, debate):
    """A maxlength on the box cut a long paste to 5,000 characters without a word."""
    page = new_page()
    page.goto("/")
    box = page.locator("#comment-form").get_by_label("Your comment")
    text = ("Pasted from my notes. " * 240).strip()  # 5,279 characters
    box.fill(text)
    expect(box).to_have_value(text)
    count = page.locator("#comment-form .length-count")
    expect(count).to_have_text("279 characters over the limit of 5,000: please shorten it.")
    page.locator("#comment-form").get_by_role("button", name="Post comment").click()
    expect(page.get_by_role("alert")).to_contain_text("5,000")
    box = page.locator("#comment-form").get_by_label("Your comment")
    expect(box).to_have_value(text)
    expect(page.locator("#comment-form .length-count")).to_contain_text("279 characters over the limit")
    box.fill(text[:4500])
    expect(page.locator("#comment-form .length-count")).to_have_text("500 characters left.")
    box.fill(text[:5001])
    expect(page.locator("#comment-form .length-count")).to_have_text(
        "1 character over the limit of 5,000: please shorten it."
    )
    box.fill(text[:4999])
    expect(page.locator("#comment-form .length-count")).to_have_text("1 character left.")
    box.fill(text[:100])
    expect(page.locator("#comment-form .length-count")).to_be_hidden()
    assert not Comment.objects.exists()


def test_comment_times_say_how_long_ago_with_the_script_and_the_date_without_it(new_page, debate):
    """The shared copy of the page holds dates, never "5 minutes ago", which a
    quiet debate would have kept saying for hours; the script says how long ago."""
    now = datetime.datetime.now(datetime.UTC)
    ages = {"Just posted.": datetime.timedelta(seconds=20), "Three hours old.": datetime.timedelta(hours=3, minutes=5)}
    ages["Ten days old."] = datetime.timedelta(days=10)
    for body, age in ages.items():
        created = comment_create(debate=debate, participant=None, body=body)
        Comment.objects.filter(pk=created.comment.pk).update(created_at=now - age)
    old = now - ages["Ten days old."]
    dated = f"{old.day}\u00a0{old:%b %Y, %H:%M} UTC"

    page = new_page()
    page.clock.install()
    page.goto("/")
    time_of = {body: comment_item(page, body).locator(":scope > article time") for body in ages}
    expect(time_of["Just posted."]).to_have_text("just now")
    expect(time_of["Three hours old."]).to_have_text("3\u00a0hours ago")
    expect(time_of["Ten days old."]).to_have_text(dated)
    expect(time_of["Three hours old."]).to_have_attribute("title", re.compile(r" UTC$"))
    page.clock.run_for(2 * 60_000)  # the page stays open: its times move on
    expect(time_of["Just posted."]).to_have_text("2\u00a0minutes ago")

    without_script = new_page(java_script_enabled=False)
    without_script.goto("/")
    for body in ages:
        when = now - ages[body]
        expect(comment_item(without_script, body).locator(":scope > article time")).to_have_text(
            re.compile(rf"^{when.day}\u00a0{when:%b %Y}, \d\d:\d\d UTC$")
        )
