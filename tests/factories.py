import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from cases.models import (
    AccompanimentRecord,
    ActionItem,
    AgendaItem,
    Case,
    CaseHub,
    CasePerson,
    Conference,
    ConferenceHub,
    Consent,
    Household,
    Intake,
    MeetingType,
    Person,
    Stage,
    SupportPlan,
)
from hubs.models import Area, Hub, Membership, Role
from referrals.models import Basis, Kind, Referral
from takatsuki_welfare.models import Code, CodeList


def code(code_list, value):
    """A seeded code (the code lists come with the migrations)."""
    return Code.objects.get(code_list=code_list, code=value)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Faker("last_name", locale="ja_JP")
    first_name = factory.Faker("first_name", locale="ja_JP")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area

    code = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"地区{n}")
    kind = Area.Kind.DISTRICT


class HubFactory(DjangoModelFactory):
    class Meta:
        model = Hub
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"テスト拠点{n}")
    kana = factory.Sequence(lambda n: f"てすときょてん{n}")
    kind = factory.LazyFunction(lambda: code(CodeList.HUB_KIND, "basic"))

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.fields.set([code(CodeList.FIELD, c) for c in extracted])

    @factory.post_generation
    def projects(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.projects.set([code(CodeList.PROJECT, c) for c in extracted])

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.areas.set(extracted)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    hub = factory.SubFactory(HubFactory)
    role = Role.STAFF


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    number = factory.Sequence(lambda n: f"H2026-{n:06d}")
    town = "芥川町"
    address_rest = factory.Sequence(lambda n: f"1丁目{n}番1号")
    registered_hub = factory.SubFactory(HubFactory)
    registered_by = factory.SubFactory(UserFactory)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    family_name = "山田"
    given_name = factory.Sequence(lambda n: f"太郎{n}")
    family_name_kana = "やまだ"
    given_name_kana = "たろう"
    birth_date = datetime.date(1970, 3, 2)
    sex = Person.Sex.MALE
    household = factory.SubFactory(HouseholdFactory)
    registered_hub = factory.SelfAttribute("household.registered_hub")
    registered_by = factory.SelfAttribute("household.registered_by")


class CaseFactory(DjangoModelFactory):
    """A case on a household with one primary person; lead_hub defaults to the household's hub."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"2026-{n:06d}")
    household = factory.SubFactory(HouseholdFactory)
    lead_hub = factory.SelfAttribute("household.registered_hub")
    stage = Stage.SUPPORT

    @factory.post_generation
    def primary(obj, create, extracted, **kwargs):
        if not create:
            return
        person = extracted or PersonFactory(
            household=obj.household,
            registered_hub=obj.household.registered_hub,
            registered_by=obj.household.registered_by,
        )
        CasePerson.objects.create(case=obj, person=person, is_primary=True)

    @factory.post_generation
    def hubs(obj, create, extracted, **kwargs):
        for hub in extracted or ():
            CaseHub.objects.create(case=obj, hub=hub)

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.fields.set([code(CodeList.FIELD, c) for c in extracted])


class IntakeFactory(DjangoModelFactory):
    class Meta:
        model = Intake

    hub = factory.SubFactory(HubFactory)
    recorded_by = factory.SubFactory(UserFactory)
    outcome = Intake.Outcome.INFO_ONLY
    narrative = "近所の方から、高齢の母と息子の二人暮らしで心配との相談。"


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    kind = Consent.Kind.SHARE_WITH_AGENCIES
    obtained_on = factory.LazyFunction(lambda: datetime.date.today())
    method = Consent.Method.SIGNATURE
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def hubs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.hubs.set(extracted)


class ReferralFactory(DjangoModelFactory):
    """A referral of a case from its lead hub, on consent. Prefer referral_send in flow tests."""

    class Meta:
        model = Referral

    case = factory.SubFactory(CaseFactory)
    person = factory.LazyAttribute(lambda r: r.case.primary_person if r.case else None)
    from_hub = factory.SelfAttribute("case.lead_hub")
    sender = factory.SubFactory(UserFactory)
    to_hub = factory.SubFactory(HubFactory)
    kind = Kind.SUPPORT
    reason = "高齢の母の介護と息子のひきこもりについて支援をお願いしたい。"
    basis = Basis.SUPPORT_MEETING
    meeting_reference = "2026-11-20 支援会議"
    acknowledge_due = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(2))
    answer_due = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(7))


class RecordFactory(DjangoModelFactory):
    """A record by the case's lead hub (prefer record_create in flow tests)."""

    class Meta:
        model = AccompanimentRecord

    case = factory.SubFactory(CaseFactory)
    author = factory.SubFactory(UserFactory)
    acting_hub = factory.SelfAttribute("case.lead_hub")
    contact_type = factory.LazyFunction(lambda: code(CodeList.CONTACT_TYPE, "home_visit"))
    content = "自宅を訪問。母は元気そう。長男は自室から出てこなかった。"


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = SupportPlan

    case = factory.SubFactory(CaseFactory)
    wishes = "「息子のことが心配。自分がいなくなった後が不安」（母）"
    created_by = factory.SubFactory(UserFactory)


def meeting_type(code="suishin"):
    """Seeded by migration: suishin (重層的支援会議), shien (支援会議), case_meeting (その他) …"""
    return MeetingType.objects.get(code=code)


class ConferenceFactory(DjangoModelFactory):
    """A planned meeting convened at ``convening_hub``; ``hubs`` are invited besides it.

    Built directly (no consent check): use services_conference in tests of the rules.
    """

    class Meta:
        model = Conference
        skip_postgeneration_save = True

    meeting_type = factory.LazyFunction(meeting_type)
    starts_at = factory.LazyFunction(
        lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7)
    )
    place = "市役所 本館3階 会議室"
    convening_hub = factory.SubFactory(HubFactory)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def hubs(obj, create, extracted, **kwargs):
        if create:
            for hub in {obj.convening_hub, *(extracted or ())}:
                ConferenceHub.objects.create(conference=obj, hub=hub)


class AgendaItemFactory(DjangoModelFactory):
    class Meta:
        model = AgendaItem

    conference = factory.SubFactory(ConferenceFactory)
    case = factory.SubFactory(CaseFactory)
    order = factory.Sequence(lambda n: n + 1)


class ActionItemFactory(DjangoModelFactory):
    class Meta:
        model = ActionItem

    agenda_item = factory.SubFactory(AgendaItemFactory)
    text = "長男の就労準備支援の見学に同行する"
    owner_hub = factory.SelfAttribute("agenda_item.conference.convening_hub")
    due_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=14))
