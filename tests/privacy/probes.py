"""Probes for the privacy tests: browsers on known networks, and scans of every table."""

import json
import time

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.test import Client

from forum.debates.models import Participant

SLUG = "clearview-ai-cnil-fine"


def browser(remote_addr: str) -> Client:
    """A browser without a key yet, on a distinctive network."""
    return Client(REMOTE_ADDR=remote_addr)


def key_of(client: Client) -> str:
    return client.cookies[settings.PARTICIPANT_COOKIE_NAME].value


def started_a_minute_ago() -> str:
    """A form's signed render time, old enough to pass the minimum-time check."""
    return signing.dumps(time.time() - 60, salt="forum.form-started")


def comment_form(body: str, **extra) -> dict:
    return {"body": body, "author_name": "", "website": "", "started": started_a_minute_ago(), **extra}


def vote_form(option_key: str) -> dict:
    return {"option": option_key, "website": "", "started": started_a_minute_ago()}


def rows_mentioning(needles: list[str]) -> list[str]:
    """Every (model, field) of every row of every table whose value contains one of ``needles``."""
    found = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        for row in model._base_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                if isinstance(value, (bytes, memoryview)):
                    text = bytes(value).hex()
                found += [f"{model._meta.label}.{field.name} ~ {n}" for n in needles if n and n in text]
    return found


def rows_pointing_at(participant_pk: int) -> list[str]:
    """Every row with a foreign key to the participant, in any app."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            points = field.is_relation and field.related_model is Participant
            if points and model._base_manager.filter(**{field.attname: participant_pk}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found
