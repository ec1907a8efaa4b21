"""The case detail page: who may see it, what it shows, the access log and its query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    CasePerson,
    HouseholdFlag,
    IntakeConcern,
    OutreachAttempt,
    Stage,
    StageChange,
)
from hubs.models import Role
from referrals.models import ReferralEvent
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import (
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    ConsentFactory,
    HubFactory,
    IntakeFactory,
    MembershipFactory,
    PersonFactory,
    ReferralFactory,
    code,
    meeting_type,
)

pytestmark = pytest.mark.django_db


def url(case):
    return reverse("cases:case_detail", args=[case.number])


@pytest.fixture
def own(hub):
    return CaseFactory(household__registered_hub=hub, fields=["elderly"])


def test_it_shows_the_case_to_its_lead_hub(client_as, staff, own):
    response = client_as(staff).get(url(own))
    assert response.status_code == 200
    assert response.context["case"] == own


def test_it_shows_the_case_to_a_participating_hub(client_as, make_member, own, other_hub):
    own.hub_links.create(hub=other_hub)
    assert client_as(make_member(Role.STAFF, other_hub)).get(url(own)).status_code == 200


def test_it_shows_multi_agency_cases_to_coordinators_city_wide(client_as, make_member, own):
    coordinator = make_member(Role.COORDINATOR, HubFactory())
    assert client_as(coordinator).get(url(own)).status_code == 404
    own.multi_agency = True
    own.save(update_fields=["multi_agency"])
    assert client_as(coordinator).get(url(own)).status_code == 200


@pytest.mark.parametrize("role", [Role.STAFF, Role.CSW, Role.MANAGER, Role.COORDINATOR])
def test_it_is_not_found_for_an_unrelated_hub(client_as, make_member, own, other_hub, role):
    assert client_as(make_member(role, other_hub)).get(url(own)).status_code == 404


def test_it_is_not_found_for_volunteers_and_inactive_memberships(client_as, volunteer, own, hub):
    assert client_as(volunteer).get(url(own)).status_code == 404
    retired = MembershipFactory(hub=hub, active=False).user
    assert client_as(retired).get(url(own)).status_code == 404


def test_it_never_shows_the_case_to_a_deactivated_user(client_as, hub, own):
    user = MembershipFactory(hub=hub, user__is_active=False).user
    response = client_as(user).get(url(own))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_sends_anonymous_users_to_sign_in(client, own):
    response = client.get(url(own))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_is_not_found_for_an_unknown_number(client_as, staff):
    assert client_as(staff).get("/cases/2026-999999/").status_code == 404


def test_it_logs_the_view(client_as, staff, hub, own):
    client_as(staff).get(url(own), REMOTE_ADDR="10.1.2.3")
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (entry.user, entry.hub, entry.role) == (staff, hub, Role.STAFF)
    assert (entry.object_type, entry.object_id) == ("case", str(own.pk))
    assert entry.object_repr == own.number
    assert entry.ip == "10.1.2.3"


def test_it_signals_hidden_cases_on_the_household_without_their_content(
    client_as, staff, own, other_hub
):
    hidden = CaseFactory(
        number="2026-987654",
        household=own.household,
        lead_hub=other_hub,
        fields=["disability"],
        summary="他拠点の支援内容",
    )
    response = client_as(staff).get(url(own))
    html = response.content.decode()
    assert [str(c) for c in response.context["signals"]] == ["障がい"]
    assert "障がい" in html
    assert hidden.number not in html
    assert other_hub.name not in html
    assert "他拠点の支援内容" not in html


def test_it_signals_a_hidden_case_without_fields_generically(client_as, staff, own, other_hub):
    CaseFactory(household=own.household, lead_hub=other_hub)
    assert client_as(staff).get(url(own)).context["signals"] == [None]


def test_it_signals_each_field_of_the_hidden_cases_once_in_code_order(
    client_as, staff, own, other_hub
):
    CaseFactory(household=own.household, lead_hub=other_hub, fields=["elderly", "disability"])
    CaseFactory(household=own.household, lead_hub=other_hub, fields=["elderly"])
    CaseFactory(household=own.household, lead_hub=other_hub)
    signals = client_as(staff).get(url(own)).context["signals"]
    expected = sorted(
        (code(CodeList.FIELD, "elderly"), code(CodeList.FIELD, "disability")),
        key=lambda c: (c.order, c.pk),
    )
    assert signals == expected


def test_a_hidden_case_is_signalled_generically_if_its_codes_are_not_fields(
    client_as, staff, own, other_hub
):
    hidden = CaseFactory(household=own.household, lead_hub=other_hub)
    hidden.fields.set([code(CodeList.CONCERN, "care")])
    assert client_as(staff).get(url(own)).context["signals"] == [None]


def test_a_case_seen_through_an_attended_meeting_is_not_signalled(
    client_as, staff, own, hub, other_hub
):
    seen = CaseFactory(household=own.household, lead_hub=other_hub, fields=["disability"])
    conference = ConferenceFactory(meeting_type=meeting_type("shien"), hubs=[hub])
    AgendaItemFactory(conference=conference, case=seen)
    assert client_as(staff).get(url(own)).context["signals"] == []


def test_it_shows_no_signal_for_cases_the_user_may_see(client_as, staff, own, hub):
    CaseFactory(household=own.household, lead_hub=hub, fields=["disability"])
    assert client_as(staff).get(url(own)).context["signals"] == []


def test_it_shows_the_household_persons_history_intakes_and_consents(client_as, staff, hub, own):
    household = own.household
    primary = own.primary_person
    mother = PersonFactory(
        household=household, family_name="山田", given_name="ハナ",
        birth_date=datetime.date(1940, 1, 5), relationship=code(CodeList.RELATIONSHIP, "parent"),
    )  # fmt: skip
    CasePerson.objects.create(case=own, person=mother)
    flag = HouseholdFlag.objects.create(
        household=household, kind=code(CodeList.COMPLEX_NEED, "8050"),
        judged_on=datetime.date(2025, 4, 1), judged_by=staff, basis="母80代・息子50代で無職",
    )  # fmt: skip
    flag.persons.set([primary, mother])
    own.concerns.set([code(CodeList.CONCERN, "care")])
    own.projects.set([code(CodeList.PROJECT, "multiagency")])
    StageChange.objects.create(
        case=own, from_stage=Stage.INTAKE, to_stage=Stage.SUPPORT, changed_by=staff,
        acting_hub=hub, reason="プラン決定により支援開始",
    )  # fmt: skip
    intake = IntakeFactory(hub=hub, case=own, channel=code(CodeList.CHANNEL, "phone"))
    IntakeConcern.objects.create(
        intake=intake, concern=code(CodeList.CONCERN, "care"), is_main=True
    )
    ConsentFactory(person=primary, hubs=[hub], obtained_on=datetime.date(2025, 4, 2))

    html = client_as(staff).get(url(own)).content.decode()
    age = mother.age_on(timezone.localdate())
    for text in (
        own.number, household.number, "芥川町", primary.full_name, mother.full_name, "親",
        f"{age}", "8050問題", "母80代・息子50代で無職", "2025-04-01", "介護", "多機関協働",
        "高齢", "プラン決定により支援開始", "電話", "2025-04-02", hub.name,
    ):  # fmt: skip
        assert text in html, text
    assert reverse("cases:household_detail", args=[household.pk]) in html
    assert reverse("cases:person_detail", args=[mother.pk]) in html
    assert reverse("cases:intake_detail", args=[intake.pk]) in html


def test_it_shows_each_intake_once_with_its_main_concern(client_as, staff, hub, own):
    several = IntakeFactory(hub=hub, case=own)
    for concern, is_main in (("care", False), ("income", True), ("health", False)):
        IntakeConcern.objects.create(
            intake=several, concern=code(CodeList.CONCERN, concern), is_main=is_main
        )
    none = IntakeFactory(hub=hub, case=own)  # no concern recorded
    response = client_as(staff).get(url(own))
    intakes = response.context["intakes"]
    main = {i.pk: getattr(getattr(i, "main_item", None), "concern", None) for i in intakes}
    assert main == {several.pk: code(CodeList.CONCERN, "income"), none.pk: None}
    assert str(code(CodeList.CONCERN, "income")) in response.content.decode()


def test_it_escapes_script_in_the_summary_and_names(client_as, staff, hub):
    person = PersonFactory(family_name="<script>alert(1)</script>", household__registered_hub=hub)
    case = CaseFactory(
        household=person.household, primary=person, summary="<script>alert(2)</script>"
    )
    html = client_as(staff).get(url(case)).content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def _add(case, hub, staff, n):
    for _ in range(n):
        person = PersonFactory(household=case.household)
        CasePerson.objects.create(case=case, person=person)
        ConsentFactory(person=person, hubs=[hub])
        StageChange.objects.create(
            case=case, from_stage=Stage.INTAKE, to_stage=Stage.ASSESSMENT, changed_by=staff,
            acting_hub=hub, reason="アセスメント開始",
        )  # fmt: skip
        intake = IntakeFactory(hub=hub, case=case, channel=code(CodeList.CHANNEL, "phone"))
        IntakeConcern.objects.create(
            intake=intake, concern=code(CodeList.CONCERN, "care"), is_main=True
        )
        flag = HouseholdFlag.objects.create(
            household=case.household, kind=code(CodeList.COMPLEX_NEED, "isolation"),
            judged_on=datetime.date(2025, 4, 1), judged_by=staff, basis="近所づきあいなし",
        )  # fmt: skip
        flag.persons.set([person])
        case.hub_links.create(hub=HubFactory())
        referral = ReferralFactory(case=case, to_hub=HubFactory(), person=person)
        ReferralEvent.objects.create(
            referral=referral, actor=staff, acting_hub=hub, to_status=referral.status
        )
        OutreachAttempt.objects.create(
            case=case, person=person, method=OutreachAttempt.Method.VISIT,
            result=OutreachAttempt.Result.ABSENT, recorded_by=staff, acting_hub=HubFactory(),
        )  # fmt: skip


def test_its_query_count_does_not_grow_with_persons_history_intakes_or_referrals(
    client_as, staff, hub, count_queries
):
    small = CaseFactory(household__registered_hub=hub, fields=["elderly"])
    large = CaseFactory(household__registered_hub=hub, fields=["elderly"])
    _add(small, hub, staff, 1)
    _add(large, hub, staff, 10)
    client = client_as(staff)
    client.get(url(small))  # warm up (session, caches)
    one = count_queries(lambda: client.get(url(small)))
    ten = count_queries(lambda: client.get(url(large)))
    assert one == ten
