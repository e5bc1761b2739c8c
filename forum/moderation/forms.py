"""Forms of the moderation pages: they parse input; the services decide."""

from django import forms

from forum.debates.models import Debate, WordRule
from forum.lib.forms import TextField
from forum.lib.ids import MAX_ID, is_id

from .models import BanDuration, RejectReason


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject"), ("spam", "Spam")])
    reason = forms.ChoiceField(choices=[("", "—"), *RejectReason.choices], required=False)


class IdListField(forms.Field):
    """The ids of the comments ticked in the queue (checkboxes named ``ids``)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        ids = []
        for item in value or []:
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                raise forms.ValidationError("The selection is not valid.") from None
            if not is_id(ids[-1]):
                raise forms.ValidationError("The selection is not valid.")
        return list(dict.fromkeys(ids))[:500]

    def validate(self, value):
        if not value:
            raise forms.ValidationError("Select at least one comment.")


# Under every ban form: what a ban does beyond the participant (docs/moderation.md, Bans).
NETWORK_BAN_NOTE = (
    "Blocking the network the author last used stops them coming back with a new key, until its hash "
    "changes (within a day); others on it, a household, an office or a mobile network, are blocked meanwhile."
)
BAN_SCOPES = [("network", "The author and their network"), ("participant", "The author only")]


class BulkForm(forms.Form):
    ACTIONS = [
        ("approve", "Approve"),
        ("reject", "Reject"),
        ("spam", "Mark as spam"),
        ("ban", "Ban the authors"),
        ("unban", "Unban the authors"),
    ]
    ids = IdListField()
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.ChoiceField(choices=[("", "—"), *RejectReason.choices], required=False)
    duration = forms.ChoiceField(choices=BanDuration.choices, required=False)
    ban_reason = TextField(max_length=2000, required=False)
    ban_scope = forms.ChoiceField(choices=BAN_SCOPES, required=False)


class BanForm(forms.Form):
    duration = forms.ChoiceField(
        choices=BanDuration.choices,
        initial=BanDuration.DAY,
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"), "Choose how long the ban lasts: 1 day, 1 week or permanently."
        ),
    )
    # Checked by the service, which gives the message; far longer ones are refused here in its words.
    reason = TextField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}),
        error_messages={"max_length": "Give a reason for the ban, up to 500 characters."},
    )
    # Absent, as from a client that predates the choice, it is "network", as every ban was before.
    scope = forms.ChoiceField(
        choices=BAN_SCOPES, required=False, error_messages={"invalid_choice": "Choose whom the ban blocks."}
    )
    reject_pending = forms.BooleanField(required=False, label="Also reject their comments awaiting review")
    reject_reason = forms.ChoiceField(
        choices=RejectReason.choices,
        initial=RejectReason.OTHER,
        required=False,
        error_messages={"invalid_choice": "Choose a reason for rejecting their comments from the list."},
    )

    def ban_options(self) -> dict:
        """The service's keyword arguments beyond the participant and moderator."""
        data = self.cleaned_data
        return {
            "duration": data["duration"],
            "reason": data["reason"],
            "covers_network": data["scope"] != "participant",
            "reject_pending": data["reject_pending"],
            "reject_reason": data["reject_reason"] or RejectReason.OTHER,
        }


class NoteForm(forms.Form):
    body = TextField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}), label="Note")


class RuleForm(forms.Form):
    pattern = forms.CharField(max_length=400, label="Word or phrase")
    action = forms.ChoiceField(choices=WordRule.Action.choices, label="List")


class TryForm(forms.Form):
    text = TextField(
        max_length=20000, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}), label="Try a text", strip=False
    )
    debate = forms.ModelChoiceField(queryset=Debate.objects.order_by("-created_at"), empty_label=None)
    first_comment = forms.BooleanField(required=False, label="As a participant's first comment")


class DebateSettingsForm(forms.Form):
    premoderation = forms.ChoiceField(choices=Debate.Premoderation.choices, label="Pre-moderation")
    slow_mode_seconds = forms.IntegerField(min_value=0, max_value=86400, label="Slow mode (seconds between comments)")
    comments_open = forms.BooleanField(required=False, label="Comments are open")


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=64)
    actor = forms.CharField(required=False, max_length=254)
    target_type = forms.CharField(required=False, max_length=32)
    target_id = forms.CharField(required=False, max_length=64)
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From")
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To")


class VoidForm(forms.Form):
    debate = forms.IntegerField(min_value=1, max_value=MAX_ID)
    network_hash = forms.RegexField(regex=r"^[0-9a-f]{8,32}$")
    start = forms.DateTimeField()
    reason = TextField(max_length=500, required=False)

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start.year >= 9999:  # the hour it starts must end within the calendar
            raise forms.ValidationError("Choose an hour before the year 9999.")
        return start


class AppealForm(forms.Form):
    note = TextField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}), label="Why should we look again?"
    )
