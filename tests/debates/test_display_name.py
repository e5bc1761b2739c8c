"""A returning reader's comment and reply forms are filled in with the display
name they last signed with; nobody else ever sees it in a form."""

import re

URL = "/api/v1/debates/clearview-ai-cnil-fine/comments"


def _name_fields(html: str) -> dict[str, str]:
    """The value of each display-name field of the page, by the field's id."""
    fields = re.findall(r'<input type="text" name="author_name" id="([^"]+)"[^>]*?(?: value="([^"]*)")?>', html)
    return dict(fields)


def test_the_forms_remember_the_name_of_ones_latest_comment(api, anon, debate, make_participant, no_rate_limits):
    reader = make_participant()
    assert _name_fields(reader.get("/").content.decode()) == {"id_author_name": ""}  # no comment to reply to yet
    api.post(URL, {"body": "First, signed.", "author_name": "Marianne <b>"}, key=reader.key)
    page = reader.get("/").content.decode()
    assert _name_fields(page) == {"id_author_name": "Marianne &lt;b&gt;", "reply-name": "Marianne &lt;b&gt;"}
    top = api.get(URL).json()["results"][0]["id"]
    reply_page = reader.get(f"/comments/{top}/reply/").content.decode()
    assert _name_fields(reply_page) == {"reply-name": "Marianne &lt;b&gt;"}
    # Readers without the key, whose page is shared, never get the name in a form.
    assert _name_fields(anon.get("/").content.decode()) == {"id_author_name": "", "reply-name": ""}
    assert _name_fields(make_participant().get("/").content.decode()) == {"id_author_name": "", "reply-name": ""}
    # The latest comment decides: one posted without a name empties the field again.
    api.post(URL, {"body": "Second, unsigned."}, key=reader.key)
    assert _name_fields(reader.get("/").content.decode()) == {"id_author_name": "", "reply-name": ""}
