"""The start page (つながり続ける): what needs doing, by role, at the acting hub.

Every list comes through ``visible_to``. A tile runs one capped count (COUNT over a LIMIT
subquery, cheap however large the tables grow) and fetches its first few rows, so the number of
queries does not depend on the number of rows. The task-list screens reuse these querysets, so a
tile's number and the list it links to show the same rows.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    OPEN_STAGES,
    ActionItem,
    Case,
    CasePerson,
    ClosureRequest,
    Conference,
    Intake,
    OutreachAttempt,
    PlanAction,
    Stage,
    SupportPlan,
)
from referrals.models import OPEN as REFERRAL_OPEN
from referrals.models import Referral

LIST_SIZE = 5
MY_CASES_SIZE = 10
COUNT_CAP = 100


def capped_count(queryset, cap=None):
    """(count, capped): counts at most cap + 1 rows; past the cap the exact number helps nobody."""
    cap = cap or COUNT_CAP
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return min(found, cap), found > cap


def _primary_person(path=""):
    """Prefetch the case's 本人 the way ``Case.primary_person`` reads it."""
    return Prefetch(
        f"{path}case_persons",
        queryset=CasePerson.objects.filter(is_primary=True).select_related("person"),
        to_attr="primary_links",
    )


def _case_list_url(**params):
    return f"{reverse('cases:case_list')}?{urlencode(params, doseq=True)}"


# Querysets shared with the task lists -------------------------------------------------------


def contact_overdue_cases(user, today):
    """連絡途絶 among the cases the user sees, oldest due first."""
    return (
        Case.objects.visible_to(user)
        .contact_overdue(today)
        .select_related("lead_hub", "main_worker")
        .prefetch_related(_primary_person())
        .order_by("contact_due_on", "id")
    )


def outreach_scheduled(user, hub):
    """The latest attempt per case and person, by the hub, with a next attempt date.

    An attempt followed by a later one for the same person (by any hub) is no longer pending.
    """
    later = OutreachAttempt.objects.filter(
        case_id=OuterRef("case_id"), person_id=OuterRef("person_id")
    ).filter(
        Q(attempted_on__gt=OuterRef("attempted_on"))
        | Q(attempted_on=OuterRef("attempted_on"), pk__gt=OuterRef("pk"))
    )
    return (
        OutreachAttempt.objects.visible_to(user)
        .filter(acting_hub=hub, next_attempt_on__isnull=False)
        .exclude(case__stage=Stage.CLOSED)
        .exclude(Exists(later))
        .select_related("case", "person", "recorded_by")
        .order_by("next_attempt_on", "id")
    )


def outreach_due(user, hub, today):
    return outreach_scheduled(user, hub).filter(next_attempt_on__lte=today)


def _hub_actions(queryset, user, hub):
    return (
        queryset.filter(hub=hub, goal__plan__case__in=Case.objects.visible_to(user))
        .select_related("goal__plan__case")
        .prefetch_related(_primary_person("goal__plan__case__"))
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def plan_actions_open(user, hub):
    """Open actions of endorsed plans the hub is responsible for, earliest (overdue) first."""
    return _hub_actions(PlanAction.objects.open().in_force(), user, hub)


def plan_actions_overdue(user, hub, today):
    return _hub_actions(PlanAction.objects.overdue(today), user, hub)


def plans_with_review(user, hub):
    """Endorsed plans of cases the hub leads that have a review (monitoring) date."""
    return (
        SupportPlan.objects.visible_to(user)
        .filter(status=SupportPlan.Status.ENDORSED, case__lead_hub=hub, review_on__isnull=False)
        .select_related("case", "case__main_worker")
        .prefetch_related(_primary_person("case__"))
        .order_by("review_on", "id")
    )


def plans_due_for_review(user, hub, today):
    return plans_with_review(user, hub).filter(review_on__lte=today)


def meeting_actions_open(user, hub):
    """Open tasks meetings gave the hub, the earliest due (so the overdue) first.

    ``case_visible``: whether the user may open the case (a 支援会議's attendee may not).
    """
    cases = Case.objects.visible_to(user).filter(pk=OuterRef("agenda_item__case_id"))
    return (
        ActionItem.objects.visible_to(user)
        .open()
        .filter(owner_hub=hub)
        .select_related("agenda_item__case", "agenda_item__conference__meeting_type")
        .annotate(case_visible=Exists(cases))
        .order_by(F("due_on").asc(nulls_last=True), "id")
    )


def meeting_actions_overdue(user, hub, today):
    return meeting_actions_open(user, hub).filter(due_on__lt=today)


def minutes_awaiting_approval(user, hub):
    """Minutes of meetings the hub convened, submitted to its manager (承認待ち)."""
    return (
        Conference.objects.visible_to(user)
        .awaiting_approval()
        .filter(convening_hub=hub)
        .select_related("meeting_type", "created_by")
        .order_by("starts_at", "id")
    )


def plans_awaiting_endorsement(user, hub):
    """Plans under discussion (協議中) of cases the hub leads: its manager endorses them."""
    return (
        SupportPlan.objects.visible_to(user)
        .filter(status=SupportPlan.Status.DISCUSSING, case__lead_hub=hub)
        .select_related("case", "created_by")
        .prefetch_related(_primary_person("case__"))
        .order_by("updated_at", "id")
    )


def closures_pending(user, hub):
    """Requests to close cases the hub leads, waiting for its manager's decision."""
    return (
        ClosureRequest.objects.filter(
            status=ClosureRequest.Status.PENDING,
            case__lead_hub=hub,
            case__in=Case.objects.visible_to(user),
        )
        .select_related("case", "requested_by", "closure_reason")
        .prefetch_related(_primary_person("case__"))
        .order_by("requested_at", "id")
    )


def referrals_waiting(user, hub):
    """Referrals to the hub still waiting for its answer."""
    return (
        Referral.objects.visible_to(user)
        .filter(to_hub=hub, status__in=REFERRAL_OPEN)
        .for_list()
        .order_by("answer_due", "sent_at", "id")
    )


# Tiles -------------------------------------------------------------------------------------


@dataclass
class Tile:
    key: str
    title: str
    url: str
    count: int
    capped: bool
    rows: list
    overdue: int | None = None
    overdue_capped: bool = False


def _tile(key, title, queryset, url, size=LIST_SIZE):
    count, capped = capped_count(queryset)
    rows = list(queryset[:size]) if count else []
    return Tile(key=key, title=title, url=url, count=count, capped=capped, rows=rows)


def _with_overdue(tile, overdue):
    tile.overdue, tile.overdue_capped = capped_count(overdue)
    return tile


def _approvals_tile(user, hub):
    """承認待ち: one number for all the manager decides, with a row per kind that waits."""
    parts = [
        ("minutes", _("Minutes"), minutes_awaiting_approval(user, hub)),
        ("plans", _("Support plans"), plans_awaiting_endorsement(user, hub)),
        ("closures", _("Closure requests"), closures_pending(user, hub)),
    ]
    url = reverse("cases:review_queue")
    tile = Tile(key="approvals", title=_("Awaiting your approval"), url=url, count=0,
                capped=False, rows=[])  # fmt: skip
    for key, label, queryset in parts:
        count, capped = capped_count(queryset)
        tile.count += count
        tile.capped |= capped
        if count:
            tile.rows.append(
                {"label": label, "count": count, "capped": capped, "url": f"{url}#{key}"}
            )
    return tile


def _casework_tiles(user, membership, today):
    hub = membership.hub
    visible_cases = Case.objects.visible_to(user)
    tiles = [
        _tile(
            "contact_mine",
            _("My cases without contact past their interval (連絡途絶)"),
            contact_overdue_cases(user, today).filter(main_worker=user),
            _case_list_url(contact_overdue="on", mine="on"),
        )
    ]
    if membership.is_manager:
        tiles.append(
            _tile(
                "contact_hub",
                _("Cases of the hub without contact past their interval (連絡途絶)"),
                contact_overdue_cases(user, today).filter(lead_hub=hub),
                _case_list_url(contact_overdue="on", lead_hub=hub.pk),
            )
        )
    if membership.is_coordinator:
        tiles.append(
            _tile(
                "contact_multi_agency",
                _("Multi-agency cases without contact past their interval"),
                contact_overdue_cases(user, today).filter(multi_agency=True),
                _case_list_url(contact_overdue="on", multi_agency="true"),
            )
        )
    referrals = referrals_waiting(user, hub)
    referral_tile = _tile(
        "referrals", _("Referrals waiting for our answer"), referrals, reverse("referrals:inbox")
    )
    referral_tile = _with_overdue(referral_tile, referrals.overdue(today))
    tiles += [
        _tile(
            "outreach",
            _("Outreach attempts due"),
            outreach_due(user, hub, today),
            reverse("cases:tasks_outreach"),
        ),
        _tile(
            "actions",
            _("Overdue plan actions"),
            plan_actions_overdue(user, hub, today),
            f"{reverse('cases:tasks_actions')}?show=overdue",
        ),
        _with_overdue(
            _tile(
                "meeting_actions",
                _("Tasks from meetings"),
                meeting_actions_open(user, hub),
                reverse("cases:tasks_meeting_actions"),
            ),
            meeting_actions_overdue(user, hub, today),
        ),
        _tile(
            "reviews",
            _("Plans due for review"),
            plans_due_for_review(user, hub, today),
            reverse("cases:tasks_reviews"),
        ),
        referral_tile,
        _tile(
            "incoming",
            _("Intakes waiting at your hub"),
            Intake.objects.visible_to(user)
            .incoming_for(hub)
            .select_related("hub")
            .order_by("received_at", "id"),
            reverse("cases:incoming"),
        ),
    ]
    if membership.is_manager:
        tiles += [
            _approvals_tile(user, hub),
            _tile(
                "closures",
                _("Closure requests to decide"),
                closures_pending(user, hub),
                reverse("cases:closure_queue"),
            ),
        ]
    my_cases = _tile(
        "my_cases",
        _("My cases"),
        visible_cases.open()
        .filter(main_worker=user)
        .for_list()
        .order_by(F("last_contact_on").asc(nulls_first=True), "id"),
        _case_list_url(mine="on", stage=OPEN_STAGES),
        size=MY_CASES_SIZE,
    )
    return tiles, my_cases


def _hand_overs(user):
    """A volunteer's last hand-overs: date, hub and status only (nothing the hub wrote)."""
    intakes = (
        Intake.objects.visible_to(user)
        .filter(recorded_by=user)
        .select_related("handed_to")
        .order_by("-received_at", "-id")[:LIST_SIZE]
    )
    return [
        {
            "received_at": intake.received_at,
            "handed_to": intake.handed_to.name if intake.handed_to else "",
            "status": intake.volunteer_status,
            "connected": intake.case_id is not None,
            "received": intake.taken_up_at is not None,
        }
        for intake in intakes
    ]


def dashboard(user, membership, today=None):
    """The start page's context for the acting membership; empty for users acting nowhere."""
    if membership is None:
        return {}
    if membership.is_volunteer:
        return {"hand_overs": _hand_overs(user)}
    today = today or timezone.localdate()
    tiles, my_cases = _casework_tiles(user, membership, today)
    return {"tiles": tiles, "my_cases": my_cases, "today": today}
