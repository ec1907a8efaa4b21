"""The hub's referral inbox: groups, overdue first, inline actions, navigation count, queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hubs.models import Role
from referrals import services
from referrals.models import Basis, Kind, Referral, Status, Urgency
from takatsuki_welfare.models import AccessLog

from .factories import CaseFactory, HubFactory, MembershipFactory, ReferralFactory

pytestmark = pytest.mark.django_db

INBOX = "/referrals/"


@pytest.fixture
def center(db):
    return HubFactory(name="富田地域包括支援センター", fields=["elderly"])


@pytest.fixture
def receiver(make_member, center):
    return make_member(Role.STAFF, center)


def send(from_user, to_hub, case, **kwargs):
    return services.referral_send(
        actor=from_user,
        case=case,
        to_hub=to_hub,
        kind=Kind.SUPPORT,
        reason="支援依頼",
        basis=Basis.SUPPORT_MEETING,
        meeting_reference="2026-05-20 支援会議",
        **kwargs,
    )


def incoming(hub, to_hub, **kwargs):
    """A referral from another hub to to_hub, made directly (due dates as given)."""
    case = CaseFactory(household__registered_hub=hub)
    return ReferralFactory(case=case, to_hub=to_hub, **kwargs)


def past(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def sections(response):
    return {s["key"]: s["items"] for s in response.context["sections"]}


def test_it_is_at_referrals_and_named_inbox():
    assert reverse("referrals:inbox") == INBOX


def test_it_groups_incoming_outgoing_next_step_active_and_closed(
    client_as, staff, hub, center, receiver
):
    desk_case = CaseFactory(household__registered_hub=hub)
    waiting_for_them = send(staff, center, desk_case)
    declined = send(staff, HubFactory(), desk_case)
    services.referral_decline(
        actor=_member_of(declined.to_hub), referral=declined, reason="capacity", declined_by="hub"
    )
    accepted = send(staff, center, CaseFactory(household__registered_hub=hub))
    services.referral_accept(actor=receiver, referral=accepted)
    withdrawn = send(staff, center, CaseFactory(household__registered_hub=hub))
    services.referral_withdraw(actor=staff, referral=withdrawn, reason="転居")
    waiting_for_us = send(receiver, hub, CaseFactory(household__registered_hub=center))
    unrelated = incoming(HubFactory(), HubFactory())

    response = client_as(staff).get(INBOX)
    assert response.status_code == 200
    groups = sections(response)
    assert groups["incoming"] == [waiting_for_us]
    assert groups["outgoing"] == [waiting_for_them]
    assert groups["next_step"] == [declined]
    assert groups["active"] == [accepted]
    assert groups["closed"] == [withdrawn]
    assert unrelated not in [r for items in groups.values() for r in items]
    keys = [s["key"] for s in response.context["sections"]]
    assert keys == ["incoming", "outgoing", "next_step", "active", "closed"]


def _member_of(hub):
    return MembershipFactory(hub=hub, role=Role.STAFF).user


def test_it_puts_the_declined_referral_in_recently_closed_after_the_next_step(
    client_as, staff, hub, receiver, center
):
    referral = send(staff, center, CaseFactory(household__registered_hub=hub))
    services.referral_decline(
        actor=receiver, referral=referral, reason="capacity", declined_by="hub"
    )
    assert sections(client_as(receiver).get(INBOX))["closed"] == [referral]
    services.referral_keep(actor=staff, referral=referral, note="当課で継続")
    groups = sections(client_as(staff).get(INBOX))
    assert groups["next_step"] == []
    assert groups["closed"] == [referral]


def test_it_lists_overdue_referrals_first_then_urgent(client_as, hub, center, receiver):
    other = HubFactory()
    later = incoming(other, center, acknowledge_due=past(-3), answer_due=past(-9))
    urgent = incoming(
        other, center, urgency=Urgency.URGENT, acknowledge_due=past(-4), answer_due=past(-10)
    )
    overdue = incoming(other, center, acknowledge_due=past(1), answer_due=past(-5))
    response = client_as(receiver).get(INBOX)
    assert sections(response)["incoming"] == [overdue, urgent, later]
    assert response.context["sections"][0]["items"][0].overdue_rank == 1
    assert "badge--danger" in response.content.decode()


def test_it_shows_expired_referrals_without_next_step_as_overdue(client_as, staff, hub, center):
    referral = incoming(hub, center, acknowledge_due=past(9), answer_due=past(7))
    services.expire_overdue()
    item = sections(client_as(staff).get(INBOX))["next_step"]
    assert item == [referral]
    assert item[0].overdue_rank == 1


def test_it_accepts_in_one_click_from_the_inbox(client_as, hub, center, receiver):
    referral = incoming(hub, center)
    client = client_as(receiver)
    html = client.get(INBOX).content.decode()
    assert reverse("referrals:accept", args=[referral.pk]) in html
    assert reverse("referrals:acknowledge", args=[referral.pk]) in html
    response = client.post(
        reverse("referrals:acknowledge", args=[referral.pk]),
        {"version": referral.version, "comment": "受付", "next": "inbox"},
    )
    assert response["Location"] == INBOX
    referral.refresh_from_db()
    response = client.post(
        reverse("referrals:accept", args=[referral.pk]),
        {"version": referral.version, "next": "inbox"},
    )
    assert response["Location"] == INBOX
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_it_offers_no_inline_answer_on_outgoing_referrals(client_as, staff, hub, center):
    referral = send(staff, center, CaseFactory(household__registered_hub=hub))
    html = client_as(staff).get(INBOX).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) in html
    assert reverse("referrals:accept", args=[referral.pk]) not in html


def test_it_logs_the_search(client_as, staff, hub):
    client_as(staff).get(INBOX)
    entry = AccessLog.objects.get(action=AccessLog.Action.SEARCH)
    assert (entry.hub, entry.detail) == (hub, "referral inbox")


def test_it_is_not_for_volunteers_or_anonymous_users(client_as, client, volunteer):
    assert client_as(volunteer).get(INBOX).status_code == 404
    client.logout()
    response = client.get(INBOX)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_navigation_counts_open_incoming_referrals(client_as, hub, center, receiver):
    incoming(hub, center)
    incoming(hub, center)
    response = client_as(receiver).get(reverse("home"))
    html = response.content.decode()
    assert INBOX in html
    assert 'data-testid="referral-inbox-count"' in html
    assert response.context["referral_inbox_count"] == 2


def _fill(hub, center, staff, receiver, n):
    for i in range(n):
        incoming(HubFactory(), hub, acknowledge_due=past(i % 3 - 1), answer_due=past(-5))
        send(staff, center, CaseFactory(household__registered_hub=hub))
        declined = send(staff, center, CaseFactory(household__registered_hub=hub))
        services.referral_decline(
            actor=receiver, referral=declined, reason="capacity", declined_by="hub"
        )
        accepted = send(staff, center, CaseFactory(household__registered_hub=hub))
        services.referral_accept(actor=receiver, referral=accepted)
        withdrawn = send(staff, center, CaseFactory(household__registered_hub=hub))
        services.referral_withdraw(actor=staff, referral=withdrawn, reason="転居")


def test_its_query_count_does_not_grow_with_referrals(
    client_as, make_member, hub, center, receiver, count_queries
):
    small_hub, large_hub = hub, HubFactory()
    small, large = make_member(Role.STAFF, small_hub), make_member(Role.STAFF, large_hub)
    _fill(small_hub, center, small, receiver, 1)
    _fill(large_hub, center, large, receiver, 20)
    client = client_as(small)
    client.get(INBOX)  # warm up (session, caches)
    one = count_queries(lambda: client.get(INBOX))
    client = client_as(large)
    client.get(INBOX)
    many = count_queries(lambda: client.get(INBOX))
    assert one == many
    assert all(len(s["items"]) == 20 for s in client.get(INBOX).context["sections"])
