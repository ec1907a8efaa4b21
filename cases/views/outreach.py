"""アウトリーチ: the attempts to reach a person not yet engaged. Failed attempts are kept and
shown like the others: they are the record that support kept trying."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from takatsuki_welfare.access import CaseScope
from takatsuki_welfare.audit import Action, log_access

from .. import services_support
from ..forms.outreach import OutreachForm
from ..models import Case, CasePerson, OutreachAttempt
from .case import _require_casework, _visible_case, outreach_summary


@require_GET
def outreach_list(request, number):
    _require_casework(request)
    case = _visible_case(request, number)
    attempts = (
        OutreachAttempt.objects.visible_to(request.user)
        .filter(case=case)
        .select_related("person", "recorded_by", "acting_hub")
        .order_by("-attempted_on", "-id")
    )
    page = Paginator(attempts, 50).get_page(request.GET.get("page"))
    log_access(request, Action.SEARCH, detail=f"outreach attempts of {case.number}")
    return render(
        request,
        "cases/outreach_list.html",
        {
            "case": case,
            "attempts": page.object_list,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "persons": CasePerson.objects.filter(case=case).select_related("person"),
            **outreach_summary(CaseScope.of(request.user, case)),
        },
    )


@require_http_methods(["GET", "POST"])
def outreach_create(request, number):
    _require_casework(request)
    case = _visible_case(request, number, Case.objects.select_related("lead_hub"))
    form = OutreachForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = services_support.outreach_record(
                actor=request.user, case=case, **form.attempt_fields()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            detail = f"outreach: {attempt.result}"
            if attempt.engagement_after:
                detail += f", engagement -> {attempt.engagement_after}"
            log_access(request, Action.CREATE, attempt, detail=detail)
            messages.success(request, _("The outreach attempt was recorded."))
            return redirect("cases:outreach_list", number=case.number)
    return render(request, "cases/outreach_form.html", {"case": case, "form": form})
