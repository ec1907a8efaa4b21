"""The inbox and the coordination view at scale: the same rows, in the same order, as their plain
definitions (one ordered query per list), in a number of queries that does not grow with rows;
and on PostgreSQL the indexes they were written for really usable."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Stage
from hubs.models import Role
from referrals import coordination, views
from referrals.models import (
    ACTIVE,
    FAILING,
    LIVE,
    NEEDS_NEXT_STEP,
    OPEN,
    DeclineReason,
    Kind,
    NextStep,
    Outcome,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from takatsuki_welfare.models import CodeList

from .factories import CaseFactory, HubFactory, ReferralFactory, code

pytestmark = pytest.mark.django_db

INBOX = reverse("referrals:inbox")
COORDINATION = reverse("referrals:coordination")
LIMIT = 4

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partial and expression indexes: PostgreSQL plans"
)


def day(n):
    return timezone.localdate() + datetime.timedelta(days=n)


NOW = timezone.now()  # one instant, so that times repeat exactly (ties)


def ago(days):
    return NOW - datetime.timedelta(days=days)


def _referral(rng, case, from_hub, to_hub, status):
    referral = ReferralFactory(
        case=case,
        from_hub=from_hub,
        to_hub=to_hub,
        status=status,
        urgency=rng.choice([Urgency.URGENT, Urgency.NORMAL, Urgency.NORMAL]),
        acknowledge_due=day(rng.choice([-3, 0, 2])),
        answer_due=day(rng.choice([-2, 3, 3, 9])),  # repeated dates: ties fall to sent_at, id
        sent_at=ago(rng.choice([5, 5, 40, 200])),
        next_step=rng.choice(["", "", NextStep.KEEP]) if status in NEEDS_NEXT_STEP else "",
        outcome=rng.choice(list(Outcome.values)) if status == Status.COMPLETED else "",
    )
    # Event times repeat across referrals on purpose (ties order by the referral's id).
    for days in sorted(
        rng.sample([1, 1, 3, 30, 89, 91, 120, 400], rng.randint(0, 3)), reverse=True
    ):
        ReferralEvent.objects.create(referral=referral, at=ago(days), to_status=status)
    return referral


@pytest.fixture
def city(hub):
    """Referrals of every status to, from and around the hub, with repeated dates and times."""
    rng = random.Random(7)
    others = [HubFactory(), HubFactory()]
    for _ in range(4):
        for status in Status.values:
            ours = CaseFactory(lead_hub=hub)
            theirs = CaseFactory(lead_hub=others[0])
            _referral(rng, ours, hub, rng.choice(others), status)
            _referral(rng, theirs, others[0], hub, status)
            _referral(rng, theirs, others[0], others[1], status)  # not the hub's
    return others


# The plain definitions (as before the lists were cut on indexes) --------------------------------


def plain_inbox(user, hub, today):
    rows = Referral.objects.visible_to(user).ranked(today)
    order = views.WAITING_ORDER
    ours = Q(to_hub=hub) | Q(from_hub=hub)
    next_step = Q(from_hub=hub, status__in=NEEDS_NEXT_STEP, next_step="")
    last_event = ReferralEvent.objects.filter(referral=OuterRef("pk")).order_by("-at", "-id")
    closed = (
        rows.filter(ours)
        .filter(Q(status__in=[Status.COMPLETED, Status.WITHDRAWN]) | Q(status__in=NEEDS_NEXT_STEP))
        .exclude(next_step)
        .annotate(closed_at=Subquery(last_event.values("at")[:1]))
        .filter(closed_at__gte=timezone.now() - views.RECENTLY_CLOSED)
        .order_by("-closed_at", "-id")
    )
    return {
        "incoming": rows.filter(to_hub=hub, status__in=OPEN).order_by(*order),
        "outgoing": rows.filter(from_hub=hub, status__in=OPEN).order_by(*order),
        "next_step": rows.filter(next_step).order_by(*order),
        "active": rows.filter(ours, status__in=ACTIVE).order_by(*order),
        "closed": closed,
    }


def plain_failing_cases(user):
    referrals = Referral.objects.filter(case_id=OuterRef("pk"))
    live = referrals.filter(
        Q(status__in=[*OPEN, *ACTIVE]) | Q(status=Status.COMPLETED, outcome=Outcome.CONNECTED)
    )
    failed = referrals.filter(
        Q(status__in=[Status.DECLINED, Status.EXPIRED, Status.WITHDRAWN])
        | (Q(status=Status.COMPLETED) & ~Q(outcome=Outcome.CONNECTED))
    )
    last_sent = referrals.order_by("-sent_at", "-id").values("sent_at")[:1]
    return (
        Case.objects.visible_to(user)
        .open()
        .filter(Exists(failed), ~Exists(live))
        .annotate(last_referral_at=Subquery(last_sent))
        .order_by("last_referral_at", "id")
    )


def pks(rows):
    return [row.pk for row in rows]


# The inbox -------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [LIMIT, 50])
def test_the_inbox_lists_what_its_plain_definition_lists(
    client_as, staff, hub, city, monkeypatch, limit
):
    monkeypatch.setattr(views, "INBOX_GROUP_LIMIT", limit)
    expected = plain_inbox(staff, hub, timezone.localdate())
    assert all(expected[key] for key in expected)  # every group has rows to get right

    sections = client_as(staff).get(INBOX).context["sections"]

    for section in sections:
        rows = list(expected[section["key"]])
        assert pks(section["items"]) == pks(rows[:limit]), section["key"]
        assert section["more"] == (len(rows) > limit), section["key"]


def test_the_accepted_group_merges_both_sides_in_order(client_as, staff, hub, monkeypatch):
    monkeypatch.setattr(views, "INBOX_GROUP_LIMIT", 5)
    other = HubFactory()
    rows = []
    for i, (urgency, due) in enumerate(
        [(Urgency.NORMAL, 1), (Urgency.URGENT, 9), (Urgency.NORMAL, 1), (Urgency.URGENT, 2)] * 2
    ):
        if i % 2:
            case, from_hub, to_hub = CaseFactory(lead_hub=hub), hub, other
        else:
            case, from_hub, to_hub = CaseFactory(lead_hub=other), other, hub
        rows.append(
            ReferralFactory(
                case=case,
                from_hub=from_hub,
                to_hub=to_hub,
                status=Status.ACCEPTED if i % 3 else Status.IN_PROGRESS,
                urgency=urgency,
                answer_due=day(due),
            )
        )
    rows.sort(key=lambda r: (r.urgency != Urgency.URGENT, r.answer_due, r.sent_at, r.pk))

    (active,) = [s for s in client_as(staff).get(INBOX).context["sections"] if s["key"] == "active"]

    assert pks(active["items"]) == pks(rows[:5])
    assert active["more"]


def test_recently_closed_follows_the_last_event_of_each_referral(client_as, staff, hub):
    other = HubFactory()

    def closed(status, *days, **fields):
        referral = ReferralFactory(
            case=CaseFactory(lead_hub=hub), from_hub=hub, to_hub=other, status=status, **fields
        )
        for n in days:
            ReferralEvent.objects.create(referral=referral, at=ago(n), to_status=status)
        return referral

    kept_yesterday = closed(Status.DECLINED, 200, 1, next_step=NextStep.KEEP)
    completed = closed(Status.COMPLETED, 30, 10, outcome=Outcome.CONNECTED)
    same_time = [closed(Status.WITHDRAWN, 10) for _ in range(2)]
    closed(Status.COMPLETED, 120, 100, outcome=Outcome.CONNECTED)  # closed too long ago
    closed(Status.WITHDRAWN)  # no events
    closed(Status.DECLINED, 2)  # waits for our next step instead

    sections = client_as(staff).get(INBOX).context["sections"]

    (recent,) = [s for s in sections if s["key"] == "closed"]
    assert pks(recent["items"]) == [
        kept_yesterday.pk,
        *sorted([completed.pk, *pks(same_time)], reverse=True),
    ]


def test_the_inbox_runs_a_fixed_number_of_queries(
    client_as, make_member, hub, count_queries, monkeypatch
):
    monkeypatch.setattr(views, "INBOX_GROUP_LIMIT", 3)
    small, large = HubFactory(), hub
    small_staff, large_staff = make_member(Role.STAFF, small), make_member(Role.STAFF, large)
    rng = random.Random(3)
    other = HubFactory()
    for target, n in ((small, 1), (large, 6)):
        for _ in range(n):
            for status in Status.values:
                _referral(rng, CaseFactory(lead_hub=target), target, other, status)
                _referral(rng, CaseFactory(lead_hub=other), other, target, status)
    counts = []
    for user in (small_staff, large_staff):
        client = client_as(user)
        client.get(INBOX)
        counts.append(count_queries(lambda client=client: client.get(INBOX)))
    assert counts[0] == counts[1]


# The coordination view -------------------------------------------------------------------------


@pytest.fixture
def desk(db):
    return HubFactory(name="福祉相談支援課", kind=code(CodeList.HUB_KIND, "integrated"))


@pytest.fixture
def stalled_city(desk):
    """Open and closed cases of the desk and of others, each with a mix of referral outcomes."""
    rng = random.Random(11)
    others = [HubFactory(), HubFactory()]
    outcomes = [
        (Status.DECLINED, ""),
        (Status.EXPIRED, ""),
        (Status.WITHDRAWN, ""),
        (Status.COMPLETED, Outcome.NOT_CONNECTED),
        (Status.COMPLETED, Outcome.CONNECTED),
        (Status.SENT, ""),
        (Status.IN_PROGRESS, ""),
    ]
    for i in range(24):
        lead = desk if i % 3 else others[0]
        case = CaseFactory(lead_hub=lead, stage=Stage.CLOSED if i % 5 == 0 else Stage.SUPPORT)
        for _ in range(rng.randint(1, 3)):
            status, outcome = rng.choice(outcomes[:4] * 3 + outcomes[4:])
            ReferralFactory(
                case=case,
                from_hub=lead,
                to_hub=rng.choice([h for h in [desk, *others] if h != lead]),
                status=status,
                outcome=outcome,
                decline_reason=DeclineReason.CAPACITY if status == Status.DECLINED else "",
                next_step=rng.choice(["", NextStep.KEEP]) if status in NEEDS_NEXT_STEP else "",
                acknowledge_due=day(rng.choice([-4, -1, 2])),
                answer_due=day(rng.choice([-2, 3, 3])),
                sent_at=ago(rng.choice([3, 3, 60])),
            )


@pytest.mark.parametrize("limit", [3, 50])
def test_the_coordination_view_lists_what_its_plain_definitions_list(
    client_as, make_member, desk, stalled_city, monkeypatch, limit
):
    monkeypatch.setattr(coordination, "LIMIT", limit)
    desk_staff = make_member(Role.STAFF, desk)
    today = timezone.localdate()
    referrals = coordination._referrals(desk_staff)
    expected = {
        "overdue": list(referrals.overdue(today).order_by("due", "sent_at", "id")),
        "waiting": list(referrals.awaiting_next_step().order_by("answer_due", "sent_at", "id")),
        "cases": list(plain_failing_cases(desk_staff)),
    }
    assert all(expected.values())

    context = client_as(desk_staff).get(COORDINATION).context

    for key, rows in expected.items():
        assert pks(context[key]) == pks(rows[:limit]), key
        assert context[f"{key}_more"] == (len(rows) > limit), key


# Helpers ----------------------------------------------------------------------------------------


def test_pk_url_is_the_url_tag_for_a_view_taking_one_number():
    template = Template("{% load referral_urls %}{{ pk|pk_url:'referrals:detail' }}")
    for pk in (1, 42, 90210):
        rendered = template.render(Context({"pk": pk}))
        assert rendered == reverse("referrals:detail", args=[pk])
    assert Template("{% load referral_urls %}{{ pk|pk_url:'referrals:accept' }}").render(
        Context({"pk": 7})
    ) == reverse("referrals:accept", args=[7])
    assert Template("{% load referral_urls %}{{ pk|pk_url:'referrals:detail' }}").render(
        Context({"pk": "7"})
    ) == reverse("referrals:detail", args=["7"])


def test_the_choice_labels_are_djangos():
    referral = ReferralFactory(
        status=Status.DECLINED, decline_reason=DeclineReason.CAPACITY, declined_by="hub"
    )
    assert referral.get_status_display() == str(Status.DECLINED.label)
    assert referral.get_kind_display() == str(Kind.SUPPORT.label)
    assert referral.get_urgency_display() == str(Urgency.NORMAL.label)
    assert referral.get_decline_reason_display() == str(DeclineReason.CAPACITY.label)
    assert referral.get_outcome_display() == ""
    referral.status = "unknown"
    assert referral.get_status_display() == "unknown"


# PostgreSQL: the indexes the lists were written for ---------------------------------------------


def plan(queryset):
    """The plan PostgreSQL would pick if it had no cheaper way than its indexes."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_the_inbox_reads_its_first_rows_from_its_indexes(staff, hub, city):
    rows = Referral.objects.visible_to(staff).ranked()
    for side, index in (("to_hub", "referral_active_to"), ("from_hub", "referral_active_from")):
        first = rows.filter(**{side: hub}, status__in=ACTIVE).order_by(*views.ACTIVE_ORDER)
        assert index in plan(first.values_list("pk")[:51])
    waiting = rows.filter(from_hub=hub, status__in=NEEDS_NEXT_STEP, next_step="")
    assert "referral_awaiting_next_step" in plan(waiting.values_list("pk"))
    recent = ReferralEvent.objects.filter(at__gte=ago(90)).order_by("-at", "-referral_id")
    assert "referralevent_at" in plan(recent.values_list("referral_id")[:51])


@postgresql_only
def test_failing_cases_probe_the_live_and_failed_partial_indexes(stalled_city):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
    referrals = Referral.objects.filter(case_id=OuterRef("pk"))
    cases = Case.objects.filter(Exists(referrals.filter(FAILING)), ~Exists(referrals.filter(LIVE)))
    text = plan(cases.values_list("pk"))
    assert "referral_case_failed" in text
    assert "referral_case_live" in text
