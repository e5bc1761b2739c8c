"""The comment list's own markup helpers say what Django's would."""

import datetime

import pytest
from django.contrib.humanize.templatetags import humanize
from django.utils import timezone

from forum.debates.templatetags.comment_markup import ago

NOW = datetime.datetime(2026, 3, 31, 12, 30, 15, 250000, tzinfo=datetime.UTC)


class _FrozenDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW


@pytest.mark.parametrize(
    "delta",
    [
        datetime.timedelta(0),
        datetime.timedelta(seconds=1),
        datetime.timedelta(seconds=59),
        datetime.timedelta(seconds=60),
        datetime.timedelta(minutes=1, seconds=59),
        datetime.timedelta(minutes=59, seconds=59),
        datetime.timedelta(hours=1),
        datetime.timedelta(hours=23, minutes=59),
        datetime.timedelta(days=1),
        datetime.timedelta(days=1, hours=2, minutes=3),
        datetime.timedelta(days=6, hours=23),
        datetime.timedelta(days=7),
        datetime.timedelta(days=15, hours=5),
        datetime.timedelta(days=31),
        datetime.timedelta(days=45),
        datetime.timedelta(days=365),
        datetime.timedelta(days=400),
        datetime.timedelta(days=800, hours=3),
        datetime.timedelta(seconds=-30),
    ],
)
def test_comment_times_read_as_naturaltime_does(monkeypatch, delta):
    monkeypatch.setattr(humanize, "datetime", _FrozenDatetime)
    value = NOW - delta
    if delta < datetime.timedelta(0):
        assert ago(value, NOW) == "now"  # a clock a little ahead: never "from now" under a comment
    else:
        assert ago(value, NOW) == humanize.naturaltime(value)


def test_month_ends_count_as_django_counts_them(monkeypatch):
    monkeypatch.setattr(humanize, "datetime", _FrozenDatetime)
    for day in range(1, 120):
        value = timezone.make_aware(datetime.datetime(2026, 3, 31, 8)) - datetime.timedelta(days=day)
        assert ago(value, NOW) == humanize.naturaltime(value), value
