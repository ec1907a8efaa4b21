"""Demo daily work for `seed_demo`: records, outreach for the 8050 son, and support plans."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from hubs.models import Hub
from takatsuki_welfare.models import Code, CodeList

from . import services_support as support
from .models import AccompanimentRecord, Case, HouseholdFlag, OutreachAttempt, SupportPlan


def _at(days_ago, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_support():
    if AccompanimentRecord.objects.exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(memberships__isnull=False)}
    contact = {c.code: c for c in Code.objects.filter(code_list=CodeList.CONTACT_TYPE)}
    flag = HouseholdFlag.objects.filter(kind__code="8050").select_related("household").first()
    eight_fifty = Case.objects.get(household=flag.household)
    mother, son = [cp.person for cp in eight_fifty.case_persons.order_by("id")]

    # The CSW's outreach to the withdrawn son: mostly failed attempts, then a first contact.
    csw = users["csw"]
    attempts = [
        (50, "visit", "absent", "呼び鈴に応答なし。母によると在宅。", ""),
        (43, "letter", "letter_left", "CSWの自己紹介と連絡先を書いた手紙を投函。", ""),
        (36, "visit", "refused", "ドア越しに「帰ってください」と一言。声は聞けた。", "contacted"),
        (22, "visit", "met", "玄関先で5分ほど話せた。ゲームの話題に反応あり。", "relationship"),
    ]
    for days, method, result, note, engagement in attempts:
        support.outreach_record(
            actor=csw, case=eight_fifty, person=son, method=method, result=result, note=note,
            attempted_on=timezone.localdate() - datetime.timedelta(days=days),
            next_attempt_on=timezone.localdate() - datetime.timedelta(days=days - 7),
            engagement=engagement,
        )  # fmt: skip
    OutreachAttempt.objects.filter(case=eight_fifty).exclude(
        attempted_on=timezone.localdate() - datetime.timedelta(days=22)
    ).update(next_attempt_on=None)

    support.record_create(
        actor=users["houkatsu_staff"], case=eight_fifty, contact_type=contact["home_visit"],
        occurred_at=_at(12), place="自宅", met_persons=[mother],
        content="母と面談。物忘れが進み、通帳の管理が難しくなっている。長男の食事は母が用意。",
        state=2, state_note="疲れている様子", next_action="介護保険の申請支援",
        next_action_on=timezone.localdate() + datetime.timedelta(days=3),
    )  # fmt: skip
    support.record_create(
        actor=users["houkatsu_staff"], case=eight_fifty, contact_type=contact["no_contact"],
        occurred_at=_at(5), place="自宅", content="訪問したが不在。メモを投函。",
    )  # fmt: skip

    plan = support.plan_create(
        actor=users["houkatsu_staff"], case=eight_fifty,
        wishes="母「この家で息子と暮らし続けたい。私がいなくなった後の息子が心配」",
        issues="母の認知機能の低下。長男は20年以上社会参加がなく、母の年金のみで生活。",
        long_term_goal="母子ともに地域の支えの中で安心して暮らせる。",
        uses_outreach=True, review_on=timezone.localdate() - datetime.timedelta(days=2),
    )  # fmt: skip
    goal = support.plan_goal_save(
        actor=users["houkatsu_staff"], plan=plan, term="short",
        text="母が介護保険サービスを利用できる。",
    )  # fmt: skip
    support.plan_action_save(
        actor=users["houkatsu_staff"], goal=goal, text="要介護認定の申請を支援する",
        hub=Hub.objects.get(code="houkatsu-01"), frequency="1回",
        due_on=timezone.localdate() - datetime.timedelta(days=4),
    )  # fmt: skip
    goal2 = support.plan_goal_save(
        actor=users["houkatsu_staff"], plan=plan, term="short",
        text="長男とCSWの関係ができ、週1回話せる。",
    )  # fmt: skip
    support.plan_action_save(
        actor=users["houkatsu_staff"], goal=goal2, text="週1回の訪問を続ける",
        hub=Hub.objects.get(code="shakyo"), person_in_charge="CSW 中村", frequency="週1回",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    support.plan_submit(actor=users["houkatsu_staff"], plan=plan)
    manager = _manager_of(Hub.objects.get(code="houkatsu-01"))
    support.plan_endorse(actor=manager, plan=plan)

    # A CSW case left without contact for too long (連絡途絶) for the dashboard.
    quiet = Case.objects.filter(lead_hub__code="shakyo", main_worker=csw).open().order_by("id")
    for case in quiet[:2]:
        case.last_contact_on = timezone.localdate() - datetime.timedelta(
            days=case.follow_up_days + 9
        )
        case.save(update_fields=["last_contact_on"])
    return SupportPlan.objects.count()


def _manager_of(hub):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=f"manager-{hub.code}",
        defaults={"last_name": hub.name[:20], "first_name": "管理者"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership, _ = user.memberships.get_or_create(hub=hub, role="manager")
    user.acting_membership = membership
    return user
