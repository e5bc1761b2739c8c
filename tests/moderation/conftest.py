"""Personas of the moderation tests: moderators who log in through the real
allauth flow (password, then a TOTP code), and the people who must be refused."""

import base64
import itertools
import secrets
import threading
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connections, transaction
from django.test import Client

from forum.debates.models import Comment
from forum.lib.markdown import render_comment
from forum.moderation.permissions import MODERATORS_GROUP

PASSWORD = "correct horse battery staple 42"
_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    # Real logins below check real passwords; a fast hasher keeps each test quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def totp_code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (not in the last two seconds of a period,
    so that it is still valid when the server checks it)."""
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < 2:
        time.sleep(left + 0.05)
    counter = int(time.time()) // period + offset
    return format_hotp_value(hotp_value(secret, counter))


def make_user(*, moderator: bool, with_2fa: bool):
    email = f"person{next(_emails)}@example.org"
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if moderator:
        user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    user.totp_secret = None
    if with_2fa:
        user.totp_secret = base64.b32encode(secrets.token_bytes(20)).decode()
        TOTP.activate(user, user.totp_secret)
    return user


def log_in(user) -> Client:
    """Log in as a person would: e-mail and password, then the TOTP code when asked."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    if user.totp_secret:
        assert response["Location"].startswith("/accounts/2fa/authenticate/")
        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(user.totp_secret)})
        assert response.status_code == 302, response.content.decode()[:2000]
    client.user = user
    return client


@pytest.fixture
def make_moderator(db):
    def make(*, with_2fa: bool = True) -> Client:
        return log_in(make_user(moderator=True, with_2fa=with_2fa))

    return make


@pytest.fixture
def moderator(make_moderator) -> Client:
    """A moderator whose session passed two-factor."""
    return make_moderator()


@pytest.fixture
def moderator_without_2fa(make_moderator) -> Client:
    return make_moderator(with_2fa=False)


@pytest.fixture
def non_moderator(db) -> Client:
    """A logged-in account that is not in the Moderators group."""
    return log_in(make_user(moderator=False, with_2fa=False))


@pytest.fixture
def make_comment(debate, make_participant):
    """Factory: a comment written straight to the database, by a new participant unless given."""

    def make(body="A comment.", *, status=Comment.Status.PENDING, reasons=(), participant=None, **extra):
        participant = participant or make_participant().participant
        comment = Comment.objects.create(
            debate=debate,
            participant=participant,
            body=body,
            body_html=render_comment(body),
            status=status,
            reasons=list(reasons),
            **extra,
        )
        Comment.objects.filter(pk=comment.pk).update(thread=comment.pk)
        return comment

    return make


def while_deciding(comment_id: int, status: str, meanwhile) -> None:
    """Give a comment a new status in a transaction that stays open half a second,
    and call ``meanwhile`` in another thread once the change is made (each thread
    with its own connection): a moderator's decision racing another change."""
    decided = threading.Event()

    def decide():
        try:
            with transaction.atomic():
                comment = Comment.objects.select_for_update().get(pk=comment_id)
                comment.status = status
                comment.save(update_fields=["status"])
                decided.set()
                time.sleep(0.5)  # the other change arrives now
        finally:
            connections.close_all()

    def other():
        try:
            decided.wait(5)
            meanwhile()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
