"""Referral screens: refer a case or an intake, the referral page with its actions, the inbox.

The receiving hub sees the referral page (enough to decide) but not the case until it accepts;
that is the access policy's doing, so every object here is loaded through ``visible_to``.
"""

import datetime
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case, Consent, Intake, Person
from hubs.filters import HubFilter
from hubs.models import Hub
from takatsuki_welfare.audit import Action, log_access
from takatsuki_welfare.concurrency import EditConflict

from . import services
from .forms import (
    CommentForm,
    CompleteForm,
    DeclineForm,
    KeepForm,
    ReferralForm,
    RerouteForm,
    WithdrawForm,
)
from .models import (
    ACTIVE,
    NEEDS_NEXT_STEP,
    OPEN,
    Basis,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)

INBOX_GROUP_LIMIT = 50
RECENTLY_CLOSED = datetime.timedelta(days=90)


def _casework(request):
    """The acting membership of a case worker; anyone else (a corner volunteer) gets a 404."""
    membership = request.membership
    if membership is None or not membership.does_casework:
        raise Http404
    return membership


def _add_errors(form, exc):
    """A service's ValidationError onto the form: beside the field when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Sending -----------------------------------------------------------------------------------


def _directory(request, own_hub):
    data = request.POST if request.method == "POST" else request.GET
    hubs = Hub.objects.exclude(pk=own_hub.pk).select_related("kind")
    return HubFilter(data or None, queryset=hubs, prefix="dir")


def _due_preview(form):
    """The due dates that will apply for the hub and urgency chosen so far (None if not yet)."""
    source = form.data if form.is_bound else form.initial
    hub_pk = str(source.get("to_hub") or "")
    urgency = source.get("urgency") or Urgency.NORMAL
    if not hub_pk.isdigit() or urgency not in Urgency.values:
        return None
    hub = Hub.objects.filter(pk=hub_pk, active=True).first()
    if hub is None:
        return None
    acknowledge_by, answer_by = services.due_dates(hub, urgency)
    return {"hub": hub, "acknowledge_by": acknowledge_by, "answer_by": answer_by}


def _send(request, *, persons, default_person, case=None, intake=None):
    membership = request.membership
    user = request.user
    directory = _directory(request, membership.hub)
    person_ids = [p.pk for p in persons]
    consents = (
        Consent.objects.visible_to(user)
        .filter(person__in=person_ids)
        .select_related("person")
        .prefetch_related("hubs")
    )
    form_kwargs = {
        "hubs": Hub.objects.select_related("kind"),
        "listed_hubs": directory.qs,
        "persons": Person.objects.filter(pk__in=person_ids),
        "consents": consents,
        "allow_handover": case is not None and case.lead_hub_id == membership.hub_id,
    }
    if request.method == "POST" and "preview" not in request.POST:
        form = ReferralForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                referral = services.referral_send(
                    actor=user, case=case, intake=intake, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                log_access(request, Action.CREATE, referral)
                messages.success(
                    request,
                    _("The referral was sent to %(hub)s.") % {"hub": referral.to_hub},
                )
                return redirect("referrals:detail", pk=referral.pk)
    elif request.method == "POST":
        # Narrowing the hub list (or asking for the due dates) keeps what was typed, unjudged.
        form = ReferralForm(initial=request.POST.dict(), **form_kwargs)
    else:
        initial = {"urgency": Urgency.NORMAL, "basis": Basis.CONSENT}
        if default_person is not None:
            initial["person"] = default_person.pk
        form = ReferralForm(initial=initial, **form_kwargs)
    context = {
        "form": form,
        "directory": directory,
        "due": _due_preview(form),
        "case": case,
        "intake": intake,
    }
    return render(request, "referrals/referral_form.html", context)


@require_http_methods(["GET", "POST"])
def send_from_case(request, number):
    _casework(request)
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("lead_hub", "household"),
        number=number,
    )
    links = case.case_persons.select_related("person").order_by("-is_primary", "id")
    persons = [link.person for link in links]
    primary = next((link.person for link in links if link.is_primary), None)
    return _send(request, case=case, persons=persons, default_person=primary)


@require_http_methods(["GET", "POST"])
def send_from_intake(request, pk):
    """An intake not connected to a case yet; once it is, the case is referred instead."""
    _casework(request)
    intake = get_object_or_404(
        Intake.objects.visible_to(request.user).filter(case__isnull=True).select_related("hub"),
        pk=pk,
    )
    persons = list(intake.persons.order_by("id"))
    return _send(
        request, intake=intake, persons=persons, default_person=persons[0] if persons else None
    )


# Detail and actions ------------------------------------------------------------------------


def _detail_queryset(user):
    events = ReferralEvent.objects.select_related("actor", "acting_hub")
    return (
        Referral.objects.visible_to(user)
        .for_list()
        .select_related(
            "case__household__area",
            "intake__household__area",
            "person__household__area",
            "consent",
            "rerouted_from__to_hub",
            "rerouted_to__to_hub",
        )
        .prefetch_related("consent__hubs", Prefetch("events", queryset=events))
    )


def _reroute(actor, referral, data):
    basis = {}
    if data["meeting_reference"].strip():
        basis = {
            "basis": Basis.SUPPORT_MEETING,
            "meeting_reference": data["meeting_reference"],
            "consent": None,
        }
    elif data["consent"] is not None:
        basis = {"basis": Basis.CONSENT, "consent": data["consent"], "meeting_reference": ""}
    return services.referral_reroute(
        actor=actor,
        referral=referral,
        to_hub=data["to_hub"],
        note=data["next_step_note"],
        expected_version=data["version"],
        **basis,
    )


@dataclass(frozen=True)
class Step:
    """One transition on the referral page: whose it is, when it applies, its form and service."""

    side: str  # "receiver" (the to_hub) or "sender" (the from_hub)
    applies: Callable
    form_class: type
    run: Callable
    done: str


STEPS = {
    "acknowledge": Step(
        "receiver",
        lambda r: r.status == Status.SENT,
        CommentForm,
        lambda actor, r, d: services.referral_acknowledge(
            actor=actor, referral=r, comment=d["comment"], expected_version=d["version"]
        ),
        gettext_lazy("The referral was acknowledged."),
    ),
    "accept": Step(
        "receiver",
        lambda r: r.status in OPEN,
        CommentForm,
        lambda actor, r, d: services.referral_accept(
            actor=actor, referral=r, comment=d["comment"], expected_version=d["version"]
        ),
        gettext_lazy("The referral was accepted: your hub now takes part in the case."),
    ),
    "decline": Step(
        "receiver",
        lambda r: r.status in OPEN,
        DeclineForm,
        lambda actor, r, d: services.referral_decline(
            actor=actor,
            referral=r,
            reason=d["decline_reason"],
            declined_by=d["declined_by"],
            note=d["decline_note"],
            expected_version=d["version"],
        ),
        gettext_lazy("The referral was declined. The sending hub chooses the next step."),
    ),
    "start": Step(
        "receiver",
        lambda r: r.status == Status.ACCEPTED,
        CommentForm,
        lambda actor, r, d: services.referral_start(
            actor=actor, referral=r, comment=d["comment"], expected_version=d["version"]
        ),
        gettext_lazy("Support has started."),
    ),
    "complete": Step(
        "receiver",
        lambda r: r.status in ACTIVE,
        CompleteForm,
        lambda actor, r, d: services.referral_complete(
            actor=actor,
            referral=r,
            outcome=d["outcome"],
            outcome_note=d["outcome_note"],
            expected_version=d["version"],
        ),
        gettext_lazy("The outcome was reported to the sending hub."),
    ),
    "withdraw": Step(
        "sender",
        lambda r: r.status in OPEN,
        WithdrawForm,
        lambda actor, r, d: services.referral_withdraw(
            actor=actor, referral=r, reason=d["withdraw_reason"], expected_version=d["version"]
        ),
        gettext_lazy("The referral was withdrawn."),
    ),
    "keep": Step(
        "sender",
        lambda r: r.needs_next_step,
        KeepForm,
        lambda actor, r, d: services.referral_keep(
            actor=actor, referral=r, note=d["next_step_note"], expected_version=d["version"]
        ),
        gettext_lazy("Recorded: your hub keeps supporting the case."),
    ),
    "reroute": Step(
        "sender",
        lambda r: r.needs_next_step,
        RerouteForm,
        _reroute,
        gettext_lazy("The case was referred on to the new hub."),
    ),
}


def _on_side(membership, referral, side):
    hub_id = referral.to_hub_id if side == "receiver" else referral.from_hub_id
    return membership.hub_id == hub_id


def _step_form(name, referral, user, data=None, initial=None):
    kwargs = {
        "auto_id": f"id_{name}_%s",
        "initial": {**(initial or {}), "version": referral.version},
    }
    if name == "reroute":
        kwargs["hubs"] = (
            Hub.objects.active()
            .exclude(pk__in=[referral.from_hub_id, referral.to_hub_id])
            .select_related("kind")
        )
        consents = Consent.objects.none()
        if referral.person_id is not None:
            consents = (
                Consent.objects.visible_to(user)
                .valid_on()
                .filter(person_id=referral.person_id, kind__in=services.CONSENT_KINDS_FOR_REFERRAL)
                .select_related("person")
                .prefetch_related("hubs")
            )
        kwargs["consents"] = consents
    return STEPS[name].form_class(data, **kwargs)


def _household_summary(referral):
    """Where the household lives (district) and how many live in it: not the case's records."""
    household = None
    if referral.case is not None:
        household = referral.case.household
    elif referral.person is not None:
        household = referral.person.household
    elif referral.intake is not None:
        household = referral.intake.household
    if household is None:
        return None
    members = Person.objects.filter(household=household, co_resident=True).count()
    return {"district": household.area.name if household.area else "", "members": members}


def _chain_links(user, referral):
    """The previous and next referral of a re-route chain, when the user may see them."""
    previous = referral.rerouted_from
    following = getattr(referral, "rerouted_to", None)
    ids = [r.pk for r in (previous, following) if r is not None]
    visible = set(Referral.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        "previous": previous,
        "previous_visible": previous is not None and previous.pk in visible,
        "following": following,
        "following_visible": following is not None and following.pk in visible,
    }


def _render_detail(request, referral, *, bound=None, status=200):
    membership = request.membership
    user = request.user
    bound = bound or {}
    today = timezone.localdate()
    forms = {}
    for name, step in STEPS.items():
        if _on_side(membership, referral, step.side) and step.applies(referral):
            forms[name] = bound.get(name) or _step_form(name, referral, user)
    context = {
        "referral": referral,
        "person": referral.person,
        "household": _household_summary(referral),
        "case_visible": referral.case_id is not None
        and Case.objects.visible_to(user).filter(pk=referral.case_id).exists(),
        "is_receiver": membership.hub_id == referral.to_hub_id,
        "is_sender": membership.hub_id == referral.from_hub_id,
        "overdue": referral.is_overdue(today),
        "acknowledge_overdue": referral.status == Status.SENT and referral.acknowledge_due < today,
        "answer_overdue": referral.status in OPEN and referral.answer_due < today,
        "forms": forms,
        **_chain_links(user, referral),
    }
    return render(request, "referrals/referral_detail.html", context, status=status)


@require_GET
def referral_detail(request, pk):
    _casework(request)
    referral = get_object_or_404(_detail_queryset(request.user), pk=pk)
    log_access(request, Action.VIEW, referral)
    return _render_detail(request, referral)


def _back(request, referral):
    if request.POST.get("next") == "inbox":
        return redirect("referrals:inbox")
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def referral_step(request, pk, name):
    """Every transition posts here (one URL name each); PRG back to the page it came from."""
    step = STEPS[name]
    membership = _casework(request)
    user = request.user
    referral = get_object_or_404(_detail_queryset(user), pk=pk)
    if not _on_side(membership, referral, step.side):
        if step.side == "receiver":
            raise PermissionDenied(_("Only the receiving hub can answer this referral."))
        raise PermissionDenied(_("Only the sending hub can do this."))
    form = _step_form(name, referral, user, data=request.POST)
    if form.is_valid():
        try:
            result = step.run(user, referral, form.cleaned_data)
        except EditConflict as exc:
            messages.error(request, exc.message)
            referral = get_object_or_404(_detail_queryset(user), pk=pk)
            typed = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            if step.applies(referral):
                form = _step_form(name, referral, user, initial=typed)
            return _render_detail(request, referral, bound={name: form}, status=409)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") and not step.applies(referral):
                messages.error(request, " ".join(exc.messages))
                return _back(request, referral)
            _add_errors(form, exc)
        else:
            log_access(request, Action.UPDATE, referral, detail=name)
            messages.success(request, str(step.done))
            if name == "reroute":
                log_access(request, Action.CREATE, result)
                return redirect("referrals:detail", pk=result.pk)
            return _back(request, referral)
    if not step.applies(referral):
        # Nothing to correct on this page: the referral has moved on (e.g. already accepted).
        messages.error(
            request,
            _("This can no longer be done: the referral is now “%(status)s”.")
            % {"status": referral.get_status_display()},
        )
        return _back(request, referral)
    return _render_detail(request, referral, bound={name: form})


# Inbox -------------------------------------------------------------------------------------


WAITING_ORDER = ("-overdue_rank", "urgency_rank", "answer_due", "sent_at", "id")
# Accepted and in-progress referrals are never overdue (only open or expired ones are).
ACTIVE_ORDER = WAITING_ORDER[1:]


def _closed_ids(closed, limit):
    """Ids of the hub's referrals whose last event (when they closed) is recent, latest first.

    Walks the recent events newest first and keeps each referral's last one: an index range,
    instead of finding the last event of every referral the hub ever closed."""
    later = ReferralEvent.objects.filter(referral=OuterRef("referral")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))
    )
    last_events = (
        ReferralEvent.objects.filter(at__gte=timezone.now() - RECENTLY_CLOSED)
        .filter(referral__in=closed.values("pk"))
        .exclude(Exists(later))
        .order_by("-at", "-referral_id")
    )
    return list(last_events.values_list("referral_id", flat=True)[:limit])


def _active_ids(rows, hub, limit):
    """Ids of the first accepted or in-progress referrals to or from the hub: each side is cut
    at ``limit`` on its own index (referral_active_to / _from), then the two are merged."""
    sides = (
        rows.filter(to_hub=hub, status__in=ACTIVE).order_by(*ACTIVE_ORDER),
        rows.filter(from_hub=hub, status__in=ACTIVE).order_by(*ACTIVE_ORDER),
    )
    merged = heapq.merge(*(side.values_list(*ACTIVE_ORDER)[:limit] for side in sides))
    return [row[-1] for row in itertools.islice(merged, limit)]


def _inbox_groups(user, hub, today):
    """[(key, title, ids of its first INBOX_GROUP_LIMIT + 1 referrals in order)] for the hub.

    The ids are chosen on the referral table alone; only they are then joined to what the page
    shows (inbox())."""
    rows = Referral.objects.visible_to(user).ranked(today)
    limit = INBOX_GROUP_LIMIT + 1
    next_step = Q(from_hub=hub, status__in=NEEDS_NEXT_STEP, next_step="")
    closed = (
        rows.filter(Q(to_hub=hub) | Q(from_hub=hub))
        .filter(Q(status__in=[Status.COMPLETED, Status.WITHDRAWN]) | Q(status__in=NEEDS_NEXT_STEP))
        .exclude(next_step)
    )
    waiting = rows.first_ids(
        [
            ("incoming", Q(to_hub=hub, status__in=OPEN), WAITING_ORDER),
            ("outgoing", Q(from_hub=hub, status__in=OPEN), WAITING_ORDER),
            ("next_step", next_step, WAITING_ORDER),
        ],
        limit,
    )
    return [
        ("incoming", _("Waiting for our answer"), waiting["incoming"]),
        ("outgoing", _("Waiting for the other hub"), waiting["outgoing"]),
        ("next_step", _("Needing our next step (declined or expired)"), waiting["next_step"]),
        ("active", _("Accepted and in progress"), _active_ids(rows, hub, limit)),
        ("closed", _("Recently closed"), _closed_ids(closed, limit)),
    ]


@require_GET
def inbox(request):
    membership = _casework(request)
    hub = membership.hub
    today = timezone.localdate()
    groups = _inbox_groups(request.user, hub, today)
    chosen = [pk for _key, _title, ids in groups for pk in ids]
    referrals = (
        Referral.objects.visible_to(request.user)
        .ranked(today)
        .select_related("person", "from_hub", "to_hub")
    )
    by_pk = {r.pk: r for r in referrals.filter(pk__in=chosen)}
    sections = []
    for key, title, ids in groups:
        items = [by_pk[pk] for pk in ids if pk in by_pk]
        sections.append(
            {
                "key": key,
                "title": title,
                "items": items[:INBOX_GROUP_LIMIT],
                "more": len(items) > INBOX_GROUP_LIMIT,
            }
        )
    log_access(request, Action.SEARCH, detail="referral inbox")
    return render(
        request,
        "referrals/inbox.html",
        {"sections": sections, "hub": hub, "limit": INBOX_GROUP_LIMIT},
    )
