"""A known data set for the exports, people with every level of access, and
readers that parse each format back into rows."""

import csv
import datetime
import io
import json
from dataclasses import dataclass

import openpyxl
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import app_settings as totp_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from forum.debates.models import Ballot, Comment, DailyTally
from forum.debates.services import participant_create
from forum.moderation.audit import audit_record
from forum.moderation.permissions import MODERATORS_GROUP

PASSWORD = "correct horse battery staple 42"
UTC = datetime.UTC
DAY1, DAY2, DAY3 = datetime.date(2026, 3, 1), datetime.date(2026, 3, 2), datetime.date(2026, 3, 3)


def at(day: datetime.date, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC)


@dataclass
class Known:
    """What the known data set holds, for comparing exports against."""

    debate: object
    participants: list
    comments: dict
    votes: dict  # option key -> current ballots
    percents: dict  # option key -> share of the total


@pytest.fixture
def known(debate, db) -> Known:
    """Seven ballots over three UTC days (none on the middle one), one change of
    mind, and comments of every status, some with formula payloads.

    Day 1: two for invasion, two for useful. Day 2: nothing. Day 3: unsure gets a
    new ballot and one from a useful voter changing their mind; invasion two new.
    Final: invasion 4, unsure 2, useful 1 (57.1 %, 28.6 %, 14.3 %: the raw shares
    57.14…, 28.57…, 14.28… need largest-remainder rounding to reach 100).
    """
    options = {o.key: o for o in debate.options.all()}
    people = [participant_create()[0] for _ in range(7)]
    plan = [  # (first option, current option, changes, cast at)
        ("invasion", "invasion", 0, at(DAY1, 9, 15, 30)),
        ("invasion", "invasion", 0, at(DAY1, 9, 59, 59)),
        ("useful", "unsure", 1, at(DAY1, 10, 0, 0)),
        ("useful", "useful", 0, at(DAY1, 23, 59, 59)),
        ("unsure", "unsure", 0, at(DAY3, 0, 0, 1)),
        ("invasion", "invasion", 0, at(DAY3, 12, 30)),
        ("invasion", "invasion", 0, at(DAY3, 18, 45)),
    ]
    for person, (first, current, changes, cast_at) in zip(people, plan, strict=True):
        Ballot.objects.create(
            debate=debate,
            participant=person,
            option=options[current],
            first_option=options[first],
            changes=changes,
            cast_at=cast_at,
            updated_at=cast_at,
            network_hash="f" * 32,
        )
    for key, day, added, removed in [
        ("invasion", DAY1, 2, 0),
        ("useful", DAY1, 2, 0),
        ("invasion", DAY3, 2, 0),
        ("unsure", DAY3, 2, 0),
        ("useful", DAY3, 0, 1),
    ]:
        DailyTally.objects.create(option=options[key], day=day, added=added, removed=removed)

    def comment(person, body, *, status="published", parent=None, **extra):
        c = Comment.objects.create(
            debate=debate,
            participant=person,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_name="Reader",
            stance=extra.pop("stance", None),
            body=body,
            body_html=f"<p>{body}</p>",
            status=status,
            **extra,
        )
        Comment.objects.filter(pk=c.pk).update(thread=parent.thread_id if parent else c.pk)
        return c

    top = comment(
        people[0],
        '=HYPERLINK("http://evil.example","click")',
        stance=options["invasion"],
        created_at=at(DAY1, 11),
        like_count=3,
        report_count=1,
    )
    reply = comment(
        people[3],
        '+1, and a second line\nwith a "quote", a comma',
        parent=top,
        stance=options["useful"],
        created_at=at(DAY1, 12),
        edited_at=at(DAY1, 12, 5),
    )
    held = comment(
        people[1], "@SUM(1+1)*cmd|' /C calc'!A0", status="pending", reasons=["links"], created_at=at(DAY3, 8)
    )
    rejected = comment(None, "-2+3", status="rejected", reasons=["banned_word", "links"], created_at=at(DAY3, 9))
    audit_record(action="comment.reject", target=rejected, reason="=cmd|' /C calc'!A0", details={"note": "@x"})
    return Known(
        debate=debate,
        participants=people,
        comments={"top": top, "reply": reply, "held": held, "rejected": rejected},
        votes={"useful": 1, "invasion": 4, "unsure": 2},
        percents={"useful": 14.3, "invasion": 57.1, "unsure": 28.6},
    )


# ------------------------------------------------------------------- people


def _user(email: str, *, moderator: bool):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    if moderator:
        user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return user


def _password_login(client: Client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


@pytest.fixture
def plain_user(db) -> Client:
    """Logged in, but not a moderator."""
    client = Client()
    client.user = _user("reader@example.org", moderator=False)
    response = _password_login(client, "reader@example.org")
    assert response.status_code == 302
    return client


@pytest.fixture
def moderator_without_2fa(db) -> Client:
    """A moderator who logged in with a password and has no second factor set up."""
    client = Client()
    client.user = _user("new-mod@example.org", moderator=True)
    response = _password_login(client, "new-mod@example.org")
    assert response.status_code == 302
    return client


@pytest.fixture
def moderator(db) -> Client:
    """A moderator with TOTP who logged in through both steps: password, then code."""
    client = Client()
    client.user = _user("mod@example.org", moderator=True)
    secret = generate_totp_secret()
    TOTP.activate(client.user, secret)
    response = _password_login(client, "mod@example.org")
    assert response.status_code == 302
    assert "/2fa/" in response["Location"]
    counter = int(datetime.datetime.now(UTC).timestamp()) // totp_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert "/2fa/" not in response["Location"]
    return client


# ------------------------------------------------------------------ readers


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def parse_csv(data: bytes) -> list[dict]:
    text = data.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def parse_json(data: bytes) -> dict:
    return json.loads(data.decode("utf-8"))


def parse_xlsx(data: bytes):
    """The workbook, reopened by openpyxl as a spreadsheet would read it."""
    return openpyxl.load_workbook(io.BytesIO(data))


def xlsx_rows(workbook) -> list[dict]:
    sheet = workbook["Data"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def xlsx_about(workbook) -> dict:
    about = {}
    for row in workbook["About"].iter_rows(values_only=True):
        if not row or row[0] is None:
            break
        about[row[0]] = row[1]
    return about


def formula_cells(workbook) -> list[str]:
    return [cell.coordinate for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
