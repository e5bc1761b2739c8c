"""python manage.py create_moderator EMAIL"""

from http import HTTPStatus
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from forum.moderation.models import AuditEntry
from forum.moderation.permissions import is_moderator

GOOD = "a long and fresh passphrase 91"


def create(email, *args, verbosity=1):
    out = StringIO()
    call_command("create_moderator", email, *args, stdout=out, verbosity=verbosity)
    return out.getvalue()


def test_it_creates_a_moderator_with_a_verified_email_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", GOOD)
    output = create("Editor@Example.org")
    user = get_user_model().objects.get(email="editor@example.org")
    assert is_moderator(user)
    assert user.check_password(GOOD)
    assert EmailAddress.objects.get(user=user).verified
    assert "Created moderator editor@example.org" in output
    assert AuditEntry.objects.get(action="moderator.create").target_id == str(user.pk)


def test_the_new_moderator_can_log_in_and_is_sent_to_set_up_two_factor(db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", GOOD)
    create("editor@example.org")
    client = Client()
    response = client.post("/accounts/login/", {"login": "editor@example.org", "password": GOOD})
    assert response.status_code == HTTPStatus.FOUND
    assert client.get("/moderation/")["Location"] == "/accounts/2fa/totp/activate/"


def test_it_is_quiet_at_verbosity_zero(db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", GOOD)
    assert create("quiet@example.org", verbosity=0) == ""


def test_it_refuses_a_weak_password(db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", "password")
    with pytest.raises(CommandError, match="That password is refused"):
        create("weak@example.org")
    assert not get_user_model().objects.exists()


def test_it_refuses_something_that_is_not_an_email(db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", GOOD)
    with pytest.raises(CommandError, match="not an e-mail address"):
        create("editor")


def test_without_the_variable_and_without_a_terminal_it_says_what_to_do(db, monkeypatch):
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", StringIO(""))
    with pytest.raises(CommandError, match="MODERATOR_PASSWORD"):
        create("editor@example.org")


def test_it_prompts_twice_in_a_terminal(db, monkeypatch):
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    create("typed@example.org")
    assert get_user_model().objects.get(email="typed@example.org").check_password(GOOD)


def test_an_existing_account_becomes_a_moderator_and_can_keep_its_password(db, monkeypatch):
    user = get_user_model().objects.create_user(username="old", email="old@example.org", password=GOOD)
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    output = create("old@example.org", "--keep-password")
    user.refresh_from_db()
    assert is_moderator(user)
    assert user.check_password(GOOD)
    assert EmailAddress.objects.get(user=user).verified
    assert "Updated moderator" in output


def test_an_administrator_can_make_moderators_in_the_admin(db):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", GOOD)
    target = get_user_model().objects.create_user("ed", "ed@example.org", GOOD)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        "/admin/auth/user/", {"action": "make_moderators", "_selected_action": [target.pk], "index": 0}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert is_moderator(target)
    assert EmailAddress.objects.get(user=target).verified


def test_the_audit_log_is_read_only_in_the_admin_and_needs_two_factor(db):
    from forum.moderation.audit import audit_record
    from tests.moderation.conftest import log_in, make_user

    entry = audit_record(action="comment.approve")
    admin_user = make_user(moderator=False, with_2fa=True)
    get_user_model().objects.filter(pk=admin_user.pk).update(is_staff=True, is_superuser=True)
    without_code = Client()
    without_code.force_login(admin_user)
    assert without_code.get("/admin/moderation/auditentry/").status_code == HTTPStatus.FORBIDDEN
    client = log_in(admin_user)
    assert client.get("/admin/moderation/auditentry/").status_code == HTTPStatus.OK
    response = client.post(f"/admin/moderation/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
