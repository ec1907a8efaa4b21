"""The coordination view for the desk and multi-agency coordinators: where connecting stalls.

Three bounded lists over the referrals the user may see: overdue or expired referrals, declined
or expired ones waiting for the sender's next step, and open cases whose every referral failed
(「つながりが途切れそうなケース」).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Case as CaseWhen
from django.db.models import Exists, F, OuterRef, Prefetch, Subquery, When
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cases.models import Case, CasePerson, Intake
from takatsuki_welfare.audit import Action, log_access

from .business_days import business_days_between
from .models import AWAITING_NEXT_STEP, FAILING, LIVE, OPEN, Referral, Status, overdue_condition

LIMIT = 50
DESK_KIND = "integrated"


def may_coordinate(membership):
    """Coordinators anywhere, and the casework members of the desk (一部統合型の拠点)."""
    if membership is None or not membership.does_casework:
        return False
    return membership.is_coordinator or membership.hub.kind.code == DESK_KIND


def _referrals(user):
    """Visible referrals with the due date that matters now."""
    return Referral.objects.visible_to(user).annotate(
        due=CaseWhen(When(status=Status.SENT, then=F("acknowledge_due")), default=F("answer_due"))
    )


def _fetch(user, id_lists):
    """The chosen referrals with what the lists show, one query for all the lists; in order,
    at most LIMIT each, and whether more exist."""
    rows = (
        _referrals(user)
        .select_related("case", "intake", "person", "from_hub", "to_hub")
        .annotate(
            case_visible=Exists(Case.objects.visible_to(user).filter(pk=OuterRef("case_id"))),
            intake_visible=Exists(Intake.objects.visible_to(user).filter(pk=OuterRef("intake_id"))),
        )
    )
    by_pk = {r.pk: r for r in rows.filter(pk__in=[pk for ids in id_lists for pk in ids])}
    lists = [[by_pk[pk] for pk in ids if pk in by_pk] for ids in id_lists]
    return [(found[:LIMIT], len(found) > LIMIT) for found in lists]


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
    """Open visible cases with referrals, none of them live or connected, at least one failed.

    The referral conditions are checked first (on the partial indexes referral_case_failed /
    _live) and the access policy only on the few cases left, not on every open case."""
    referrals = Referral.objects.filter(case_id=OuterRef("pk"))
    live = referrals.filter(LIVE)
    failed = referrals.filter(FAILING)
    last_sent = referrals.order_by("-sent_at", "-id").values("sent_at")[:1]
    stalled = Case.objects.open().filter(Exists(failed), ~Exists(live))
    return (
        Case.objects.visible_to(user)
        .filter(pk__in=stalled.values("pk"))
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
    first = referrals.first_ids(
        [
            ("overdue", overdue_condition(today), ("due", "sent_at", "id")),
            ("waiting", AWAITING_NEXT_STEP, ("answer_due", "sent_at", "id")),
        ],
        LIMIT + 1,
    )
    (overdue, overdue_more), (waiting, waiting_more) = _fetch(
        request.user, [first["overdue"], first["waiting"]]
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
