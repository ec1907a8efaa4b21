"""During and after a conference (会議): attendance, the wall-screen page of each agenda case with
its minutes form and action items, the minutes (会議録) with their approval, and the A4 print.

Everything is loaded through ``visible_to``: a 支援会議 stays with the hubs that attended it (and
the convening hub's manager). The convening hub writes the minutes; services_conference enforces
who may do what and when.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from referrals.models import ACTIVE, OPEN
from takatsuki_welfare.access import CaseScope
from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from .. import services_conference
from ..ecomap import build_ecomap
from ..forms.meeting import (
    ActionItemForm,
    AttendanceForm,
    CorrectForm,
    MinutesItemForm,
    ReturnForm,
    VersionForm,
)
from ..models import (
    ActionItem,
    AgendaItem,
    Case,
    Conference,
    HouseholdFlag,
    LegalType,
    MinutesVersion,
    PlanAction,
    SupportPlan,
)
from .common import casework_membership as _casework
from .conference import visible_conference as _conference

Status = Conference.Status
RECENT_RECORDS = 5


def _item(request, pk):
    _casework(request)
    items = AgendaItem.objects.visible_to(request.user).select_related(
        "conference__meeting_type", "conference__convening_hub", "case", "endorsed_plan"
    )
    return get_object_or_404(items, pk=pk)


def _at_convening_hub(request, conference):
    return request.membership.hub_id == conference.convening_hub_id


def _may_write_minutes(request, conference):
    return conference.minutes_editable and _at_convening_hub(request, conference)


def _refuse_minutes(request, item):
    messages.error(request, _("These minutes are not open for writing by your hub."))
    return redirect("cases:meeting_item", pk=item.pk)


def _is_safe_next(request, url):
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _error_text(exc):
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# Attendance --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_attendance(request, pk):
    """Record who came; this opens the minutes. Correctable while the meeting is 開催済."""
    conference = _conference(request, pk)
    may_write = _at_convening_hub(request, conference) and conference.status in (
        Status.PLANNED,
        Status.HELD,
    )
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        conference=conference,
        initial={"version": conference.version},
    )
    status = 200
    if request.method == "POST":
        if not may_write:
            messages.error(request, _("The attendance of this meeting is not open to your hub."))
            return redirect("cases:meeting_attendance", pk=conference.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services_conference.conference_hold(
                    actor=request.user,
                    conference=conference,
                    expected_version=data["version"],
                    present_hubs=data["present_hubs"],
                    present_attendees=data["present_attendees"],
                    acknowledged=data.get("acknowledged") or (),
                )
            except EditConflict as exc:
                form.add_error(None, exc.message)
                status = 409
            except (ValidationError, PermissionDenied) as exc:
                form.add_error(None, _error_text(exc))
            else:
                log_access(request, Action.UPDATE, conference, detail="attendance recorded")
                messages.success(request, _("The attendance was recorded."))
                first = conference.agenda_items.order_by("order", "id").first()
                if first is None:
                    return redirect("cases:minutes", pk=conference.pk)
                return redirect("cases:meeting_item", pk=first.pk)
        elif "version" in form.errors:
            form.add_error(None, EditConflict.message)
            status = 409
    hub_links = list(conference.hub_links.select_related("hub"))
    attendees = list(conference.attendees.select_related("user", "hub"))
    checked_hubs = form.checked(
        "present_hubs", [link.hub_id for link in hub_links if link.present is not False]
    )
    checked_attendees = form.checked(
        "present_attendees", [a.pk for a in attendees if a.present is not False]
    )
    checked_ack = form.checked(
        "acknowledged", [a.pk for a in attendees if a.confidentiality_acknowledged_at]
    )
    for link in hub_links:
        link.is_convener = link.hub_id == conference.convening_hub_id
        link.checked = link.is_convener or str(link.hub_id) in checked_hubs
    for attendee in attendees:
        attendee.checked = str(attendee.pk) in checked_attendees
        attendee.ack_checked = str(attendee.pk) in checked_ack
    log_access(request, Action.VIEW, conference, detail="attendance")
    return render(
        request,
        "cases/meeting_attendance.html",
        {
            "conference": conference,
            "form": form,
            "hub_links": hub_links,
            "attendees": attendees,
            "may_write": may_write,
        },
        status=status,
    )


# The meeting screen (one agenda case) ------------------------------------------------------


def _agenda(request, item):
    """The agenda as the user may see it, each entry marked current / minuted."""
    agenda = list(
        AgendaItem.objects.visible_to(request.user)
        .filter(conference_id=item.conference_id)
        .select_related("case")
        .order_by("order", "id")
    )
    for entry in agenda:
        entry.is_current = entry.pk == item.pk
        entry.is_minuted = bool(entry.summary or entry.decisions)
    return agenda


def _neighbours(agenda, item):
    index = next((i for i, entry in enumerate(agenda) if entry.pk == item.pk), None)
    if index is None:
        return None, None
    previous = agenda[index - 1] if index > 0 else None
    following = agenda[index + 1] if index + 1 < len(agenda) else None
    return previous, following


def _case_summary(request, item):
    """What the meeting sees of the case, each part through the access policy's scope of the
    case; None when the user's hub does not see the case (e.g. a 支援会議 attendee not
    involved in it)."""
    scope = CaseScope.get(
        request.user,
        Case.objects.select_related("lead_hub", "main_worker", "household"),
        pk=item.case_id,
    )
    if scope is None:
        return None
    case = scope.case
    plan = (
        scope.plans()
        .order_by("-number")
        .prefetch_related(
            Prefetch("goals__actions", queryset=PlanAction.objects.select_related("hub"))
        )
        .first()
    )
    conference = item.conference
    ecomap = build_ecomap(scope)
    return {
        "case": case,
        "members": ecomap["members"],
        "flags": HouseholdFlag.objects.filter(
            household_id=case.household_id, ended_on__isnull=True
        ).select_related("kind"),
        "plan": plan,
        "records": scope.records()
        .current()
        .select_related("contact_type", "acting_hub", "author")
        .order_by("-occurred_at", "-id")[:RECENT_RECORDS],
        "referrals": scope.referrals()
        .filter(status__in=[*OPEN, *ACTIVE])
        .select_related("from_hub", "to_hub")
        .order_by("sent_at", "id"),
        "earlier_actions": scope.action_items()
        .open()
        .filter(agenda_item__conference__starts_at__lt=conference.starts_at)
        .exclude(agenda_item__conference=conference)
        .select_related("owner_hub", "agenda_item__conference__meeting_type")
        .order_by("due_on", "id"),
        "plan_actions": PlanAction.objects.open()
        .in_force()
        .filter(goal__plan__in=scope.plans())
        .select_related("hub")
        .order_by("due_on", "id"),
        "ecomap": ecomap,
    }


def _plans_to_endorse(request, item):
    """This case's plans under discussion, at a 重層的支援会議 only (None: no select)."""
    if item.conference.meeting_type.legal_type != LegalType.MULTI_LAYERED:
        return None
    return (
        SupportPlan.objects.visible_to(request.user)
        .filter(case_id=item.case_id, status=SupportPlan.Status.DISCUSSING)
        .order_by("-number")
    )


def _render_item(request, item, *, minutes_form=None, action_form=None, status=200):
    conference = item.conference
    agenda = _agenda(request, item)
    previous, following = _neighbours(agenda, item)
    summary = _case_summary(request, item)
    attending = services_conference.attending_hubs(conference)
    consent = None
    if conference.meeting_type.needs_consent and summary is not None:
        consent = services_conference.consent_check(
            case=summary["case"],
            hubs=attending,
            on_date=timezone.localdate(conference.starts_at),
        )
    log_access(
        request,
        Action.VIEW,
        summary["case"] if summary else item,
        detail=f"meeting screen, conference {conference.pk}",
    )
    context = {
        "conference": conference,
        "item": item,
        "agenda": agenda,
        "previous": previous,
        "following": following,
        "summary": summary,
        "consent": consent,
        "may_write": _may_write_minutes(request, conference),
        # Whoever sees the case sees its agenda items, but the minutes only if at the meeting.
        "conference_visible": Conference.objects.visible_to(request.user)
        .filter(pk=conference.pk)
        .exists(),
        "minutes_form": minutes_form
        or MinutesItemForm(item=item, plans=_plans_to_endorse(request, item)),
        "action_form": action_form or ActionItemForm(attending=attending),
        "actions": ActionItem.objects.visible_to(request.user)
        .filter(agenda_item=item)
        .select_related("owner_hub")
        .order_by("due_on", "id"),
        "today": timezone.localdate(),
    }
    return render(request, "cases/meeting_item.html", context, status=status)


@require_http_methods(["GET", "POST"])
def meeting_item(request, pk):
    """The wall-screen page of one agenda case; POST saves its minutes."""
    item = _item(request, pk)
    if request.method == "GET":
        return _render_item(request, item)
    if not _may_write_minutes(request, item.conference):
        return _refuse_minutes(request, item)
    form = MinutesItemForm(request.POST, item=item, plans=_plans_to_endorse(request, item))
    status = 200
    if form.is_valid():
        try:
            services_conference.agenda_item_record(
                actor=request.user, item=item, **form.service_fields()
            )
        except EditConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        else:
            log_access(request, Action.UPDATE, item, detail="minutes of an agenda case")
            messages.success(request, _("The minutes of this case were saved."))
            if "save_next" in request.POST:
                following = _neighbours(_agenda(request, item), item)[1]
                if following is None:
                    return redirect("cases:minutes", pk=item.conference_id)
                return redirect("cases:meeting_item", pk=following.pk)
            return redirect("cases:meeting_item", pk=item.pk)
    elif "version" in form.errors:
        form.add_error(None, EditConflict.message)
        status = 409
    return _render_item(request, item, minutes_form=form, status=status)


@require_POST
def meeting_action_add(request, pk):
    item = _item(request, pk)
    if not _may_write_minutes(request, item.conference):
        return _refuse_minutes(request, item)
    form = ActionItemForm(
        request.POST, attending=services_conference.attending_hubs(item.conference)
    )
    if form.is_valid():
        try:
            action = services_conference.action_item_add(
                actor=request.user, item=item, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            log_access(request, Action.CREATE, action, detail=f"agenda item {item.pk}")
            messages.success(request, _("The action item was added."))
            return redirect(reverse("cases:meeting_item", args=[item.pk]) + "#actions")
    return _render_item(request, item, action_form=form)


@require_POST
def action_item_done(request, pk):
    """The owner hub (or the convener) marks a meeting's task done; back to ``next``."""
    _casework(request)
    actions = ActionItem.objects.visible_to(request.user).select_related("agenda_item__conference")
    action = get_object_or_404(actions, pk=pk)
    if action.done_on is not None:
        messages.info(request, _("This action item is already marked done."))
    else:
        try:
            services_conference.action_item_done(actor=request.user, action=action)
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, _error_text(exc))
        else:
            log_access(request, Action.UPDATE, action, detail="action item done")
            messages.success(request, _("The action item was marked done."))
    next_url = request.POST.get("next", "")
    if _is_safe_next(request, next_url):
        return redirect(next_url)
    return redirect("cases:meeting_item", pk=action.agenda_item_id)


# Minutes (会議録) ----------------------------------------------------------------------------


def _minutes_context(request, conference):
    user = request.user
    items = list(
        AgendaItem.objects.visible_to(user)
        .filter(conference=conference)
        .select_related("case", "endorsed_plan")
        .prefetch_related(
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related("owner_hub").order_by("due_on", "id"),
            )
        )
        .order_by("order", "id")
    )
    endorsed = [i.endorsed_plan_id for i in items if i.endorsed_plan_id]
    visible_plans = set(
        SupportPlan.objects.visible_to(user).filter(pk__in=endorsed).values_list("pk", flat=True)
        if endorsed
        else ()
    )
    for item in items:
        item.plan_visible = item.endorsed_plan_id in visible_plans
    versions = list(conference.minutes_versions.select_related("approved_by").order_by("number"))
    membership = request.membership
    at_hub = membership.hub_id == conference.convening_hub_id
    return {
        "conference": conference,
        "hub_links": conference.hub_links.select_related("hub"),
        "attendees": conference.attendees.select_related("user", "hub"),
        "items": items,
        "versions": versions,
        "approval": versions[-1] if versions and conference.status == Status.APPROVED else None,
        "editable": conference.minutes_editable,
        "may_submit": at_hub and conference.minutes_editable,
        "may_decide": at_hub and membership.is_manager and conference.status == Status.SUBMITTED,
        "may_correct": at_hub and conference.status == Status.APPROVED,
        "may_write": _may_write_minutes(request, conference),
    }


def _render_minutes(request, conference, *, status=200, **forms):
    context = _minutes_context(request, conference)
    initial = {"version": conference.version}
    context["step_form"] = forms.get("step_form") or VersionForm(initial=initial)
    context["return_form"] = forms.get("return_form") or ReturnForm(initial=initial)
    context["correct_form"] = forms.get("correct_form") or CorrectForm(initial=initial)
    log_access(request, Action.VIEW, conference, detail="minutes")
    return render(request, "cases/minutes_detail.html", context, status=status)


@require_GET
def minutes(request, pk):
    return _render_minutes(request, _conference(request, pk))


def _minutes_step(request, pk, service, form_class, *, form_name, detail, success, fields=()):
    """Run one approval step on the version the user saw; errors re-render the minutes."""
    conference = _conference(request, pk)
    form = form_class(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            service(
                actor=request.user,
                conference=conference,
                expected_version=data["version"],
                **{name: data[name] for name in fields},
            )
        except EditConflict as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        else:
            log_access(request, Action.UPDATE, conference, detail=detail)
            messages.success(request, success)
            return redirect("cases:minutes", pk=conference.pk)
    elif "version" in form.errors:
        form.add_error(None, EditConflict.message)
        status = 409
    return _render_minutes(request, conference, status=status, **{form_name: form})


@require_POST
def minutes_submit(request, pk):
    return _minutes_step(
        request, pk, services_conference.minutes_submit, VersionForm,
        form_name="step_form", detail="minutes submitted for approval",
        success=_("The minutes were submitted for approval."),
    )  # fmt: skip


@require_POST
def minutes_approve(request, pk):
    return _minutes_step(
        request, pk, services_conference.minutes_approve, VersionForm,
        form_name="step_form", detail="minutes approved",
        success=_("The minutes were approved. They are now read-only."),
    )  # fmt: skip


@require_POST
def minutes_return(request, pk):
    return _minutes_step(
        request, pk, services_conference.minutes_return, ReturnForm,
        form_name="return_form", detail="minutes returned", fields=("comment",),
        success=_("The minutes were returned with your comment."),
    )  # fmt: skip


@require_POST
def minutes_correct(request, pk):
    return _minutes_step(
        request, pk, services_conference.minutes_correct, CorrectForm,
        form_name="correct_form", detail="minutes opened for a correction", fields=("reason",),
        success=_("A new revision of the minutes was opened for the correction."),
    )  # fmt: skip


@require_GET
def minutes_version(request, pk, number):
    """An approved revision exactly as it was approved (its stored snapshot)."""
    conference = _conference(request, pk)
    version = get_object_or_404(
        MinutesVersion.objects.select_related("approved_by", "correction_requested_by"),
        conference=conference,
        number=number,
    )
    content = version.content
    try:
        starts_at = datetime.datetime.fromisoformat(content.get("starts_at", ""))
    except ValueError:
        starts_at = None
    log_access(request, Action.VIEW, conference, detail=f"approved minutes r{number}")
    return render(
        request,
        "cases/minutes_version.html",
        {
            "conference": conference,
            "version": version,
            "content": content,
            "starts_at": starts_at,
        },
    )


@require_GET
def minutes_print(request, pk):
    conference = _conference(request, pk)
    context = _minutes_context(request, conference)
    context["today"] = timezone.localdate()
    log_access(request, Action.EXPORT, conference, detail="minutes printed")
    return render(request, "cases/minutes_print.html", context)
