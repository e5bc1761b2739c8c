"""Word lists edited in the app with the "try a text" box, and per-debate settings."""

from http import HTTPStatus

from forum.debates.models import Debate, WordRule
from forum.moderation.models import AuditEntry

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


def test_a_word_added_in_the_app_screens_the_next_comment(moderator, api, debate):
    response = moderator.post("/moderation/rules/add/", {"pattern": "Fraud*", "action": "reject"})
    assert response.status_code == HTTPStatus.FOUND
    assert WordRule.objects.get().pattern == "fraud*"
    assert api.post(URL, {"body": "Total fraudsters."}).json()["error"] == "rejected"
    html = moderator.get("/moderation/rules/").content.decode()
    assert "<code>fraud*</code>" in html


def test_removing_a_word_stops_it_screening(moderator, api, debate):
    rule = WordRule.objects.create(pattern="fraud", action=WordRule.Action.REJECT)
    moderator.post(f"/moderation/rules/{rule.pk}/delete/")
    assert not WordRule.objects.exists()
    assert api.post(URL, {"body": "Not a fraud."}).status_code == HTTPStatus.CREATED
    assert AuditEntry.objects.get(action="rule.delete").reason == "fraud"


def test_a_lone_wildcard_is_refused_and_the_text_kept(moderator):
    response = moderator.post("/moderation/rules/add/", {"pattern": "**", "action": "hold"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "would match every word" in html
    assert 'value="**"' in html
    assert not WordRule.objects.exists()


def test_a_duplicate_word_is_refused_politely(moderator):
    WordRule.objects.create(pattern="fraud", action=WordRule.Action.HOLD)
    response = moderator.post("/moderation/rules/add/", {"pattern": "FRAUD", "action": "hold"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "already on that list" in response.content.decode()


def test_try_a_text_shows_the_verdict_and_what_triggered_it(moderator, debate):
    WordRule.objects.create(pattern="scam*", action=WordRule.Action.HOLD)
    WordRule.objects.create(pattern="crook", action=WordRule.Action.REJECT)
    held = moderator.post(
        "/moderation/rules/try/", {"text": "Scammers! Mail x@example.org", "debate": debate.pk}
    ).content.decode()
    assert "Verdict: held for review." in held
    assert "<dd>scam*</dd>" in held
    assert "<code>personal_info</code>" in held
    assert "Scammers! Mail x@example.org" in held  # the text stays in the box
    rejected = moderator.post("/moderation/rules/try/", {"text": "What a crook", "debate": debate.pk})
    assert "Verdict: rejected." in rejected.content.decode()
    clean = moderator.post("/moderation/rules/try/", {"text": "A fair fine.", "debate": debate.pk}).content.decode()
    assert "Verdict: published at once." in clean
    assert "Toxicity score" in clean
    assert not AuditEntry.objects.exclude(action__startswith="security.").exists()  # trying changes nothing


def test_try_a_text_honours_the_debates_premoderation(moderator, debate):
    Debate.objects.filter(pk=debate.pk).update(premoderation="first")
    first = moderator.post("/moderation/rules/try/", {"text": "Hello", "debate": debate.pk, "first_comment": "on"})
    later = moderator.post("/moderation/rules/try/", {"text": "Hello", "debate": debate.pk})
    assert "held for review" in first.content.decode()
    assert "published at once" in later.content.decode()


def test_the_rules_api_lists_adds_and_deletes(moderator):
    created = moderator.post(
        "/api/v1/moderation/rules", {"pattern": "shill", "action": "hold"}, content_type="application/json"
    )
    assert created.status_code == HTTPStatus.CREATED
    assert moderator.get("/api/v1/moderation/rules").json() == [
        {"id": created.json()["id"], "pattern": "shill", "action": "hold"}
    ]
    assert moderator.delete(f"/api/v1/moderation/rules/{created.json()['id']}").status_code == HTTPStatus.NO_CONTENT


def test_debate_settings_set_premoderation_slow_mode_and_comments(moderator, debate, api):
    prefix = f"d{debate.pk}"
    response = moderator.post(
        f"/moderation/debates/{debate.pk}/settings/",
        {f"{prefix}-premoderation": "all", f"{prefix}-slow_mode_seconds": "45"},
    )
    assert response.status_code == HTTPStatus.FOUND
    debate.refresh_from_db()
    assert (debate.premoderation, debate.slow_mode_seconds, debate.comments_open) == ("all", 45, False)
    assert api.post(URL, {"body": "Anyone?"}).json()["error"] == "comments_closed"


def test_out_of_range_slow_mode_is_refused_with_the_form_kept(moderator, debate):
    prefix = f"d{debate.pk}"
    response = moderator.post(
        f"/moderation/debates/{debate.pk}/settings/",
        {f"{prefix}-premoderation": "first", f"{prefix}-slow_mode_seconds": "999999", f"{prefix}-comments_open": "on"},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert 'value="999999"' in html
    assert 'value="first" checked' in html
    assert Debate.objects.get(pk=debate.pk).slow_mode_seconds == 0
