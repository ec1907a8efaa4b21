import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hubs.models import Role
from referrals import services
from referrals.models import Basis, DeclinedBy, DeclineReason, Kind, Referral, Status
from takatsuki_welfare.models import CodeList, Notification

from .factories import CaseFactory, HubFactory, code

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def desk(db):
    return HubFactory(name="福祉相談支援課", kind=code(CodeList.HUB_KIND, "integrated"))


@pytest.fixture
def centre(db):
    return HubFactory(name="地域包括支援センター（芥川）")


@pytest.fixture
def desk_staff(make_member, desk):
    return make_member(Role.STAFF, desk)


@pytest.fixture
def centre_staff(make_member, centre):
    return make_member(Role.STAFF, centre)


@pytest.fixture
def send(desk, desk_staff, centre, centre_staff):
    def send_one():
        return services.referral_send(
            actor=desk_staff,
            case=CaseFactory(lead_hub=desk),
            to_hub=centre,
            kind=Kind.SUPPORT,
            reason="母の介護と息子の就労について",
            basis=Basis.SUPPORT_MEETING,
            meeting_reference="2026-11-20 支援会議",
        )

    return send_one


def after_due(referral):
    return referral.answer_due + ONE_DAY


def test_it_expires_an_unanswered_referral_past_its_answer_date(send):
    referral = send()

    expired = services.expire_overdue(today=after_due(referral))

    assert expired == [referral]
    referral.refresh_from_db()
    assert referral.status == Status.EXPIRED
    assert referral.version == 2
    event = referral.events.last()
    assert (event.from_status, event.to_status) == (Status.SENT, Status.EXPIRED)
    assert event.actor is None
    assert str(referral.answer_due) in event.comment


def test_it_waits_until_the_answer_date_has_passed(send):
    referral = send()

    assert services.expire_overdue(today=referral.answer_due) == []

    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_it_notifies_both_hubs(send, desk, centre, desk_staff, centre_staff, make_member):
    desk_manager = make_member(Role.MANAGER, desk)
    make_member(Role.VOLUNTEER, centre)
    referral = send()
    Notification.objects.all().delete()

    services.expire_overdue(today=after_due(referral))

    notified = Notification.objects.all()
    assert {(n.recipient, n.hub) for n in notified} == {
        (desk_staff, desk),
        (desk_manager, desk),
        (centre_staff, centre),
    }
    for notification in notified:
        assert notification.url == reverse("referrals:detail", args=[referral.pk])
        assert desk.name in notification.message and centre.name in notification.message


def test_it_expires_an_acknowledged_but_unanswered_referral(send, centre_staff):
    referral = services.referral_acknowledge(actor=centre_staff, referral=send())

    services.expire_overdue(today=after_due(referral))

    referral.refresh_from_db()
    assert referral.status == Status.EXPIRED
    assert referral.events.last().from_status == Status.ACKNOWLEDGED


def test_it_leaves_answered_and_withdrawn_referrals_alone(send, desk_staff, centre_staff):
    accepted = services.referral_accept(actor=centre_staff, referral=send())
    started = services.referral_start(
        actor=centre_staff, referral=services.referral_accept(actor=centre_staff, referral=send())
    )
    declined = services.referral_decline(
        actor=centre_staff,
        referral=send(),
        reason=DeclineReason.CAPACITY,
        declined_by=DeclinedBy.HUB,
    )
    withdrawn = services.referral_withdraw(actor=desk_staff, referral=send(), reason="重複")
    notifications = Notification.objects.count()

    later = after_due(accepted) + datetime.timedelta(days=30)
    assert services.expire_overdue(today=later) == []

    statuses = dict(Referral.objects.values_list("pk", "status"))
    assert statuses == {
        accepted.pk: Status.ACCEPTED,
        started.pk: Status.IN_PROGRESS,
        declined.pk: Status.DECLINED,
        withdrawn.pk: Status.WITHDRAWN,
    }
    assert Notification.objects.count() == notifications


def test_it_expires_each_referral_once(send):
    referral = send()
    services.expire_overdue(today=after_due(referral))
    notifications = Notification.objects.count()

    assert services.expire_overdue(today=after_due(referral) + ONE_DAY) == []

    assert referral.events.filter(to_status=Status.EXPIRED).count() == 1
    assert Notification.objects.count() == notifications


def test_it_expires_from_the_command_those_due_before_today(send):
    overdue, due_today = send(), send()
    yesterday = timezone.localdate() - ONE_DAY
    Referral.objects.filter(pk=overdue.pk).update(acknowledge_due=yesterday, answer_due=yesterday)
    Referral.objects.filter(pk=due_today.pk).update(answer_due=timezone.localdate())
    out = io.StringIO()

    call_command("expire_referrals", stdout=out)

    assert "1 referral(s) expired" in out.getvalue()
    assert Referral.objects.get(pk=overdue.pk).status == Status.EXPIRED
    assert Referral.objects.get(pk=due_today.pk).status == Status.SENT


def test_it_shows_an_expired_referral_in_the_coordination_view(send, client_as, desk_staff):
    referral = send()
    services.expire_overdue(today=after_due(referral))

    response = client_as(desk_staff).get(reverse("referrals:coordination"))

    assert [r.pk for r in response.context["overdue"]] == [referral.pk]
    assert [r.pk for r in response.context["waiting"]] == [referral.pk]
    assert [c.pk for c in response.context["cases"]] == [referral.case_id]


def test_it_leaves_the_coordination_view_once_the_sender_keeps_the_case(
    send, client_as, desk_staff
):
    referral = send()
    services.expire_overdue(today=after_due(referral))
    services.referral_keep(actor=desk_staff, referral=referral, note="当課で継続して支援する")

    response = client_as(desk_staff).get(reverse("referrals:coordination"))

    assert response.context["overdue"] == []
    assert response.context["waiting"] == []
    assert [c.pk for c in response.context["cases"]] == [referral.case_id]
