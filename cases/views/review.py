"""The manager's review queue (承認待ち): minutes awaiting approval, plans awaiting endorsement
and closure requests of the manager's hub, each approved or returned with a comment in one place.

Only managers reach it; other roles get 404. Items load through ``visible_to`` and the hub's own
scope (convened by it, or cases it leads), so another hub's item is a 404 too.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from takatsuki_welfare import dashboard
from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from .. import services, services_conference, services_support
from ..models import Case, ClosureRequest, Conference, SupportPlan

APPROVE, RETURN = "approve", "return"


class DecisionForm(forms.Form):
    """Approve: only the version the manager saw (none for a closure request)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, versioned=True, **kwargs):
        super().__init__(*args, **kwargs)
        if versioned:
            self.fields["version"].required = True
        else:
            del self.fields["version"]


class ReturnForm(DecisionForm):
    comment = forms.CharField(
        label=gettext_lazy("Comment: what needs changing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Please write what needs changing.")},
    )


FORMS = {APPROVE: DecisionForm, RETURN: ReturnForm}


def _manager(request):
    membership = request.membership
    if membership is None or not membership.is_manager:
        raise Http404
    return membership


def _form(key, item, kind, data=None):
    versioned = key != "closures"
    initial = {"version": item.version} if versioned else {}
    return FORMS[kind](
        data, initial=initial, versioned=versioned, auto_id=f"id_{key}{item.pk}_{kind}_%s"
    )


def _sections(request, hub):
    user = request.user
    minutes = dashboard.minutes_awaiting_approval(user, hub).annotate(
        case_count=Count("agenda_items")
    )
    return [
        {
            "key": "minutes",
            "title": _("Minutes awaiting approval"),
            "empty": _("No minutes are awaiting approval."),
            "items": list(minutes),
            "approve_url": "cases:review_minutes_approve",
            "return_url": "cases:review_minutes_return",
        },
        {
            "key": "plans",
            "title": _("Support plans awaiting endorsement"),
            "empty": _("No support plan is awaiting endorsement."),
            "items": list(dashboard.plans_awaiting_endorsement(user, hub)),
            "approve_url": "cases:review_plan_endorse",
            "return_url": "cases:review_plan_return",
        },
        {
            "key": "closures",
            "title": _("Closure requests"),
            "empty": _("No closure request is waiting."),
            "items": list(dashboard.closures_pending(user, hub)),
            "approve_url": "cases:review_closure_approve",
            "return_url": "cases:review_closure_return",
        },
    ]


def _current(key, item, kind, form):
    """After a conflict: what was typed, the error, and the version now shown on the page."""
    data = form.data.copy()
    data["version"] = item.version
    again = _form(key, item, kind, data)
    again.add_error(None, EditConflict.message)
    return again


def _render_queue(request, membership, *, failed=None, conflict=False):
    """The queue; ``failed`` = (key, pk, kind, form) is a decision shown again with its errors."""
    sections = _sections(request, membership.hub)
    shown = False
    for section in sections:
        key = section["key"]
        for item in section["items"]:
            item.approve_form = _form(key, item, APPROVE)
            item.return_form = _form(key, item, RETURN)
            if failed and (key, item.pk) == failed[:2]:
                kind, form = failed[2:]
                setattr(item, f"{kind}_form", _current(key, item, kind, form) if conflict else form)
                shown = True
    if failed and not shown:  # decided meanwhile: it left the queue
        form = failed[3]
        errors = form.non_field_errors() or [e for el in form.errors.values() for e in el]
        messages.error(request, " ".join(errors))
    log_access(request, Action.SEARCH, detail="review queue")
    return render(
        request,
        "cases/review_queue.html",
        {"sections": sections, "hub": membership.hub},
        status=409 if conflict else 200,
    )


@require_GET
def review_queue(request):
    return _render_queue(request, _manager(request))


def _decide(request, membership, key, item, kind, decide, *, log_object, detail, success):
    """Validate the inline form, run the service, and show the queue again on an error."""
    form = _form(key, item, kind, request.POST)
    conflict = False
    if not form.is_valid():
        conflict = "version" in form.errors
        if conflict:
            form.add_error(None, EditConflict.message)
    else:
        try:
            decide(form.cleaned_data)
        except EditConflict as exc:
            form.add_error(None, exc.message)
            conflict = True
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.UPDATE, log_object, detail=detail)
            messages.success(request, success)
            return redirect(f"{reverse('cases:review_queue')}#{key}")
    failed = (key, item.pk, kind, form)
    return _render_queue(request, membership, failed=failed, conflict=conflict)


# Minutes (会議録) ----------------------------------------------------------------------------


def _conference(request, membership, pk):
    conferences = Conference.objects.visible_to(request.user).filter(
        convening_hub_id=membership.hub_id
    )
    return get_object_or_404(conferences.select_related("meeting_type"), pk=pk)


@require_POST
def review_minutes_approve(request, pk):
    membership = _manager(request)
    conference = _conference(request, membership, pk)
    return _decide(
        request, membership, "minutes", conference, APPROVE,
        lambda data: services_conference.minutes_approve(
            actor=request.user, conference=conference, expected_version=data["version"]
        ),
        log_object=conference, detail="minutes approved (review queue)",
        success=_("The minutes were approved."),
    )  # fmt: skip


@require_POST
def review_minutes_return(request, pk):
    membership = _manager(request)
    conference = _conference(request, membership, pk)
    return _decide(
        request, membership, "minutes", conference, RETURN,
        lambda data: services_conference.minutes_return(
            actor=request.user, conference=conference, comment=data["comment"],
            expected_version=data["version"],
        ),
        log_object=conference, detail="minutes returned (review queue)",
        success=_("The minutes were returned with your comment."),
    )  # fmt: skip


# Support plans -----------------------------------------------------------------------------


def _plan(request, membership, pk):
    plans = SupportPlan.objects.visible_to(request.user).filter(case__lead_hub_id=membership.hub_id)
    return get_object_or_404(plans.select_related("case", "previous"), pk=pk)


@require_POST
def review_plan_endorse(request, pk):
    membership = _manager(request)
    plan = _plan(request, membership, pk)
    replaced = plan.previous if plan.previous and plan.previous.status == "endorsed" else None
    response = _decide(
        request, membership, "plans", plan, APPROVE,
        lambda data: services_support.plan_endorse(
            actor=request.user, plan=plan, expected_version=data["version"]
        ),
        log_object=plan, detail="plan: discussing -> endorsed (review queue)",
        success=_("The plan was endorsed (支援決定)."),
    )  # fmt: skip
    if replaced is not None:
        replaced.refresh_from_db(fields=["status"])
        if replaced.status == SupportPlan.Status.ENDED:
            log_access(request, Action.UPDATE, replaced, detail="plan: replaced by a new version")
    return response


@require_POST
def review_plan_return(request, pk):
    membership = _manager(request)
    plan = _plan(request, membership, pk)
    return _decide(
        request, membership, "plans", plan, RETURN,
        lambda data: services_support.plan_return(
            actor=request.user, plan=plan, comment=data["comment"],
            expected_version=data["version"],
        ),
        log_object=plan, detail="plan: discussing -> draft, returned (review queue)",
        success=_("The plan was returned to its drafter with your comment."),
    )  # fmt: skip


# Closure requests --------------------------------------------------------------------------


def _closure(request, membership, pk):
    closures = ClosureRequest.objects.filter(
        case__in=Case.objects.visible_to(request.user), case__lead_hub_id=membership.hub_id
    )
    return get_object_or_404(closures.select_related("case"), pk=pk)


@require_POST
def review_closure_approve(request, pk):
    membership = _manager(request)
    closure = _closure(request, membership, pk)
    return _decide(
        request, membership, "closures", closure, APPROVE,
        lambda data: services.closure_approve(actor=request.user, request=closure),
        log_object=closure.case, detail="closure approved (review queue)",
        success=_("Case %(number)s is closed.") % {"number": closure.case},
    )  # fmt: skip


@require_POST
def review_closure_return(request, pk):
    membership = _manager(request)
    closure = _closure(request, membership, pk)
    return _decide(
        request, membership, "closures", closure, RETURN,
        lambda data: services.closure_return(
            actor=request.user, request=closure, comment=data["comment"]
        ),
        log_object=closure.case, detail="closure returned (review queue)",
        success=_("The request for %(number)s was returned.") % {"number": closure.case},
    )  # fmt: skip
