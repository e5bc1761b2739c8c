"""HTML forms of the public side, with the honeypot and minimum-time checks."""

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing

from forum.lib.forms import TextField

from .models import Report

_SALT = "forum.form-started"


def form_token() -> str:
    """A signed render time, checked on submit to catch instant bot posts."""
    return signing.dumps(time.time(), salt=_SALT)


class GuardedForm(forms.Form):
    """Adds a honeypot field, a signed render time and an idempotency key."""

    website = forms.CharField(required=False, label="Leave this field empty")
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    # The guard's refusals, in the words of each form.
    AUTOMATED = "Your comment looked automated (a hidden field was filled in). Please try again."
    EXPIRED = "This form has expired. Your text is below: please send it again."
    TOO_FAST = "That was faster than anyone can type. Please wait a moment and send again."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = form_token()
        self.fields["idempotency_key"].initial = secrets.token_hex(16)

    @staticmethod
    def min_seconds() -> float:
        return settings.FORM_MIN_SECONDS

    def guard_error(self) -> str | None:
        """A plain-words reason when the submission looks automated, else None."""
        if not settings.RATE_LIMITS:
            return None
        if self.cleaned_data.get("website"):
            return self.AUTOMATED
        try:
            started = signing.loads(self.cleaned_data.get("started") or "", salt=_SALT, max_age=24 * 3600)
        except signing.BadSignature:
            return self.EXPIRED
        if time.time() - float(started) < self.min_seconds():
            return self.TOO_FAST
        return None


class CommentForm(GuardedForm):
    body = TextField(
        label="Your comment",
        max_length=settings.COMMENT_MAX_LENGTH * 2,  # the service gives the precise message
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": settings.COMMENT_MAX_LENGTH}),
        strip=False,
    )
    author_name = TextField(
        label="Display name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Anonymous", "maxlength": 40, "autocomplete": "nickname"}),
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    body = TextField(
        label="Your comment", max_length=settings.COMMENT_MAX_LENGTH * 2, widget=forms.Textarea, strip=False
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(choices=Report.Reason.choices, widget=forms.RadioSelect, label="What is wrong with it?")
    note = TextField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Anything to add? (optional)"
    )


class VoteForm(GuardedForm):
    AUTOMATED = "Your vote looked automated (a hidden field was filled in). Please try again."
    EXPIRED = "This page is more than a day old. Your choice is still ticked: please vote again."
    TOO_FAST = "That was quicker than anyone can read the question. Your choice is still ticked: please vote again."

    @staticmethod
    def min_seconds() -> float:
        # A reader who knows their answer votes at once: a shorter floor than writing needs.
        return settings.VOTE_MIN_SECONDS

    option = forms.CharField()
