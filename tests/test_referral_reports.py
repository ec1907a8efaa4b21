import datetime
from zoneinfo import ZoneInfo

import pytest

from referrals.models import DeclinedBy, DeclineReason, Kind, Outcome, Status
from referrals.reports import referral_figures

from .factories import CaseFactory, HubFactory, ReferralFactory

TOKYO = ZoneInfo("Asia/Tokyo")
MAY_1, MAY_31 = datetime.date(2026, 5, 1), datetime.date(2026, 5, 31)


def at(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=TOKYO)


@pytest.fixture
def hubs(db):
    return {name: HubFactory(name=name) for name in ("desk", "centre", "disability")}


def refer(from_hub, to_hub, *, sent, kind=Kind.SUPPORT, status=Status.SENT, **fields):
    return ReferralFactory(
        case=CaseFactory(lead_hub=from_hub),
        from_hub=from_hub,
        to_hub=to_hub,
        kind=kind,
        status=status,
        sent_at=sent,
        acknowledge_due=sent.date(),
        answer_due=sent.date(),
        **fields,
    )


@pytest.fixture
def may(hubs):
    """Golden Week 2026: 5/2 Sat, 5/3 Sun, 5/4–5/5 holidays, 5/6 substitute holiday."""
    desk, centre, disability = hubs["desk"], hubs["centre"], hubs["disability"]
    refer(
        desk,
        centre,
        sent=at(5, 1),
        acknowledged_at=at(5, 1, 15),
        answered_at=at(5, 7),  # business days 0 and 1 (calendar 0 and 6)
        status=Status.ACCEPTED,
    )
    refer(
        desk,
        disability,
        kind=Kind.HANDOVER,
        sent=at(5, 7),
        acknowledged_at=at(5, 8),
        answered_at=at(5, 11),  # business days 1 and 2 (calendar 1 and 4)
        status=Status.DECLINED,
        decline_reason=DeclineReason.CAPACITY,
        declined_by=DeclinedBy.HUB,
    )
    refer(
        centre,
        desk,
        kind=Kind.INFORMATION,
        sent=at(5, 11),
        acknowledged_at=at(5, 13),
        answered_at=at(5, 15),  # business days 2 and 4
        status=Status.DECLINED,
        decline_reason=DeclineReason.OUT_OF_SCOPE,
        declined_by=DeclinedBy.PERSON,
    )
    refer(desk, centre, sent=at(5, 12))
    refer(
        desk,
        centre,
        sent=at(5, 20),
        acknowledged_at=at(5, 20, 11),
        answered_at=at(5, 21),  # business days 0 and 1
        status=Status.COMPLETED,
        outcome=Outcome.CONNECTED,
        completed_at=at(5, 28),
    )
    refer(centre, disability, sent=at(5, 25), status=Status.WITHDRAWN)
    refer(desk, centre, sent=at(4, 30), status=Status.ACCEPTED)  # before the period
    refer(desk, centre, sent=at(6, 1, 0), status=Status.DECLINED)  # after it


def test_it_counts_referrals_sent_in_the_period_by_kind(may):
    figures = referral_figures(start=MAY_1, end=MAY_31)

    assert figures["total"] == 6
    assert figures["sent_by_kind"][Kind.SUPPORT] == 4
    assert figures["sent_by_kind"][Kind.HANDOVER] == 1
    assert figures["sent_by_kind"][Kind.INFORMATION] == 1
    assert figures["sent_by_kind"][Kind.OUTREACH] == 0
    assert set(figures["sent_by_kind"]) == set(Kind.values)
    assert figures["received_by_kind"] == figures["sent_by_kind"]


def test_it_counts_answers_and_rates_over_the_answered(may):
    figures = referral_figures(start=MAY_1, end=MAY_31)

    assert figures["accepted"] == 2  # accepted, and completed (accepted first)
    assert figures["declined"] == 2
    assert figures["answered"] == 4
    assert figures["open"] == 1
    assert figures["withdrawn"] == 1
    assert figures["expired"] == 0
    assert figures["acceptance_rate"] == 0.5
    assert figures["decline_rate"] == 0.5


def test_it_counts_decline_reasons(may):
    reasons = referral_figures(start=MAY_1, end=MAY_31)["decline_reasons"]

    assert reasons == {
        DeclineReason.OUT_OF_SCOPE: 1,
        DeclineReason.CAPACITY: 1,
        DeclineReason.PERSON_REFUSED: 0,
        DeclineReason.OTHER: 0,
    }


def test_it_takes_medians_in_business_days(may):
    figures = referral_figures(start=MAY_1, end=MAY_31)

    assert figures["median_days_to_acknowledge"] == 0.5  # 0, 0, 1, 2
    assert figures["median_days_to_answer"] == 1.5  # 1, 1, 2, 4 (calendar days: 1, 4, 4, 6)


def test_it_skips_golden_week_when_counting_days(hubs, may):
    """Sent on Friday 5/1, answered on Thursday 5/7: six calendar days, one business day."""
    figures = referral_figures(start=MAY_1, end=datetime.date(2026, 5, 6))

    assert figures["total"] == 1
    assert figures["median_days_to_answer"] == 1


def test_it_splits_sent_and_received_for_a_hub(hubs, may):
    figures = referral_figures(start=MAY_1, end=MAY_31, hub=hubs["desk"])

    assert figures["sent_by_kind"][Kind.SUPPORT] == 3
    assert figures["sent_by_kind"][Kind.HANDOVER] == 1
    assert sum(figures["sent_by_kind"].values()) == 4
    assert figures["received_by_kind"][Kind.INFORMATION] == 1
    assert sum(figures["received_by_kind"].values()) == 1
    assert figures["total"] == 5  # sent by or to the desk; not centre → disability


def test_it_gives_a_hubs_own_answer_times(hubs, may):
    figures = referral_figures(start=MAY_1, end=MAY_31, hub=hubs["disability"])

    assert figures["total"] == 2
    assert figures["received_by_kind"][Kind.HANDOVER] == 1
    assert figures["declined"] == 1
    assert figures["decline_rate"] == 1.0
    assert figures["acceptance_rate"] == 0.0
    assert figures["decline_reasons"][DeclineReason.CAPACITY] == 1
    assert figures["median_days_to_answer"] == 2  # 5/7 Thu → 5/11 Mon


def test_it_uses_tokyo_dates_for_the_period(hubs):
    desk, centre = hubs["desk"], hubs["centre"]
    utc = datetime.UTC
    refer(desk, centre, sent=datetime.datetime(2026, 4, 30, 16, 0, tzinfo=utc))  # 5/1 01:00 JST
    refer(desk, centre, sent=datetime.datetime(2026, 4, 30, 14, 59, tzinfo=utc))  # 4/30 23:59
    refer(desk, centre, sent=datetime.datetime(2026, 5, 31, 14, 59, tzinfo=utc))  # 5/31 23:59
    refer(desk, centre, sent=datetime.datetime(2026, 5, 31, 15, 0, tzinfo=utc))  # 6/1 00:00

    assert referral_figures(start=MAY_1, end=MAY_31)["total"] == 2


def test_it_answers_none_for_an_empty_period(db):
    figures = referral_figures(start=MAY_1, end=MAY_31)

    assert figures["total"] == 0
    assert figures["acceptance_rate"] is None
    assert figures["median_days_to_acknowledge"] is None
    assert figures["median_days_to_answer"] is None


def test_it_counts_in_a_fixed_number_of_queries(may, django_assert_num_queries):
    with django_assert_num_queries(6):
        referral_figures(start=MAY_1, end=MAY_31)
