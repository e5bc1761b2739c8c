"""Automatic screening, rule by rule, through the real posting path (the JSON API)
and the pure function itself."""

import datetime
import random
import re
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.utils import timezone

from forum.debates.models import Ban, Comment, CommentRevision, Debate, Report, WordRule
from forum.lib.screening import Action, Context, contains_personal_info, screen, word_pattern
from forum.moderation.toxicity import toxicity_score

ROOT = Path(__file__).resolve().parent.parent.parent
URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


def post(api, body, key=None):
    return api.post(URL, {"body": body}, key=key)


def stored(response) -> Comment:
    return Comment.objects.get(pk=response.json()["id"])


def test_a_clean_comment_publishes_at_once(api, debate):
    response = post(api, "The CNIL was right to fine them.")
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["status"] == "published"
    assert stored(response).reasons == []


def test_a_banned_word_rejects_and_gives_the_reason(api, debate):
    WordRule.objects.create(pattern="crook", action=WordRule.Action.REJECT)
    response = post(api, "Their CEO is a Crook.")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "rejected"
    assert "does not allow" in response.json()["message"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "You are a cr\u200book.",  # a zero-width space inside the word
        "You are a cro\u00adok.",  # a soft hyphen
        "You are a c\u2060r\ufeffook.",  # a word joiner and a byte-order mark
        "You are a \uff23\uff52\uff4f\uff4f\uff4b!",  # full-width letters
        "You are a \U0001d41c\U0001d42b\U0001d428\U0001d428\U0001d424.",  # mathematical bold letters
    ],
)
def test_a_banned_word_is_found_behind_invisible_or_full_width_characters(api, debate, text):
    WordRule.objects.create(pattern="crook", action=WordRule.Action.REJECT)
    response = post(api, text)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "rejected"
    assert not Comment.objects.exists()


def test_a_word_drawn_backwards_by_a_direction_override_shows_as_the_checks_read_it(api, debate):
    """\u202e ("right-to-left override") drew "koorc" as "crook" where the word
    lists read "koorc": the body loses the overrides, so it shows what was checked."""
    WordRule.objects.create(pattern="crook", action=WordRule.Action.REJECT)
    response = post(api, "You are a \u202ekoorc\u202c, and \u202dthat\u202c is that.")
    comment = stored(response)
    assert comment.body == "You are a koorc\u202c, and that\u202c is that."
    assert "\u202e" not in comment.body_html
    assert "\u202d" not in comment.body_html
    # Marks and isolates, which order runs of text without reversing a word, stay.
    kept = "\u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u200f!"
    assert stored(post(api, kept)).body == kept


def test_control_characters_leave_the_body_and_a_mark_they_parted_joins_its_letter(api, debate):
    """They drew as empty boxes on the page and in the queue (BLNS's row of C0 controls)."""
    comment = stored(post(api, "Control chars: \x01\x02\x1b[31m\x7f\x85 end\tand\r\nnext line, cafe\x08\u0301."))
    assert comment.body == "Control chars: [31m end\tand\nnext line, caf\u00e9."
    assert not any(c in comment.body_html for c in "\x01\x02\x1b\x7f\x85\x08")


@pytest.mark.parametrize(
    "body", ["\x01\x02", "\x07 \x1f", "\u200b", "\u2800\u2800", "\u3164", "\u202e", "\ufeff \u00ad", "\u034f\n\u2060"]
)
def test_a_comment_of_characters_that_show_nothing_is_empty(api, debate, body):
    response = post(api, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"body": "required"}
    assert response.json()["message"] == "Your comment is empty."


def test_joiners_that_hold_emoji_together_are_kept(api, debate):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467 agree"
    response = post(api, family)
    assert stored(response).body == family


def test_a_suspect_word_holds_for_review_with_its_reason(api, debate):
    WordRule.objects.create(pattern="scam", action=WordRule.Action.HOLD)
    response = post(api, "This whole business is a scam.")
    assert response.json()["status"] == "pending"
    assert stored(response).reasons == ["suspect_word"]


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        ("scam*", "Scammers everywhere", True),
        ("*scam*", "an obvious antiscammer trick", True),
        ("scam", "scammers", False),  # whole words only without a wildcard
        ("scam", "SCAM!", True),  # case and punctuation do not matter
        ("face search", "a face  search engine", False),
        ("face search", "a face search engine", True),
    ],
)
def test_word_lists_match_whole_words_with_wildcards(pattern, text, matches):
    verdict = screen(text, Context(suspect_words=[pattern]))
    assert (verdict.action == Action.HOLD) is matches


def test_toxicity_from_the_local_model_holds_abuse(api, debate):
    abusive = "You are a fucking idiot and a moron, shut up"
    assert toxicity_score(abusive) > 0.85
    assert toxicity_score("The regulator was right to fine the company.") < 0.5
    response = post(api, abusive)
    assert response.json()["status"] == "pending"
    assert "toxicity" in stored(response).reasons


def test_the_toxicity_threshold_is_a_setting(api, debate, settings):
    settings.SCREEN_TOXICITY_THRESHOLD = 1.01
    response = post(api, "You are a fucking idiot and a moron, shut up")
    assert response.json()["status"] == "published"


def test_the_toxicity_model_can_be_turned_off(api, debate, settings):
    settings.SCREEN_TOXICITY_SCORER = ""
    response = post(api, "You are a fucking idiot and a moron, shut up")
    assert response.json()["status"] == "published"


def test_more_links_than_the_limit_hold(api, debate, settings):
    settings.SCREEN_MAX_LINKS = 2
    two = post(api, "See https://cnil.fr/a and https://ico.org.uk/b")
    three = post(api, "See https://cnil.fr/a, https://ico.org.uk/b and www.example.org/c")
    assert two.json()["status"] == "published"
    assert three.json()["status"] == "pending"
    assert stored(three).reasons == ["too_many_links"]


@pytest.mark.parametrize("body", ["Write to me at jane.doe@example.org", "Call me on +33 6 12 34 56 78"])
def test_personal_information_holds(api, debate, body):
    response = post(api, body)
    assert response.json()["status"] == "pending"
    assert stored(response).reasons == ["personal_info"]


# Phone numbers as readers write them, and the other numbers of a debate about a fine.
PHONE_NUMBERS = [
    "Call me on +33 6 12 34 56 78",
    "06 12 34 56 78",
    "0612345678",
    "06.12.34.56.78",
    "020 7946 0958",
    "ring 0800 123 456.",
    "+1 (555) 123-4567",
    "(555) 123-4567",
    "555.123.4567",
    "tel:+33612345678",
    "1-555-123-4567",
    "5551234567",
    "555-1234567",
    "06\u200b12\u200b34\u200b56\u200b78",  # zero-width spaces between the pairs
    "\uff10\uff16 \uff11\uff12 \uff13\uff14 \uff15\uff16 \uff17\uff18",  # full-width digits
]
NOT_PHONE_NUMBERS = [
    "In 2022 the fine was €20,000,000 (about £17,500,000).",
    "The fine was 20000000 euros in 2022.",
    "On 2022-10-17 the CNIL ruled.",
    "It was decided on 01.12.2026, or 01-12-2026, or 1/12/2026.",
    "About 1200000 people in France.",
    "It costs 12 345 678 euros",
    "ISBN 978-3-16-148410-0",
    "A ratio of 1796103503.425706, or 0.1234567, or 0,1234567.",
    "From 2019-2022, 20 billion images.",
    "More than 20 000 000 000 images, \u20ac1 000 000 000 or $ 2 000 000 000, 20\u00a0000\u00a0000\u00a0000.",
]


@pytest.mark.parametrize("text", PHONE_NUMBERS)
def test_phone_numbers_as_readers_write_them_are_personal_information(text):
    assert contains_personal_info(text)


@pytest.mark.parametrize("text", NOT_PHONE_NUMBERS)
def test_years_amounts_dates_and_decimals_are_not_phone_numbers(text):
    assert not contains_personal_info(text)


def test_a_year_or_a_fine_is_not_a_phone_number(api, debate):
    for text in NOT_PHONE_NUMBERS:
        assert post(api, text).json()["status"] == "published", text


def test_the_comment_form_carries_the_personal_information_warning_script(anon, debate):
    html = anon.get("/").content.decode()
    assert '<script src="/static/forum/moderation.' in html


@pytest.mark.parametrize(
    ("mode", "first", "second"),
    [("none", "published", "published"), ("first", "pending", "published"), ("all", "pending", "pending")],
)
def test_premoderation_per_debate(api, debate, no_rate_limits, mode, first, second):
    Debate.objects.filter(pk=debate.pk).update(premoderation=mode)
    one = post(api, "My first comment here.")
    key = one.json()["participant_key"]
    two = post(api, "And a second one, later.", key=key)
    assert (one.json()["status"], two.json()["status"]) == (first, second)
    if first == "pending":
        assert stored(one).reasons == ["premoderation"]


def test_slow_mode_makes_a_participant_wait_between_comments(api, debate):
    Debate.objects.filter(pk=debate.pk).update(slow_mode_seconds=120)
    one = post(api, "First thought.")
    key = one.json()["participant_key"]
    too_soon = post(api, "Second thought.", key=key)
    assert too_soon.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert too_soon.json()["error"] == "slow_mode"
    assert int(too_soon["Retry-After"]) > 100
    Comment.objects.filter(pk=one.json()["id"]).update(created_at=timezone.now() - datetime.timedelta(seconds=121))
    assert post(api, "Second thought.", key=key).status_code == HTTPStatus.CREATED


def test_an_edit_is_screened_too(api, debate):
    WordRule.objects.create(pattern="scam", action=WordRule.Action.HOLD)
    created = post(api, "A fair fine.")
    key = created.json()["participant_key"]
    response = api.patch(f"/api/v1/comments/{created.json()['id']}", {"body": "A fair fine for a scam."}, key=key)
    assert response.json()["status"] == "pending"
    assert stored(created).reasons == ["suspect_word"]


def test_several_reasons_are_all_recorded(api, debate):
    WordRule.objects.create(pattern="scam", action=WordRule.Action.HOLD)
    response = post(api, "A scam: mail me at a@example.org or see https://a.fr https://b.fr https://c.fr")
    assert stored(response).reasons == ["suspect_word", "too_many_links", "personal_info"]


def _as_plain_wildcards(word: str) -> re.Pattern:
    """What a word list entry means, written the plain way: each ``*`` is ``\\w*``."""
    parts = [re.escape(p) for p in re.sub(r"\*+", "*", word.strip().lower()).split("*")]
    return re.compile(r"(?<!\w)" + r"\w*".join(parts) + r"(?!\w)", re.IGNORECASE)


def test_word_patterns_match_what_plain_wildcards_would():
    rng = random.Random(20261201)
    for _ in range(5000):
        word = "".join(rng.choice("ab*- ") for _ in range(rng.randint(1, 6))).strip() or "a"
        text = "".join(rng.choice("ab- c") for _ in range(rng.randint(0, 12)))
        assert bool(word_pattern(word).search(text)) == bool(_as_plain_wildcards(word).search(text)), (word, text)


def test_a_word_list_entry_cannot_hold_a_worker_on_a_long_run_of_letters():
    """Plain wildcards backtracked through every split of the run: minutes for
    this text (the helper process stands in for a gunicorn worker and its 30 s
    timeout; it answers in milliseconds)."""
    code = (
        "from forum.lib.screening import Context, screen\n"
        "print(screen('a' * 5000, Context(banned_words=['a*a*a*a*b'], suspect_words=['*a*a*a*c*'])).action)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "publish", done.stderr


def test_comments_written_before_lose_their_direction_overrides_too(debate, make_comment):
    """The data migration that made the rule hold for older bodies (0013)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("forum.debates.migrations.0013_comments_without_direction_overrides")
    older = make_comment("You are a \u202ekoorc\u202c.", status=Comment.Status.PUBLISHED)
    Comment.objects.filter(pk=older.pk).update(
        body="You are a \u202ekoorc\u202c.", body_html="<p>You are a \u202ekoorc\u202c.</p>"
    )
    plain = make_comment("Nothing to drop here.", status=Comment.Status.PUBLISHED)
    before = Comment.objects.get(pk=plain.pk).body_html
    migration.drop_direction_overrides(apps, None)
    older.refresh_from_db()
    assert older.body == "You are a koorc\u202c."
    assert older.body_html == "<p>You are a koorc\u202c.</p>"
    assert Comment.objects.get(pk=plain.pk).body_html == before


def test_text_written_before_loses_its_control_characters_too(debate, make_comment, reader):
    """The data migration that made the rule hold for older text (0014)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("forum.debates.migrations.0014_text_without_control_characters")
    older = make_comment("Boxes.", status=Comment.Status.PUBLISHED)
    Comment.objects.filter(pk=older.pk).update(
        body="Boxes\x01\x02 at the cafe\x08\u0301\x7f.",
        body_html="<p>Boxes\x01\x02 at the cafe\x08\u0301\x7f.</p>",
        author_name="Kim\x1b",
    )
    report = Report.objects.create(comment=older, participant=reader.participant, reason="spam", note="\x01Spam\x02")
    revision = CommentRevision.objects.create(comment=older, body="Earlier\x07 words", created_at=older.created_at)
    ban = Ban.objects.create(participant=reader.participant, reason="Abuse\x1b[0m")
    plain = make_comment("Nothing to drop here.", status=Comment.Status.PUBLISHED)
    before = Comment.objects.get(pk=plain.pk).body_html
    migration.drop_control_characters(apps, None)
    older.refresh_from_db()
    assert older.body == "Boxes at the caf\u00e9."  # the accent parted by a control joins its letter
    assert (older.body_html, older.author_name) == ("<p>Boxes at the caf\u00e9.</p>", "Kim")
    assert Report.objects.get(pk=report.pk).note == "Spam"
    assert CommentRevision.objects.get(pk=revision.pk).body == "Earlier words"
    assert Ban.objects.get(pk=ban.pk).reason == "Abuse[0m"
    assert Comment.objects.get(pk=plain.pk).body_html == before
