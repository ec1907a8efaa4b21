"""Case screens: list, detail, stage changes, closure (request and decision), edit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    Min,
    OuterRef,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_filters.views import FilterView

from referrals.models import ReferralEvent
from takatsuki_welfare.access import CaseScope
from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict
from takatsuki_welfare.models import AccessLog, Code, CodeList

from .. import services
from ..ecomap import build_ecomap
from ..filters import CaseFilter
from ..forms.case import CaseEditForm, ClosureDecisionForm, ClosureRequestForm, StageChangeForm
from ..models import (
    Case,
    CaseHub,
    CasePerson,
    ClosureRequest,
    Conference,
    HouseholdFlag,
    OutreachAttempt,
    StageChange,
    SupportPlan,
)

SORTABLE_COLUMNS = ("number", "opened", "stage", "last_contact")


def _require_casework(request):
    """Corner volunteers (and users acting nowhere) never reach case pages."""
    membership = request.membership
    if membership is None or not membership.does_casework:
        raise Http404


def _visible_case(request, number, queryset=None):
    queryset = Case.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(request.user), number=number)


# List --------------------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """Counts at most ``cap`` + 1 rows: beyond that the exact number does not help anyone."""

    cap = 1000

    @cached_property
    def count(self):
        return self.object_list.order_by()[: self.cap + 1].count()

    @property
    def capped(self):
        return self.count > self.cap


def _sort_links(request):
    current = request.GET.get("ordering", "")
    links = {}
    for column in SORTABLE_COLUMNS:
        params = request.GET.copy()
        params.pop("page", None)
        params["ordering"] = f"-{column}" if current == column else column
        direction = {column: "ascending", f"-{column}": "descending"}.get(current, "")
        links[column] = {"url": f"?{params.urlencode()}", "direction": direction}
    return links


class CaseListView(FilterView):
    filterset_class = CaseFilter
    template_name = "cases/case_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user, listing=True).for_list()

    def get(self, request, *args, **kwargs):
        _require_casework(request)
        response = super().get(request, *args, **kwargs)
        log_access(request, Action.SEARCH, detail=request.GET.urlencode())
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sort"] = _sort_links(self.request)
        return context


case_list = CaseListView.as_view()


# Detail ------------------------------------------------------------------------------------


def _detail_queryset():
    return Case.objects.select_related(
        "household__area",
        "household__housing",
        "household__household_type",
        "lead_hub",
        "main_worker",
        "closure_reason",
    ).prefetch_related(
        "fields",
        "concerns",
        "projects",
        Prefetch(
            "hub_links", queryset=CaseHub.objects.select_related("hub").order_by("joined_on", "id")
        ),
        Prefetch(
            "case_persons", queryset=CasePerson.objects.select_related("person__relationship")
        ),
        Prefetch(
            "stage_changes", queryset=StageChange.objects.select_related("changed_by", "acting_hub")
        ),
    )


def _existence_signals(scope):
    """Fields of the household's other cases the user may not see: never their content.

    A household has a few cases: each is checked on its own (per row) rather than against
    every case the user sees. The codes are read only if hidden cases have fields (``pk__in``
    an empty list runs no query).
    """
    hidden = scope.hidden_household_cases().order_by()
    hidden_fields = list(hidden.values_list("fields", flat=True))
    if not hidden_fields:
        return []
    field_ids = {pk for pk in hidden_fields if pk is not None}
    fields = Code.objects.filter(code_list=CodeList.FIELD, pk__in=field_ids).order_by("order", "id")
    return list(fields) or [None]


def outreach_summary(scope):
    """How long outreach has gone on and how the attempts ended (case page, outreach list)."""
    rows = list(
        scope.outreach()
        .order_by()
        .values("result")
        .annotate(n=Count("id"), first=Min("attempted_on"))
    )
    first_on = min((row["first"] for row in rows), default=None)
    counts = {row["result"]: row["n"] for row in rows}
    return {
        "first_attempt_on": first_on,
        "days_since_first": (timezone.localdate() - first_on).days if first_on else None,
        "attempt_count": sum(counts.values()),
        "by_result": [
            (label, counts[value])
            for value, label in OutreachAttempt.Result.choices
            if value in counts
        ],
    }


def _plan_summary(scope):
    """The newest plan version and, while a newer draft is discussed, the one still in force."""
    plans = list(scope.plans().order_by("-number"))
    current = plans[0] if plans else None
    in_force = next((p for p in plans if p.status == SupportPlan.Status.ENDORSED), None)
    return {"current_plan": current, "plan_in_force": in_force if in_force != current else None}


def _meetings(scope):
    """The case's meetings the user may know of (a 支援会議 only for its attendees, see access).

    ``conference_visible`` says whether the conference itself may be opened: a case's agenda
    items are also seen by whoever sees the case, the conference only by its attendees.
    """
    visible = Conference.objects.visible_to(scope.user).filter(pk=OuterRef("conference_id"))
    return (
        scope.agenda_items()
        .select_related("conference__meeting_type", "endorsed_plan")
        .annotate(conference_visible=Exists(visible))
        .order_by("-conference__starts_at", "-id")
    )


def _detail_context(request, case):
    """The case page's data: ``case`` came through ``visible_to``, the rest from its scope."""
    scope = CaseScope.of(request.user, case)
    household = case.household
    membership = request.membership
    latest_request = (
        case.closure_requests.select_related("closure_reason", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")
        .first()
    )
    # Read once for the chain and the ecomap, which reuses what is prefetched on the case.
    prefetch_related_objects(
        [case],
        Prefetch(
            "referrals",
            queryset=scope.referrals()
            .select_related("from_hub", "to_hub", "sender", "person")
            .prefetch_related(
                Prefetch(
                    "events", queryset=ReferralEvent.objects.select_related("actor", "acting_hub")
                )
            )
            .order_by("sent_at", "id"),
        ),
    )
    ecomap = build_ecomap(scope)
    return {
        "case": case,
        "household": household,
        # The ecomap has read the household's members the user may see, in the list's order.
        "members": ecomap["members"],
        "flags": HouseholdFlag.objects.filter(household=household)
        .select_related("kind", "judged_by")
        .prefetch_related("persons"),
        "signals": _existence_signals(scope),
        # An intake has at most one main concern: joined rather than prefetched (``main_item``
        # is left unset on an intake without one).
        "intakes": scope.intakes()
        .annotate(
            main_item=FilteredRelation("concern_items", condition=Q(concern_items__is_main=True))
        )
        .select_related("hub", "channel", "route", "main_item__concern"),
        "consents": scope.consents().select_related("person").prefetch_related("hubs"),
        "latest_request": latest_request,
        "referrals": case.referrals.all(),
        "is_lead_manager": membership.is_manager and membership.hub_id == case.lead_hub_id,
        "recent_attempts": scope.outreach()
        .select_related("person", "recorded_by", "acting_hub")
        .order_by("-attempted_on", "-id")[:5],
        "meetings": _meetings(scope),
        "ecomap": ecomap,
        **outreach_summary(scope),
        **_plan_summary(scope),
    }


def _render_detail(request, case, *, stage_form=None, status=200):
    log_access(request, Action.VIEW, case)
    context = _detail_context(request, case)
    context["stage_form"] = stage_form or StageChangeForm(case=case)
    return render(request, "cases/case_detail.html", context, status=status)


def case_detail(request, number):
    _require_casework(request)
    case = _visible_case(request, number, _detail_queryset())
    return _render_detail(request, case)


@require_POST
def case_stage(request, number):
    _require_casework(request)
    case = _visible_case(request, number)
    form = StageChangeForm(request.POST, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.case_change_stage(
                actor=request.user,
                case=case,
                to_stage=data["to_stage"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except EditConflict as exc:
            # The page is shown again with the current state; the typed reason is kept.
            messages.error(request, exc.message)
            case = _visible_case(request, number, _detail_queryset())
            form = StageChangeForm(
                case=case, initial={"to_stage": data["to_stage"], "reason": data["reason"]}
            )
            return _render_detail(request, case, stage_form=form, status=409)
        except ValidationError as exc:
            form.add_error("to_stage", exc)
        else:
            log_access(
                request,
                Action.UPDATE,
                case,
                detail=f"stage: {change.from_stage or '-'} -> {change.to_stage}",
            )
            messages.success(
                request, _("The stage is now %(stage)s.") % {"stage": case.get_stage_display()}
            )
            return redirect("cases:case_detail", number=case.number)
    case = _visible_case(request, number, _detail_queryset())
    return _render_detail(request, case, stage_form=form)


# Closure -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def case_closure_request(request, number):
    _require_casework(request)
    case = _visible_case(request, number)
    pending = case.closure_requests.filter(status=ClosureRequest.Status.PENDING)
    if case.is_closed or pending.exists():
        messages.info(request, _("This case is closed or already awaiting a closure decision."))
        return redirect("cases:case_detail", number=case.number)
    form = ClosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_request(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            log_access(request, Action.UPDATE, case, detail="closure requested")
            messages.success(request, _("Closure requested. A manager of the lead hub decides."))
            return redirect("cases:case_detail", number=case.number)
    return render(request, "cases/closure_request.html", {"case": case, "form": form})


def _require_manager(request):
    membership = request.membership
    if membership is None or not membership.is_manager:
        raise PermissionDenied(_("Only a manager can decide on closing cases."))
    return membership


def _render_queue(request, *, bound_pk=None, bound_form=None):
    membership = _require_manager(request)
    pending = (
        ClosureRequest.objects.filter(
            status=ClosureRequest.Status.PENDING,
            case__lead_hub_id=membership.hub_id,
            case__in=Case.objects.visible_to(request.user),
        )
        .select_related("case", "closure_reason", "requested_by")
        .prefetch_related(
            Prefetch(
                "case__case_persons",
                queryset=CasePerson.objects.filter(is_primary=True).select_related("person"),
                to_attr="primary_links",
            )
        )
        .order_by("requested_at", "id")
    )
    items = []
    for item in pending:
        if item.pk == bound_pk:
            form = bound_form
        else:
            form = ClosureDecisionForm(auto_id=f"id_r{item.pk}_%s")
        items.append((item, form))
    log_access(request, Action.SEARCH, detail="closure queue")
    return render(request, "cases/closure_queue.html", {"items": items})


def closure_queue(request):
    return _render_queue(request)


@require_POST
def closure_decide(request, pk):
    _require_manager(request)
    closure = get_object_or_404(
        ClosureRequest.objects.filter(case__in=Case.objects.visible_to(request.user)), pk=pk
    )
    form = ClosureDecisionForm(request.POST, auto_id=f"id_r{pk}_%s")
    if not form.is_valid():
        return _render_queue(request, bound_pk=closure.pk, bound_form=form)
    approve = form.cleaned_data["decision"] == ClosureDecisionForm.APPROVE
    decide = services.closure_approve if approve else services.closure_return
    try:
        decide(actor=request.user, request=closure, comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:closure_queue")
    log_access(
        request,
        Action.UPDATE,
        closure.case,
        detail="closure approved" if approve else "closure returned",
    )
    if approve:
        messages.success(request, _("Case %(number)s is closed.") % {"number": closure.case})
    else:
        messages.success(
            request, _("The request for %(number)s was returned.") % {"number": closure.case}
        )
    return redirect("cases:closure_queue")


# Edit --------------------------------------------------------------------------------------


def _last_change(case):
    """When the stored case last changed, and who did it (from the access log), for a conflict."""
    updated_at = Case.objects.filter(pk=case.pk).values_list("updated_at", flat=True).get()
    entry = (
        AccessLog.objects.filter(
            object_type="case", object_id=str(case.pk), action=AccessLog.Action.UPDATE
        )
        .select_related("user")
        .order_by("-at", "-id")
        .first()
    )
    return {"at": updated_at, "by": entry.user if entry else None}


@require_http_methods(["GET", "POST"])
def case_edit(request, number):
    _require_casework(request)
    case = _visible_case(request, number, Case.objects.select_related("lead_hub", "main_worker"))
    conflict = None
    status = 200
    if request.method == "POST":
        form = CaseEditForm(request.POST, instance=case)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.case_update(
                    actor=request.user, case=case, expected_version=version, **data
                )
            except EditConflict as exc:
                form.add_error(None, exc.message)
                conflict = _last_change(case)
                status = 409
            else:
                log_access(request, Action.UPDATE, case, detail="case edited")
                messages.success(request, _("The case was saved."))
                return redirect("cases:case_detail", number=case.number)
    else:
        form = CaseEditForm(instance=case)
    return render(
        request,
        "cases/case_edit.html",
        {"case": case, "form": form, "conflict": conflict},
        status=status,
    )
