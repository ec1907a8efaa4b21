"""The coordination view for the desk and multi-agency coordinators: where connecting stalls.

Three bounded lists over the referrals the user may see: overdue or expired referrals, declined
or expired ones waiting for the sender's next step, and open cases whose every referral failed
(「つながりが途切れそうなケース」).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Case as CaseWhen
from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery, When
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.models import Case, CasePerson, Intake
from takatsuki_welfare.audit import Action, log_access

from .business_days import business_days_between
from .models import ACTIVE, OPEN, Outcome, Referral, Status

LIMIT = 50
DESK_KIND = "integrated"
FAILED = [Status.DECLINED, Status.EXPIRED, Status.WITHDRAWN]


def may_coordinate(membership):
    """Coordinators anywhere, and the casework members of the desk (一部統合型の拠点)."""
    if membership is None or not membership.does_casework:
        return False
    return membership.is_coordinator or membership.hub.kind.code == DESK_KIND


def _referrals(user):
    """Visible referrals with the due date that matters now and whether case/intake open."""
    return (
        Referral.objects.visible_to(user)
        .for_list()
        .annotate(
            due=CaseWhen(
                When(status=Status.SENT, then=F("acknowledge_due")), default=F("answer_due")
            ),
            case_visible=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))),
            intake_visible=Exists(Intake.objects.visible_to(user).filter(pk=OuterRef("intake_id"))),
        )
    )


def _bounded(queryset):
    """At most LIMIT rows, and whether more exist (without counting them)."""
    rows = list(queryset[: LIMIT + 1])
    return rows[:LIMIT], len(rows) > LIMIT


def _with_days_overdue(referrals, today):
    for referral in referrals:
        waiting = referral.status in OPEN or referral.status == Status.EXPIRED
        referral.days_overdue = (
            business_days_between(referral.due, today) if waiting and referral.due < today else None
        )
    return referrals


def failing_cases(user):
    """Open visible cases with referrals, none of them live or connected, at least one failed."""
    referrals = Referral.objects.filter(case_id=OuterRef("pk"))
    live = referrals.filter(
        Q(status__in=[*OPEN, *ACTIVE]) | Q(status=Status.COMPLETED, outcome=Outcome.CONNECTED)
    )
    failed = referrals.filter(
        Q(status__in=FAILED) | (Q(status=Status.COMPLETED) & ~Q(outcome=Outcome.CONNECTED))
    )
    last_sent = referrals.order_by("-sent_at", "-id").values("sent_at")[:1]
    return (
        Case.objects.visible_to(user)
        .open()
        .filter(Exists(failed), ~Exists(live))
        .annotate(last_referral_at=Subquery(last_sent))
        .select_related("lead_hub")
        .prefetch_related(
            Prefetch(
                "case_persons",
                queryset=CasePerson.objects.filter(is_primary=True).select_related("person"),
                to_attr="primary_links",
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("from_hub", "to_hub").order_by(
                    "sent_at", "id"
                ),
                to_attr="chain",
            ),
        )
        .order_by("last_referral_at", "id")
    )


@require_safe
def coordination(request):
    if not may_coordinate(request.membership):
        raise PermissionDenied(
            _("The coordination view is for the desk and multi-agency coordinators.")
        )
    today = timezone.localdate()
    referrals = _referrals(request.user)
    # Expired referrals whose next step is already taken are settled: .overdue() leaves them out,
    # or years of them would fill the list ahead of today's.
    overdue, overdue_more = _bounded(referrals.overdue(today).order_by("due", "sent_at", "id"))
    waiting, waiting_more = _bounded(
        referrals.awaiting_next_step().order_by("answer_due", "sent_at", "id")
    )
    cases, cases_more = _bounded(failing_cases(request.user))
    log_access(request, Action.SEARCH, detail="coordination")
    return render(
        request,
        "referrals/coordination.html",
        {
            "overdue": _with_days_overdue(overdue, today),
            "overdue_more": overdue_more,
            "waiting": _with_days_overdue(waiting, today),
            "waiting_more": waiting_more,
            "cases": cases,
            "cases_more": cases_more,
            "limit": LIMIT,
            "today": today,
        },
    )
