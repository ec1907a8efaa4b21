"""Demo meetings for `seed_demo`: an approved 多機関協働推進会議 with tasks, one coming up, and a
支援会議 awaiting the desk manager's approval (which the 社協 CSWs, not invited, never see)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from hubs.models import Hub

from . import services_conference as conferences
from . import services_support as support
from .models import Case, Conference, Consent, HouseholdFlag, MeetingType

CONFERENCE_HUBS = ["shakyo", "desk", "houkatsu-01", "kangaroo"]


def _at(days, hour=14):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _case_with_flag(kind):
    flag = HouseholdFlag.objects.filter(kind__code=kind).select_related("household").first()
    return Case.objects.filter(household=flag.household).order_by("id").first()


def _consent_to_conference(case, hubs, recorded_by, days_ago):
    """The person's consent to be discussed at the 重層的支援会議, with these hubs in its scope."""
    consent = Consent.objects.create(
        person=case.primary_person,
        kind=Consent.Kind.CONFERENCE,
        obtained_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        method=Consent.Method.SIGNATURE,
        note="多機関協働推進会議への付議について説明し、署名を得た。",
        recorded_by=recorded_by,
    )
    consent.hubs.set(hubs)
    return consent


def seed_conferences():
    if Conference.objects.exists():
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(memberships__isnull=False)}
    hubs = Hub.objects.in_bulk([*CONFERENCE_HUBS, "disability-core"], field_name="code")
    coordinator, shakyo_manager = users["coordinator"], users["shakyo_manager"]
    suishin = MeetingType.objects.get(code="suishin")
    eight_fifty, double_care = _case_with_flag("8050"), _case_with_flag("double_care")
    young_carer = _case_with_flag("young_carer")
    for case in (eight_fifty, double_care):
        _consent_to_conference(case, [hubs[c] for c in CONFERENCE_HUBS], coordinator, 30)

    # Held three weeks ago and approved: roles for the 8050 household, one task now overdue.
    held = conferences.conference_plan(
        actor=coordinator, meeting_type=suishin, starts_at=_at(-20),
        title="第8回 多機関協働推進会議", place="総合センター 7階 会議室",
        hubs=[hubs["desk"], hubs["houkatsu-01"]], chair=coordinator,
    )  # fmt: skip
    item = conferences.agenda_add(actor=coordinator, conference=held, case=eight_fifty)
    conferences.attendee_add(actor=coordinator, conference=held, user=users["desk_staff"])
    conferences.attendee_add(actor=coordinator, conference=held, user=users["houkatsu_staff"])
    conferences.conference_hold(
        actor=coordinator, conference=held, present_hubs=[hubs["desk"], hubs["houkatsu-01"]],
        present_attendees=held.attendees.all(),
    )  # fmt: skip
    item.refresh_from_db()
    conferences.agenda_item_record(
        actor=coordinator, item=item, expected_version=item.version,
        summary="母の要介護認定の申請を進め、長男へのアウトリーチはCSWが継続する。"
                "家計は福祉相談支援課が確認する。",
        decisions=["share", "roles"], next_review_on=timezone.localdate() + datetime.timedelta(40),
    )  # fmt: skip
    conferences.action_item_add(
        actor=coordinator, item=item, text="要介護認定の結果を確認し、ケアプラン作成につなぐ",
        owner_hub=hubs["houkatsu-01"], owner_person="鈴木",
        due_on=timezone.localdate() - datetime.timedelta(days=6),
    )  # fmt: skip
    conferences.action_item_add(
        actor=coordinator, item=item, text="長男への週1回の訪問を継続し、次回会議で報告",
        owner_hub=hubs["shakyo"], owner_person="CSW 中村",
        due_on=timezone.localdate() + datetime.timedelta(days=14),
    )  # fmt: skip
    conferences.action_item_add(
        actor=coordinator, item=item, text="世帯の家計状況を確認する（年金・公共料金）",
        owner_hub=hubs["desk"], due_on=timezone.localdate() + datetime.timedelta(days=7),
    )  # fmt: skip
    conferences.minutes_submit(actor=coordinator, conference=held)
    conferences.minutes_approve(actor=shakyo_manager, conference=held)

    # Coming up: the double-care household, with its plan under discussion to be decided there.
    plan = support.plan_create(
        actor=users["desk_staff"], case=double_care,
        wishes="本人「母の介護と子育てを一人で抱えず、少し眠れる時間がほしい」",
        issues="認知症の母の介護と2歳児の育児が重なり、本人が休めていない。離職し収入も減った。",
        long_term_goal="家族それぞれが必要な支援を受け、本人が自分の時間を持てる。",
        review_on=timezone.localdate() + datetime.timedelta(days=90),
    )  # fmt: skip
    goal = support.plan_goal_save(
        actor=users["desk_staff"], plan=plan, term="short",
        text="母がデイサービスを週2回利用し、本人が休める日ができる。",
    )  # fmt: skip
    support.plan_action_save(
        actor=users["desk_staff"], goal=goal, text="要介護認定の申請とデイサービスの調整",
        hub=hubs["houkatsu-01"], frequency="1回",
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip
    support.plan_action_save(
        actor=users["desk_staff"], goal=goal, text="一時預かりの利用を案内する",
        hub=hubs["kangaroo"], frequency="1回",
        due_on=timezone.localdate() + datetime.timedelta(days=21),
    )  # fmt: skip
    support.plan_submit(actor=users["desk_staff"], plan=plan)
    upcoming = conferences.conference_plan(
        actor=coordinator, meeting_type=suishin, starts_at=_at(6),
        title="第9回 多機関協働推進会議", place="総合センター 7階 会議室",
        hubs=[hubs["desk"], hubs["houkatsu-01"], hubs["kangaroo"]], chair=coordinator,
    )  # fmt: skip
    conferences.agenda_add(
        actor=coordinator, conference=upcoming, case=double_care, planned_minutes=30
    )

    # A 支援会議 on the young carer, without consent: the 社協 takes part in the case but was not
    # invited, so its CSWs see neither the meeting nor its trace on the case.
    desk_manager = users["desk_manager"]
    confidential = conferences.conference_plan(
        actor=desk_manager, meeting_type=MeetingType.objects.get(code="shien"),
        starts_at=_at(-3, hour=10), place="市役所 本館3階 会議室",
        hubs=[hubs["disability-core"], hubs["kangaroo"]], chair=desk_manager,
    )  # fmt: skip
    item = conferences.agenda_add(actor=desk_manager, conference=confidential, case=young_carer)
    present = [
        conferences.attendee_add(actor=desk_manager, conference=confidential, user=u)
        for u in (users["desk_staff"], users["disability_staff"])
    ]
    present.append(
        conferences.attendee_add(
            actor=desk_manager,
            conference=confidential,
            name="中学校 教頭",
            affiliation="市立第三中学校",
        )
    )
    conferences.conference_hold(
        actor=desk_manager, conference=confidential,
        present_hubs=[hubs["disability-core"], hubs["kangaroo"]],
        present_attendees=present, acknowledged=present,
    )  # fmt: skip
    item.refresh_from_db()
    conferences.agenda_item_record(
        actor=desk_manager, item=item, expected_version=item.version,
        summary="学校・障がい者基幹相談支援センター・子育て総合支援センターで情報を共有。"
                "母の通院同行の代替手段を探り、本人の負担軽減を優先する。",
        decisions=["share", "roles"],
    )  # fmt: skip
    conferences.action_item_add(
        actor=desk_manager, item=item, text="母の通院同行に使えるサービスを調べ、母に提案する",
        owner_hub=hubs["disability-core"], due_on=timezone.localdate() + datetime.timedelta(10),
    )  # fmt: skip
    conferences.minutes_submit(actor=desk_manager, conference=confidential)
    return Conference.objects.count()
