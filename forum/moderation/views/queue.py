"""The queue: tabs, one item per comment, single and bulk decisions."""

import functools
from http import HTTPStatus

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html_join
from django.views.decorators.http import require_POST, require_safe

from forum.debates.services import Refused

from ..forms import NETWORK_BAN_NOTE, BulkForm, DecisionForm
from ..models import BanDuration, RejectReason
from ..permissions import moderator_required
from ..queue import TABS, queue_page
from ..services import bans_for_comments, bans_lift_for_comments, comment_decide, comments_decide
from .common import back

# What a confirmation says was done to {what}: "comment #12", "3 comments", "2 authors".
_DONE = {
    "approve": "Approved {what}.",
    "reject": "Rejected {what}.",
    "spam": "Marked {what} as spam.",
    "ban": "Banned {what}.",
    "unban": "Lifted the bans of {what}.",
}


def _int(value, default=1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


_MARK = 987654321  # stands for the id in a URL reversed once per page


def _url_maker(name: str):
    """``reverse(name, args=[id])`` for many ids, at the cost of one reversal."""
    pattern = reverse(name, args=[_MARK])
    return lambda pk: pattern.replace(str(_MARK), str(pk))


@functools.cache
def _reason_options() -> dict[str, str]:
    """The reason menu of an item with each reason selected, made once per process."""
    return {
        reason: format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if value == reason else "", text) for value, text in RejectReason.choices),
        )
        for reason in RejectReason.values
    }


def render_queue(request, *, status=HTTPStatus.OK, bulk_form=None, error=None):
    page = queue_page(request.GET.get("tab", "pending"), _int(request.GET.get("page")))
    # After a decision the page comes back focused on the next item (or the previous one at the end).
    items = page.items
    # Ids and URLs as strings once here: the template would otherwise localise
    # each number and reverse each URL for every item of the page.
    urls = {name: _url_maker(f"moderation:{name}") for name in ("decide", "participant", "ban", "unban")}
    reason_options = _reason_options()
    for i, item in enumerate(items):
        neighbour = items[i + 1] if i + 1 < len(items) else (items[i - 1] if i else None)
        item.next_id = neighbour.pk if neighbour else None
        item.ref = str(item.pk)
        item.decide_url = urls["decide"](item.pk)
        if item.participant_id:
            item.author_ref = str(item.participant_id)
            for name in ("participant", "ban", "unban"):
                setattr(item, f"{name}_url", urls[name](item.participant_id))
        item.reason_options = reason_options[item.suggested_reason]
    # After a refused bulk action the same boxes stay ticked.
    selected = set(request.POST.getlist("ids")) if bulk_form is not None else set()
    return render(
        request,
        "moderation/queue.html",
        {
            "queue": page,
            "tabs": [(t, page.counts[t.key]) for t in TABS],
            "current_tab": next(t for t in TABS if t.key == page.tab),
            "reject_reasons": RejectReason.choices,
            "ban_durations": BanDuration.choices,
            "network_ban_note": NETWORK_BAN_NOTE,
            "bulk_form": bulk_form or BulkForm(),
            "selected": selected,
            "here": f"{reverse('moderation:queue')}?tab={page.tab}&page={page.page}",
            "error": error,
            "section": "queue",
        },
        status=status,
    )


@require_safe
@moderator_required
def queue(request):
    return render_queue(request)


@require_POST
@moderator_required
def decide(request, comment_id: int):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, reject or spam, and a reason when rejecting.")
        return back(request)
    try:
        comment_decide(
            comment_id=comment_id,
            moderator=request.user,
            decision=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _DONE[form.cleaned_data["action"]].format(what=f"comment #{comment_id}"))
    return back(request)


@require_POST
@moderator_required
def bulk(request):
    form = BulkForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(" ".join(errors) for errors in form.errors.values())
        return render_queue(request, status=HTTPStatus.BAD_REQUEST, bulk_form=form, error=problems)
    data = form.cleaned_data
    action = data["action"]
    try:
        if action == "ban":
            result = bans_for_comments(
                comment_ids=data["ids"],
                moderator=request.user,
                duration=data["duration"],
                reason=data["ban_reason"],
                covers_network=data["ban_scope"] != "participant",
            )
        elif action == "unban":
            result = bans_lift_for_comments(comment_ids=data["ids"], moderator=request.user)
        else:
            result = comments_decide(
                comment_ids=data["ids"], moderator=request.user, decision=action, reason=data["reason"]
            )
    except Refused as refused:
        return render_queue(request, status=refused.status, bulk_form=form, error=refused.message)
    if not result.done and result.refused:
        # Nothing happened: keep the selection and the moderator's text on screen.
        return render_queue(request, status=HTTPStatus.BAD_REQUEST, bulk_form=form, error=" ".join(result.refused))
    noun = "author" if action in ("ban", "unban") else "comment"
    messages.success(request, _DONE[action].format(what=f"{result.done} {noun}{'' if result.done == 1 else 's'}"))
    for problem in result.refused[:10]:
        messages.warning(request, problem)
    return back(request)
