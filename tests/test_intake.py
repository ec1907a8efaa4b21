"""Staff intake (相談受付): new person and case, linking, handing over, duplicates, validation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.models import Case, Consent, Household, Intake, Person, Stage, StageChange
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList
from takatsuki_welfare.wareki import parse_birth_date

from .factories import (
    CaseFactory,
    HouseholdFactory,
    HubFactory,
    IntakeFactory,
    PersonFactory,
    code,
)

pytestmark = pytest.mark.django_db

URL = reverse("cases:intake_create")


def pk(code_list, value):
    return code(code_list, value).pk


def intake_data(**overrides):
    received = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "channel": pk(CodeList.CHANNEL, "phone"),
        "route": pk(CodeList.ROUTE, "family"),
        "consulter_name": "山田 一郎",
        "consulter_relationship": "長男",
        "subject": "new",
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "やまだ",
        "given_name_kana": "はなこ",
        "birth_date": "S20.5.1",
        "sex": "female",
        "phone": "072-600-0001",
        "household_choice": "new",
        "postal_code": "569-0001",
        "town": "芥川町",
        "address_rest": "9丁目9番9号",
        "concerns": [pk(CodeList.CONCERN, "care"), pk(CodeList.CONCERN, "health")],
        "main_concern": pk(CodeList.CONCERN, "care"),
        "fields": [pk(CodeList.FIELD, "elderly")],
        "urgency": "normal",
        "narrative": "母の物忘れがひどく、介護の相談。",
        "consent_status": "unknown",
        "outcome": "info_only",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, staff):
    client.force_login(staff)
    return client


def test_it_shows_an_empty_intake_form_at_the_acting_hub(signed_in, hub):
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert hub.name in response.content.decode()
    assert 'hx-get="/persons/search/"' in response.content.decode()


def test_it_records_an_intake_that_opens_a_case_for_a_new_person(signed_in, hub, staff):
    data = intake_data(
        outcome="new_case", consent_status="given", consent_method="verbal", multi_agency="on"
    )
    response = signed_in.post(URL, data)

    intake = Intake.objects.get()
    case = intake.case
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"number": case.number})
    person = Person.objects.get(family_name="山田", given_name="花子")
    household = person.household
    assert household.town == "芥川町" and household.registered_hub == hub
    assert person.birth_date == datetime.date(1945, 5, 1)
    assert intake.outcome == Intake.Outcome.NEW_CASE
    assert intake.hub == hub and intake.recorded_by == staff
    assert list(intake.persons.all()) == [person] and intake.household == household
    assert intake.main_concern.code == "care"
    assert case.primary_person == person and case.household == household
    assert case.lead_hub == hub and case.multi_agency and case.stage == Stage.INTAKE
    assert {c.code for c in case.concerns.all()} == {"care", "health"}
    assert [f.code for f in case.fields.all()] == ["elderly"]
    assert StageChange.objects.filter(case=case, to_stage=Stage.INTAKE).count() == 1
    consent = intake.consent
    assert intake.consent_status == Intake.ConsentStatus.GIVEN
    assert consent.person == person and consent.kind == Consent.Kind.SHARE_WITH_AGENCIES
    assert consent.method == Consent.Method.VERBAL
    assert consent.obtained_on == timezone.localdate()
    assert list(consent.hubs.all()) == [hub]
    logged = set(
        AccessLog.objects.filter(action=AccessLog.Action.CREATE, user=staff).values_list(
            "object_type", "object_id"
        )
    )
    assert logged == {
        ("intake", str(intake.pk)),
        ("person", str(person.pk)),
        ("household", str(household.pk)),
        ("case", str(case.pk)),
        ("consent", str(consent.pk)),
    }


def test_it_links_an_intake_to_an_existing_case_of_the_household(signed_in, hub):
    case = CaseFactory(household__registered_hub=hub)
    person = case.primary_person
    data = intake_data(subject="existing", person=person.pk, outcome="linked", case=case.pk)
    response = signed_in.post(URL, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", kwargs={"number": case.number})
    intake = Intake.objects.get()
    assert intake.case == case and intake.outcome == Intake.Outcome.LINKED
    assert list(intake.persons.all()) == [person] and intake.household == case.household
    assert Person.objects.count() == 1 and Case.objects.count() == 1


def test_it_refuses_to_link_a_case_of_another_household(signed_in, hub):
    case = CaseFactory(household__registered_hub=hub)
    stranger = PersonFactory(household__registered_hub=hub)
    data = intake_data(subject="existing", person=stranger.pk, outcome="linked", case=case.pk)
    response = signed_in.post(URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["case"]
    assert not Intake.objects.exists()


def test_it_does_not_offer_or_accept_a_case_the_user_may_not_see(signed_in, hub, other_hub):
    foreign = CaseFactory(household__registered_hub=other_hub)
    person = PersonFactory(household__registered_hub=hub)
    data = intake_data(subject="existing", person=person.pk, outcome="linked", case=foreign.pk)
    response = signed_in.post(URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors["case"]
    assert not Intake.objects.exists()


def test_an_info_only_intake_about_an_unidentified_person_leads_to_the_intake(signed_in):
    data = intake_data(subject="unidentified", subject_description="近所の一人暮らしの男性")
    response = signed_in.post(URL, data)

    intake = Intake.objects.get()
    assert response["Location"] == reverse("cases:intake_detail", kwargs={"pk": intake.pk})
    assert intake.outcome == Intake.Outcome.INFO_ONLY and intake.case is None
    assert not intake.persons.exists() and not Person.objects.exists()
    assert intake.subject_description == "近所の一人暮らしの男性"


def test_an_unidentified_intake_needs_a_description_and_cannot_open_a_case(signed_in):
    data = intake_data(subject="unidentified", outcome="new_case", consent_status="given")
    response = signed_in.post(URL, data)

    errors = response.context["form"].errors
    assert {"subject_description", "outcome", "consent_status", "consent_method"} <= set(errors)
    assert not Intake.objects.exists()


def test_a_handed_over_intake_appears_only_in_the_receiving_hubs_incoming_list(
    client, signed_in, hub, other_hub, make_member
):
    receiver = make_member(Role.STAFF, other_hub)
    third = make_member(Role.STAFF, HubFactory())
    client.force_login(receiver)
    assert list(client.get(reverse("cases:incoming")).context["object_list"]) == []

    client.force_login(make_member(Role.STAFF, hub))
    data = intake_data(
        outcome="handed_over",
        handed_to=other_hub.pk,
        consent_status="given",
        consent_method="signature",
    )
    response = client.post(URL, data)
    intake = Intake.objects.get()
    assert response["Location"] == reverse("cases:intake_detail", kwargs={"pk": intake.pk})
    assert intake.outcome == Intake.Outcome.HANDED_OVER and intake.handed_to == other_hub
    assert set(intake.consent.hubs.all()) == {hub, other_hub}

    client.force_login(receiver)
    assert list(client.get(reverse("cases:incoming")).context["object_list"]) == [intake]
    client.force_login(third)
    assert list(client.get(reverse("cases:incoming")).context["object_list"]) == []
    assert client.get(reverse("cases:intake_detail", args=[intake.pk])).status_code == 404


def test_handing_over_needs_a_hub_other_than_ones_own(signed_in, hub):
    response = signed_in.post(URL, intake_data(outcome="handed_over"))
    assert response.context["form"].errors["handed_to"]
    response = signed_in.post(URL, intake_data(outcome="handed_over", handed_to=hub.pk))
    assert response.context["form"].errors["handed_to"]
    assert not Intake.objects.exists()


# Main concern (主訴) ----------------------------------------------------------------------------


def test_several_concerns_need_a_main_one_among_them(signed_in):
    care, health, food = (pk(CodeList.CONCERN, c) for c in ("care", "health", "food"))
    response = signed_in.post(URL, intake_data(concerns=[care, health], main_concern=""))
    assert response.context["form"].errors["main_concern"]
    response = signed_in.post(URL, intake_data(concerns=[care, health], main_concern=food))
    assert response.context["form"].errors["main_concern"]
    assert not Intake.objects.exists()


def test_a_single_concern_is_the_main_one(signed_in):
    care = pk(CodeList.CONCERN, "care")
    signed_in.post(URL, intake_data(concerns=[care], main_concern=""))
    assert Intake.objects.get().main_concern.code == "care"


# Duplicates -----------------------------------------------------------------------------------


@pytest.fixture
def known(hub):
    """A person already registered at the hub."""
    household = HouseholdFactory(registered_hub=hub, town="芥川町", address_rest="1丁目1番1号")
    return PersonFactory(
        household=household,
        family_name="山田",
        given_name="太郎",
        family_name_kana="やまだ",
        given_name_kana="たろう",
        birth_date=datetime.date(1970, 3, 2),
        phone="090-1234-5678",
    )


NEW_TARO = {
    "family_name": "山田",
    "given_name": "太朗",
    "family_name_kana": "ヤマダ",
    "given_name_kana": "タロウ",
    "birth_date": "S45.3.2",
    "phone": "",
}


@pytest.mark.parametrize(
    "person",
    [
        pytest.param(NEW_TARO, id="same kana and birth date"),
        pytest.param(
            {
                "family_name": "鈴木",
                "family_name_kana": "すずき",
                "given_name": "",
                "given_name_kana": "",
                "birth_date": "",
                "phone": "09012345678",
            },
            id="same phone",
        ),
        pytest.param(
            {
                "family_name": "山田",
                "given_name": "太郎",
                "family_name_kana": "",
                "given_name_kana": "",
                "birth_date": "",
                "phone": "",
                "town": "芥川町",
                "address_rest": "1丁目1番1号",
            },
            id="same name and address",
        ),
    ],
)
def test_it_warns_of_duplicates_before_saving_anything(signed_in, known, person):
    response = signed_in.post(URL, intake_data(**person))

    assert response.status_code == 200
    duplicates = response.context["duplicates"]
    assert duplicates.visible == [known] and duplicates.hidden == 0
    assert 'name="same_person"' in response.content.decode()
    assert 'name="confirm_new"' in response.content.decode()
    assert Person.objects.count() == 1 and Household.objects.count() == 1
    assert not Intake.objects.exists()
    # What was typed is still there.
    assert response.context["form"]["given_name"].value() == person["given_name"]


def test_choosing_the_same_person_uses_them_instead_of_a_new_one(signed_in, known):
    data = intake_data(**NEW_TARO, same_person=known.pk, outcome="new_case")
    response = signed_in.post(URL, data)

    intake = Intake.objects.get()
    assert response.status_code == 302
    assert list(intake.persons.all()) == [known] and intake.household == known.household
    assert intake.case.primary_person == known and intake.case.household == known.household
    assert Person.objects.count() == 1 and Household.objects.count() == 1


def test_confirming_a_different_person_registers_them(signed_in, known):
    response = signed_in.post(URL, intake_data(**NEW_TARO, confirm_new="on"))

    assert response.status_code == 302
    assert Person.objects.count() == 2
    assert Intake.objects.get().persons.get().given_name == "太朗"


def test_a_duplicate_at_another_hub_is_only_signalled(signed_in, other_hub):
    PersonFactory(
        household__registered_hub=other_hub,
        family_name="山田",
        given_name="秘匿",
        family_name_kana="やまだ",
        given_name_kana="たろう",
        birth_date=datetime.date(1970, 3, 2),
    )
    response = signed_in.post(URL, intake_data(**NEW_TARO))

    duplicates = response.context["duplicates"]
    assert duplicates.visible == [] and duplicates.hidden == 1
    assert "秘匿" not in response.content.decode()
    assert Person.objects.count() == 1
    assert signed_in.post(URL, intake_data(**NEW_TARO, confirm_new="on")).status_code == 302


def test_a_new_person_can_join_the_household_of_a_chosen_person(signed_in, known):
    data = intake_data(
        family_name="山田",
        given_name="次郎",
        family_name_kana="やまだ",
        given_name_kana="じろう",
        birth_date="",
        household_choice="same",
        person=known.pk,
        outcome="new_case",
    )
    response = signed_in.post(URL, data)

    assert response.status_code == 302
    jiro = Person.objects.get(given_name="次郎")
    assert jiro.household == known.household and Household.objects.count() == 1
    assert Intake.objects.get().case.household == known.household


# Validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["昭和65年1月1日", "2001年2月30日", "2100-01-01"])
def test_an_impossible_birth_date_is_refused_beside_the_field(signed_in, typed):
    with pytest.raises(ValueError) as refused:
        parse_birth_date(typed)
    message = str(refused.value)
    response = signed_in.post(URL, intake_data(birth_date=typed))

    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [message]
    html = response.content.decode()
    assert (
        f'value="{typed}"' in html
        and f'class="field__error" id="id_birth_date_error">{escape(message)}' in html
    )
    assert not Person.objects.exists()


def test_a_future_reception_time_and_non_kana_readings_are_refused(signed_in):
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = signed_in.post(URL, intake_data(received_at=future, family_name_kana="山田"))
    errors = response.context["form"].errors
    assert "received_at" in errors and "family_name_kana" in errors


def test_an_existing_person_must_be_chosen(signed_in):
    response = signed_in.post(URL, intake_data(subject="existing"))
    assert response.context["form"].errors["person"]


def test_script_in_names_is_shown_escaped(signed_in):
    script = "<script>alert(1)</script>"
    signed_in.post(URL, intake_data(family_name=script, subject_description=script))
    intake = Intake.objects.get()
    html = signed_in.get(reverse("cases:intake_detail", args=[intake.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert script not in html


def test_the_search_button_shows_results_without_saving(signed_in, known):
    response = signed_in.post(URL, intake_data(q="やまだ", find="1"))
    assert response.status_code == 200
    assert known in response.context["persons"]
    assert not response.context["form"].is_bound
    assert response.context["form"]["given_name"].value() == "花子"
    assert Person.objects.count() == 1 and not Intake.objects.exists()


def test_on_error_the_chosen_person_stays_chosen(signed_in, known):
    data = intake_data(subject="existing", person=known.pk, concerns=[], main_concern="", q="")
    data["received_at"] = "not a date"
    response = signed_in.post(URL, data)
    assert response.context["persons"] == [known]
    assert f'value="{known.pk}" checked' in response.content.decode()


# Intake list and detail -----------------------------------------------------------------------


def test_the_intake_list_filters_and_logs_the_search(signed_in, hub, staff):
    urgent = IntakeFactory(hub=hub, urgency=Intake.Urgency.SAME_DAY)
    IntakeFactory(hub=hub)
    IntakeFactory()  # another hub's
    url = reverse("cases:intake_list")
    assert signed_in.get(url).context["paginator"].count == 2
    response = signed_in.get(url, {"urgency": "same_day"})
    assert list(response.context["object_list"]) == [urgent]
    entry = AccessLog.objects.filter(action=AccessLog.Action.SEARCH, user=staff).first()
    assert entry.detail == "urgency=same_day"


def test_the_intake_list_filters_by_reception_date(signed_in, hub):
    old = IntakeFactory(hub=hub, received_at=timezone.now() - datetime.timedelta(days=40))
    IntakeFactory(hub=hub)
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    response = signed_in.get(reverse("cases:intake_list"), {"received_before": until})
    assert list(response.context["object_list"]) == [old]
    bad = signed_in.get(reverse("cases:intake_list"), {"channel": "x"})
    assert bad.status_code == 200 and bad.context["filter"].form.errors["channel"]


def test_the_intake_detail_logs_the_view_and_hides_a_case_the_user_may_not_see(
    signed_in, hub, other_hub, staff
):
    foreign = CaseFactory(household__registered_hub=other_hub)
    intake = IntakeFactory(
        hub=hub,
        handed_to=other_hub,
        outcome=Intake.Outcome.NEW_CASE,
        case=foreign,
        household=foreign.household,
    )
    intake.persons.add(foreign.primary_person)
    response = signed_in.get(reverse("cases:intake_detail", args=[intake.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert foreign.number not in html
    assert reverse("cases:person_detail", args=[foreign.primary_person.pk]) not in html
    assert AccessLog.objects.filter(
        action=AccessLog.Action.VIEW, object_type="intake", object_id=str(intake.pk), user=staff
    ).exists()


def test_the_intake_detail_links_what_the_user_may_see(signed_in, hub):
    case = CaseFactory(household__registered_hub=hub)
    intake = IntakeFactory(
        hub=hub, outcome=Intake.Outcome.LINKED, case=case, household=case.household
    )
    intake.persons.add(case.primary_person)
    html = signed_in.get(reverse("cases:intake_detail", args=[intake.pk])).content.decode()
    assert reverse("cases:case_detail", kwargs={"number": case.number}) in html
    assert reverse("cases:person_detail", args=[case.primary_person.pk]) in html
    assert reverse("cases:household_detail", args=[case.household.pk]) in html


# Access ---------------------------------------------------------------------------------------


@pytest.fixture
def own_intake(hub):
    return IntakeFactory(hub=hub, handed_to=None)


@pytest.mark.parametrize(
    ("name", "method"),
    [("intake_detail", "get"), ("intake_connect", "get"), ("intake_take_up", "post")],
)
def test_an_unrelated_hub_gets_404(client, make_member, hub, name, method):
    intake = IntakeFactory(hub=hub, handed_to=HubFactory())
    client.force_login(make_member(Role.MANAGER, HubFactory()))
    response = getattr(client, method)(reverse(f"cases:{name}", args=[intake.pk]))
    assert response.status_code == 404
    assert Intake.objects.get().taken_up_at is None


STAFF_PAGES = [
    ("cases:intake_create", False),
    ("cases:intake_list", False),
    ("cases:incoming", False),
    ("cases:person_search", False),
    ("cases:intake_detail", True),
    ("cases:intake_connect", True),
]


@pytest.mark.parametrize(("name", "with_pk"), STAFF_PAGES)
def test_a_corner_volunteer_gets_404_on_staff_pages(client, volunteer, name, with_pk):
    intake = IntakeFactory(recorded_by=volunteer, hub=volunteer.memberships.get().hub)
    client.force_login(volunteer)
    url = reverse(name, args=[intake.pk] if with_pk else [])
    assert client.get(url).status_code == 404


def test_a_corner_volunteer_cannot_take_up(client, volunteer):
    intake = IntakeFactory(recorded_by=volunteer, handed_to=volunteer.memberships.get().hub)
    client.force_login(volunteer)
    assert client.post(reverse("cases:intake_take_up", args=[intake.pk])).status_code == 404


@pytest.mark.parametrize(("name", "with_pk"), STAFF_PAGES)
def test_signed_out_users_are_sent_to_sign_in(client, own_intake, name, with_pk):
    url = reverse(name, args=[own_intake.pk] if with_pk else [])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_take_up_only_accepts_post(signed_in, hub):
    intake = IntakeFactory(handed_to=hub)
    assert signed_in.get(reverse("cases:intake_take_up", args=[intake.pk])).status_code == 405


# Query counts ---------------------------------------------------------------------------------


def _intakes_with_people(n, **fields):
    for _ in range(n):
        intake = IntakeFactory(**fields)
        intake.persons.add(PersonFactory())
        intake.concern_items.create(concern=code(CodeList.CONCERN, "care"), is_main=True)


@pytest.mark.parametrize("name", ["cases:intake_list", "cases:incoming"])
def test_lists_run_a_constant_number_of_queries(signed_in, hub, count_queries, name):
    url = reverse(name)
    signed_in.get(url)  # warm the session
    _intakes_with_people(1, hub=hub, handed_to=hub)
    one = count_queries(lambda: signed_in.get(url))
    _intakes_with_people(19, hub=hub, handed_to=hub)
    response = signed_in.get(url)
    assert len(response.context["object_list"]) == 20
    assert count_queries(lambda: signed_in.get(url)) == one
