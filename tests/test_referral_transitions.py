"""Referral services: every transition, who may make it, bases for sharing, chains, due dates."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import CaseHub, Consent
from hubs.models import Role
from referrals.business_days import add_business_days, next_business_day
from referrals.models import (
    Basis,
    DeclinedBy,
    DeclineReason,
    Kind,
    NextStep,
    Outcome,
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)
from referrals.services import (
    check_basis,
    due_dates,
    expire_overdue,
    referral_accept,
    referral_acknowledge,
    referral_complete,
    referral_decline,
    referral_keep,
    referral_reroute,
    referral_send,
    referral_start,
    referral_withdraw,
)
from takatsuki_welfare.concurrency import EditConflict
from takatsuki_welfare.models import Notification

from .factories import (
    CaseFactory,
    ConsentFactory,
    HubFactory,
    IntakeFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english(japanese_by_default):
    """Messages are checked against their English source text, whatever gets translated later."""
    translation.activate("en")


@pytest.fixture
def w(hub, make_member, volunteer):
    """The desk (hub) refers the case of an 8050 household to a 地域包括支援センター."""
    receiver = HubFactory(name="地域包括支援センター（芥川）", kana="ちいきほうかつあくたがわ")
    third = HubFactory(name="障がい者相談支援センター（北）", kana="しょうがいきた")
    fourth = HubFactory(name="高槻市社会福祉協議会", kana="たかつきししゃきょう")
    sender = make_member(Role.STAFF, hub)
    case = CaseFactory(household__registered_hub=hub, household__registered_by=sender)
    person = case.primary_person
    consent = ConsentFactory(person=person, hubs=[receiver, third, fourth], recorded_by=sender)
    return SimpleNamespace(
        desk=hub,
        receiver=receiver,
        third=third,
        fourth=fourth,
        case=case,
        person=person,
        consent=consent,
        sender=sender,
        sender_manager=make_member(Role.MANAGER, hub),
        sender_volunteer=make_member(Role.VOLUNTEER, hub),
        receiver_staff=make_member(Role.STAFF, receiver),
        receiver_csw=make_member(Role.CSW, receiver),
        receiver_manager=make_member(Role.MANAGER, receiver),
        receiver_volunteer=make_member(Role.VOLUNTEER, receiver),
        receiver_ended=MembershipFactory(hub=receiver, role=Role.COORDINATOR, active=False).user,
        unrelated_staff=make_member(Role.STAFF, HubFactory()),
        unrelated_manager=make_member(Role.MANAGER, HubFactory()),
        coordinator=make_member(Role.COORDINATOR, HubFactory()),
        corner_volunteer=volunteer,
    )


def send(w, **kwargs):
    values = {
        "actor": w.sender,
        "case": w.case,
        "to_hub": w.receiver,
        "kind": Kind.SUPPORT,
        "reason": "80代の母の介護と50代の息子のひきこもり。介護保険の申請支援をお願いしたい。",
        "request": "訪問による実態把握",
        "basis": Basis.CONSENT,
        "consent": w.consent,
    } | kwargs
    return referral_send(**values)


def expire(referral):
    (expired,) = expire_overdue(today=referral.answer_due + ONE_DAY)
    return expired


def referral_in(w, status, **kwargs):
    """A referral brought to the status through the services, as people would."""
    referral = send(w, **kwargs)
    if status == Status.SENT:
        return referral
    if status == Status.WITHDRAWN:
        return referral_withdraw(actor=w.sender, referral=referral, reason="本人が来所したため")
    if status == Status.EXPIRED:
        return expire(referral)
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


# Each action with valid arguments; "side" says who normally makes it.
ACTIONS = {
    "acknowledge": (
        "receiver",
        lambda w, r, actor: referral_acknowledge(actor=actor, referral=r, comment="受け付けました"),
    ),
    "accept": ("receiver", lambda w, r, actor: referral_accept(actor=actor, referral=r)),
    "start": ("receiver", lambda w, r, actor: referral_start(actor=actor, referral=r)),
    "complete": (
        "receiver",
        lambda w, r, actor: referral_complete(
            actor=actor, referral=r, outcome=Outcome.CONNECTED, outcome_note="介護認定申請済み"
        ),
    ),
    "decline": (
        "receiver",
        lambda w, r, actor: referral_decline(
            actor=actor,
            referral=r,
            reason=DeclineReason.OUT_OF_SCOPE,
            declined_by=DeclinedBy.HUB,
            note="対象年齢外",
        ),
    ),
    "withdraw": (
        "sender",
        lambda w, r, actor: referral_withdraw(actor=actor, referral=r, reason="本人の意向"),
    ),
    "keep": (
        "sender",
        lambda w, r, actor: referral_keep(actor=actor, referral=r, note="当課で継続支援"),
    ),
    "reroute": (
        "sender",
        lambda w, r, actor: referral_reroute(
            actor=actor, referral=r, to_hub=w.third, note="障がい分野へ"
        ),
    ),
}

LEGAL = {
    (Status.SENT, "acknowledge"): Status.ACKNOWLEDGED,
    (Status.SENT, "accept"): Status.ACCEPTED,
    (Status.ACKNOWLEDGED, "accept"): Status.ACCEPTED,
    (Status.ACCEPTED, "start"): Status.IN_PROGRESS,
    (Status.ACCEPTED, "complete"): Status.COMPLETED,
    (Status.IN_PROGRESS, "complete"): Status.COMPLETED,
    (Status.SENT, "decline"): Status.DECLINED,
    (Status.ACKNOWLEDGED, "decline"): Status.DECLINED,
    (Status.SENT, "withdraw"): Status.WITHDRAWN,
    (Status.ACKNOWLEDGED, "withdraw"): Status.WITHDRAWN,
    # The next step after a decline or expiry leaves the status as it is.
    (Status.DECLINED, "keep"): Status.DECLINED,
    (Status.DECLINED, "reroute"): Status.DECLINED,
    (Status.EXPIRED, "keep"): Status.EXPIRED,
    (Status.EXPIRED, "reroute"): Status.EXPIRED,
}
ILLEGAL = [(s, a) for s in Status for a in ACTIONS if (s, a) not in LEGAL]


def actor_for(w, action):
    return w.receiver_staff if ACTIONS[action][0] == "receiver" else w.sender


# Legal and illegal transitions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [(s, a, e) for (s, a), e in LEGAL.items()],
    ids=[f"{s}-{a}" for s, a in LEGAL],
)
def test_it_makes_every_legal_transition(w, status, action, expected):
    referral = referral_in(w, status)
    events = referral.events.count()
    ACTIONS[action][1](w, referral, actor_for(w, action))
    referral.refresh_from_db()
    assert referral.status == expected
    assert referral.events.count() == events + 1
    event = referral.events.last()
    assert (event.from_status, event.to_status) == (status, expected)


@pytest.mark.parametrize(("status", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_it_refuses_every_illegal_transition_with_a_clear_message(w, status, action):
    referral = referral_in(w, status)
    before = (referral.version, referral.events.count(), Referral.objects.count())
    with pytest.raises(ValidationError) as refused:
        ACTIONS[action][1](w, referral, actor_for(w, action))
    message = " ".join(refused.value.messages)
    if action in ("keep", "reroute"):
        assert "only after a referral is declined or has expired" in message
    else:
        assert f"“{Status(status).label}” cannot be" in message
    referral.refresh_from_db()
    assert referral.status == status
    assert (referral.version, referral.events.count(), Referral.objects.count()) == before


@pytest.mark.parametrize("first", ["keep", "reroute"])
@pytest.mark.parametrize("second", ["keep", "reroute"])
@pytest.mark.parametrize("status", [Status.DECLINED, Status.EXPIRED])
def test_it_chooses_the_next_step_only_once(w, status, first, second):
    referral = referral_in(w, status)
    ACTIONS[first][1](w, referral, w.sender)
    referral.refresh_from_db()
    with pytest.raises(ValidationError, match="only after a referral is declined or has expired"):
        ACTIONS[second][1](w, referral, w.sender)
    referral.refresh_from_db()
    assert referral.next_step == (NextStep.KEEP if first == "keep" else NextStep.REROUTE)
    assert Referral.objects.count() == (2 if first == "reroute" else 1)


@pytest.mark.parametrize("status", [Status.SENT, Status.ACKNOWLEDGED])
def test_it_expires_a_referral_left_unanswered_past_its_answer_date(w, status):
    referral = referral_in(w, status)
    accepted = referral_in(w, Status.ACCEPTED)
    assert expire_overdue(today=referral.answer_due) == []  # the due date itself is still in time
    expired = expire_overdue(today=referral.answer_due + ONE_DAY)
    assert [r.pk for r in expired] == [referral.pk]
    referral.refresh_from_db()
    accepted.refresh_from_db()
    assert referral.status == Status.EXPIRED
    assert referral.needs_next_step
    assert accepted.status == Status.ACCEPTED
    event = referral.events.last()
    assert (event.from_status, event.to_status) == (status, Status.EXPIRED)
    assert event.actor is None and event.acting_hub is None
    assert expire_overdue(today=referral.answer_due + 10 * ONE_DAY) == []


def test_it_finds_overdue_referrals_by_their_dates(w):
    today = timezone.localdate()
    referral = send(w)
    assert not referral.is_overdue(today)
    Referral.objects.filter(pk=referral.pk).update(acknowledge_due=today - ONE_DAY)
    referral.refresh_from_db()
    assert referral.is_overdue(today)
    assert list(Referral.objects.overdue(today)) == [referral]
    referral = referral_acknowledge(actor=w.receiver_staff, referral=referral)
    assert not referral.is_overdue(today)  # acknowledged: only the answer date counts now
    Referral.objects.filter(pk=referral.pk).update(answer_due=today - ONE_DAY)
    referral.refresh_from_db()
    assert referral.is_overdue(today)
    expire_overdue(today=today)
    referral.refresh_from_db()
    assert referral.status == Status.EXPIRED
    assert list(Referral.objects.overdue(today)) == [referral]  # until the sender acts
    assert list(Referral.objects.awaiting_next_step()) == [referral]
    referral_keep(actor=w.sender, referral=referral, note="当課で継続")
    assert not Referral.objects.overdue(today).exists()
    assert not Referral.objects.awaiting_next_step().exists()


# Who may make each transition -------------------------------------------------------------

START = {
    "acknowledge": Status.SENT,
    "accept": Status.SENT,
    "start": Status.ACCEPTED,
    "complete": Status.ACCEPTED,
    "decline": Status.SENT,
    "withdraw": Status.SENT,
    "keep": Status.DECLINED,
    "reroute": Status.DECLINED,
}
ALLOWED = {
    "receiver": {"receiver_staff", "receiver_csw", "receiver_manager"},
    "sender": {"sender", "sender_manager"},
}
WHO = [
    "sender",
    "sender_manager",
    "sender_volunteer",
    "receiver_staff",
    "receiver_csw",
    "receiver_manager",
    "receiver_volunteer",
    "receiver_ended",
    "unrelated_staff",
    "unrelated_manager",
    "coordinator",
    "corner_volunteer",
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_it_lets_only_the_right_hub_make_each_transition(w, action, who):
    referral = referral_in(w, START[action])
    actor = getattr(w, who)
    if who in ALLOWED[ACTIONS[action][0]]:
        ACTIONS[action][1](w, referral, actor)
        assert referral.events.last().actor == actor
        return
    before = (referral.version, referral.events.count())
    with pytest.raises(PermissionDenied):
        ACTIONS[action][1](w, referral, actor)
    referral.refresh_from_db()
    assert referral.status == START[action]
    assert (referral.version, referral.events.count()) == before


@pytest.mark.parametrize("who", ["sender_volunteer", "corner_volunteer", "receiver_ended"])
def test_it_refuses_sending_to_those_who_do_no_casework(w, who):
    with pytest.raises(PermissionDenied):
        send(w, actor=getattr(w, who), to_hub=w.third)
    assert not Referral.objects.exists()


def test_it_refuses_a_referral_to_ones_own_hub_an_inactive_hub_or_about_nothing(w):
    with pytest.raises(ValidationError) as refused:
        send(w, to_hub=w.desk)
    assert "to_hub" in refused.value.message_dict
    w.third.active = False
    w.third.save()
    with pytest.raises(ValidationError) as refused:
        send(w, to_hub=w.third)
    assert "to_hub" in refused.value.message_dict
    with pytest.raises(ValidationError, match="about a case or an intake"):
        send(w, case=None)
    assert not Referral.objects.exists()


# Required reasons and notes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "", "declined_by": DeclinedBy.HUB}, "decline_reason"),
        ({"reason": "busy", "declined_by": DeclinedBy.HUB}, "decline_reason"),
        ({"reason": DeclineReason.OTHER, "declined_by": DeclinedBy.HUB}, "decline_note"),
        (
            {"reason": DeclineReason.OTHER, "declined_by": DeclinedBy.HUB, "note": "  "},
            "decline_note",
        ),
        ({"reason": DeclineReason.CAPACITY, "declined_by": ""}, "declined_by"),
        ({"reason": DeclineReason.CAPACITY, "declined_by": "city"}, "declined_by"),
    ],
)
def test_it_requires_a_reason_and_who_declined(w, kwargs, field):
    referral = send(w)
    with pytest.raises(ValidationError) as refused:
        referral_decline(actor=w.receiver_staff, referral=referral, **kwargs)
    assert field in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.SENT
    assert referral.events.count() == 1


def test_it_records_the_decline(w):
    referral = send(w)
    referral_decline(
        actor=w.receiver_manager,
        referral=referral,
        reason=DeclineReason.OTHER,
        declined_by=DeclinedBy.PERSON,
        note="本人が訪問を望まない",
    )
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED
    assert referral.decline_reason == DeclineReason.OTHER
    assert referral.declined_by == DeclinedBy.PERSON
    assert referral.decline_note == "本人が訪問を望まない"
    assert referral.answered_at is not None
    assert referral.needs_next_step
    assert referral.events.last().comment == "本人が訪問を望まない"
    assert not CaseHub.objects.filter(case=w.case, hub=w.receiver).exists()


@pytest.mark.parametrize("outcome", ["", "maybe"])
def test_it_requires_an_outcome_to_complete(w, outcome):
    referral = referral_in(w, Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        referral_complete(actor=w.receiver_staff, referral=referral, outcome=outcome)
    assert "outcome" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS


def test_it_records_the_outcome(w):
    referral = referral_in(w, Status.ACCEPTED)
    referral_complete(
        actor=w.receiver_csw,
        referral=referral,
        outcome=Outcome.NOT_CONNECTED,
        outcome_note="本人と会えず",
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Status.COMPLETED, Outcome.NOT_CONNECTED)
    assert referral.outcome_note == "本人と会えず"
    assert referral.completed_at is not None


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_requires_a_reason_to_withdraw(w, reason):
    referral = send(w)
    with pytest.raises(ValidationError) as refused:
        referral_withdraw(actor=w.sender, referral=referral, reason=reason)
    assert "withdraw_reason" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_it_records_the_withdrawal(w):
    referral = referral_in(w, Status.ACKNOWLEDGED)
    referral_withdraw(actor=w.sender_manager, referral=referral, reason="本人が来所し解決")
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN
    assert referral.withdraw_reason == "本人が来所し解決"
    assert not referral.needs_next_step


@pytest.mark.parametrize("note", ["", " \n "])
def test_it_requires_a_note_to_keep_the_case(w, note):
    referral = referral_in(w, Status.DECLINED)
    with pytest.raises(ValidationError) as refused:
        referral_keep(actor=w.sender, referral=referral, note=note)
    assert "next_step_note" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.next_step == ""


def test_it_records_keeping_the_case(w):
    referral = referral_in(w, Status.DECLINED)
    referral_keep(actor=w.sender, referral=referral, note="当課で月1回訪問を継続")
    referral.refresh_from_db()
    assert (referral.next_step, referral.next_step_note) == (NextStep.KEEP, "当課で月1回訪問を継続")
    assert not referral.needs_next_step
    event = referral.events.last()
    assert (event.from_status, event.to_status) == (Status.DECLINED, Status.DECLINED)
    assert "当課で月1回訪問を継続" in event.comment
    assert (event.actor, event.acting_hub) == (w.sender, w.desk)


# Re-routing -------------------------------------------------------------------------------


def test_it_reroutes_along_a_chain_of_three(w):
    first = send(w)
    referral_decline(
        actor=w.receiver_staff,
        referral=first,
        reason=DeclineReason.OUT_OF_SCOPE,
        declined_by=DeclinedBy.HUB,
    )
    second = referral_reroute(actor=w.sender, referral=first, to_hub=w.third, note="障がい分野で")
    first.refresh_from_db()
    assert first.next_step == NextStep.REROUTE
    assert first.next_step_note == "障がい分野で"
    assert first.rerouted_to == second
    assert second.rerouted_from == first
    assert (second.status, second.from_hub, second.to_hub) == (Status.SENT, w.desk, w.third)
    assert (second.case, second.person, second.kind) == (w.case, w.person, first.kind)
    assert (second.reason, second.basis, second.consent) == (first.reason, first.basis, w.consent)
    assert w.third.name in first.events.last().comment

    third_staff = MembershipFactory(hub=w.third, role=Role.STAFF).user
    referral_decline(
        actor=third_staff,
        referral=second,
        reason=DeclineReason.PERSON_REFUSED,
        declined_by=DeclinedBy.PERSON,
    )
    third = referral_reroute(
        actor=w.sender, referral=second, to_hub=w.fourth, reason="社協のCSWによる見守りを依頼"
    )
    assert third.reason == "社協のCSWによる見守りを依頼"
    chain, link = [], Referral.objects.get(pk=first.pk)
    while link is not None:
        chain.append(link)
        link = getattr(link, "rerouted_to", None)
    assert [(r.to_hub, r.status) for r in chain] == [
        (w.receiver, Status.DECLINED),
        (w.third, Status.DECLINED),
        (w.fourth, Status.SENT),
    ]
    assert third.rerouted_from.rerouted_from == first
    assert not Referral.objects.awaiting_next_step().exists()

    referral_accept(actor=MembershipFactory(hub=w.fourth, role=Role.CSW).user, referral=third)
    assert set(CaseHub.objects.filter(case=w.case).values_list("hub", flat=True)) == {w.fourth.pk}


def test_it_reroutes_an_expired_referral(w):
    expired = referral_in(w, Status.EXPIRED)
    new = referral_reroute(actor=w.sender, referral=expired, to_hub=w.third)
    expired.refresh_from_db()
    assert expired.next_step == NextStep.REROUTE
    assert new.rerouted_from == expired


@pytest.mark.parametrize("target", ["receiver", "desk"])
def test_it_refuses_to_reroute_to_the_same_hub_or_back_to_the_sender(w, target):
    declined = referral_in(w, Status.DECLINED)
    with pytest.raises(ValidationError) as refused:
        referral_reroute(actor=w.sender, referral=declined, to_hub=getattr(w, target))
    assert "to_hub" in refused.value.message_dict
    declined.refresh_from_db()
    assert declined.needs_next_step
    assert Referral.objects.count() == 1


def test_it_reroutes_beyond_the_consent_only_on_another_basis(w):
    declined = referral_in(w, Status.DECLINED)
    outside = HubFactory(name="高槻市保健所")
    with pytest.raises(ValidationError) as refused:
        referral_reroute(actor=w.sender, referral=declined, to_hub=outside)
    assert "consent" in refused.value.message_dict
    declined.refresh_from_db()
    assert declined.needs_next_step
    new = referral_reroute(
        actor=w.sender,
        referral=declined,
        to_hub=outside,
        basis=Basis.SUPPORT_MEETING,
        meeting_reference="2026年11月20日 重層的支援会議",
    )
    assert (new.basis, new.consent, new.meeting_reference) == (
        Basis.SUPPORT_MEETING,
        None,
        "2026年11月20日 重層的支援会議",
    )


# 引継ぎ and acceptance ----------------------------------------------------------------------


def test_it_lets_only_the_lead_hub_hand_a_case_over(w):
    CaseHub.objects.create(case=w.case, hub=w.third)
    participant = MembershipFactory(hub=w.third, role=Role.STAFF).user
    with pytest.raises(ValidationError) as refused:
        send(w, actor=participant, kind=Kind.HANDOVER)
    assert "kind" in refused.value.message_dict
    assert not Referral.objects.exists()
    # A participating hub may still ask for support.
    assert send(w, actor=participant, kind=Kind.SUPPORT).from_hub == w.third


def test_it_moves_the_lead_when_a_handover_is_accepted(w):
    w.case.main_worker = w.sender
    w.case.save()
    CaseHub.objects.create(case=w.case, hub=w.receiver)  # already taking part
    version = w.case.version
    referral = send(w, kind=Kind.HANDOVER)
    referral_accept(actor=w.receiver_manager, referral=referral)
    w.case.refresh_from_db()
    assert w.case.lead_hub == w.receiver
    assert w.case.main_worker is None
    assert w.case.version == version + 1
    assert set(CaseHub.objects.filter(case=w.case).values_list("hub", flat=True)) == {w.desk.pk}


def test_it_adds_a_participating_hub_when_another_kind_is_accepted(w):
    w.case.main_worker = w.sender
    w.case.save()
    referral = send(w, kind=Kind.ACCOMPANY)
    referral_accept(actor=w.receiver_staff, referral=referral)
    w.case.refresh_from_db()
    assert (w.case.lead_hub, w.case.main_worker) == (w.desk, w.sender)
    link = CaseHub.objects.get(case=w.case, hub=w.receiver)
    with translation.override("en"):
        assert link.reason == Kind.ACCOMPANY.label


def test_it_refuses_a_handover_of_an_intake(w):
    intake = IntakeFactory(hub=w.desk, recorded_by=w.sender)
    intake.persons.add(w.person)
    with pytest.raises(ValidationError) as refused:
        send(w, case=None, intake=intake, kind=Kind.HANDOVER)
    assert "kind" in refused.value.message_dict


def test_it_hands_an_intake_to_the_hub_that_accepts_it(w):
    intake = IntakeFactory(hub=w.desk, recorded_by=w.sender)
    intake.persons.add(w.person)
    referral = send(w, case=None, intake=intake)
    assert referral.person == w.person
    intake.refresh_from_db()
    assert intake.handed_to is None
    referral_accept(actor=w.receiver_staff, referral=referral)
    intake.refresh_from_db()
    assert intake.handed_to == w.receiver


def test_it_leaves_a_declined_intake_with_the_sender(w):
    intake = IntakeFactory(hub=w.desk, recorded_by=w.sender)
    referral = send(
        w, case=None, intake=intake, basis=Basis.SUPPORT_MEETING, meeting_reference="11/20 支援会議"
    )
    assert referral.person is None
    referral_decline(
        actor=w.receiver_staff,
        referral=referral,
        reason=DeclineReason.CAPACITY,
        declined_by=DeclinedBy.HUB,
    )
    intake.refresh_from_db()
    assert intake.handed_to is None


# The basis for sharing --------------------------------------------------------------------


def _unidentified(w):
    return {"case": None, "intake": IntakeFactory(hub=w.desk, recorded_by=w.sender)}


def _today():
    return timezone.localdate()


BASIS_FAILURES = {
    "missing consent": (lambda w: {"consent": None}, "consent", "Choose the consent"),
    "another person's consent": (
        lambda w: {
            "consent": ConsentFactory(
                person=PersonFactory(household=w.case.household), hubs=[w.receiver]
            )
        },
        "consent",
        "not the referred person's",
    ),
    "scope lacks the receiver": (
        lambda w: {"consent": ConsentFactory(person=w.person, hubs=[w.third])},
        "consent",
        "does not cover 地域包括支援センター（芥川）",
    ),
    "withdrawn today": (
        lambda w: {
            "consent": ConsentFactory(person=w.person, hubs=[w.receiver], withdrawn_on=_today())
        },
        "consent",
        "was withdrawn",
    ),
    "withdrawn earlier": (
        lambda w: {
            "consent": ConsentFactory(
                person=w.person,
                hubs=[w.receiver],
                obtained_on=_today() - 30 * ONE_DAY,
                withdrawn_on=_today() - ONE_DAY,
            )
        },
        "consent",
        "was withdrawn",
    ),
    "conference consent only": (
        lambda w: {
            "consent": ConsentFactory(
                person=w.person, hubs=[w.receiver], kind=Consent.Kind.CONFERENCE
            )
        },
        "consent",
        "not for sharing with agencies",
    ),
    "future-dated consent": (
        lambda w: {
            "consent": ConsentFactory(
                person=w.person, hubs=[w.receiver], obtained_on=_today() + ONE_DAY
            )
        },
        "consent",
        "dated in the future",
    ),
    "support meeting without a reference": (
        lambda w: {"basis": Basis.SUPPORT_MEETING, "consent": None, "meeting_reference": "  "},
        "meeting_reference",
        "Name the support meeting",
    ),
    "unidentified person on consent": (_unidentified, "basis", "not identified yet"),
}


@pytest.mark.parametrize("case", list(BASIS_FAILURES))
def test_it_refuses_to_send_without_a_valid_basis(w, case):
    make_kwargs, field, text = BASIS_FAILURES[case]
    with pytest.raises(ValidationError) as refused:
        send(w, **make_kwargs(w))
    assert list(refused.value.message_dict) == [field]
    assert text in refused.value.message_dict[field][0]
    assert not Referral.objects.exists()
    assert not ReferralEvent.objects.exists()
    assert not Notification.objects.exists()


def test_it_sends_on_a_consent_withdrawn_only_from_tomorrow_or_for_a_specific_agency(w):
    tomorrow = _today() + ONE_DAY
    ending = ConsentFactory(person=w.person, hubs=[w.receiver], withdrawn_on=tomorrow)
    assert send(w, consent=ending).consent == ending
    specific = ConsentFactory(person=w.person, hubs=[w.third], kind=Consent.Kind.SPECIFIC_AGENCY)
    assert send(w, consent=specific, to_hub=w.third).consent == specific


def test_it_keeps_only_the_basis_chosen(w):
    on_meeting = send(
        w, basis=Basis.SUPPORT_MEETING, meeting_reference="11/20 支援会議", consent=w.consent
    )
    assert (on_meeting.consent, on_meeting.meeting_reference) == (None, "11/20 支援会議")
    on_consent = send(w, meeting_reference="11/20 支援会議")
    assert (on_consent.consent, on_consent.meeting_reference) == (w.consent, "")


def test_it_judges_a_consent_on_the_given_day(w):
    consent = ConsentFactory(
        person=w.person,
        hubs=[w.receiver],
        obtained_on=D(2026, 5, 1),
        withdrawn_on=D(2026, 6, 1),
    )
    basis = {"person": w.person, "to_hub": w.receiver, "basis": Basis.CONSENT, "consent": consent}
    check_basis(**basis, today=D(2026, 5, 1))
    check_basis(**basis, today=D(2026, 5, 31))
    for day, text in [(D(2026, 4, 30), "in the future"), (D(2026, 6, 1), "withdrawn on")]:
        with pytest.raises(ValidationError, match=text):
            check_basis(**basis, today=day)


# History ----------------------------------------------------------------------------------


def test_it_writes_an_event_for_every_transition(w):
    referral = send(w)
    referral_acknowledge(actor=w.receiver_csw, referral=referral, comment="受付")
    referral_accept(actor=w.receiver_manager, referral=referral, comment="受諾")
    referral_start(actor=w.receiver_staff, referral=referral, comment="初回訪問")
    referral_complete(
        actor=w.receiver_staff, referral=referral, outcome=Outcome.CONNECTED, outcome_note="完了"
    )
    assert [
        (e.actor, e.acting_hub, e.from_status, e.to_status, e.comment)
        for e in referral.events.all()
    ] == [
        (w.sender, w.desk, "", Status.SENT, referral.reason),
        (w.receiver_csw, w.receiver, Status.SENT, Status.ACKNOWLEDGED, "受付"),
        (w.receiver_manager, w.receiver, Status.ACKNOWLEDGED, Status.ACCEPTED, "受諾"),
        (w.receiver_staff, w.receiver, Status.ACCEPTED, Status.IN_PROGRESS, "初回訪問"),
        (w.receiver_staff, w.receiver, Status.IN_PROGRESS, Status.COMPLETED, "完了"),
    ]
    referral.refresh_from_db()
    assert referral.version == 5
    assert referral.acknowledged_at <= referral.answered_at <= referral.completed_at


def test_it_writes_events_for_withdrawal_and_decline(w):
    withdrawn = referral_in(w, Status.WITHDRAWN)
    event = withdrawn.events.last()
    assert (event.actor, event.acting_hub, event.from_status, event.to_status) == (
        w.sender,
        w.desk,
        Status.SENT,
        Status.WITHDRAWN,
    )
    assert event.comment == "本人が来所したため"
    declined = referral_in(w, Status.DECLINED)
    event = declined.events.last()
    assert (event.actor, event.acting_hub, event.from_status, event.to_status) == (
        w.receiver_staff,
        w.receiver,
        Status.ACKNOWLEDGED,
        Status.DECLINED,
    )


def test_it_keeps_events_append_only(w):
    referral = send(w)
    event = referral.events.get()
    event.comment = "書き換え"
    with pytest.raises(PermissionError):
        event.save()
    assert ReferralEvent.objects.get(pk=event.pk).comment == referral.reason


# Optimistic locking -----------------------------------------------------------------------


def test_it_refuses_a_stale_version(w):
    referral = send(w)
    assert referral.version == 1
    referral = referral_acknowledge(actor=w.receiver_staff, referral=referral, expected_version=1)
    assert referral.version == 2
    with pytest.raises(EditConflict):
        referral_decline(
            actor=w.receiver_manager,
            referral=referral,
            reason=DeclineReason.CAPACITY,
            declined_by=DeclinedBy.HUB,
            expected_version=1,
        )
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (Status.ACKNOWLEDGED, 2)
    referral_accept(actor=w.receiver_manager, referral=referral, expected_version=2)
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (Status.ACCEPTED, 3)


@pytest.mark.parametrize("action", ["withdraw", "keep", "reroute"])
def test_it_refuses_a_stale_version_on_the_senders_side(w, action):
    referral = referral_in(w, START[action])
    stale = referral.version - 1
    calls = {
        "withdraw": lambda: referral_withdraw(
            actor=w.sender, referral=referral, reason="取下げ", expected_version=stale
        ),
        "keep": lambda: referral_keep(
            actor=w.sender, referral=referral, note="継続", expected_version=stale
        ),
        "reroute": lambda: referral_reroute(
            actor=w.sender, referral=referral, to_hub=w.third, expected_version=stale
        ),
    }
    with pytest.raises(EditConflict):
        calls[action]()
    referral.refresh_from_db()
    assert (referral.status, referral.next_step) == (START[action], "")
    assert Referral.objects.count() == 1


# Notifications ----------------------------------------------------------------------------


def _notified(users):
    return {u: list(Notification.objects.filter(recipient=u)) for u in users}


def test_it_notifies_the_receiving_hubs_caseworkers_of_a_new_referral(w):
    referral = send(w)
    url = reverse("referrals:detail", args=[referral.pk])
    for user in [w.receiver_staff, w.receiver_csw, w.receiver_manager]:
        (notification,) = Notification.objects.filter(recipient=user)
        assert (notification.hub, notification.url) == (w.receiver, url)
        assert w.desk.name in notification.message
        assert notification.read_at is None
    silent = [w.receiver_volunteer, w.receiver_ended, w.sender, w.sender_manager, w.coordinator]
    assert not Notification.objects.filter(recipient__in=silent).exists()
    assert Notification.objects.count() == 3


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.SENT, "acknowledge"),
        (Status.SENT, "accept"),
        (Status.ACKNOWLEDGED, "decline"),
        (Status.IN_PROGRESS, "complete"),
    ],
)
def test_it_notifies_the_sending_hub_of_every_answer(w, status, action):
    referral = referral_in(w, status)
    Notification.objects.all().delete()
    ACTIONS[action][1](w, referral, w.receiver_staff)
    url = reverse("referrals:detail", args=[referral.pk])
    for user in [w.sender, w.sender_manager]:
        (notification,) = Notification.objects.filter(recipient=user)
        assert (notification.hub, notification.url) == (w.desk, url)
        assert w.receiver.name in notification.message
    assert not Notification.objects.filter(recipient=w.sender_volunteer).exists()
    assert Notification.objects.count() == 2


def test_it_notifies_the_receiver_of_a_withdrawal_and_both_hubs_of_an_expiry(w):
    withdrawn = send(w)
    Notification.objects.all().delete()
    referral_withdraw(actor=w.sender, referral=withdrawn, reason="解決済み")
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        w.receiver_staff.pk,
        w.receiver_csw.pk,
        w.receiver_manager.pk,
    }
    late = send(w)
    Notification.objects.all().delete()
    expire(late)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {
        w.sender.pk,
        w.sender_manager.pk,
        w.receiver_staff.pk,
        w.receiver_csw.pk,
        w.receiver_manager.pk,
    }


def test_it_notifies_the_new_hub_when_rerouting(w):
    third_staff = MembershipFactory(hub=w.third, role=Role.STAFF).user
    declined = referral_in(w, Status.DECLINED)
    Notification.objects.all().delete()
    new = referral_reroute(actor=w.sender, referral=declined, to_hub=w.third)
    (notification,) = Notification.objects.all()
    assert (notification.recipient, notification.hub) == (third_staff, w.third)
    assert notification.url == reverse("referrals:detail", args=[new.pk])


# Due dates --------------------------------------------------------------------------------


def test_it_gives_normal_referrals_the_receiving_hubs_business_days(w):
    assert (w.receiver.acknowledge_business_days, w.receiver.answer_business_days) == (2, 5)
    # Golden Week 2026: 4/29 and 5/3–5/6 closed.
    assert due_dates(w.receiver, Urgency.NORMAL, today=D(2026, 4, 28)) == (
        D(2026, 5, 1),
        D(2026, 5, 11),
    )
    # The year-end closure.
    assert due_dates(w.receiver, Urgency.NORMAL, today=D(2026, 12, 25)) == (
        D(2027, 1, 4),
        D(2027, 1, 7),
    )


def test_it_uses_each_receiving_hubs_own_business_days(w):
    w.receiver.acknowledge_business_days = 1
    w.receiver.answer_business_days = 3
    w.receiver.save()
    assert due_dates(w.receiver, Urgency.NORMAL, today=D(2026, 4, 28)) == (
        D(2026, 4, 30),
        D(2026, 5, 7),
    )
    assert due_dates(w.third, Urgency.NORMAL, today=D(2026, 4, 28)) == (
        D(2026, 5, 1),
        D(2026, 5, 11),
    )
    today = timezone.localdate()
    quick, slow = send(w), send(w, to_hub=w.third)
    assert (quick.acknowledge_due, quick.answer_due) == (
        add_business_days(today, 1),
        add_business_days(today, 3),
    )
    assert (slow.acknowledge_due, slow.answer_due) == (
        add_business_days(today, 2),
        add_business_days(today, 5),
    )


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (D(2026, 4, 28), D(2026, 4, 28)),  # an open day: the same day
        (D(2026, 5, 2), D(2026, 5, 7)),  # Saturday in Golden Week: the next open day
        (D(2026, 5, 6), D(2026, 5, 7)),  # substitute holiday
        (D(2026, 12, 29), D(2027, 1, 4)),  # year-end closure
    ],
)
def test_it_wants_urgent_referrals_answered_the_same_business_day(w, today, due):
    w.receiver.answer_business_days = 10
    assert due_dates(w.receiver, Urgency.URGENT, today=today) == (due, due)


def test_it_stores_due_dates_on_sending(w):
    today = timezone.localdate()
    urgent = send(w, urgency=Urgency.URGENT)
    assert urgent.acknowledge_due == urgent.answer_due == next_business_day(today)
    normal = send(w)
    assert (normal.acknowledge_due, normal.answer_due) == due_dates(w.receiver, Urgency.NORMAL)


def test_a_stale_handover_cannot_be_accepted_after_the_lead_moved(db):
    from cases.models import Case
    from referrals.models import Kind
    from referrals.services import referral_accept

    from .factories import CaseFactory, HubFactory, MembershipFactory, ReferralFactory

    old_lead, receiver, third = HubFactory(), HubFactory(), HubFactory()
    case = CaseFactory(household__registered_hub=old_lead)
    handover = ReferralFactory(case=case, kind=Kind.HANDOVER, to_hub=receiver)
    Case.objects.filter(pk=case.pk).update(lead_hub=third)
    with pytest.raises(ValidationError, match="lead of this case has moved"):
        referral_accept(actor=MembershipFactory(hub=receiver).user, referral=handover)
    assert Case.objects.get(pk=case.pk).lead_hub == third
