"""Bans: a banned participant can read but not comment, vote, like or report, is
told until when, and a new key from the same network does not get around it."""

import datetime
import time
from http import HTTPStatus

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from forum.debates.models import Ballot, Ban, Comment, DailyTally, Debate, Participant
from forum.debates.network import period_ends_at
from forum.debates.services import participant_from_key
from forum.moderation.models import AuditEntry

Status = Comment.Status


def ban(moderator, participant_id, duration="1d", reason="Repeated abuse", **extra):
    return moderator.post(
        f"/moderation/participants/{participant_id}/ban/", {"duration": duration, "reason": reason, **extra}
    )


@pytest.mark.parametrize(
    ("duration", "length"),
    [("1d", datetime.timedelta(days=1)), ("1w", datetime.timedelta(weeks=1)), ("permanent", None)],
)
def test_a_ban_lasts_a_day_a_week_or_for_good(moderator, reader, duration, length):
    before = timezone.now()
    assert ban(moderator, reader.participant.pk, duration).status_code == HTTPStatus.FOUND
    created = Ban.objects.get(participant=reader.participant)
    if length is None:
        assert created.expires_at is None
    else:
        assert before + length <= created.expires_at <= timezone.now() + length
    entry = AuditEntry.objects.get(action="ban.create")
    assert entry.reason == "Repeated abuse"
    assert entry.details["duration"] == duration
    # The moderator is told the end in the words the banned reader reads.
    told = [str(m) for m in moderator.get(f"/moderation/participants/{reader.participant.pk}/").context["messages"]]
    # This reader never voted or commented: no network is known to block.
    assert "(no network known to block)" in moderator.get("/moderation/audit/").content.decode()
    assert told == [
        f"Participant #{reader.participant.pk} is banned {_words(created.expires_at)}, "
        "on their own (no network is blocked)."
    ]


def test_a_banned_participant_can_read_but_not_take_part(moderator, reader, make_comment, api, debate):
    other = make_comment("Someone else's comment", status=Status.PUBLISHED)
    ban(moderator, reader.participant.pk, "1w", "Spamming the thread")
    page = reader.get("/")
    assert page.status_code == HTTPStatus.OK
    notice = " ".join(page.content.decode().split())
    assert "You are banned from taking part until" in notice
    assert "Reason: <bdi>Spamming the thread.</bdi> You can still read the debate." in notice
    # Told where they would start writing or voting too, rather than after trying.
    assert "You cannot comment while you are banned (until" in notice
    assert 'id="comment-form"' not in notice
    assert "You cannot vote while you are banned." in notice
    assert 'class="poll-form' not in notice
    # Not told to vote to see the results, which they cannot.
    assert "Results are shown to readers who have voted." in notice
    assert "once you have voted" not in notice
    # A comment sent anyway (from a page opened before the ban) comes back with its text and why.
    text = "Still here, <b>still</b> writing."
    started = signing.dumps(time.time() - 60, salt="forum.form-started")  # written a minute ago
    refused = reader.post(f"/debates/{debate.slug}/comments/", {"body": text, "started": started})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    returned = refused.content.decode()
    assert 'id="comment-form"' in returned
    assert "Still here, &lt;b&gt;still&lt;/b&gt; writing.</textarea>" in returned
    assert "You are banned from taking part until" in returned
    key = reader.key
    attempts = [
        api.post(f"/api/v1/debates/{debate.slug}/comments", {"body": "Let me in"}, key=key),
        api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"}, key=key),
        api.post(f"/api/v1/comments/{other.pk}/like", key=key),
        api.post(f"/api/v1/comments/{other.pk}/reports", {"reason": "spam"}, key=key),
    ]
    for response in attempts:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json()["error"] == "banned"
        assert "until" in response.json()["message"]
        # The reason ends the sentence with a full stop of its own.
        assert response.json()["message"].endswith("Reason: Spamming the thread.")
    assert not Comment.objects.filter(participant=reader.participant).exists()
    assert not Ballot.objects.filter(participant=reader.participant).exists()


def test_a_banned_reader_is_offered_no_action_the_ban_refuses(
    moderator, reader, make_participant, make_comment, debate
):
    """No like button, reply, report or edit under the comments, only the like count;
    deleting one's own comment stays possible."""
    other = make_comment("Someone else's comment", status=Status.PUBLISHED, like_count=2)
    own = make_comment("My own comment", status=Status.PUBLISHED, participant=reader.participant)
    before = reader.get("/").content.decode()
    for offered in ("like-button", "reply-link", "report-link", f"/comments/{own.pk}/edit/"):
        assert offered in before
    ban(moderator, reader.participant.pk, "1d", "Spamming the thread")
    page = reader.get("/").content.decode()
    for offered in ("like-button", "reply-link", "report-link", f"/comments/{own.pk}/edit/"):
        assert offered not in page
    other_actions = page.split(f'id="c{other.pk}"', 1)[1].split("</footer>", 1)[0]
    assert '<span class="likes">♥ 2<span class="visually-hidden"> likes</span></span>' in other_actions
    assert f"/comments/{own.pk}/delete/" in page
    # The forms' own pages, opened from an address, give the ban instead of a form.
    for path, told in [
        (f"/comments/{other.pk}/reply/", "You cannot reply meanwhile."),
        (f"/comments/{other.pk}/report/", "You cannot report comments meanwhile."),
        (f"/comments/{own.pk}/edit/", "You cannot edit your comments meanwhile; you can still delete them."),
    ]:
        form_page = " ".join(reader.get(path).content.decode().split())
        assert "You are banned from taking part until" in form_page, path
        assert "Reason: Spamming the thread." in form_page, path
        assert told in form_page, path
        assert "<textarea" not in form_page, path
    # Others still get every action.
    assert "report-link" in Client().get("/").content.decode()
    assert "<textarea" in make_participant().get(f"/comments/{other.pk}/reply/").content.decode()


def test_a_bystander_on_a_blocked_network_is_told_of_the_block_on_the_form_pages(
    moderator, api, make_participant, make_comment, debate
):
    """In the words of the refusal (the network's block and its real end), not as if banned themselves."""
    other = make_comment("Someone else's comment", status=Status.PUBLISHED)
    api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"})  # the network is recorded
    ban(moderator, Ballot.objects.get().participant_id, "permanent", "Spamming the thread")
    assert Ban.objects.get().network_hash
    for path in (f"/comments/{other.pk}/reply/", f"/comments/{other.pk}/report/"):
        page = " ".join(make_participant().get(path).content.decode().split())
        assert "Taking part from your network is blocked until" in page, path
        assert "permanently" not in page, path
        assert "Spamming" not in page, path  # someone else's reason
        assert "<textarea" not in page, path


def test_a_reader_with_a_key_on_a_blocked_network_is_told_on_the_debate_page_before_writing(
    moderator, api, make_participant, make_comment, debate
):
    other = make_comment("Someone else's comment", status=Status.PUBLISHED)
    api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"})  # the network is recorded
    ban(moderator, Ballot.objects.get().participant_id, "permanent", "Spamming the thread")
    bystander = make_participant()
    own = make_comment("Mine, still editable.", status=Status.PUBLISHED, participant=bystander.participant)
    page = " ".join(bystander.get("/").content.decode().split())
    notice = '<p class="notice notice-warn" role="status" id="ban-notice">'
    assert f"{notice}Taking part from your network is blocked until" in page
    assert "Spamming" not in page  # someone else's reason
    assert "You cannot vote from this network while it is blocked." in page
    assert "You cannot comment from this network while it is blocked (until" in page
    assert 'class="poll-form' not in page
    assert 'id="comment-form"' not in page
    assert f'href="/comments/{other.pk}/report/"' not in page  # no action the block would refuse
    assert f'href="/comments/{own.pk}/edit/"' in page  # an edit refuses only one's own ban
    assert bystander.post(f"/comments/{own.pk}/edit/", {"body": "Edited."}).status_code == HTTPStatus.FOUND
    # Readers without a key share the cached page, which knows no network.
    assert 'id="ban-notice"' not in Client().get("/").content.decode()


def test_a_ban_covers_the_network_so_a_new_key_is_no_way_around_it(moderator, api, debate):
    voted = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"})
    participant_key = voted.json()["participant_key"]
    participant = Ballot.objects.get().participant
    ban(moderator, participant.pk, "1d", "Ballot stuffing")
    assert Ban.objects.get().network_hash == Ballot.objects.get().network_hash != ""
    # A fresh client from the same network, with no key at all:
    fresh = Client()
    response = fresh.post(
        f"/api/v1/debates/{debate.slug}/comments", {"body": "New me"}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"] == "banned"
    # Perhaps someone else on that connection: told why, without the banned person's reason.
    assert response.json()["message"].startswith("Taking part from your network is blocked until ")
    assert "Ballot stuffing" not in response.json()["message"]
    # The banned key itself is told its own reason.
    own = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "unsure"}, key=participant_key)
    assert own.status_code == HTTPStatus.FORBIDDEN
    assert "You are banned from taking part until" in own.json()["message"]
    assert "Reason: Ballot stuffing" in own.json()["message"]


def test_a_new_key_refused_for_its_network_leaves_no_trace(moderator, api, debate, no_rate_limits):
    """A first vote is refused before anything is written: no participant, no
    ballot, no tally, no new version (PostgreSQL checks within its one statement)."""
    api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"})
    ban(moderator, Ballot.objects.get().participant_id, "1d", "Ballot stuffing")
    before = (Participant.objects.count(), Ballot.objects.count(), _tallies(), Debate.objects.get(pk=debate.pk).version)
    response = Client().post(
        f"/api/v1/debates/{debate.slug}/vote", {"option": "invasion"}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"] == "banned"
    assert response.json()["message"].startswith("Taking part from your network is blocked until ")
    assert (
        Participant.objects.count(),
        Ballot.objects.count(),
        _tallies(),
        Debate.objects.get(pk=debate.pk).version,
    ) == before
    # Lifted, the network votes again.
    Ban.objects.update(lifted_at=timezone.now())
    again = Client().post(
        f"/api/v1/debates/{debate.slug}/vote", {"option": "invasion"}, content_type="application/json"
    )
    assert again.status_code == HTTPStatus.OK
    assert again.json()["results"]["total"] == 2


def _tallies() -> list:
    return list(DailyTally.objects.order_by("pk").values_list("option_id", "day", "added", "removed"))


def _network_refusal(debate) -> str:
    response = Client().post(f"/api/v1/debates/{debate.slug}/comments", {"body": "Hi"}, content_type="application/json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    return response.json()["message"]


def _words(moment) -> str:
    return "permanently" if moment is None else f"until {moment.day} {moment:%B %Y, %H:%M} UTC"


@pytest.fixture
def long_pepper_period(settings):
    """A pepper period of 400 days: no test here runs across the end of one, which
    with the default day would otherwise come within minutes, once a day."""
    settings.NETWORK_PEPPER_ROTATION_HOURS = 400 * 24


@pytest.mark.parametrize("duration", ["1w", "permanent"])
def test_a_network_is_blocked_only_until_its_hash_changes_not_for_the_whole_ban(moderator, api, debate, duration):
    api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"})
    ban(moderator, Ballot.objects.get().participant_id, duration, "Ballot stuffing")
    # The network's hash changes with the pepper (daily): the ban then matches no one's network.
    before = period_ends_at()
    message = _network_refusal(debate)
    # (Either end, should the day's period end while the test runs.)
    ends = {f"Taking part from your network is blocked {_words(end)}: " for end in (before, period_ends_at())}
    assert any(message.startswith(end) for end in ends), message


def test_a_network_block_ends_with_a_ban_that_ends_before_the_hash_changes(moderator, api, debate, long_pepper_period):
    api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"})
    ban(moderator, Ballot.objects.get().participant_id, "1d", "Ballot stuffing")
    soon = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)
    Ban.objects.update(expires_at=soon)
    assert _words(soon) in _network_refusal(debate)


def test_a_reason_that_ends_its_own_sentence_gets_no_second_full_stop(moderator, reader, debate):
    ban(moderator, reader.participant.pk, "1d", "Spam!")
    page = " ".join(reader.get("/").content.decode().split())
    assert "Reason: <bdi>Spam!</bdi> You can still read the debate." in page
    assert "Reason: Spam!." not in " ".join(reader.get("/me/").content.decode().split())


def test_a_ban_ends_when_it_expires(moderator, reader, api, debate):
    ban(moderator, reader.participant.pk, "1d")
    Ban.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = api.post(f"/api/v1/debates/{debate.slug}/comments", {"body": "Back again"}, key=reader.key)
    assert response.status_code == HTTPStatus.CREATED


def test_unban_lifts_the_ban_and_is_audited(moderator, reader, api, debate):
    ban(moderator, reader.participant.pk, "permanent")
    response = moderator.post(f"/moderation/participants/{reader.participant.pk}/unban/")
    assert response.status_code == HTTPStatus.FOUND
    assert Ban.objects.get().lifted_at is not None
    assert AuditEntry.objects.filter(action="ban.lift").count() == 1
    created = api.post(f"/api/v1/debates/{debate.slug}/comments", {"body": "Thanks"}, key=reader.key)
    assert created.status_code == HTTPStatus.CREATED


def test_banning_again_replaces_the_ban_in_force(moderator, reader):
    ban(moderator, reader.participant.pk, "1d")
    ban(moderator, reader.participant.pk, "permanent", "Worse now")
    assert Ban.objects.active().get().expires_at is None
    assert AuditEntry.objects.filter(action="ban.replace").count() == 1


def test_a_ban_can_reject_the_pending_comments_too_for_the_reason_chosen(moderator, make_comment, reader):
    held = [make_comment(f"held {n}", participant=reader.participant) for n in range(2)]
    response = ban(moderator, reader.participant.pk, "1d", "Troll", reject_pending="on", reject_reason="abuse")
    told = [str(m) for m in moderator.get(response["Location"]).context["messages"]]
    assert told[0].endswith(" 2 comments awaiting review rejected.")
    for comment in held:
        comment.refresh_from_db()
        assert comment.status == Status.REJECTED
        assert comment.reasons[-1] == "abuse"  # what the author's status page explains, not "other"


def test_a_ban_refuses_a_rejection_reason_not_on_the_list_and_keeps_the_form(moderator, make_comment, reader):
    held = make_comment("held", participant=reader.participant)
    response = ban(moderator, reader.participant.pk, "1w", "Troll", reject_pending="on", reject_reason="because")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Choose a reason for rejecting their comments from the list." in html
    assert 'value="Troll"' in html
    assert not Ban.objects.exists()
    held.refresh_from_db()
    assert held.status == Status.PENDING


def test_a_ban_of_the_author_only_leaves_others_on_their_network_free(moderator, api, debate, no_rate_limits):
    """One troll on a mobile network or an office connection need not silence everyone there."""
    banned_key = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"}).json()["participant_key"]
    banned = participant_from_key(banned_key)
    response = ban(moderator, banned.pk, "1w", "Insults", scope="participant")
    [told] = [str(m) for m in moderator.get(response["Location"]).context["messages"]]
    assert told.endswith(", on their own (no network is blocked).")
    assert Ban.objects.get().network_hash == ""
    assert AuditEntry.objects.get(action="ban.create").details["covers_network"] is False
    assert "(the author only)" in moderator.get("/moderation/audit/").content.decode()
    neighbour = Client().post(
        f"/api/v1/debates/{debate.slug}/vote", {"option": "unsure"}, content_type="application/json"
    )
    assert neighbour.status_code == HTTPStatus.OK, neighbour.content
    own = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "unsure"}, key=banned_key)
    assert own.status_code == HTTPStatus.FORBIDDEN
    # The same ban with the network, the default, blocks the neighbour's next vote.
    ban(moderator, banned.pk, "1w", "Insults")
    assert Ban.objects.active().get().network_hash != ""
    assert "(with their network)" in moderator.get("/moderation/audit/").content.decode()
    again = Client().post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"}, content_type="application/json")
    assert again.status_code == HTTPStatus.FORBIDDEN


def test_a_ban_without_a_reason_is_refused_and_keeps_the_form(moderator, reader):
    response = ban(moderator, reader.participant.pk, "1w", "   ")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Give a reason for the ban" in html
    assert 'value="1w" checked' in html
    assert not Ban.objects.exists()


def test_unbanning_someone_not_banned_says_so(moderator, reader):
    response = moderator.post(f"/moderation/participants/{reader.participant.pk}/unban/", follow=True)
    assert "This participant is not banned." in response.content.decode()


def test_the_participant_page_shows_history_bans_and_notes(moderator, reader, make_comment):
    before = moderator.get(f"/moderation/participants/{reader.participant.pk}/").content.decode()
    assert '<p class="muted">No notes yet.</p>' in before  # a sentence, not a list item
    make_comment("One of theirs", participant=reader.participant, status=Status.REJECTED, reasons=["abuse"])
    ban(moderator, reader.participant.pk, "1d", "Insults")
    moderator.post(f"/moderation/participants/{reader.participant.pk}/notes/", {"body": "Second warning"})
    html = moderator.get(f"/moderation/participants/{reader.participant.pk}/").content.decode()
    for expected in ("One of theirs", "Harassment or abuse", "Insults", "in force", "Second warning"):
        assert expected in html, expected


def test_an_empty_note_is_refused_with_a_message(moderator, reader):
    response = moderator.post(f"/moderation/participants/{reader.participant.pk}/notes/", {"body": "   "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Write a note" in response.content.decode()


def test_banning_through_the_api(moderator, reader):
    response = moderator.post(
        f"/api/v1/moderation/participants/{reader.participant.pk}/ban",
        {"duration": "1w", "reason": "API ban"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["covers_network"] is False  # this reader never voted: no network hash known
    assert response.json()["rejected"] == 0
    lifted = moderator.delete(f"/api/v1/moderation/participants/{reader.participant.pk}/ban")
    assert lifted.status_code == HTTPStatus.NO_CONTENT


def test_a_ban_covers_the_network_of_a_commenter_who_never_voted(moderator, api, debate, no_rate_limits):
    posted = api.post(f"/api/v1/debates/{debate.slug}/comments", {"body": "Abuse from someone who never voted"})
    author = Comment.objects.get(pk=posted.json()["id"]).participant
    assert Comment.objects.get().network_hash != ""
    ban(moderator, author.pk, "1d", "Abuse")
    assert Ban.objects.get().network_hash == Comment.objects.get().network_hash
    response = Client().post(
        f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_both_ban_forms_offer_to_block_the_network_and_say_what_that_does(moderator, make_comment):
    comment = make_comment("Held, by someone a moderator may ban.")
    note = "Blocking the network the author last used stops them coming back with a new key"
    for url in ("/moderation/", f"/moderation/participants/{comment.participant_id}/"):
        html = moderator.get(url).content.decode()
        assert note in html
        assert 'name="scope" value="network" checked' in html
        assert 'name="scope" value="participant">' in html
        assert 'name="reject_reason"' in html


def test_a_participant_banned_on_their_own_is_told_their_reason_even_under_a_longer_network_ban(moderator, api, debate):
    mine = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"}).json()["participant_key"]
    other = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "unsure"}).json()["participant_key"]
    ban(moderator, participant_from_key(mine).pk, "1d", "Ballot stuffing")
    ban(moderator, participant_from_key(other).pk, "permanent", "Someone else's reason")  # same network
    refused = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "invasion"}, key=mine).json()
    assert refused["message"].startswith("You are banned from taking part until ")
    assert "Reason: Ballot stuffing" in refused["message"]
    assert "Someone else" not in refused["message"]


def test_the_api_bans_the_author_only_and_rejects_their_pending_comments_for_a_reason(
    moderator, api, debate, make_comment, no_rate_limits
):
    key = api.post(f"/api/v1/debates/{debate.slug}/vote", {"option": "useful"}).json()["participant_key"]
    participant = participant_from_key(key)
    held = make_comment("Buy my thing", participant=participant)
    url = f"/api/v1/moderation/participants/{participant.pk}/ban"
    body = {"duration": "1d", "reason": "Advertising", "covers_network": False, "reject_pending": True}
    refused = moderator.post(url, {**body, "reject_reason": "nope"}, content_type="application/json")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert refused.json()["fields"] == {"reject_reason": "unknown"}
    response = moderator.post(url, {**body, "reject_reason": "spam"}, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["covers_network"] is False
    assert response.json()["rejected"] == 1
    held.refresh_from_db()
    assert (held.status, held.reasons[-1]) == (Status.REJECTED, "spam")
