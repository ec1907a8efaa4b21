"""Referral access matrix: the receiver sees the referral at once, the case on acceptance."""

import datetime
from types import SimpleNamespace

import pytest

from cases.models import Case, CaseHub, Household, Intake, Person
from hubs.models import Role
from referrals.models import Basis, DeclinedBy, DeclineReason, Kind, Outcome, Referral, Status
from referrals.services import (
    expire_overdue,
    referral_accept,
    referral_acknowledge,
    referral_complete,
    referral_decline,
    referral_reroute,
    referral_send,
    referral_start,
    referral_withdraw,
)

from .factories import (
    CaseFactory,
    ConsentFactory,
    HubFactory,
    IntakeFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(hub, make_member, volunteer):
    receiver = HubFactory(name="地域包括支援センター（芥川）")
    third = HubFactory(name="障がい者相談支援センター（北）")
    sender = make_member(Role.STAFF, hub)
    case = CaseFactory(household__registered_hub=hub, household__registered_by=sender)
    son = PersonFactory(household=case.household, given_name="一郎")
    consent = ConsentFactory(person=case.primary_person, hubs=[receiver, third])
    return SimpleNamespace(
        desk=hub,
        receiver=receiver,
        third=third,
        case=case,
        household=case.household,
        person=case.primary_person,
        son=son,
        consent=consent,
        sender=sender,
        sender_manager=make_member(Role.MANAGER, hub),
        receiver_staff=make_member(Role.STAFF, receiver),
        receiver_manager=make_member(Role.MANAGER, receiver),
        receiver_volunteer=make_member(Role.VOLUNTEER, receiver),
        receiver_ended=MembershipFactory(hub=receiver, role=Role.CSW, active=False).user,
        third_staff=make_member(Role.STAFF, third),
        unrelated_staff=make_member(Role.STAFF, HubFactory()),
        unrelated_manager=make_member(Role.MANAGER, HubFactory()),
        coordinator=make_member(Role.COORDINATOR, HubFactory(name="多機関協働事業")),
        corner_volunteer=volunteer,
    )


def send(w, **kwargs):
    values = {
        "actor": w.sender,
        "case": w.case,
        "to_hub": w.receiver,
        "kind": Kind.SUPPORT,
        "reason": "80代の母の介護について",
        "basis": Basis.CONSENT,
        "consent": w.consent,
    } | kwargs
    return referral_send(**values)


def referral_in(w, status, **kwargs):
    referral = send(w, **kwargs)
    if status == Status.SENT:
        return referral
    if status == Status.WITHDRAWN:
        return referral_withdraw(actor=w.sender, referral=referral, reason="本人が来所")
    if status == Status.EXPIRED:
        return expire_overdue(today=referral.answer_due + datetime.timedelta(days=1))[0]
    referral = referral_acknowledge(actor=w.receiver_staff, referral=referral)
    if status == Status.ACKNOWLEDGED:
        return referral
    if status == Status.DECLINED:
        return referral_decline(
            actor=w.receiver_staff,
            referral=referral,
            reason=DeclineReason.CAPACITY,
            declined_by=DeclinedBy.HUB,
        )
    referral = referral_accept(actor=w.receiver_staff, referral=referral)
    if status == Status.ACCEPTED:
        return referral
    referral = referral_start(actor=w.receiver_staff, referral=referral)
    if status == Status.IN_PROGRESS:
        return referral
    return referral_complete(actor=w.receiver_staff, referral=referral, outcome=Outcome.CONNECTED)


def sees(user, w, referral):
    """What the user sees of the referral and of the case behind it (fresh user: no cache)."""
    user = type(user).objects.get(pk=user.pk)
    return {
        "referral": Referral.objects.visible_to(user).filter(pk=referral.pk).exists(),
        "case": Case.objects.visible_to(user).filter(pk=w.case.pk).exists(),
        "household": Household.objects.visible_to(user).filter(pk=w.household.pk).exists(),
        "person": Person.objects.visible_to(user).filter(pk=w.person.pk).exists(),
    }


ONLY_THE_REFERRAL = {"referral": True, "case": False, "household": False, "person": False}
EVERYTHING = dict.fromkeys(ONLY_THE_REFERRAL, True)
NOTHING = dict.fromkeys(ONLY_THE_REFERRAL, False)

BEFORE_ACCEPTANCE = [Status.SENT, Status.ACKNOWLEDGED]
AFTER_ACCEPTANCE = [Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED]
NOT_ACCEPTED = [Status.DECLINED, Status.WITHDRAWN, Status.EXPIRED]


@pytest.mark.parametrize("who", ["receiver_staff", "receiver_manager"])
@pytest.mark.parametrize("status", BEFORE_ACCEPTANCE)
def test_it_shows_the_receiver_only_the_referral_before_acceptance(w, status, who):
    referral = referral_in(w, status)
    assert sees(getattr(w, who), w, referral) == ONLY_THE_REFERRAL


@pytest.mark.parametrize("who", ["receiver_staff", "receiver_manager"])
@pytest.mark.parametrize("status", AFTER_ACCEPTANCE)
def test_it_shows_the_receiver_the_case_after_acceptance(w, status, who):
    referral = referral_in(w, status)
    user = getattr(w, who)
    assert sees(user, w, referral) == EVERYTHING
    assert Person.objects.visible_to(user).filter(pk=w.son.pk).exists()  # the whole household


@pytest.mark.parametrize("who", ["receiver_staff", "receiver_manager"])
@pytest.mark.parametrize("status", NOT_ACCEPTED)
def test_it_leaves_the_receiver_only_the_referral_after_a_decline_withdrawal_or_expiry(
    w, status, who
):
    referral = referral_in(w, status)
    assert sees(getattr(w, who), w, referral) == ONLY_THE_REFERRAL


@pytest.mark.parametrize("status", list(Status))
def test_it_shows_the_sending_hub_everything_throughout(w, status):
    referral = referral_in(w, status)
    assert sees(w.sender, w, referral) == EVERYTHING
    assert sees(w.sender_manager, w, referral) == EVERYTHING


@pytest.mark.parametrize(
    "who",
    [
        "unrelated_staff",
        "unrelated_manager",
        "coordinator",
        "corner_volunteer",
        "receiver_volunteer",
        "receiver_ended",
    ],
)
@pytest.mark.parametrize("status", list(Status))
def test_it_shows_nothing_to_others(w, status, who):
    referral = referral_in(w, status)
    assert sees(getattr(w, who), w, referral) == NOTHING


@pytest.mark.parametrize("status", list(Status))
def test_it_shows_a_coordinator_the_referrals_of_multi_agency_cases(w, status):
    Case.objects.filter(pk=w.case.pk).update(multi_agency=True)
    referral = referral_in(w, status)
    assert sees(w.coordinator, w, referral) == EVERYTHING
    assert sees(w.corner_volunteer, w, referral) == NOTHING
    assert sees(w.unrelated_manager, w, referral) == NOTHING


def test_it_shows_the_referral_chain_to_every_hub_taking_part_in_the_case(w):
    referral = referral_in(w, Status.SENT)
    CaseHub.objects.create(case=w.case, hub=w.third)
    assert sees(w.third_staff, w, referral) == EVERYTHING


def test_it_shows_a_rerouted_hub_the_chain_once_it_accepts(w):
    declined = referral_in(w, Status.DECLINED)
    rerouted = referral_reroute(actor=w.sender, referral=declined, to_hub=w.third)
    assert sees(w.third_staff, w, rerouted) == ONLY_THE_REFERRAL
    assert sees(w.third_staff, w, declined)["referral"] is False
    assert sees(w.receiver_staff, w, rerouted)["referral"] is False

    referral_accept(actor=w.third_staff, referral=rerouted)
    assert sees(w.third_staff, w, rerouted) == EVERYTHING
    assert sees(w.third_staff, w, declined)["referral"] is True  # the chain, through the case
    assert sees(w.receiver_staff, w, declined) == ONLY_THE_REFERRAL
    assert sees(w.receiver_staff, w, rerouted)["referral"] is False


def test_it_makes_the_receiver_of_a_handover_the_lead_and_keeps_the_old_lead_in(w):
    referral = send(w, kind=Kind.HANDOVER)
    assert sees(w.receiver_staff, w, referral) == ONLY_THE_REFERRAL
    referral_accept(actor=w.receiver_manager, referral=referral)
    w.case.refresh_from_db()
    assert w.case.lead_hub == w.receiver
    assert CaseHub.objects.filter(case=w.case, hub=w.desk).exists()
    assert not CaseHub.objects.filter(case=w.case, hub=w.receiver).exists()
    assert sees(w.receiver_staff, w, referral) == EVERYTHING
    assert sees(w.sender, w, referral) == EVERYTHING
    assert sees(w.unrelated_staff, w, referral) == NOTHING


def test_it_shows_a_referred_intake_to_the_receiver_only_after_acceptance(w):
    intake = IntakeFactory(hub=w.desk, recorded_by=w.sender, household=w.household)
    intake.persons.add(w.person)
    referral = send(w, case=None, intake=intake)

    def receiver_sees_intake():
        user = type(w.receiver_staff).objects.get(pk=w.receiver_staff.pk)
        return Intake.objects.visible_to(user).filter(pk=intake.pk).exists()

    assert Referral.objects.visible_to(w.receiver_staff).filter(pk=referral.pk).exists()
    assert not receiver_sees_intake()
    referral_accept(actor=w.receiver_staff, referral=referral)
    assert receiver_sees_intake()
    assert not Referral.objects.visible_to(w.unrelated_staff).filter(pk=referral.pk).exists()


def test_it_shows_each_hub_only_its_own_referrals(w):
    to_receiver = send(w)
    to_third = send(w, to_hub=w.third)
    for user, expected in [
        (w.receiver_staff, {to_receiver}),
        (w.third_staff, {to_third}),
        (w.sender, {to_receiver, to_third}),
        (w.unrelated_staff, set()),
        (w.corner_volunteer, set()),
    ]:
        assert set(Referral.objects.visible_to(user)) == expected
