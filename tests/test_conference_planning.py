"""Planning a conference through its screens: the meeting form, the overview page, the agenda
with the consent gate, attendees, cancelling, the case search, and who may do what."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases import services_conference as conferences
from cases.models import AgendaItem, Attendee, CaseHub, Conference, ConferenceHub, Stage
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import (
    AgendaItemFactory,
    CaseFactory,
    ConsentFactory,
    HubFactory,
    PersonFactory,
    meeting_type,
)

pytestmark = pytest.mark.django_db

Status = Conference.Status


def u(name, *args):
    return reverse(f"cases:{name}", args=args)


def in_days(days, hour=14, minute=0):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def third(db):
    return HubFactory(name="地域包括支援センター")


@pytest.fixture
def coordinator(make_member, hub):
    """A coordinator of the convening desk (``hub``)."""
    return make_member(Role.COORDINATOR, hub)


@pytest.fixture
def case(other_hub):
    """A multi-agency case led by the other hub: the desk's coordinator sees it."""
    return CaseFactory(household__registered_hub=other_hub, multi_agency=True)


def consent_for(case, hubs, **fields):
    return ConsentFactory(person=case.primary_person, hubs=list(hubs), **fields)


def plan(coordinator, hubs, code="suishin", **fields):
    return conferences.conference_plan(
        actor=coordinator,
        meeting_type=meeting_type(code),
        starts_at=in_days(3),
        hubs=list(hubs),
        **fields,
    )


@pytest.fixture
def conference(coordinator, other_hub, third):
    """A 重層的支援会議 at the desk with the other hub and a third hub invited."""
    return plan(coordinator, [other_hub, third], title="4月 推進会議")


def messages_of(response):
    return [m.message for m in get_messages(response.wsgi_request)]


def form_data(**changes):
    data = {
        "meeting_type": meeting_type("suishin").pk,
        "title": "多機関協働推進会議（5月）",
        "date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        "start_time": "13:30",
        "end_time": "15:00",
        "place": "総合センター 7階",
    }
    data.update(changes)
    return data


# Plan a meeting ----------------------------------------------------------------------------


def test_a_coordinator_plans_a_meeting(client_as, coordinator, hub, other_hub, third):
    client = client_as(coordinator)
    assert client.get(u("conference_create")).status_code == 200
    response = client.post(
        u("conference_create"),
        form_data(chair=coordinator.pk, hubs=[other_hub.pk, third.pk], online="on"),
    )
    conference = Conference.objects.get()
    assert response.status_code == 302 and response["Location"] == u(
        "conference_detail", conference.pk
    )
    local = timezone.localtime(conference.starts_at)
    assert (local.hour, local.minute) == (13, 30)
    assert timezone.localtime(conference.ends_at).hour == 15
    assert conference.convening_hub == hub and conference.chair == coordinator
    assert conference.online and conference.status == Status.PLANNED
    assert set(conference.hub_links.values_list("hub", flat=True)) == {
        hub.pk,
        other_hub.pk,
        third.pk,
    }
    assert AccessLog.objects.filter(
        action=AccessLog.Action.CREATE, object_type="conference", object_id=str(conference.pk)
    ).exists()


def test_a_manager_plans_a_meeting_too(client_as, make_member, hub):
    manager = make_member(Role.MANAGER, hub)
    assert client_as(manager).post(u("conference_create"), form_data()).status_code == 302
    assert Conference.objects.get().created_by == manager


def test_the_type_in_the_link_is_chosen_with_its_default_hubs(client_as, coordinator, other_hub):
    shien = meeting_type("shien")
    shien.default_hubs.set([other_hub])
    response = client_as(coordinator).get(u("conference_create"), {"type": "shien"})
    form = response.context["form"]
    assert form.initial["meeting_type"] == shien.pk
    assert list(form.initial["hubs"]) == [other_hub]
    assert re.search(rf'name="hubs" value="{other_hub.pk}"[^>]* checked', response.text)
    assert response.context["default_hubs"][str(shien.pk)] == [other_hub.pk]


def test_inactive_types_are_not_offered(client_as, coordinator):
    chosen = meeting_type("yotaikyo")
    chosen.active = False
    chosen.save()
    client = client_as(coordinator)
    form = client.get(u("conference_create"), {"type": "yotaikyo"}).context["form"]
    assert chosen not in form.fields["meeting_type"].queryset
    assert "meeting_type" not in form.initial
    response = client.post(u("conference_create"), form_data(meeting_type=chosen.pk))
    assert response.status_code == 200 and not Conference.objects.exists()


def test_the_chair_is_a_member_of_the_convening_hub(client_as, coordinator, make_member,
                                                    other_hub):  # fmt: skip
    outsider = make_member(Role.STAFF, other_hub)
    response = client_as(coordinator).post(u("conference_create"), form_data(chair=outsider.pk))
    assert response.status_code == 200 and response.context["form"].errors["chair"]
    assert not Conference.objects.exists()


def test_bad_input_is_shown_again_with_what_was_typed(client_as, coordinator):
    client = client_as(coordinator)
    response = client.post(u("conference_create"), form_data(date="", title="入力を残す題"))
    assert response.status_code == 200 and "date" in response.context["form"].errors
    assert "入力を残す題" in response.text
    response = client.post(u("conference_create"), form_data(start_time="15:00", end_time="14:00"))
    assert response.status_code == 200 and "end_time" in response.context["form"].errors
    response = client.post(u("conference_create"), form_data(date="令和99年", start_time="25:99"))
    assert response.status_code == 200
    assert not Conference.objects.exists()


def test_staff_are_told_that_coordinators_plan_meetings(client_as, staff):
    client = client_as(staff)
    response = client.get(u("conference_create"))
    assert response.status_code == 302 and response["Location"] == u("conference_list")
    assert messages_of(response)
    assert client.post(u("conference_create"), form_data()).status_code == 302
    assert not Conference.objects.exists()


# Edit --------------------------------------------------------------------------------------


def test_the_convener_edits_a_planned_meeting(client_as, coordinator, conference, other_hub):
    client = client_as(coordinator)
    form = client.get(u("conference_edit", conference.pk)).context["form"]
    assert form.initial["title"] == "4月 推進会議" and form.initial["version"] == conference.version
    response = client.post(
        u("conference_edit", conference.pk),
        form_data(version=conference.version, place="市役所 本館", hubs=[other_hub.pk]),
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.place == "市役所 本館"
    assert set(conferences.attending_hubs(conference)) == {conference.convening_hub, other_hub}


def test_a_stale_edit_is_refused_with_a_conflict(client_as, coordinator, conference):
    stale = conference.version
    conferences.conference_update(
        actor=coordinator, conference=conference, expected_version=stale, place="別の会議室"
    )
    response = client_as(coordinator).post(
        u("conference_edit", conference.pk), form_data(version=stale, place="上書きしない")
    )
    assert response.status_code == 409
    assert "上書きしない" in response.text
    conference.refresh_from_db()
    assert conference.place == "別の会議室"


def test_inviting_a_hub_the_consent_does_not_cover_is_refused_in_the_form(
    client_as, coordinator, hub, other_hub, third, case
):
    consent_for(case, [hub, other_hub])
    conference = plan(coordinator, [other_hub])
    conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    response = client_as(coordinator).post(
        u("conference_edit", conference.pk),
        form_data(version=conference.version, title="新しい題", hubs=[other_hub.pk, third.pk]),
    )
    assert response.status_code == 200
    assert third.name in " ".join(response.context["form"].non_field_errors())
    assert "新しい題" in response.text
    assert set(conferences.attending_hubs(conference)) == {hub, other_hub}


def test_a_meeting_held_or_convened_elsewhere_is_not_edited(client_as, coordinator, make_member,
                                                           conference, other_hub):  # fmt: skip
    invited_coordinator = make_member(Role.COORDINATOR, other_hub)
    response = client_as(invited_coordinator).post(
        u("conference_edit", conference.pk), form_data(version=conference.version)
    )
    assert response.status_code == 302 and messages_of(response)
    Conference.objects.filter(pk=conference.pk).update(status=Status.HELD)
    client = client_as(coordinator)
    assert client.get(u("conference_edit", conference.pk)).status_code == 302
    client.post(u("conference_edit", conference.pk), form_data(version=conference.version))
    conference.refresh_from_db()
    assert conference.title == "4月 推進会議"


# Overview ----------------------------------------------------------------------------------


def test_the_overview_shows_the_meeting_and_its_agenda(client_as, coordinator, conference,
                                                       other_hub, third, hub, case):  # fmt: skip
    consent_for(case, [hub, other_hub, third])
    conferences.agenda_add(actor=coordinator, conference=conference, case=case, planned_minutes=20)
    unconsented = CaseFactory(household__registered_hub=other_hub, multi_agency=True)
    AgendaItemFactory(conference=conference, case=unconsented, order=9)  # consent since lost
    conferences.attendee_add(actor=coordinator, conference=conference, name="民生委員 山田",
                             affiliation="芥川地区 民生委員")  # fmt: skip
    response = client_as(coordinator).get(u("conference_detail", conference.pk))
    assert response.status_code == 200
    text = response.text
    assert case.primary_person.full_name in text and other_hub.name in text
    ok_row = text.split(f'data-case="{case.number}"')[1].split("</tr>")[0]
    missing_row = text.split(f'data-case="{unconsented.number}"')[1].split("</tr>")[0]
    assert 'data-consent="ok"' in ok_row
    assert 'data-consent="missing"' in missing_row
    assert unconsented.primary_person.full_name in missing_row
    assert "民生委員 山田" in text and "芥川地区 民生委員" in text
    assert 'data-testid="confidentiality-note"' not in text
    assert 'data-testid="agenda-add-form"' in text and 'data-testid="start-meeting"' in text
    assert AccessLog.objects.filter(
        action=AccessLog.Action.VIEW, object_type="conference", object_id=str(conference.pk)
    ).exists()


def test_it_shows_which_hubs_attended(client_as, coordinator, conference, other_hub, third):
    ConferenceHub.objects.filter(conference=conference, hub=other_hub).update(present=True)
    ConferenceHub.objects.filter(conference=conference, hub=third).update(present=False)
    text = client_as(coordinator).get(u("conference_detail", conference.pk)).text
    assert f'data-hub="{other_hub.pk}"' in text

    def row(hub):
        return text.split(f'data-hub="{hub.pk}"')[1].split("</li>")[0]

    assert 'data-present="yes"' in row(other_hub)
    assert 'data-present="no"' in row(third)
    assert 'data-present=""' in row(conference.convening_hub)


def test_a_support_meeting_shows_the_confidentiality_note(client_as, coordinator, other_hub):
    shien = plan(coordinator, [other_hub], code="shien")
    text = client_as(coordinator).get(u("conference_detail", shien.pk)).text
    assert 'data-testid="confidentiality-note"' in text
    assert "data-consent" not in text


def test_invited_hubs_see_the_overview_without_the_planning_tools(
    client_as, make_member, conference, other_hub
):
    response = client_as(make_member(Role.COORDINATOR, other_hub)).get(
        u("conference_detail", conference.pk)
    )
    assert response.status_code == 200
    assert 'data-testid="agenda-add-form"' not in response.text
    assert 'data-testid="edit-conference"' not in response.text


def test_a_support_meeting_is_not_found_by_hubs_not_attending(client_as, make_member, coordinator,
                                                              other_hub, third, case):  # fmt: skip
    CaseHub.objects.create(case=case, hub=third)  # the third hub works on the case
    shien = plan(coordinator, [other_hub], code="shien")
    conferences.agenda_add(actor=coordinator, conference=shien, case=case)
    item = shien.agenda_items.get()
    not_invited = make_member(Role.STAFF, third)
    client = client_as(not_invited)
    assert client.get(u("case_detail", case.number)).status_code == 200
    assert client.get(u("conference_detail", shien.pk)).status_code == 404
    assert case.number not in client.get(u("conference_list"), {"show": "all"}).text
    absent = make_member(Role.STAFF, other_hub)
    ConferenceHub.objects.filter(conference=shien, hub=other_hub).update(present=False)
    assert client_as(absent).get(u("conference_detail", shien.pk)).status_code == 404
    convener = client_as(coordinator)
    assert convener.post(u("conference_agenda_remove", item.pk)).status_code == 302
    assert not AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize("code", ["case_meeting", "shien", "suishin"])
def test_the_overview_query_count_does_not_grow_with_the_agenda(client_as, coordinator, hub,
                                                                other_hub, count_queries,
                                                                code):  # fmt: skip
    def meeting(n):
        conference = plan(coordinator, [other_hub, HubFactory()], code=code)
        for _ in range(n):
            item = AgendaItemFactory(conference=conference)
            ConsentFactory(person=item.case.primary_person, hubs=[hub, other_hub])
            Attendee.objects.create(conference=conference, user=coordinator, hub=hub)
        return conference

    small, large = meeting(1), meeting(10)
    client = client_as(coordinator)
    client.get(u("conference_detail", small.pk))
    one = count_queries(lambda: client.get(u("conference_detail", small.pk)))
    ten = count_queries(lambda: client.get(u("conference_detail", large.pk)))
    assert one == ten


# The agenda and the consent gate -----------------------------------------------------------


def add(client, conference, case, **extra):
    return client.post(u("conference_agenda_add", conference.pk), {"case": case.number, **extra})


def test_a_consenting_case_is_added_to_the_agenda(client_as, coordinator, conference, case, hub,
                                                  other_hub, third):  # fmt: skip
    consent_for(case, [hub, other_hub, third])
    response = add(client_as(coordinator), conference, case, planned_minutes="15")
    assert response.status_code == 302
    item = conference.agenda_items.get()
    assert item.case == case and item.planned_minutes == 15 and item.consents.exists()
    assert AccessLog.objects.filter(
        action=AccessLog.Action.UPDATE, object_id=str(conference.pk)
    ).exists()


def test_a_case_without_consent_is_refused_and_a_support_meeting_offered(
    client_as, coordinator, conference, case
):
    response = add(client_as(coordinator), conference, case, planned_minutes="25")
    assert response.status_code == 200
    assert not conference.agenda_items.exists()
    errors = " ".join(response.context["agenda_form"].non_field_errors())
    assert case.primary_person.full_name in errors and "支援会議" in errors
    assert 'data-testid="offer-support-meeting"' in response.text
    assert f"{u('conference_create')}?type=shien" in response.text
    assert f'value="{case.number}"' in response.text and 'value="25"' in response.text


def test_a_consent_not_covering_every_hub_is_refused(client_as, coordinator, conference, case,
                                                     hub, other_hub, third):  # fmt: skip
    consent_for(case, [hub, other_hub])
    response = add(client_as(coordinator), conference, case)
    assert third.name in " ".join(response.context["agenda_form"].non_field_errors())
    assert 'data-testid="offer-support-meeting"' in response.text
    assert not conference.agenda_items.exists()


def test_a_withdrawn_consent_is_refused(client_as, coordinator, conference, case, hub, other_hub,
                                       third):  # fmt: skip
    today = timezone.localdate()
    consent_for(case, [hub, other_hub, third], obtained_on=today - datetime.timedelta(days=30),
                withdrawn_on=today)  # fmt: skip
    response = add(client_as(coordinator), conference, case)
    assert response.status_code == 200 and not conference.agenda_items.exists()
    assert 'data-testid="offer-support-meeting"' in response.text


def test_a_support_meeting_takes_the_case_without_consent(client_as, coordinator, other_hub, case):
    shien = plan(coordinator, [other_hub], code="shien")
    assert add(client_as(coordinator), shien, case).status_code == 302
    assert shien.agenda_items.get().case == case


def test_only_open_cases_the_user_sees_are_added(client_as, coordinator, make_member, hub,
                                                other_hub):  # fmt: skip
    shien = plan(coordinator, [other_hub], code="shien")
    hidden = CaseFactory(household__registered_hub=HubFactory())  # not multi-agency
    closed = CaseFactory(household__registered_hub=other_hub, multi_agency=True,
                         stage=Stage.CLOSED)  # fmt: skip
    client = client_as(coordinator)
    for case in (hidden, closed):
        response = add(client, shien, case)
        assert response.status_code == 200 and response.context["agenda_form"].errors["case"]
    response = client.post(u("conference_agenda_add", shien.pk), {"case": ""})
    assert response.status_code == 200
    assert not shien.agenda_items.exists()


def test_a_case_already_on_the_agenda_is_not_added_twice(client_as, coordinator, other_hub, case):
    shien = plan(coordinator, [other_hub], code="shien")
    client = client_as(coordinator)
    add(client, shien, case)
    response = add(client, shien, case)
    assert response.status_code == 200 and response.context["agenda_form"].non_field_errors()
    assert 'data-testid="offer-support-meeting"' not in response.text
    assert shien.agenda_items.count() == 1


def test_staff_of_the_convening_hub_do_not_change_the_agenda(client_as, staff, coordinator,
                                                            other_hub, case):  # fmt: skip
    shien = plan(coordinator, [other_hub], code="shien")
    item = conferences.agenda_add(actor=coordinator, conference=shien, case=case)
    client = client_as(staff)
    second = CaseFactory(household__registered_hub=staff.memberships.get().hub)
    assert add(client, shien, second).status_code == 302
    assert client.post(u("conference_agenda_remove", item.pk)).status_code == 302
    assert client.post(u("conference_cancel", shien.pk), {"reason": "x"}).status_code == 302
    assert list(shien.agenda_items.all()) == [item]
    shien.refresh_from_db()
    assert shien.status == Status.PLANNED


def test_the_agenda_is_reordered_and_shortened(client_as, coordinator, other_hub):
    shien = plan(coordinator, [other_hub], code="shien")
    cases = [CaseFactory(household__registered_hub=other_hub, multi_agency=True) for _ in "abc"]
    items = [conferences.agenda_add(actor=coordinator, conference=shien, case=c) for c in cases]
    client = client_as(coordinator)

    def order():
        return list(shien.agenda_items.order_by("order", "id").values_list("pk", flat=True))

    client.post(u("conference_agenda_move", items[2].pk), {"direction": "up"})
    assert order() == [items[0].pk, items[2].pk, items[1].pk]
    client.post(u("conference_agenda_move", items[0].pk), {"direction": "down"})
    assert order() == [items[2].pk, items[0].pk, items[1].pk]
    response = client.post(u("conference_agenda_move", items[0].pk), {"direction": "sideways"})
    assert response.status_code == 302 and messages_of(response)
    assert order() == [items[2].pk, items[0].pk, items[1].pk]
    client.post(u("conference_agenda_remove", items[0].pk))
    assert order() == [items[2].pk, items[1].pk]


def test_the_agenda_of_a_held_meeting_does_not_change(client_as, coordinator, other_hub, case):
    shien = plan(coordinator, [other_hub], code="shien")
    item = conferences.agenda_add(actor=coordinator, conference=shien, case=case)
    Conference.objects.filter(pk=shien.pk).update(status=Status.HELD)
    client = client_as(coordinator)
    client.post(u("conference_agenda_remove", item.pk))
    client.post(u("conference_agenda_move", item.pk), {"direction": "up"})
    other = CaseFactory(household__registered_hub=other_hub, multi_agency=True)
    add(client, shien, other)
    assert list(shien.agenda_items.all()) == [item]


# Attendees ---------------------------------------------------------------------------------


def test_attendees_are_members_of_invited_hubs_or_named_people(client_as, coordinator, make_member,
                                                              conference, other_hub):  # fmt: skip
    member = make_member(Role.STAFF, other_hub)
    outsider = make_member(Role.STAFF, HubFactory())
    client = client_as(coordinator)
    url = u("conference_attendee_add", conference.pk)
    member_link = member.memberships.get()
    assert client.post(url, {"member": member_link.pk}).status_code == 302
    assert client.post(url, {"name": "民生委員 山田", "affiliation": "民生委員"}).status_code == 302
    response = client.post(url, {"affiliation": "残す所属"})
    assert response.status_code == 200 and "残す所属" in response.text
    response = client.post(url, {"member": outsider.memberships.get().pk})
    assert response.status_code == 200 and response.context["attendee_form"].errors["member"]
    attendees = {(a.user_id, a.hub_id, a.name) for a in conference.attendees.all()}
    assert attendees == {(member.pk, other_hub.pk, ""), (None, None, "民生委員 山田")}


# Cancel ------------------------------------------------------------------------------------


def test_a_meeting_is_cancelled_with_a_reason(client_as, coordinator, conference):
    client = client_as(coordinator)
    url = u("conference_cancel", conference.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.post(url, {"reason": "台風のため"}).status_code == 302
    conference.refresh_from_db()
    assert conference.status == Status.CANCELLED and "台風のため" in conference.notes
    assert client.get(url).status_code == 302  # no longer planned


# Case search -------------------------------------------------------------------------------


def test_the_case_search_finds_visible_open_cases_with_their_consent(client_as, coordinator,
                                                                     conference, hub, other_hub,
                                                                     third, case):  # fmt: skip
    person = PersonFactory(family_name="高槻", given_name="花子", family_name_kana="たかつき",
                           given_name_kana="はなこ")  # fmt: skip
    named = CaseFactory(primary=person, household=person.household, multi_agency=True)
    consent_for(named, [hub, other_hub, third])
    hidden_person = PersonFactory(family_name="高槻", given_name="次郎",
                                  family_name_kana="たかつき")  # fmt: skip
    hidden = CaseFactory(primary=hidden_person, household=hidden_person.household)
    client = client_as(coordinator)
    url = u("conference_case_search", conference.pk)
    response = client.get(url, {"q": "たかつき"})
    assert response.status_code == 200 and "<html" in response.text
    results = {c.number for c in response.context["results"]}
    assert results == {named.number} and hidden.number not in response.text
    row = response.text.split(f'data-case="{named.number}"')[1].split("</li>")[0]
    assert 'data-consent="ok"' in row and f'data-testid="add-{named.number}"' in row
    by_number = client.get(url, {"q": case.number}, HTTP_HX_REQUEST="true")
    assert "<html" not in by_number.text
    assert 'data-consent="missing"' in by_number.text
    assert "HX-Request" in by_number["Vary"]
    assert [c.number for c in by_number.context["results"]] == [case.number]
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH, user=coordinator).exists()


def test_the_case_search_marks_cases_already_on_the_agenda(client_as, coordinator, other_hub,
                                                           case):  # fmt: skip
    shien = plan(coordinator, [other_hub], code="shien")
    conferences.agenda_add(actor=coordinator, conference=shien, case=case)
    response = client_as(coordinator).get(u("conference_case_search", shien.pk), {"q": case.number})
    assert f'data-testid="add-{case.number}"' not in response.text
    assert "data-consent" not in response.text  # a 支援会議 needs no consent
    short = client_as(coordinator).get(u("conference_case_search", shien.pk), {"q": "た"})
    assert short.status_code == 200 and short.context["hint"] and not short.context["results"]


# Who may -----------------------------------------------------------------------------------


def every_url(conference, item):
    gets = [
        u("conference_detail", conference.pk),
        u("conference_edit", conference.pk),
        u("conference_case_search", conference.pk) + "?q=2026",
        u("conference_cancel", conference.pk),
    ]
    posts = [
        u("conference_agenda_add", conference.pk),
        u("conference_agenda_remove", item.pk),
        u("conference_agenda_move", item.pk),
        u("conference_attendee_add", conference.pk),
        u("conference_cancel", conference.pk),
        u("conference_edit", conference.pk),
    ]
    return gets, posts


@pytest.fixture
def planned(coordinator, other_hub, case):
    conference = plan(coordinator, [other_hub], code="case_meeting")
    item = conferences.agenda_add(actor=coordinator, conference=conference, case=case)
    return conference, item


@pytest.mark.parametrize("kind", ["volunteer", "other_staff", "other_manager", "other_coordinator"])
def test_every_conference_url_is_not_found_outside_the_meeting(client_as, make_member, hub,
                                                               planned, kind):  # fmt: skip
    unrelated = HubFactory()
    user = {
        "volunteer": lambda: make_member(Role.VOLUNTEER, hub),
        "other_staff": lambda: make_member(Role.STAFF, unrelated),
        "other_manager": lambda: make_member(Role.MANAGER, unrelated),
        "other_coordinator": lambda: make_member(Role.COORDINATOR, unrelated),
    }[kind]()
    conference, item = planned
    client = client_as(user)
    gets, posts = every_url(conference, item)
    statuses = {url: client.get(url).status_code for url in gets}
    statuses.update(
        {
            f"POST {url}": client.post(url, {"case": item.case.number, "direction": "up",
                                             "name": "x", "reason": "x"}).status_code
            for url in posts
        }
    )  # fmt: skip
    assert statuses == dict.fromkeys(statuses, 404)
    conference.refresh_from_db()
    assert conference.status == Status.PLANNED and conference.agenda_items.count() == 1
    assert not conference.attendees.exists()


def test_volunteers_do_not_plan_meetings(client_as, volunteer):
    client = client_as(volunteer)
    assert client.get(u("conference_create")).status_code == 404
    assert client.post(u("conference_create"), form_data()).status_code == 404


def test_every_conference_page_sends_anonymous_users_to_sign_in(client, planned):
    gets, posts = every_url(*planned)
    for url in [*gets, u("conference_create")]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
    for url in posts:
        response = client.post(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_the_planning_steps_take_only_post(client_as, coordinator, planned):
    conference, item = planned
    client = client_as(coordinator)
    for url in (
        u("conference_agenda_add", conference.pk),
        u("conference_agenda_remove", item.pk),
        u("conference_agenda_move", item.pk),
        u("conference_attendee_add", conference.pk),
    ):
        assert client.get(url).status_code == 405, url
