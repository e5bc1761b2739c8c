"""HTML forms of the public side, with the honeypot and minimum-time checks."""

import secrets
import time

from django import forms
from django.conf import settings
from django.core import signing

from forum.lib.forms import TextField
from forum.lib.ids import MAX_ID

from .models import Report

_SALT = "forum.form-started"


def form_token() -> str:
    """A signed render time, checked on submit to catch instant bot posts."""
    return signing.dumps(time.time(), salt=_SALT)


class GuardedForm(forms.Form):
    """Adds a honeypot field, a signed render time and an idempotency key."""

    # Hidden fields a browser sends as the page wrote them: an error in one means a stale or altered page.
    OUT_OF_DATE = "This form is out of date. Your text is below: please reload the page and send it again."

    website = forms.CharField(required=False, label="Leave this field empty")
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, error_messages={"max_length": OUT_OF_DATE}
    )

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


# The limits the services check, in the words they use; the forms refuse far
# longer texts before normalising them, with the same words.
BODY_ERRORS = {
    "required": "Your comment is empty.",
    "max_length": f"Your comment is longer than the limit of {settings.COMMENT_MAX_LENGTH:,} characters.",
}


class CommentForm(GuardedForm):
    body = TextField(
        label="Your comment",
        max_length=settings.COMMENT_MAX_LENGTH * 2,  # the service gives the precise count below that
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": settings.COMMENT_MAX_LENGTH}),
        strip=False,
        error_messages=BODY_ERRORS,
    )
    author_name = TextField(
        label="Display name",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Anonymous", "maxlength": 40, "autocomplete": "nickname"}),
        error_messages={"max_length": "Your display name can be at most 40 characters."},
    )
    parent_id = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), GuardedForm.OUT_OF_DATE),
    )


class EditForm(forms.Form):
    body = TextField(
        label="Your comment",
        max_length=settings.COMMENT_MAX_LENGTH * 2,
        widget=forms.Textarea,
        strip=False,
        error_messages=BODY_ERRORS,
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        label="What is wrong with it?",
        error_messages=dict.fromkeys(("required", "invalid_choice"), "Please choose a reason for your report."),
    )
    note = TextField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Anything to add? (optional)",
        error_messages={"max_length": "The note can be at most 500 characters."},
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
