"""Banned and suspect words, edited in the app, and the "try a text" box."""

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from forum.debates.models import Debate, WordRule
from forum.debates.services import Refused

from ..forms import RuleForm, TryForm
from ..permissions import moderator_required
from ..rules import explain, thresholds
from ..services import rule_create, rule_delete


def render_rules(request, *, status=HTTPStatus.OK, rule_form=None, try_form=None, explanation=None, error=""):
    rules = list(WordRule.objects.order_by("pattern"))
    return render(
        request,
        "moderation/rules.html",
        {
            "banned": [r for r in rules if r.action == WordRule.Action.REJECT],
            "suspect": [r for r in rules if r.action == WordRule.Action.HOLD],
            "rule_form": rule_form or RuleForm(),
            "try_form": try_form or TryForm(initial={"debate": Debate.objects.featured()}),
            "explanation": explanation,
            "limits": thresholds(),
            "error": error,
            "section": "rules",
        },
        status=status,
    )


@require_safe
@moderator_required
def rules(request):
    return render_rules(request)


@require_POST
@moderator_required
def rule_add(request):
    form = RuleForm(request.POST)
    if not form.is_valid():
        return render_rules(
            request, status=HTTPStatus.BAD_REQUEST, rule_form=form, error="Write a word and pick a list."
        )
    try:
        rule = rule_create(
            pattern=form.cleaned_data["pattern"], action=form.cleaned_data["action"], moderator=request.user
        )
    except Refused as refused:
        return render_rules(request, status=refused.status, rule_form=form, error=refused.message)
    messages.success(request, f"Added “{rule.pattern}” to the {rule.get_action_display().lower()} list.")
    return HttpResponseRedirect(reverse("moderation:rules"))


@require_POST
@moderator_required
def rule_remove(request, rule_id: int):
    try:
        rule_delete(rule_id=rule_id, moderator=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Removed the word from its list.")
    return HttpResponseRedirect(reverse("moderation:rules"))


@require_POST
@moderator_required
def rule_try(request):
    form = TryForm(request.POST)
    if not form.is_valid():
        return render_rules(
            request, status=HTTPStatus.BAD_REQUEST, try_form=form, error="Paste a text to try and pick a debate."
        )
    explanation = explain(
        form.cleaned_data["text"], form.cleaned_data["debate"], first_comment=form.cleaned_data["first_comment"]
    )
    return render_rules(request, try_form=form, explanation=explanation)
