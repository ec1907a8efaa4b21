"""The referral screens: sending from a case or an intake, the referral page and its actions,
the chain on the case page, and what the receiving hub may see before and after accepting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Intake
from hubs.models import Role
from referrals import services
from referrals.models import Basis, DeclineReason, Kind, Outcome, Referral, Status, Urgency
from takatsuki_welfare.models import AccessLog, Notification

from .factories import (
    AreaFactory,
    CaseFactory,
    ConsentFactory,
    HouseholdFactory,
    HubFactory,
    IntakeFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

MEETING = "2026-05-20 支援会議（芥川地区）"


@pytest.fixture
def center(db):
    return HubFactory(
        name="富田地域包括支援センター", kana="とんだちいきほうかつ", fields=["elderly"]
    )


@pytest.fixture
def receiver(make_member, center):
    return make_member(Role.STAFF, center)


@pytest.fixture
def case(hub):
    household = HouseholdFactory(registered_hub=hub, area=AreaFactory(name="芥川地区"))
    mother = PersonFactory(
        household=household,
        family_name="高槻",
        given_name="ハナ",
        birth_date=datetime.date(1944, 6, 1),
    )
    PersonFactory(household=household, given_name="一郎")
    return CaseFactory(
        household=household, primary=mother, summary="ケース記録の要約（受け手には見せない）"
    )


def send(case, to_hub, actor, **kwargs):
    kwargs.setdefault("kind", Kind.SUPPORT)
    kwargs.setdefault("reason", "母の介護と息子のひきこもりについて支援をお願いしたい。")
    kwargs.setdefault("basis", Basis.SUPPORT_MEETING)
    kwargs.setdefault("meeting_reference", MEETING)
    return services.referral_send(actor=actor, case=case, to_hub=to_hub, **kwargs)


@pytest.fixture
def referral(case, center, staff):
    return send(case, center, staff)


def send_url(case):
    return reverse("referrals:send_from_case", args=[case.number])


def detail(referral):
    return reverse("referrals:detail", args=[referral.pk])


def step(referral, name):
    return reverse(f"referrals:{name}", args=[referral.pk])


def case_url(case):
    return reverse("cases:case_detail", args=[case.number])


def form_data(to_hub, case=None, **overrides):
    data = {
        "to_hub": to_hub.pk,
        "person": case.primary_person.pk if case else None,
        "kind": Kind.SUPPORT,
        "reason": "介護保険の申請支援をお願いしたい。",
        "request": "訪問をお願いします。",
        "urgency": Urgency.NORMAL,
        "basis": Basis.CONSENT,
        "meeting_reference": "",
        "send": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def refresh(referral):
    return Referral.objects.get(pk=referral.pk)


# Sending -----------------------------------------------------------------------------------


def test_it_offers_the_send_screen_with_the_primary_person_chosen(client_as, staff, case):
    response = client_as(staff).get(send_url(case))
    assert response.status_code == 200
    assert response.context["form"]["person"].value() == case.primary_person.pk


def test_it_sends_on_the_persons_consent(client_as, staff, case, center, receiver, hub):
    consent = ConsentFactory(person=case.primary_person, hubs=[center])
    response = client_as(staff).post(send_url(case), form_data(center, case, consent=consent.pk))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(referral)
    assert (referral.case, referral.person) == (case, case.primary_person)
    assert (referral.from_hub, referral.to_hub) == (hub, center)
    assert (referral.basis, referral.consent, referral.status) == (Basis.CONSENT, consent, "sent")
    assert (referral.acknowledge_due, referral.answer_due) == services.due_dates(
        center, Urgency.NORMAL
    )
    log = AccessLog.objects.get(action=AccessLog.Action.CREATE)
    assert (log.object_type, log.object_id) == ("referral", str(referral.pk))


def test_it_notifies_the_receiving_hub_on_send(client_as, staff, case, center, receiver):
    client_as(staff).post(
        send_url(case),
        form_data(center, case, basis=Basis.SUPPORT_MEETING, meeting_reference=MEETING),
    )
    referral = Referral.objects.get()
    note = Notification.objects.get(recipient=receiver)
    assert note.hub == center
    assert note.url == detail(referral)
    assert not Notification.objects.filter(recipient=staff).exists()


def test_it_sends_on_a_support_meeting(client_as, staff, case, center):
    data = form_data(center, case, basis=Basis.SUPPORT_MEETING, meeting_reference=MEETING)
    assert client_as(staff).post(send_url(case), data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.basis, referral.meeting_reference, referral.consent) == (
        Basis.SUPPORT_MEETING,
        MEETING,
        None,
    )


def _refused(client, case, data, field):
    response = client.post(send_url(case), data)
    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert response.context["form"].errors[field]
    assert "介護保険の申請支援をお願いしたい。" in response.content.decode()  # input kept
    return response.context["form"].errors[field]


def test_it_refuses_a_consent_basis_without_a_consent(client_as, staff, case, center):
    errors = _refused(client_as(staff), case, form_data(center, case), "consent")
    assert "支援会議" in errors[0]


def test_it_refuses_a_consent_that_does_not_cover_the_receiving_hub(
    client_as, staff, case, center, hub
):
    consent = ConsentFactory(person=case.primary_person, hubs=[hub])
    errors = _refused(
        client_as(staff), case, form_data(center, case, consent=consent.pk), "consent"
    )
    assert center.name in errors[0]


def test_it_refuses_a_withdrawn_consent(client_as, staff, case, center):
    consent = ConsentFactory(
        person=case.primary_person,
        hubs=[center],
        obtained_on=datetime.date(2025, 4, 1),
        withdrawn_on=timezone.localdate(),
    )
    errors = _refused(
        client_as(staff), case, form_data(center, case, consent=consent.pk), "consent"
    )
    assert "撤回" in errors[0]


def test_it_refuses_a_support_meeting_without_its_reference(client_as, staff, case, center):
    data = form_data(center, case, basis=Basis.SUPPORT_MEETING)
    assert _refused(client_as(staff), case, data, "meeting_reference")


def test_it_refuses_sending_to_the_own_hub(client_as, staff, case, hub):
    data = form_data(hub, case, basis=Basis.SUPPORT_MEETING, meeting_reference=MEETING)
    assert _refused(client_as(staff), case, data, "to_hub")


def test_it_lists_only_valid_consents_to_choose(client_as, staff, case, center):
    valid = ConsentFactory(person=case.primary_person, hubs=[center])
    withdrawn = ConsentFactory(
        person=case.primary_person,
        hubs=[center],
        obtained_on=datetime.date(2025, 4, 1),
        withdrawn_on=datetime.date(2025, 5, 1),
    )
    choices = [
        value
        for value, _ in client_as(staff)
        .get(send_url(case))
        .context["form"]
        .fields["consent"]
        .choices
    ]
    assert valid.pk in choices
    assert withdrawn.pk not in choices


def test_it_shows_the_due_dates_once_a_hub_is_chosen(client_as, staff, case, center):
    data = form_data(center, case, urgency=Urgency.URGENT, preview="1", reason="途中まで入力")
    response = client_as(staff).post(send_url(case), data)
    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert not response.context["form"].is_bound  # a preview judges nothing yet
    due = response.context["due"]
    today = services.due_dates(center, Urgency.URGENT)
    assert (due["hub"], due["acknowledge_by"], due["answer_by"]) == (center, *today)
    assert "途中まで入力" in response.content.decode()


def test_it_narrows_the_hubs_with_the_directory_filters(client_as, staff, case, center):
    disability = HubFactory(name="障がい相談センター", fields=["disability"])
    data = {"preview": "1", "dir-field": center.fields.get().pk}
    response = client_as(staff).post(send_url(case), data)
    listed = [
        pk for _, group in response.context["form"].fields["to_hub"].choices[1:] for pk, _ in group
    ]
    assert center.pk in listed
    assert disability.pk not in listed


def test_it_offers_handover_only_to_the_lead_hub(client_as, make_member, case, center, staff):
    case.hub_links.create(hub=center)
    kinds = client_as(staff).get(send_url(case)).context["form"].fields["kind"].choices
    assert Kind.HANDOVER in [k for k, _ in kinds]
    kinds = client_as(make_member(Role.STAFF, center)).get(send_url(case)).context["form"]
    assert Kind.HANDOVER not in [k for k, _ in kinds.fields["kind"].choices]


def test_it_hides_the_send_screen_from_others(client_as, client, make_member, case, volunteer):
    assert client_as(make_member(Role.STAFF, HubFactory())).get(send_url(case)).status_code == 404
    assert client_as(volunteer).get(send_url(case)).status_code == 404
    client.logout()
    response = client.get(send_url(case))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_sends_an_incoming_intake(client_as, staff, hub, center):
    intake = IntakeFactory(hub=hub, recorded_by=staff, outcome=Intake.Outcome.PENDING)
    url = reverse("referrals:send_from_intake", args=[intake.pk])
    data = form_data(center, basis=Basis.SUPPORT_MEETING, meeting_reference=MEETING)
    assert client_as(staff).get(url).status_code == 200
    response = client_as(staff).post(url, data)
    referral = Referral.objects.get()
    assert response["Location"] == detail(referral)
    assert (referral.intake, referral.case, referral.person) == (intake, None, None)


def test_it_refers_an_intake_with_a_case_only_through_its_case(client_as, staff, hub, case):
    intake = IntakeFactory(hub=hub, case=case)
    url = reverse("referrals:send_from_intake", args=[intake.pk])
    assert client_as(staff).get(url).status_code == 404
    other = IntakeFactory(hub=HubFactory())
    url = reverse("referrals:send_from_intake", args=[other.pk])
    assert client_as(staff).get(url).status_code == 404


def test_it_shows_refer_buttons_on_the_case_and_intake_pages(client_as, staff, hub, case):
    intake = IntakeFactory(hub=hub, recorded_by=staff, outcome=Intake.Outcome.PENDING)
    client = client_as(staff)
    assert send_url(case) in client.get(case_url(case)).content.decode()
    html = client.get(reverse("cases:intake_detail", args=[intake.pk])).content.decode()
    assert reverse("referrals:send_from_intake", args=[intake.pk]) in html


# The referral page -------------------------------------------------------------------------


def test_it_shows_the_referral_to_both_hubs(client_as, staff, receiver, referral):
    for user in (staff, receiver):
        response = client_as(user).get(detail(referral))
        assert response.status_code == 200
        assert response.context["referral"] == referral


def test_it_hides_the_referral_from_others(client_as, client, make_member, volunteer, referral):
    for role in (Role.STAFF, Role.MANAGER):
        outsider = make_member(role, HubFactory())
        assert client_as(outsider).get(detail(referral)).status_code == 404
    assert client_as(volunteer).get(detail(referral)).status_code == 404
    client.logout()
    assert client.get(detail(referral)).status_code == 302


def test_it_shows_what_the_receiver_needs_to_decide_and_not_the_case(
    client_as, receiver, referral, case
):
    response = client_as(receiver).get(detail(referral))
    html = response.content.decode()
    person = case.primary_person
    for text in ("高槻 ハナ", str(person.age), "芥川地区", MEETING, "母の介護と息子のひきこもり"):
        assert text in html, text
    assert response.context["household"] == {"district": "芥川地区", "members": 2}
    assert "ケース記録の要約" not in html
    assert case_url(case) not in html
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (log.object_type, log.object_id) == ("referral", str(referral.pk))


def test_it_escapes_script_in_the_reason(client_as, receiver, case, center, staff):
    referral = send(case, center, staff, reason="<script>alert(1)</script>")
    html = client_as(receiver).get(detail(referral)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_receiver_sees_the_case_only_after_accepting(client_as, receiver, referral, case):
    client = client_as(receiver)
    assert client.get(case_url(case)).status_code == 404
    assert client.get(detail(referral)).status_code == 200
    response = client.post(step(referral, "accept"), {"version": referral.version})
    assert response.status_code == 302
    assert client.get(case_url(case)).status_code == 200
    assert case_url(case) in client.get(detail(referral)).content.decode()


@pytest.mark.parametrize("ending", ["decline", "withdraw"])
def test_after_decline_or_withdraw_the_receiver_keeps_only_the_referral(
    client_as, staff, receiver, referral, case, ending
):
    if ending == "decline":
        services.referral_decline(
            actor=receiver, referral=referral, reason="capacity", declined_by="hub"
        )
    else:
        services.referral_withdraw(actor=staff, referral=referral, reason="本人が転居")
    client = client_as(receiver)
    assert client.get(case_url(case)).status_code == 404
    assert client.get(detail(referral)).status_code == 200


def _forms(client, referral):
    return set(client.get(detail(referral)).context["forms"])


def test_it_offers_each_action_only_to_who_may_use_it(client_as, staff, receiver, referral):
    assert _forms(client_as(receiver), referral) == {"acknowledge", "accept", "decline"}
    assert _forms(client_as(staff), referral) == {"withdraw"}
    services.referral_acknowledge(actor=receiver, referral=referral)
    assert _forms(client_as(receiver), referral) == {"accept", "decline"}
    services.referral_accept(actor=receiver, referral=refresh(referral))
    assert _forms(client_as(receiver), referral) == {"start", "complete"}
    assert _forms(client_as(staff), referral) == set()
    html = client_as(staff).get(detail(referral)).content.decode()
    assert step(referral, "withdraw") not in html
    assert step(referral, "complete") not in html


def test_it_offers_the_next_step_to_the_sender_after_a_decline(
    client_as, staff, receiver, referral
):
    services.referral_decline(
        actor=receiver, referral=referral, reason="capacity", declined_by="hub"
    )
    assert _forms(client_as(staff), referral) == {"reroute", "keep"}
    assert _forms(client_as(receiver), referral) == set()


@pytest.mark.parametrize("name", ["acknowledge", "accept", "decline", "start", "complete"])
def test_the_sender_may_not_answer(client_as, staff, referral, name):
    data = {
        "version": referral.version,
        "decline_reason": "capacity",
        "declined_by": "hub",
        "outcome": Outcome.CONNECTED,
    }
    assert client_as(staff).post(step(referral, name), data).status_code == 403
    assert refresh(referral).status == Status.SENT


@pytest.mark.parametrize("name", ["withdraw", "keep", "reroute"])
def test_the_receiver_may_not_act_for_the_sender(client_as, receiver, referral, name):
    data = {"version": referral.version, "withdraw_reason": "x", "next_step_note": "x"}
    assert client_as(receiver).post(step(referral, name), data).status_code == 403
    assert refresh(referral).status == Status.SENT


def test_an_unrelated_hub_gets_not_found_for_actions(client_as, make_member, referral, volunteer):
    outsider = make_member(Role.MANAGER, HubFactory())
    for user in (outsider, volunteer):
        response = client_as(user).post(step(referral, "accept"), {"version": referral.version})
        assert response.status_code == 404


def test_it_acknowledges_accepts_starts_and_completes(client_as, receiver, staff, referral):
    client = client_as(receiver)
    response = client.post(step(referral, "acknowledge"), {"version": 1, "comment": "受付しました"})
    assert response["Location"] == detail(referral)
    assert refresh(referral).status == Status.ACKNOWLEDGED
    client.post(step(referral, "accept"), {"version": 2})
    assert refresh(referral).status == Status.ACCEPTED
    client.post(step(referral, "start"), {"version": 3})
    assert refresh(referral).status == Status.IN_PROGRESS
    response = client.post(step(referral, "complete"), {"version": 4})
    assert response.status_code == 200
    assert response.context["forms"]["complete"].errors["outcome"]
    assert refresh(referral).status == Status.IN_PROGRESS
    client.post(
        step(referral, "complete"),
        {"version": 4, "outcome": Outcome.CONNECTED, "outcome_note": "初回訪問済み"},
    )
    done = refresh(referral)
    assert (done.status, done.outcome, done.outcome_note) == (
        Status.COMPLETED,
        Outcome.CONNECTED,
        "初回訪問済み",
    )
    comments = list(done.events.values_list("comment", flat=True))
    assert "受付しました" in comments
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE).count() == 4
    html = client_as(staff).get(detail(referral)).content.decode()
    assert "初回訪問済み" in html
    assert "受付しました" in html


def test_it_requires_a_reason_to_decline_and_a_note_for_other(client_as, receiver, referral):
    client = client_as(receiver)
    response = client.post(step(referral, "decline"), {"version": 1, "declined_by": "hub"})
    assert response.status_code == 200
    assert response.context["forms"]["decline"].errors["decline_reason"]
    response = client.post(
        step(referral, "decline"),
        {"version": 1, "declined_by": "hub", "decline_reason": DeclineReason.OTHER},
    )
    assert response.context["forms"]["decline"].errors["decline_note"]
    assert refresh(referral).status == Status.SENT
    client.post(
        step(referral, "decline"),
        {
            "version": 1,
            "declined_by": "person",
            "decline_reason": DeclineReason.OTHER,
            "decline_note": "本人が別の事業所を希望",
        },
    )
    declined = refresh(referral)
    assert (declined.status, declined.declined_by, declined.decline_note) == (
        Status.DECLINED,
        "person",
        "本人が別の事業所を希望",
    )


def test_it_requires_a_reason_to_withdraw_and_not_after_acceptance(
    client_as, staff, receiver, referral
):
    client = client_as(staff)
    response = client.post(step(referral, "withdraw"), {"version": 1, "withdraw_reason": " "})
    assert response.context["forms"]["withdraw"].errors["withdraw_reason"]
    assert refresh(referral).status == Status.SENT
    services.referral_accept(actor=receiver, referral=referral)
    response = client.post(
        step(referral, "withdraw"), {"version": 2, "withdraw_reason": "不要"}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert refresh(referral).status == Status.ACCEPTED


def test_it_withdraws_an_open_referral(client_as, staff, referral):
    client_as(staff).post(step(referral, "withdraw"), {"version": 1, "withdraw_reason": "転居"})
    assert (refresh(referral).status, refresh(referral).withdraw_reason) == (
        Status.WITHDRAWN,
        "転居",
    )


def test_it_requires_a_note_to_keep(client_as, staff, receiver, referral):
    services.referral_decline(
        actor=receiver, referral=referral, reason="capacity", declined_by="hub"
    )
    client = client_as(staff)
    response = client.post(step(referral, "keep"), {"version": 2})
    assert response.context["forms"]["keep"].errors["next_step_note"]
    client.post(step(referral, "keep"), {"version": 2, "next_step_note": "当課で継続支援"})
    kept = refresh(referral)
    assert (kept.next_step, kept.next_step_note) == ("keep", "当課で継続支援")


def test_it_reroutes_to_a_named_hub_and_the_chain_shows_both(
    client_as, staff, receiver, referral, case
):
    services.referral_decline(
        actor=receiver, referral=referral, reason="out_of_scope", declined_by="hub"
    )
    csw = HubFactory(name="高槻市社会福祉協議会")
    response = client_as(staff).post(
        step(referral, "reroute"), {"version": 2, "to_hub": csw.pk, "next_step_note": "社協へ"}
    )
    new = Referral.objects.get(rerouted_from=referral)
    assert response["Location"] == detail(new)
    assert (new.to_hub, new.case, new.basis) == (csw, case, Basis.SUPPORT_MEETING)
    assert refresh(referral).next_step == "reroute"
    html = client_as(staff).get(case_url(case)).content.decode()
    assert detail(referral) in html and detail(new) in html
    assert csw.name in html
    response = client_as(staff).get(detail(new))
    assert response.context["previous"] == referral
    assert detail(referral) in response.content.decode()


def test_a_reroute_needs_a_basis_covering_the_new_hub(client_as, staff, receiver, case, center):
    consent = ConsentFactory(person=case.primary_person, hubs=[center])
    referral = send(case, center, staff, basis=Basis.CONSENT, consent=consent, meeting_reference="")
    services.referral_decline(
        actor=receiver, referral=referral, reason="capacity", declined_by="hub"
    )
    csw = HubFactory(name="高槻市社会福祉協議会")
    client = client_as(staff)
    response = client.post(step(referral, "reroute"), {"version": 2, "to_hub": csw.pk})
    assert response.status_code == 200
    assert csw.name in response.context["forms"]["reroute"].errors["consent"][0]
    assert not Referral.objects.filter(rerouted_from=referral).exists()
    client.post(
        step(referral, "reroute"), {"version": 2, "to_hub": csw.pk, "meeting_reference": MEETING}
    )
    new = Referral.objects.get(rerouted_from=referral)
    assert (new.basis, new.meeting_reference) == (Basis.SUPPORT_MEETING, MEETING)


def test_a_handover_moves_the_lead_hub(client_as, staff, receiver, case, center):
    referral = send(case, center, staff, kind=Kind.HANDOVER)
    client = client_as(receiver)
    client.post(step(referral, "accept"), {"version": 1})
    assert Case.objects.get(pk=case.pk).lead_hub == center
    response = client.get(reverse("cases:case_list"))
    assert case in response.context["object_list"]
    html = client.get(case_url(case)).content.decode()
    assert center.name in html


def test_a_double_submit_gives_a_conflict_message_not_an_error(client_as, receiver, referral):
    client = client_as(receiver)
    client.post(step(referral, "acknowledge"), {"version": 1})
    response = client.post(step(referral, "acknowledge"), {"version": 1, "comment": "二重"})
    assert response.status_code == 409
    assert [m.level_tag for m in response.context["messages"]] == ["success", "error"]
    response = client.post(step(referral, "accept"), {"version": 1, "comment": "受けます"})
    assert response.status_code == 409
    assert response.context["forms"]["accept"]["comment"].value() == "受けます"
    assert refresh(referral).status == Status.ACKNOWLEDGED


def test_the_receiving_manager_may_act_for_the_hub(client_as, make_member, center, referral):
    manager = make_member(Role.MANAGER, center)
    client_as(manager).post(step(referral, "accept"), {"version": 1})
    assert refresh(referral).status == Status.ACCEPTED


# The chain on the case page ----------------------------------------------------------------


def test_the_case_page_shows_the_referral_chain(client_as, staff, receiver, referral, case):
    services.referral_acknowledge(actor=receiver, referral=referral, comment="確認中")
    services.referral_decline(
        actor=receiver, referral=refresh(referral), reason="capacity", declined_by="hub"
    )
    response = client_as(staff).get(case_url(case))
    assert list(response.context["referrals"]) == [referral]
    html = response.content.decode()
    for text in ("富田地域包括支援センター", "確認中", detail(referral)):
        assert text in html, text
