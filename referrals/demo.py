"""Demo referrals for `seed_demo`: one in every state the inbox and coordination view show."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case
from hubs.models import Hub

from . import services
from .models import Basis, DeclinedBy, DeclineReason, Kind, Outcome, Referral, ReferralEvent


def _backdate(referral, days):
    """Move a demo referral into the past so that its due dates fall where the demo needs."""
    sent = timezone.now() - datetime.timedelta(days=days)
    shift = datetime.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent,
        acknowledge_due=referral.acknowledge_due - shift,
        answer_due=referral.answer_due - shift,
    )
    ReferralEvent.objects.filter(referral=referral).update(at=sent)


def seed_referrals():
    if Referral.objects.exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(memberships__isnull=False)}
    hubs = {h.code: h for h in Hub.objects.all()}

    def case_led_by(code, index=0):
        return Case.objects.filter(lead_hub__code=code).order_by("id")[index]

    def send(username, case, to, kind, reason, **extra):
        return services.referral_send(
            actor=users[username], case=case, to_hub=hubs[to], kind=kind, reason=reason,
            basis=Basis.SUPPORT_MEETING, meeting_reference="2026年度 第7回 支援会議", **extra,
        )  # fmt: skip

    eight_fifty = case_led_by("houkatsu-01")
    outreach = send("houkatsu_staff", eight_fifty, "shakyo", Kind.OUTREACH,
                    "長男（52歳）への訪問・関係づくりをお願いしたい。")  # fmt: skip
    services.referral_accept(actor=users["csw"], referral=outreach, comment="CSW北が担当します。")
    services.referral_start(actor=users["csw"], referral=outreach)

    double_care = case_led_by("desk")
    waiting = send("desk_staff", double_care, "kangaroo", Kind.SUPPORT,
                   "2歳児の一時預かりと育児相談につないでほしい。")  # fmt: skip
    services.referral_acknowledge(actor=_member(hubs["kangaroo"]), referral=waiting)

    young_carer = case_led_by("disability-core")
    overdue = send("disability_staff", young_carer, "child-health", Kind.SUPPORT,
                   "中学生の本人への相談支援と学校との連携をお願いしたい。")  # fmt: skip
    _backdate(overdue, 10)

    declined = send("desk_staff", case_led_by("desk", 1), "houkatsu-02", Kind.SUPPORT,
                    "母の介護保険申請の支援をお願いしたい。")  # fmt: skip
    services.referral_decline(
        actor=_member(hubs["houkatsu-02"]), referral=declined, reason=DeclineReason.OUT_OF_SCOPE,
        declined_by=DeclinedBy.HUB, note="住所が第2圏域外のため、担当の包括へ。",
    )  # fmt: skip

    done = send("csw", case_led_by("shakyo"), "desk", Kind.SUPPORT,
                "家賃滞納があり、住居確保給付金の相談につないでほしい。")  # fmt: skip
    services.referral_accept(actor=users["desk_staff"], referral=done)
    services.referral_complete(actor=users["desk_staff"], referral=done,
                               outcome=Outcome.CONNECTED, outcome_note="給付金の申請に至った。")  # fmt: skip
    return Referral.objects.count()


def _member(hub):
    """A casework member of a hub without a demo login (created once, no usable password)."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"staff-{hub.code}", defaults={"last_name": hub.name[:20], "first_name": "担当"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.memberships.get_or_create(hub=hub, role="staff")
    user.acting_membership = user.memberships.get(hub=hub, role="staff")
    return user
