import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Stage
from hubs.models import Role
from referrals.business_days import business_days_between
from referrals.models import DeclinedBy, DeclineReason, NextStep, Outcome, Status
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, HubFactory, PersonFactory, ReferralFactory, code

URL = reverse("referrals:coordination")


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def desk(db):
    return HubFactory(name="福祉相談支援課", kind=code(CodeList.HUB_KIND, "integrated"))


@pytest.fixture
def centre(db):
    return HubFactory(name="地域包括支援センター（芥川）")


@pytest.fixture
def disability(db):
    return HubFactory(name="障がい者基幹相談支援センター")


@pytest.fixture
def desk_staff(make_member, desk):
    return make_member(Role.STAFF, desk)


def refer(case, to_hub, *, status=Status.SENT, ack_in=2, due_in=7, **fields):
    """A referral of the case from its lead hub, with due dates relative to today."""
    return ReferralFactory(
        case=case,
        from_hub=fields.pop("from_hub", case.lead_hub),
        to_hub=to_hub,
        status=status,
        acknowledge_due=days(ack_in),
        answer_due=days(due_in),
        **fields,
    )


def declined(case, to_hub, **fields):
    return refer(
        case,
        to_hub,
        status=Status.DECLINED,
        ack_in=-5,
        due_in=-1,
        decline_reason=DeclineReason.CAPACITY,
        declined_by=DeclinedBy.HUB,
        answered_at=timezone.now() - datetime.timedelta(days=2),
        **fields,
    )


def pks(rows):
    return [row.pk for row in rows]


# Who may see it -----------------------------------------------------------------------------


def test_it_redirects_a_signed_out_user_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.CSW, Role.MANAGER])
def test_it_refuses_members_of_other_hubs_who_are_not_coordinators(client_as, make_member, role):
    response = client_as(make_member(role, HubFactory())).get(URL)
    assert response.status_code == 403


def test_it_refuses_a_corner_volunteer(client_as, volunteer):
    assert client_as(volunteer).get(URL).status_code == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.COORDINATOR])
def test_it_opens_for_the_desk(client_as, make_member, desk, role):
    assert client_as(make_member(role, desk)).get(URL).status_code == 200


def test_it_opens_for_a_coordinator_at_any_hub(client_as, make_member):
    assert client_as(make_member(Role.COORDINATOR, HubFactory())).get(URL).status_code == 200


def test_it_refuses_post(client_as, desk_staff):
    assert client_as(desk_staff).post(URL).status_code == 405


def test_it_shows_the_navigation_entry_only_to_those_who_may_open_it(
    client_as, make_member, desk, desk_staff
):
    assert URL in client_as(desk_staff).get("/").content.decode()
    assert URL in client_as(make_member(Role.COORDINATOR, HubFactory())).get("/").content.decode()
    assert URL not in client_as(make_member(Role.STAFF, HubFactory())).get("/").content.decode()


def test_it_logs_a_search(client_as, desk_staff):
    client_as(desk_staff).get(URL)
    entry = AccessLog.objects.get(user=desk_staff, action=AccessLog.Action.SEARCH)
    assert entry.detail == "coordination"


# (a) Overdue or expired ---------------------------------------------------------------------


def test_it_lists_overdue_and_expired_referrals_oldest_due_first(
    client_as, desk, desk_staff, centre
):
    case = CaseFactory(lead_hub=desk)
    not_acknowledged = refer(case, centre, ack_in=-3, due_in=2)
    not_answered = refer(case, centre, status=Status.ACKNOWLEDGED, ack_in=-9, due_in=-2)
    expired = refer(case, centre, status=Status.EXPIRED, ack_in=-12, due_in=-8)
    refer(case, centre)  # not yet due
    refer(case, centre, status=Status.ACCEPTED, ack_in=-9, due_in=-5)
    refer(case, centre, status=Status.EXPIRED, ack_in=-12, due_in=-9, next_step=NextStep.KEEP)

    rows = client_as(desk_staff).get(URL).context["overdue"]

    assert pks(rows) == [expired.pk, not_acknowledged.pk, not_answered.pk]
    assert rows[1].due == not_acknowledged.acknowledge_due
    assert rows[2].due == not_answered.answer_due


def test_it_counts_days_overdue_in_business_days(client_as, desk, desk_staff, centre):
    referral = refer(CaseFactory(lead_hub=desk), centre, status=Status.ACKNOWLEDGED, due_in=-7)

    (row,) = client_as(desk_staff).get(URL).context["overdue"]

    today = timezone.localdate()
    assert row.days_overdue == business_days_between(referral.answer_due, today)
    assert row.days_overdue < 7  # a week always holds a weekend


def test_it_shows_what_the_desk_needs_to_follow_up(client_as, desk, desk_staff, centre):
    person = PersonFactory(family_name="大野", given_name="ハル")
    case = CaseFactory(lead_hub=desk, primary=person)
    refer(case, centre, status=Status.ACKNOWLEDGED, due_in=-2)

    html = client_as(desk_staff).get(URL).content.decode()

    assert case.number in html
    assert reverse("cases:case_detail", args=[case.number]) in html
    assert "大野 ハル" in html
    assert "福祉相談支援課 → 地域包括支援センター（芥川）" in html


def test_it_does_not_link_a_case_the_user_cannot_open(client_as, desk, desk_staff, centre):
    """A referral received by the desk shows its case number; the case opens on acceptance."""
    case = CaseFactory(lead_hub=centre)
    refer(case, desk, ack_in=-2)

    response = client_as(desk_staff).get(URL)

    assert pks(response.context["overdue"]) == [case.referrals.get().pk]
    html = response.content.decode()
    assert case.number in html
    assert reverse("cases:case_detail", args=[case.number]) not in html


def test_it_escapes_names(client_as, desk, desk_staff, centre):
    person = PersonFactory(family_name="<script>alert(1)</script>")
    refer(CaseFactory(lead_hub=desk, primary=person), centre, ack_in=-2)

    html = client_as(desk_staff).get(URL).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


# (b) Awaiting the sender's next step -------------------------------------------------------


def test_it_lists_declined_and_expired_referrals_without_a_next_step(
    client_as, desk, desk_staff, centre
):
    case = CaseFactory(lead_hub=desk)
    waiting_decline = declined(case, centre)
    waiting_expiry = refer(case, centre, status=Status.EXPIRED, ack_in=-12, due_in=-8)
    declined(case, centre, next_step=NextStep.KEEP, next_step_note="当課で継続支援")
    refer(case, centre, status=Status.EXPIRED, ack_in=-12, due_in=-9, next_step=NextStep.REROUTE)

    response = client_as(desk_staff).get(URL)

    assert pks(response.context["waiting"]) == [waiting_expiry.pk, waiting_decline.pk]
    assert str(DeclineReason.CAPACITY.label) in response.content.decode()


# (c) Cases whose every referral failed -----------------------------------------------------


def test_it_lists_open_cases_whose_every_referral_failed(client_as, desk, desk_staff, centre):
    only_declined = CaseFactory(lead_hub=desk)
    declined(only_declined, centre)
    withdrawn_and_not_connected = CaseFactory(lead_hub=desk)
    refer(withdrawn_and_not_connected, centre, status=Status.WITHDRAWN, withdraw_reason="重複")
    refer(
        withdrawn_and_not_connected,
        centre,
        status=Status.COMPLETED,
        outcome=Outcome.NOT_CONNECTED,
    )
    expired = CaseFactory(lead_hub=desk)
    refer(expired, centre, status=Status.EXPIRED, ack_in=-9, due_in=-3)

    declined_then_rerouted = CaseFactory(lead_hub=desk)
    declined(declined_then_rerouted, centre, next_step=NextStep.REROUTE)
    refer(declined_then_rerouted, HubFactory())
    connected = CaseFactory(lead_hub=desk)
    declined(connected, centre)
    refer(connected, HubFactory(), status=Status.COMPLETED, outcome=Outcome.CONNECTED)
    under_way = CaseFactory(lead_hub=desk)
    declined(under_way, centre)
    refer(under_way, HubFactory(), status=Status.IN_PROGRESS)
    CaseFactory(lead_hub=desk)  # never referred
    closed = CaseFactory(lead_hub=desk, stage=Stage.CLOSED)
    declined(closed, centre)

    cases = client_as(desk_staff).get(URL).context["cases"]

    assert {case.pk for case in cases} == {
        only_declined.pk,
        withdrawn_and_not_connected.pk,
        expired.pk,
    }


def test_it_shows_the_failed_chain_of_a_case(client_as, desk, desk_staff, centre, disability):
    case = CaseFactory(lead_hub=desk, primary=PersonFactory(family_name="大野", given_name="ハル"))
    declined(case, centre, next_step=NextStep.REROUTE)
    declined(case, disability)

    response = client_as(desk_staff).get(URL)

    (row,) = response.context["cases"]
    assert [r.to_hub for r in row.chain] == [centre, disability]
    html = response.content.decode()
    assert "大野 ハル" in html
    assert "福祉相談支援課 → 障がい者基幹相談支援センター" in html


# Whose referrals ---------------------------------------------------------------------------


def test_it_shows_a_coordinator_multi_agency_cases_city_wide_and_their_own_hubs(
    client_as, make_member, centre, disability
):
    council = HubFactory(name="社会福祉協議会")
    coordinator = make_member(Role.COORDINATOR, council)
    multi_agency = refer(CaseFactory(lead_hub=centre, multi_agency=True), disability, ack_in=-2)
    own = refer(CaseFactory(lead_hub=council), centre, ack_in=-2)
    refer(CaseFactory(lead_hub=centre), disability, ack_in=-2)  # not theirs

    rows = client_as(coordinator).get(URL).context["overdue"]

    assert set(pks(rows)) == {multi_agency.pk, own.pk}


def test_it_shows_the_desk_its_own_and_those_of_cases_it_takes_part_in(
    client_as, desk, desk_staff, centre, disability
):
    own = refer(CaseFactory(lead_hub=desk), centre, ack_in=-2)
    received = refer(CaseFactory(lead_hub=centre), desk, ack_in=-2)
    taking_part = refer(CaseFactory(lead_hub=centre, hubs=[desk]), disability, ack_in=-2)
    refer(CaseFactory(lead_hub=centre), disability, ack_in=-2)  # not theirs
    unrelated = CaseFactory(lead_hub=centre)
    declined(unrelated, disability)

    response = client_as(desk_staff).get(URL)

    assert set(pks(response.context["overdue"])) == {own.pk, received.pk, taking_part.pk}
    assert response.context["waiting"] == []
    assert response.context["cases"] == []


# Performance -------------------------------------------------------------------------------


def _fill(desk, n):
    for i in range(n):
        to_hub = HubFactory()
        refer(CaseFactory(lead_hub=desk, fields=["elderly"]), to_hub, ack_in=-2 - i)
        failed = CaseFactory(lead_hub=desk)
        declined(failed, to_hub, next_step=NextStep.REROUTE)
        declined(failed, HubFactory())


def test_it_runs_the_same_number_of_queries_for_1_and_20_rows(
    client_as, count_queries, desk, desk_staff
):
    client = client_as(desk_staff)
    _fill(desk, 1)
    one = count_queries(lambda: client.get(URL))
    _fill(desk, 19)
    response = client.get(URL)
    assert len(response.context["overdue"]) == 20
    assert len(response.context["waiting"]) == 20
    assert len(response.context["cases"]) == 20
    assert count_queries(lambda: client.get(URL)) == one


def test_it_bounds_each_list(client_as, desk, desk_staff, monkeypatch):
    monkeypatch.setattr("referrals.coordination.LIMIT", 3)
    _fill(desk, 4)

    response = client_as(desk_staff).get(URL)

    assert len(response.context["overdue"]) == 3
    assert len(response.context["waiting"]) == 3
    assert len(response.context["cases"]) == 3
    assert response.context["overdue_more"] and response.context["cases_more"]
