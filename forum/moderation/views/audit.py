"""The audit log: filter it, page through it, export what the filter shows."""

from http import HTTPStatus

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from forum.lib.forms import problems

from ..audit import AUDIT_COLUMNS, audit_record, audit_rows, csv_lines
from ..forms import AuditFilterForm
from ..models import AuditEntry
from ..permissions import moderator_required


def _filtered(request):
    """The form, and the entries its filters select: none while a filter is not
    valid, rather than the whole log under a filter the moderator believes applies."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, AuditEntry.objects.none()
    filters = form.cleaned_data if form.is_bound else {}
    return form, AuditEntry.objects.filtered(**{k: v for k, v in filters.items() if v})


@require_safe
@moderator_required
def audit(request):
    form, entries = _filtered(request)
    status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    page = Paginator(entries.select_related("actor"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "problems": problems(form, labelled=True),
        "page": page,
        "query": query.urlencode(),
        "section": "audit",
    }
    return render(request, "moderation/audit.html", context, status=status)


@require_GET  # not HEAD: every export is written to the audit log
@moderator_required
def audit_export(request, fmt: str):
    form, entries = _filtered(request)
    if form.errors:  # never the whole log for a filter that did not apply
        message = f"The filters are not valid. {problems(form, labelled=True)}"
        if fmt == "json":
            return JsonResponse({"error": "invalid", "message": message, "fields": form.errors}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    audit_record(
        action="audit.export",
        actor=request.user,
        details={"format": fmt, "filters": {k: str(v) for k, v in request.GET.items() if k in form.fields and v}},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "json":
        response = JsonResponse(
            {
                "columns": AUDIT_COLUMNS,
                "entries": [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in audit_rows(entries)],
            }
        )
    else:
        response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.{fmt}"'
    return response
