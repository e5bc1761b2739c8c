"""The author sees the status and the reason of their own comment, and may appeal once."""

from http import HTTPStatus

from forum.debates.models import Appeal, Comment

Status = Comment.Status


def test_the_author_sees_status_and_reasons_in_plain_words(reader, make_comment):
    comment = make_comment("Mail me: a@example.org", participant=reader.participant, reasons=["personal_info"])
    html = reader.get(f"/comments/{comment.pk}/status/").content.decode()
    assert "Awaiting moderation: only you can see it until a moderator decides." in html
    assert "It seems to contain personal information" in html
    assert "Send the appeal" in html


def test_the_author_sees_a_moderators_rejection_reason(reader, make_comment, moderator):
    comment = make_comment("Off we go", participant=reader.participant)
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "off_topic"})
    html = reader.get(f"/comments/{comment.pk}/status/").content.decode()
    assert "Rejected" in html
    assert "A moderator found it off topic for this debate." in html


def test_nobody_else_sees_the_status(make_comment, make_participant, anon, moderator):
    comment = make_comment()
    assert make_participant().get(f"/comments/{comment.pk}/status/").status_code == HTTPStatus.NOT_FOUND
    assert anon.get(f"/comments/{comment.pk}/status/").status_code == HTTPStatus.NOT_FOUND


def test_an_appeal_is_accepted_once(reader, make_comment):
    comment = make_comment(participant=reader.participant, status=Status.REJECTED, reasons=["abuse"])
    first = reader.post(f"/comments/{comment.pk}/status/", {"note": "It was a quote from the article."})
    assert first.status_code == HTTPStatus.FOUND
    assert Appeal.objects.get(comment=comment).note == "It was a quote from the article."
    again = reader.post(f"/comments/{comment.pk}/status/", {"note": "Please?"})
    assert again.status_code == HTTPStatus.CONFLICT
    assert Appeal.objects.count() == 1
    html = reader.get(f"/comments/{comment.pk}/status/").content.decode()
    assert "You appealed on" in html
    assert "Send the appeal" not in html


def test_an_empty_or_long_appeal_keeps_the_text_and_says_why(reader, make_comment):
    comment = make_comment(participant=reader.participant, status=Status.REJECTED)
    long_note = "x" * 600
    response = reader.post(f"/comments/{comment.pk}/status/", {"note": long_note})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "up to 500 characters" in html
    assert long_note in html
    assert not Appeal.objects.exists()


def test_a_published_comment_cannot_be_appealed(reader, make_comment):
    comment = make_comment(participant=reader.participant, status=Status.PUBLISHED)
    response = reader.post(f"/comments/{comment.pk}/status/", {"note": "Why not"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert not Appeal.objects.exists()


def test_the_appeals_tab_and_its_decision(reader, make_comment, moderator):
    comment = make_comment("Not abuse at all", participant=reader.participant, status=Status.REJECTED)
    reader.post(f"/comments/{comment.pk}/status/", {"note": "Read it again please"})
    html = moderator.get("/moderation/?tab=appeals").content.decode()
    assert "Not abuse at all" in html
    assert "Read it again please" in html
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve"})
    appeal = Appeal.objects.get()
    assert (appeal.outcome, appeal.decided_at is not None) == ("granted", True)
    assert Comment.objects.get(pk=comment.pk).status == Status.PUBLISHED
    assert "your comment is now published" in reader.get(f"/comments/{comment.pk}/status/").content.decode()
    assert moderator.get("/api/v1/moderation/queue?tab=appeals").json()["counts"]["appeals"] == 0


def test_a_comment_rejected_again_after_a_granted_appeal_says_so(reader, make_comment, moderator):
    comment = make_comment("Said twice", participant=reader.participant, status=Status.REJECTED)
    Comment.objects.filter(pk=comment.pk).update(reasons=["abuse"])
    reader.post(f"/comments/{comment.pk}/status/", {"note": "Read it again please"})
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve"})
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "off_topic"})
    html = " ".join(reader.get(f"/comments/{comment.pk}/status/").content.decode().split())
    # Why it is rejected now: the overturned reason is not given again.
    assert "A moderator found it off topic for this debate." in html
    assert "harassing or abusive" not in html
    assert "your comment is now published" not in html
    assert "your appeal was granted and the comment published. A moderator has since decided on it again" in html
    assert "Send the appeal" not in html


def test_an_upheld_appeal_says_the_decision_stands(reader, make_comment, moderator):
    comment = make_comment(participant=reader.participant, status=Status.REJECTED)
    Appeal.objects.create(comment=comment, note="Please")
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "reject", "reason": "abuse"})
    assert Appeal.objects.get().outcome == "upheld"
    assert "the decision stands" in reader.get(f"/comments/{comment.pk}/status/").content.decode()


def test_appeal_through_the_api(api, make_comment, reader):
    comment = make_comment(participant=reader.participant, reasons=["toxicity"])
    status = api.get(f"/api/v1/comments/{comment.pk}/moderation", key=reader.key).json()
    assert status["status"] == "pending"
    assert status["reasons"][0]["code"] == "toxicity"
    assert status["can_appeal"] is True
    created = api.post(f"/api/v1/comments/{comment.pk}/appeal", {"note": "Sarcasm, not abuse"}, key=reader.key)
    assert created.status_code == HTTPStatus.CREATED
    assert created.json()["appeal"]["note"] == "Sarcasm, not abuse"
    again = api.post(f"/api/v1/comments/{comment.pk}/appeal", {"note": "Again"}, key=reader.key)
    assert again.status_code == HTTPStatus.CONFLICT
    assert again.json()["error"] == "already_appealed"
    assert api.get(f"/api/v1/comments/{comment.pk}/moderation").status_code == HTTPStatus.NOT_FOUND


def test_my_comments_lists_status_links(reader, make_comment):
    comment = make_comment("Mine, held", participant=reader.participant)
    html = reader.get("/comments/mine/").content.decode()
    assert "Mine, held" in html
    assert f"/comments/{comment.pk}/status/" in html
    assert "where others' replies to one are shown, a placeholder without its text stands above them" in html


def test_a_rejected_author_is_told_on_the_debate_and_in_my_data_where_to_appeal(
    reader, make_participant, make_comment, moderator, debate
):
    """A rejected comment leaves the thread; its author learns of it where they read, with the way to appeal."""
    comment = make_comment("Off we go", participant=reader.participant)
    make_comment("Another's, rejected too")  # someone else's rejection is not this reader's business
    for pending in Comment.objects.all():
        moderator.post(f"/moderation/comments/{pending.pk}/decide/", {"action": "reject", "reason": "off_topic"})
    page = " ".join(reader.get("/").content.decode().split())
    assert "A moderator rejected 1 of your comments on this debate." in page
    assert '<a href="/comments/mine/">See why, and appeal if you think it is a mistake</a>' in page
    assert "declined-notice" not in make_participant().get("/").content.decode()
    mine = reader.get("/comments/mine/").content.decode()
    assert f'href="/comments/{comment.pk}/status/">Status and appeal</a>' in mine
    status = reader.get(f"/comments/{comment.pk}/status/").content.decode()
    assert "Rejected: it is not shown on the debate, only to you on this page." in status
    my_data = reader.get("/me/").content.decode()
    assert f'<a href="/comments/{comment.pk}/status/">Its status, and how to appeal</a>' in my_data
    # Once appealed, the debate page stops asking, and My data points to the appeal.
    reader.post(f"/comments/{comment.pk}/status/", {"note": "It was a quote from the article."})
    assert "declined-notice" not in reader.get("/").content.decode()
    my_data = reader.get("/me/").content.decode()
    assert f'<a href="/comments/{comment.pk}/status/">Its status and your appeal</a>' in my_data


def test_my_data_offers_the_appeal_of_a_held_comment_too(reader, make_comment):
    comment = make_comment("Held for a moderator", participant=reader.participant)
    my_data = reader.get("/me/").content.decode()
    assert f'<a href="/comments/{comment.pk}/status/">Its status, and how to appeal</a>' in my_data


def test_my_data_says_a_published_comment_was_held_not_rejected(reader, make_comment, moderator):
    comment = make_comment("Mail me", participant=reader.participant, reasons=["personal_info"])
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve"})
    my_data = reader.get("/me/").content.decode()
    assert "Why it was held before a moderator published it:" in my_data
    assert "Why it was held or rejected:" not in my_data
    assert f"/comments/{comment.pk}/status/" not in my_data  # nothing to see or appeal there


def test_a_comment_published_on_appeal_says_why_it_was_held_before(reader, make_comment, moderator):
    comment = make_comment("Quoting the article", participant=reader.participant, status=Status.REJECTED)
    Comment.objects.filter(pk=comment.pk).update(reasons=["off_topic"])
    reader.post(f"/comments/{comment.pk}/status/", {"note": "It was a quote."})
    moderator.post(f"/moderation/comments/{comment.pk}/decide/", {"action": "approve"})
    html = reader.get(f"/comments/{comment.pk}/status/").content.decode()
    assert "Published: everyone can read it." in html
    assert "<h2>Why it was held or rejected before</h2>" in html
    assert "your comment is now published" in html
