"""A returning reader's comment and reply forms are filled in with the display
name they last signed with; nobody else ever sees it in a form."""

import re
from http import HTTPStatus

import pytest

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


@pytest.mark.parametrize(
    "name",
    [
        "Mod\u200berator",  # a zero-width space
        "Mod\u00aderator",  # a soft hyphen
        "Adm\u2060in",  # a word joiner
        "The Debate\u200b Room",  # the site's name
        "The  Debate\u00a0Room",  # the site's name, spaced otherwise
        "\u041efficial",  # a Cyrillic capital O
        "\u041coderator",  # a Cyrillic capital M
        "\u0410D\u041c\u0406N",  # Cyrillic capitals
        "\u0422he Debate Room",  # the site's name with a Cyrillic capital T
        "\u039coderator",  # a Greek capital M
        "\u0391DMI\u039d",  # Greek capitals
        "\uff2d\uff4f\uff44\uff45\uff52\uff41\uff54\uff4f\uff52",  # full-width letters
        "M0derator",  # digits and signs for letters
        "Adm1n",
        "$TAFF",
        "0ff1c1al",
        "Admin1",  # and a digit after the word, read both ways
        "The D3bate R00m",
    ],
)
def test_a_name_that_would_pass_for_staff_behind_invisible_or_lookalike_letters_is_refused(api, debate, name):
    response = api.post(URL, {"body": "Hello.", "author_name": name})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"author_name": "reserved"}


@pytest.mark.parametrize("name", ["\u200b", "\u2800", "\u3164", "\ufeff", "  \u200b  ", "\u202e\u2066"])
def test_a_name_of_characters_that_show_nothing_is_anonymous(api, debate, no_rate_limits, name):
    response = api.post(URL, {"body": "Hello.", "author_name": name})
    assert response.status_code == HTTPStatus.CREATED
    assert api.get(URL).json()["results"][0]["author_name"] == "Anonymous"


def test_invisible_characters_go_from_a_name_and_its_letters_stay(api, debate, no_rate_limits):
    api.post(URL, {"body": "Hello.", "author_name": "Mar\u200bi\u00adanne\x01\x7f \u0416"})
    assert api.get(URL).json()["results"][0]["author_name"] == "Marianne \u0416"


@pytest.mark.parametrize(
    "name",
    [
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # a Persian word with its ZWNJ
        "Kim \U0001f469\u200d\U0001f4bb",  # an emoji joined by a ZWJ
        "Kim \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # a flag of tags
    ],
)
def test_joiners_that_shape_a_name_stay(api, debate, no_rate_limits, name):
    api.post(URL, {"body": "Hello.", "author_name": name})
    assert api.get(URL).json()["results"][0]["author_name"] == name


def test_a_site_name_in_another_script_is_refused_as_itself(api, debate, settings):
    settings.SITE_NAME = "\u0397 \u0391\u03af\u03b8\u03bf\u03c5\u03c3\u03b1"  # Greek
    response = api.post(URL, {"body": "Hello.", "author_name": settings.SITE_NAME})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["fields"] == {"author_name": "reserved"}


@pytest.mark.parametrize(
    "name", ["Staffan", "Badminton fan", "Officially Bob", "Modest Eratosthenes", "Kim 1975", "St4ffan", "B0b"]
)
def test_a_name_that_only_contains_the_letters_of_a_staff_word_is_welcome(api, debate, no_rate_limits, name):
    response = api.post(URL, {"body": "Hello.", "author_name": name})
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert api.get(URL).json()["results"][0]["author_name"] == name


@pytest.mark.parametrize("name", ["Admin 2", "staff_member", "SiteAdmin", "Moderator123", "Official"])
def test_a_staff_word_ending_a_word_is_refused(api, debate, name):
    assert api.post(URL, {"body": "Hello.", "author_name": name}).json()["fields"] == {"author_name": "reserved"}
