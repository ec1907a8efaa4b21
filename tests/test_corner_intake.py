"""Corner volunteers hand worries to a hub; the hub takes them up and connects them to a case."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Household, Intake, Person
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, HubFactory, IntakeFactory, PersonFactory, code

pytestmark = pytest.mark.django_db

CORNER_URL = reverse("cases:corner_intake_create")
MINE_URL = reverse("cases:my_intakes")
INCOMING_URL = reverse("cases:incoming")


def corner_data(hub, **overrides):
    data = {
        "consulter_name": "隣の佐々木さん",
        "subject_description": "角の家の一人暮らしのおじいさん",
        "concerns": [code(CodeList.CONCERN, "care").pk],
        "narrative": "最近姿を見かけない。",
        "contact_hint": "自治会長が知っている",
        "consent_status": "unknown",
        "handed_to": hub.pk,
    }
    data.update(overrides)
    return data


def statuses(client):
    return [str(row["status"]) for row in client.get(MINE_URL).context["rows"]]


def test_the_whole_loop_shows_the_volunteer_only_received_and_connected(
    client, volunteer, hub, other_hub, make_member
):
    staff = make_member(Role.STAFF, hub)
    outsider = make_member(Role.STAFF, other_hub)

    client.force_login(volunteer)
    response = client.post(CORNER_URL, corner_data(hub))
    assert response.status_code == 302 and response["Location"] == MINE_URL
    intake = Intake.objects.get()
    assert intake.from_corner and intake.outcome == Intake.Outcome.PENDING
    assert intake.handed_to == hub and intake.recorded_by == volunteer
    assert intake.route.code == "corner" and intake.main_concern.code == "care"
    assert intake.consent is None
    assert statuses(client) == [str(intake.volunteer_status)]
    assert "つながりました" not in statuses(client)[0]

    client.force_login(outsider)
    assert list(client.get(INCOMING_URL).context["object_list"]) == []
    client.force_login(staff)
    assert list(client.get(INCOMING_URL).context["object_list"]) == [intake]
    response = client.post(reverse("cases:intake_take_up", args=[intake.pk]))
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.taken_up_by == staff and intake.taken_up_at is not None
    # Taken up but not yet connected: still on the incoming list.
    assert list(client.get(INCOMING_URL).context["object_list"]) == [intake]

    client.force_login(volunteer)
    assert "受け止めました" in statuses(client)[0]

    client.force_login(staff)
    response = client.post(
        reverse("cases:intake_connect", args=[intake.pk]),
        {
            "action": "open",
            "subject": "new",
            "family_name": "鳥飼",
            "given_name": "権兵衛",
            "family_name_kana": "とりかい",
            "given_name_kana": "ごんべえ",
            "birth_date": "S10.1.1",
            "sex": "male",
            "household_choice": "new",
            "town": "芥川町",
            "address_rest": "3丁目3番3号",
            "concerns": [code(CodeList.CONCERN, "care").pk],
            "fields": [code(CodeList.FIELD, "elderly").pk],
        },
    )
    intake.refresh_from_db()
    case = intake.case
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"number": case.number})
    assert intake.outcome == Intake.Outcome.NEW_CASE
    assert case.lead_hub == hub and case.primary_person.family_name == "鳥飼"
    assert [c.code for c in case.concerns.all()] == ["care"]
    assert list(intake.persons.all()) == [case.primary_person]
    assert client.get(INCOMING_URL).context["object_list"].count() == 0
    assert AccessLog.objects.filter(
        user=staff, action=AccessLog.Action.CREATE, object_type="case", object_id=str(case.pk)
    ).exists()

    client.force_login(volunteer)
    response = client.get(MINE_URL)
    html = response.content.decode()
    assert "つながりました" in str(response.context["rows"][0]["status"])
    assert "つながりました" in html
    assert case.number not in html and "鳥飼" not in html and "権兵衛" not in html
    # Nor can the volunteer open the intake, the case or the person.
    assert client.get(reverse("cases:intake_detail", args=[intake.pk])).status_code == 404
    case_url = reverse("cases:case_detail", kwargs={"number": case.number})
    assert client.get(case_url).status_code == 404


def test_the_corner_form_defaults_to_the_desk_and_offers_no_corner(client, volunteer):
    desk = HubFactory(code="desk", name="福祉相談支援課")
    corner = HubFactory(
        kind=code(CodeList.HUB_KIND, "community"), name="福祉のまちかど相談（磐手）"
    )
    retired = HubFactory(active=False)
    client.force_login(volunteer)
    form = client.get(CORNER_URL).context["form"]
    hubs = set(form.fields["handed_to"].queryset)
    assert form.fields["handed_to"].initial == desk.pk
    assert desk in hubs and corner not in hubs and retired not in hubs
    response = client.post(CORNER_URL, corner_data(corner))
    assert response.context["form"].errors["handed_to"]
    assert not Intake.objects.exists()


def test_the_corner_form_needs_whom_and_keeps_what_was_typed(client, volunteer, hub):
    client.force_login(volunteer)
    response = client.post(CORNER_URL, corner_data(hub, subject_description="  "))
    assert response.status_code == 200
    assert response.context["form"].errors["subject_description"]
    assert "最近姿を見かけない。" in response.content.decode()
    assert not Intake.objects.exists()


def test_the_corner_form_escapes_script(client, volunteer, hub):
    client.force_login(volunteer)
    client.post(CORNER_URL, corner_data(hub, subject_description="<script>alert(1)</script>"))
    html = client.get(MINE_URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


@pytest.mark.parametrize("url", [CORNER_URL, MINE_URL])
def test_the_volunteer_pages_are_for_volunteers_only(client, staff, url):
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_a_volunteer_sees_only_their_own_hand_overs(client, volunteer, make_member, hub):
    corner = volunteer.memberships.get().hub
    colleague = make_member(Role.VOLUNTEER, corner)
    IntakeFactory(hub=corner, recorded_by=colleague, handed_to=hub, from_corner=True)
    mine = IntakeFactory(
        hub=corner, recorded_by=volunteer, handed_to=hub, subject_description="私の"
    )
    client.force_login(volunteer)
    response = client.get(MINE_URL)
    assert list(response.context["object_list"]) == [mine]
    assert AccessLog.objects.filter(user=volunteer, action=AccessLog.Action.SEARCH).exists()


def test_my_hand_overs_run_a_constant_number_of_queries(client, volunteer, hub, count_queries):
    corner = volunteer.memberships.get().hub
    client.force_login(volunteer)
    client.get(MINE_URL)
    IntakeFactory(hub=corner, recorded_by=volunteer, handed_to=hub)
    one = count_queries(lambda: client.get(MINE_URL))
    IntakeFactory.create_batch(19, hub=corner, recorded_by=volunteer, handed_to=hub)
    assert len(client.get(MINE_URL).context["rows"]) == 20
    assert count_queries(lambda: client.get(MINE_URL)) == one


# Incoming intakes and connecting --------------------------------------------------------------


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


def test_incoming_lists_same_day_first_and_drops_old_taken_up_ones(signed_in, hub):
    now = timezone.now()
    normal = IntakeFactory(handed_to=hub, received_at=now - datetime.timedelta(days=2))
    urgent = IntakeFactory(handed_to=hub, urgency=Intake.Urgency.SAME_DAY, received_at=now)
    taken = IntakeFactory(handed_to=hub, taken_up_at=now - datetime.timedelta(days=1))
    IntakeFactory(handed_to=hub, taken_up_at=now - datetime.timedelta(days=90))
    IntakeFactory(handed_to=hub, taken_up_at=now, case=CaseFactory(household__registered_hub=hub))
    IntakeFactory(hub=hub)  # received here, not handed over
    response = signed_in.get(INCOMING_URL)
    assert list(response.context["object_list"]) == [urgent, normal, taken]


def test_connecting_links_to_a_visible_case(signed_in, hub):
    case = CaseFactory(household__registered_hub=hub)
    intake = IntakeFactory(handed_to=hub, from_corner=True)
    response = signed_in.post(
        reverse("cases:intake_connect", args=[intake.pk]), {"action": "link", "case": case.pk}
    )
    intake.refresh_from_db()
    assert response["Location"] == reverse("cases:case_detail", kwargs={"number": case.number})
    assert intake.case == case and intake.outcome == Intake.Outcome.LINKED
    assert intake.taken_up_at is not None and intake.household == case.household


def test_connecting_refuses_a_case_the_user_may_not_see(signed_in, hub, other_hub):
    foreign = CaseFactory(household__registered_hub=other_hub)
    intake = IntakeFactory(handed_to=hub)
    response = signed_in.post(
        reverse("cases:intake_connect", args=[intake.pk]), {"action": "link", "case": foreign.pk}
    )
    assert response.status_code == 200 and response.context["form"].errors["case"]
    intake.refresh_from_db()
    assert intake.case is None


def test_the_connect_page_offers_the_persons_handed_over(signed_in, hub, other_hub):
    person = PersonFactory(household__registered_hub=other_hub, family_name="引継")
    intake = IntakeFactory(hub=other_hub, handed_to=hub, household=person.household)
    intake.persons.add(person)
    url = reverse("cases:intake_connect", args=[intake.pk])
    response = signed_in.get(url)
    assert response.context["persons"] == [person]
    assert "引継" in response.content.decode()

    response = signed_in.post(url, {"action": "open", "subject": "existing", "person": person.pk})
    intake.refresh_from_db()
    assert response.status_code == 302
    assert intake.case.primary_person == person and intake.case.household == person.household


def test_connecting_a_new_person_warns_of_duplicates_first(signed_in, hub):
    known = PersonFactory(household__registered_hub=hub, phone="090-1111-2222")
    intake = IntakeFactory(handed_to=hub)
    url = reverse("cases:intake_connect", args=[intake.pk])
    data = {
        "action": "open",
        "subject": "new",
        "family_name": "別人",
        "phone": "09011112222",
        "household_choice": "new",
    }
    response = signed_in.post(url, data)
    assert response.context["duplicates"].visible == [known]
    assert Person.objects.count() == 1 and not Case.objects.exists()

    response = signed_in.post(url, {**data, "confirm_new": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2 and Household.objects.count() == 2
    assert Intake.objects.get().case.primary_person.family_name == "別人"


def test_connect_needs_a_person_for_a_new_case(signed_in, hub):
    intake = IntakeFactory(handed_to=hub)
    response = signed_in.post(reverse("cases:intake_connect", args=[intake.pk]), {"action": "open"})
    assert response.status_code == 200 and response.context["form"].errors["subject"]
    assert not Case.objects.exists()


def test_an_intake_handed_elsewhere_or_already_connected_cannot_be_connected(
    signed_in, hub, other_hub
):
    handed_on = IntakeFactory(hub=hub, handed_to=other_hub)
    done = IntakeFactory(hub=hub, case=CaseFactory(household__registered_hub=hub))
    for intake in (handed_on, done):
        url = reverse("cases:intake_connect", args=[intake.pk])
        assert signed_in.get(url).status_code == 404
    take_up = reverse("cases:intake_take_up", args=[handed_on.pk])
    assert signed_in.post(take_up).status_code == 404
