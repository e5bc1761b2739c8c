"""A NUL character in what someone writes is removed, in the HTML forms as in
the API (the documented normalisation), instead of refusing the whole text."""

from http import HTTPStatus

from forum.debates.models import Appeal, Comment

SLUG = "clearview-ai-cnil-fine"


def test_a_comment_posted_through_the_form_keeps_its_text_without_the_nul(reader, debate, no_rate_limits):
    response = reader.post(
        f"/debates/{SLUG}/comments/", {"body": "Before\x00after, with a NUL between", "author_name": "N\x00ul"}
    )
    assert response.status_code == HTTPStatus.FOUND
    comment = Comment.objects.get(debate=debate)
    assert (comment.body, comment.author_name) == ("Beforeafter, with a NUL between", "Nul")


def test_an_appeal_sent_through_the_form_keeps_its_note_without_the_nul(reader, debate):
    comment = Comment.objects.create(
        debate=debate, participant=reader.participant, body="Held", status=Comment.Status.REJECTED, reasons=["abuse"]
    )
    response = reader.post(f"/comments/{comment.pk}/status/", {"note": "A quote\x00 from the article"})
    assert response.status_code == HTTPStatus.FOUND
    assert Appeal.objects.get(comment=comment).note == "A quote from the article"
