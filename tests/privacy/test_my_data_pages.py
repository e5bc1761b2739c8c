"""The "My data" pages: what they show, the download, erasing, changing the key, limits."""

import json
import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.debates.models import Ballot, Comment, Erasure, Participant
from forum.debates.services import comment_create, like_toggle, vote_cast
from forum.lib.hashing import key_hash
from tests.conftest import app_queries

from .probes import SLUG, key_of


def test_without_a_key_the_page_explains_that_nothing_is_held_and_a_lost_key_is_lost(anon, debate):
    response = anon.get("/me/")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "holds no participant key" in page
    assert "A lost key cannot be recovered." in page
    assert "/me/key/restore/" in page


def test_a_key_that_no_longer_works_is_explained_and_forgotten(reader, debate, settings):
    """Erased or replaced on another device: this browser is told why it sees nothing."""
    other_device = Client()
    other_device.cookies[settings.PARTICIPANT_COOKIE_NAME] = reader.key
    other_device.post("/me/key/rotate/")
    response = reader.get("/me/")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "The key this browser held no longer works" in page
    assert "holds no participant key" in page
    assert response.cookies[settings.PARTICIPANT_COOKIE_NAME]["max-age"] == 0
    # Once forgotten, the page no longer speaks of it.
    assert "no longer works" not in reader.get("/me/").content.decode()


@pytest.mark.parametrize("url", ["/me/download/", "/me/erase/", "/me/key/rotate/"])
def test_actions_need_a_key(anon, debate, url):
    assert anon.get(url).status_code == HTTPStatus.FORBIDDEN
    assert anon.post(url).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.METHOD_NOT_ALLOWED)


def test_every_page_is_never_cached(reader, debate):
    for url in ("/me/", "/me/download/", "/me/erase/", "/me/key/rotate/"):
        response = reader.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert "no-store" in response["Cache-Control"], url


def test_the_nav_links_to_my_data_on_every_page(anon, debate):
    assert 'href="/me/"' in anon.get("/").content.decode()
    assert 'href="/me/"' in anon.get("/privacy/").content.decode()


def test_the_page_offers_each_single_action_too(reader, debate, no_rate_limits):
    created = comment_create(debate=debate, participant=reader.participant, body="One of mine.")
    vote_cast(debate=debate, participant=reader.participant, option_key=debate.options.first().key)
    page = reader.get("/me/").content.decode()
    assert f"/comments/{created.comment.pk}/delete/" in page
    assert f"/debates/{SLUG}/vote/withdraw/" in page
    assert "/me/download/" in page
    assert "/me/erase/" in page
    assert "/me/key/rotate/" in page
    assert "/me/key/download/" in page
    # Each comment is named by its debate's title, not its slug.
    assert f'#c{created.comment.pk}">{debate.title}</a>' in page


def test_a_like_names_the_answer_the_reader_had_then_in_words(reader, make_participant, debate, no_rate_limits):
    option = debate.options.get(key="invasion")
    vote_cast(debate=debate, participant=reader.participant, option_key=option.key)
    other = comment_create(debate=debate, participant=make_participant().participant, body="Like me.").comment
    like_toggle(comment_id=other.pk, participant=reader.participant)
    page = reader.get("/me/").content.decode()
    assert f"<td>{option.label}</td>" in page
    assert "<td>invasion</td>" not in page  # the key the data keeps
    # A like given before voting says so, not the key "none".
    unvoted = make_participant()
    like_toggle(comment_id=other.pk, participant=unvoted.participant)
    page = unvoted.get("/me/").content.decode()
    assert "<td>No vote</td>" in page
    assert "<td>none</td>" not in page


def test_the_key_file_says_where_to_use_the_key(reader, debate):
    text = reader.get("/me/key/download/").content.decode()
    assert reader.key in text
    assert "paste it at http://testserver/me/key/restore/" in text


def test_a_restored_key_lands_on_the_debate_which_says_this_browser_now_uses_it(anon, reader, debate):
    restored = anon.post("/me/key/restore/", {"key": f"  {reader.key}\n"})
    assert restored.status_code == HTTPStatus.FOUND
    assert restored["Location"] == "/?restored=1#key-restored"
    page = anon.get(restored["Location"]).content.decode()
    assert 'id="key-restored"' in page
    assert "This browser now uses your key" in page
    # Said once: the debate's own address does not repeat it.
    assert 'id="key-restored"' not in anon.get("/").content.decode()
    # An action taken from that page comes back without it: the notice is said once.
    page = anon.get(restored["Location"]).content.decode()
    assert 'name="return_query" value=""' in page
    # The parameter alone, without a key, says nothing.
    assert 'id="key-restored"' not in Client().get("/?restored=1").content.decode()


def test_a_key_pasted_with_invisible_characters_or_within_its_whole_file_is_found(reader, debate, settings):
    """Copied from a chat (zero-width spaces), a mail that broke the line, or the
    downloaded file opened and copied whole, with or without its line breaks
    (a one-line field drops them)."""
    key_file = reader.get("/me/key/download/").content.decode()
    for pasted in (
        f"\u200b{reader.key}\u200b\ufeff",
        f"{reader.key[:16]}\n{reader.key[16:]}",
        key_file,
        key_file.replace("\n", ""),
    ):
        restored = Client().post("/me/key/restore/", {"key": pasted})
        assert restored.status_code == HTTPStatus.FOUND, pasted
        assert restored.cookies[settings.PARTICIPANT_COOKIE_NAME].value == reader.key
    wrong = Client().post("/me/key/restore/", {"key": key_file.replace(reader.key, "x" * 32)})
    assert wrong.status_code == HTTPStatus.BAD_REQUEST


def test_a_key_that_matches_nothing_comes_back_in_the_field_escaped(anon, debate):
    pasted = '"><script>alert(1)</script>'
    response = anon.post("/me/key/restore/", {"key": pasted})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert(1)" not in page
    assert "no-store" in response["Cache-Control"]


def test_withdrawing_from_my_data_removes_the_vote(reader, debate, no_rate_limits):
    vote_cast(debate=debate, participant=reader.participant, option_key=debate.options.first().key)
    reader.post(f"/debates/{SLUG}/vote/withdraw/")
    assert not Ballot.objects.exists()


def test_an_empty_participant_downloads_a_complete_empty_file(reader, debate):
    response = reader.get("/me/download/")
    data = json.loads(response.content)
    assert data["format"] == "debate-forum/my-data"
    assert data["participant"]["id"] == reader.participant.pk
    for kind in ("comments", "appeals", "ballots", "likes", "reports", "bans", "network_hashes"):
        assert data[kind] == []
    assert data["retention"]["network_hash_hours"] > 0


def test_the_erase_page_lists_what_will_go_before_anything_goes(reader, debate, no_rate_limits):
    comment_create(debate=debate, participant=reader.participant, body="Soon gone.")
    comment_create(debate=debate, participant=reader.participant, body="Also soon gone.")
    page = reader.get("/me/erase/").content.decode()
    assert "Comments, in every status" in page
    assert "Soon gone." in page
    assert "cannot be undone" in page
    assert Comment.objects.count() == 2
    assert Erasure.objects.count() == 0


def test_the_erase_page_counts_what_the_erasure_then_reports(reader, debate, no_rate_limits):
    """A vote and a comment from one network hold one hash: both pages say 1."""
    reader.post(f"/debates/{SLUG}/vote/", {"option": "useful"}, REMOTE_ADDR="203.0.113.7")
    reader.post(f"/debates/{SLUG}/comments/", {"body": "From the same desk."}, REMOTE_ADDR="203.0.113.8")
    held = {c.network_hash for c in Comment.objects.all()} | {b.network_hash for b in Ballot.objects.all()}
    assert len(held) == 1
    assert "" not in held
    preview = reader.get("/me/erase/").content.decode()
    assert re.search(r"Network hashes \(different values\)</t[hd]>\s*<td[^>]*>1<", preview), preview
    erased = reader.post("/me/erase/", follow=True).content.decode()
    assert re.search(r"Network hashes \(different values\)</t[hd]>\s*<td[^>]*>1<", erased), erased
    assert Erasure.objects.get().counts["network_hashes"] == 1


def test_erasing_twice_at_once_erases_once(reader, debate, settings):
    twin = Client()
    twin.cookies[settings.PARTICIPANT_COOKIE_NAME] = reader.key
    assert reader.post("/me/erase/").status_code == HTTPStatus.SEE_OTHER
    # The second request's key no longer matches anyone.
    assert twin.post("/me/erase/").status_code == HTTPStatus.FORBIDDEN
    assert Erasure.objects.count() == 1


def test_the_page_after_an_erasure_reloads_the_same_list_and_erases_nothing_more(reader, debate, settings):
    comment_create(debate=debate, participant=reader.participant, body="Gone on the first press.")
    response = reader.post("/me/erase/")
    # Redirected after the POST: a reload neither sends the erasure again nor
    # meets "this browser holds no key", and the counts are in no URL.
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert response["Location"] == "/me/erase/?done=1"
    assert response.cookies[settings.PARTICIPANT_COOKIE_NAME]["max-age"] == 0
    receipt = response.cookies["erased"]
    assert receipt["httponly"]
    # Signed URL-safe base64: no quote, comma or space, which RFC 6265 keeps out of a cookie's value.
    assert re.fullmatch(r"[\w.:-]+", receipt.value), receipt.value
    for _ in range(2):
        shown = reader.get(response["Location"])
        assert shown.status_code == HTTPStatus.OK
        page = shown.content.decode()
        assert "Your data was erased" in page
        assert re.search(r"Comments, in every status</t[hd]>\s*<td[^>]*>1<", page), page
    assert Erasure.objects.count() == 1


@pytest.mark.parametrize("cookie", [None, "forged:1", "expired"])
def test_the_page_after_an_erasure_needs_the_erasures_own_cookie(reader, debate, cookie, monkeypatch):
    """Without it (another browser), with a forged one or an hour later, it leads to My data."""
    if cookie == "expired":
        reader.post("/me/erase/")
        monkeypatch.setattr("forum.debates.views.me.ERASED_MAX_AGE", -1)
    else:
        reader.cookies.pop("erased", None)
        if cookie is not None:
            reader.cookies["erased"] = cookie
    response = reader.get("/me/erase/?done=1")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/me/"


def test_changing_the_key_shows_the_new_one_and_the_old_one_stops_working(reader, debate, settings):
    old_key = reader.key
    assert "a lost key cannot be recovered" in reader.get("/me/key/rotate/").content.decode()
    response = reader.post("/me/key/rotate/")
    # Redirected after the POST: reloading the page that shows the key shows it again, never makes another.
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert response["Location"] == "/me/key/rotate/?done=1"
    assert response.cookies[settings.PARTICIPANT_COOKIE_NAME]["httponly"]
    new_key = key_of(reader)
    assert new_key != old_key
    for _ in range(2):
        shown = reader.get(response["Location"])
        assert shown.status_code == HTTPStatus.OK
        assert new_key in shown.content.decode()
    assert key_of(reader) == new_key
    assert Participant.objects.filter(key_hash=key_hash(new_key)).exists()
    # The browser now acts with the new key; the page does not show it again.
    page = reader.get("/me/").content.decode()
    same_participant = Participant.objects.get()
    assert same_participant.pk == reader.participant.pk
    assert same_participant.key_hash in page  # the page shows the new key's hash, never the key
    assert new_key not in page
    old = Client()
    old.cookies[settings.PARTICIPANT_COOKIE_NAME] = old_key
    assert "holds no participant key" in old.get("/me/").content.decode()
    # The key file now holds the new key.
    assert new_key in reader.get("/me/key/download/").content.decode()


def test_my_data_is_rate_limited_at_an_abuse_level_only(reader, debate, settings):
    settings.RATE_LIMIT_MY_DATA = "3/60"
    for _ in range(3):
        assert reader.get("/me/").status_code == HTTPStatus.OK
    response = reader.get("/me/download/")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    assert "Please wait" in response.content.decode()


def test_guessing_keys_on_the_pages_is_slowed_down_per_network(debate, settings):
    """As in the API: a key that matches no one counts against the network, in
    a cookie sent to /me/ or pasted into /me/key/restore/, and a guess refused
    for it comes back in the field."""
    settings.RATE_LIMIT_MY_DATA = "3/60"
    guesser = Client()
    answers = []
    for i in range(2):
        guesser.cookies[settings.PARTICIPANT_COOKIE_NAME] = f"guess-{i}"
        answers.append(guesser.get("/me/").status_code)
    answers.append(guesser.post("/me/key/restore/", {"key": "guess-2"}).status_code)
    refused = guesser.post("/me/key/restore/", {"key": "guess-3"})
    assert answers == [HTTPStatus.OK, HTTPStatus.OK, HTTPStatus.BAD_REQUEST]
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    assert "Please wait" in page
    assert 'value="guess-3"' in page
    for page in ("/me/", "/me/key/download/"):
        guesser.cookies[settings.PARTICIPANT_COOKIE_NAME] = f"guess-{page}"
        assert guesser.get(page).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_rate_limits_off_lifts_the_my_data_limit(reader, debate, settings, no_rate_limits):
    settings.RATE_LIMIT_MY_DATA = "1/60"
    for _ in range(5):
        assert reader.get("/me/").status_code == HTTPStatus.OK


@pytest.mark.parametrize("n", [1, 30])
def test_the_my_data_page_costs_the_same_queries_whatever_the_amount_of_data(reader, debate, no_rate_limits, n):
    option = debate.options.first()
    vote_cast(debate=debate, participant=reader.participant, option_key=option.key)
    for i in range(n):
        comment_create(debate=debate, participant=reader.participant, body=f"Comment number {i}.")
    reader.get("/me/")  # the first visit of the day also records it
    with CaptureQueriesContext(connection) as ctx:
        assert reader.get("/me/").status_code == HTTPStatus.OK
    # participant by key hash, then: comments (with debate, stance, appeal),
    # their revisions, ballots, likes, reports and bans, and the debates'
    # titles with their answers' labels: 8 queries.
    assert len(app_queries(ctx)) == 8


def test_a_rejected_comment_shows_its_status_and_the_moderators_reason_in_words(reader, debate, no_rate_limits):
    created = comment_create(debate=debate, participant=reader.participant, body="Rejected words.")
    Comment.objects.filter(pk=created.comment.pk).update(status=Comment.Status.REJECTED, reasons=["abuse"])
    page = reader.get("/me/").content.decode()
    assert "Rejected words." in page
    assert "Rejected" in page
    assert "Harassment or abuse" in page


def test_the_network_hashes_heading_counts_values_and_places_apart(reader, debate, no_rate_limits):
    """One network hash kept with a vote and a comment: 'one value, two places', not '(1)' above two rows."""
    comment_create(debate=debate, participant=reader.participant, body="From home.", network_hash="ab" * 16)
    vote_cast(debate=debate, participant=reader.participant, option_key="useful", network_hash="ab" * 16)
    page = reader.get("/me/").content.decode()
    assert "Network hashes (1 different value, kept in 2 places)" in page


def test_using_another_key_warns_that_it_replaces_the_one_this_browser_holds(reader, anon, debate):
    page = reader.get("/me/key/restore/").content.decode()
    assert "This browser already holds a key" in page
    assert 'href="/me/key/download/" download' in page
    assert "already holds a key" not in anon.get("/me/key/restore/").content.decode()


def test_every_time_on_my_data_names_its_zone(reader, debate, no_rate_limits):
    vote_cast(debate=debate, participant=reader.participant, option_key=debate.options.first().key)
    comment_create(debate=debate, participant=reader.participant, body="A comment with a time.")
    page = reader.get("/me/").content.decode()
    times = re.findall(r"\d{1,2} \w{3,9} \d{4}, \d\d:\d\d(?: \w+)?", page)
    assert len(times) >= 3  # the key's creation, the comment, the ballot
    assert all(t.endswith(" UTC") for t in times), times
