"""Moderator accounts: no public sign-up, login by e-mail, two-factor before the
queue, password reset by e-mail, and the admin login behind allauth."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.test import Client

from tests.moderation.conftest import PASSWORD, make_user, totp_code


def test_there_is_no_public_signup(anon):
    response = anon.get("/accounts/signup/")
    assert "There is no sign-up" in response.content.decode()
    anon.post("/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD})
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@example.org").exists()


def test_the_login_page_is_for_moderators_and_offers_no_signup(anon):
    html = anon.get("/accounts/login/").content.decode()
    assert "Moderator login" in html
    assert "/accounts/signup/" not in html
    assert "<script>" not in html


def test_login_by_email_then_code_opens_the_queue(db):
    user = make_user(moderator=True, with_2fa=True)
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/moderation/").status_code == HTTPStatus.FOUND  # not logged in until the code
    prompt = client.get("/accounts/2fa/authenticate/").content.decode()
    # In the login page's words: "Log in", not allauth's "Sign In".
    assert "Moderator login: your code" in prompt
    assert ">Log in</button>" in prompt
    assert "Sign In" not in prompt
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == HTTPStatus.OK
    assert 'aria-invalid="true"' in wrong.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user.totp_secret)})
    assert response["Location"] == "/moderation/"
    queue = client.get("/moderation/")
    assert queue.status_code == HTTPStatus.OK
    # No "Successfully signed in" notice: the navigation says who is logged in.
    assert [str(m) for m in queue.context["messages"]] == []


def test_a_recovery_code_works_in_place_of_the_app(db):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = make_user(moderator=True, with_2fa=True)
    codes = RecoveryCodes.activate(user).generate_codes()
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert client.get("/moderation/").status_code == HTTPStatus.OK


# allauth adds its notice when the activation commits: a real commit, not the test's rollback.
@pytest.mark.django_db(transaction=True)
def test_activating_totp_opens_the_queue_without_a_second_code():
    user = make_user(moderator=True, with_2fa=False)
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/moderation/")["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before adding a second factor, on a page in the site's words.
    prompt = client.get("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/").content.decode()
    assert "<h1>Confirm it is you</h1>" in prompt
    assert 'name="next" value="/accounts/2fa/totp/activate/"' in prompt
    wrong = client.post("/accounts/reauthenticate/", {"password": "not it"})
    assert 'aria-invalid="true"' in wrong.content.decode()
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == HTTPStatus.OK
    secret = page.context["form"].secret
    # In the site's words and layout, not allauth's "Activate Authenticator App".
    html = page.content.decode()
    assert "<h1>Set up two-factor login</h1>" in html
    assert f'value="{secret}" readonly' in html
    assert 'src="data:image/svg+xml;base64,' in html
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == HTTPStatus.OK
    assert 'aria-invalid="true"' in wrong.content.decode()
    secret = wrong.context["form"].secret  # the same secret, kept while the form is bound
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == HTTPStatus.FOUND
    # The notice shows on the page the activation leads to, the recovery codes;
    # it once waited, with two others, for the queue.
    codes_page = client.get(response["Location"]).content.decode()
    assert "Recovery codes" in codes_page
    assert "Authenticator app activated." in codes_page
    assert "signed in" not in codes_page.lower()
    queue = client.get("/moderation/")
    assert queue.status_code == HTTPStatus.OK
    assert [str(m) for m in queue.context["messages"]] == []


def test_password_reset_goes_by_email(db):
    user = make_user(moderator=True, with_2fa=True)
    Client().post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    assert user.email in mail.outbox[0].to
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_the_admin_login_goes_through_allauth(anon):
    response = anon.get("/admin/login/?next=/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/accounts/login/")


def test_the_two_factor_page_says_what_is_on_and_offers_the_recovery_codes(moderator):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = moderator.get("/moderation/").wsgi_request.user
    RecoveryCodes.activate(user)
    html = moderator.get("/accounts/2fa/").content.decode()
    # In the site's words, not allauth's "Two-Factor Authentication" panels.
    assert "<h1>Two-factor login</h1>" in html
    assert "On: every login asks for the code your app shows." in html
    assert 'href="/accounts/2fa/totp/deactivate/">Turn off…</a>' in html
    assert "10 of 10 left." in html
    assert 'href="/accounts/2fa/recovery-codes/">See the codes</a>' in html


def test_recovery_codes_page_has_no_inline_script(moderator):
    html = moderator.get("/accounts/2fa/recovery-codes/").content.decode()
    assert "<script>" not in html
    assert "application/json" not in html


def test_another_session_opened_before_the_activation_must_still_enter_a_code(db):
    user = make_user(moderator=True, with_2fa=False)
    older = Client()
    older.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    activating = Client()
    activating.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    activating.post("/accounts/reauthenticate/", {"password": PASSWORD})
    secret = activating.get("/accounts/2fa/totp/activate/").context["form"].secret
    activating.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert activating.get("/moderation/").status_code == HTTPStatus.OK
    assert older.get("/moderation/")["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_allauth_rate_limits_key_on_the_network_hash_never_the_address(rf, db):
    from allauth.account.adapter import get_adapter

    from forum.debates.network import network_hash

    request = rf.get("/accounts/login/", REMOTE_ADDR="203.0.113.77")
    key = get_adapter(request).get_client_ip(request)
    assert "203.0.113" not in key
    assert key == network_hash(rf.get("/", REMOTE_ADDR="203.0.113.8"))  # same /24, same bucket
