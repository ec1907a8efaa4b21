"""The conference list (tabs and filters) and the month calendar: what each hub sees."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Conference, ConferenceHub
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import AgendaItemFactory, ConferenceFactory, HubFactory, meeting_type

pytestmark = pytest.mark.django_db

Status = Conference.Status
LIST = reverse("cases:conference_list")
CALENDAR = reverse("cases:conference_calendar")


def at(days, hour=14):
    """A time ``days`` from today, local time."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


@pytest.fixture
def coordinator(make_member, hub):
    return make_member(Role.COORDINATOR, hub)


def meeting(hub, days=7, code="suishin", status=Status.PLANNED, hubs=(), **fields):
    return ConferenceFactory(
        convening_hub=hub,
        meeting_type=meeting_type(code),
        starts_at=at(days),
        status=status,
        hubs=list(hubs),
        **fields,
    )


def shown(response):
    """The conferences listed on a list or calendar page."""
    return {c.pk for c in Conference.objects.all() if f'data-conference="{c.pk}"' in response.text}


# Tabs and filters --------------------------------------------------------------------------


def test_it_shows_upcoming_meetings_first_by_default(client_as, staff, hub):
    later = meeting(hub, days=10)
    soon = meeting(hub, days=0)
    meeting(hub, days=-3)  # planned but past: not "upcoming"
    meeting(hub, days=-3, status=Status.HELD)
    response = client_as(staff).get(LIST)
    assert response.status_code == 200
    assert shown(response) == {soon.pk, later.pk}
    assert response.text.index(f'data-conference="{soon.pk}"') < response.text.index(
        f'data-conference="{later.pk}"'
    )


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("held", {Status.HELD, Status.DRAFTING}),
        ("submitted", {Status.SUBMITTED}),
        ("approved", {Status.APPROVED}),
        ("cancelled", {Status.CANCELLED}),
        ("all", set(Status.values)),
    ],
)
def test_each_tab_shows_its_statuses(client_as, staff, hub, tab, expected):
    by_status = {status: meeting(hub, days=-5, status=status) for status in Status.values}
    response = client_as(staff).get(LIST, {"show": tab})
    assert shown(response) == {by_status[status].pk for status in expected}


def test_an_unknown_tab_falls_back_to_upcoming(client_as, staff, hub):
    upcoming = meeting(hub)
    meeting(hub, days=-5, status=Status.APPROVED)
    response = client_as(staff).get(LIST, {"show": "nonsense"})
    assert response.status_code == 200 and shown(response) == {upcoming.pk}


def test_it_filters_by_type_legal_type_dates_and_convening_hub(client_as, coordinator, hub,
                                                               other_hub):  # fmt: skip
    suishin = meeting(hub, days=3)
    shien = meeting(hub, days=20, code="shien")
    elsewhere = meeting(other_hub, days=5, code="case_meeting", hubs=[hub])
    client = client_as(coordinator)

    def listed(**params):
        return shown(client.get(LIST, {"show": "all", **params}))

    assert listed() == {suishin.pk, shien.pk, elsewhere.pk}
    assert listed(meeting_type=meeting_type("shien").pk) == {shien.pk}
    assert listed(legal_type="multi_layered") == {suishin.pk}
    day = (timezone.localdate() + datetime.timedelta(days=4)).isoformat()
    assert listed(date_from=day) == {shien.pk, elsewhere.pk}
    assert listed(date_to=day) == {suishin.pk}
    assert listed(mine="on") == {suishin.pk, shien.pk}


def test_bad_filter_values_do_not_break_the_list(client_as, staff, hub):
    meeting(hub)
    response = client_as(staff).get(
        LIST, {"date_from": "2026-13-45", "meeting_type": "x", "legal_type": "?", "page": "zz"}
    )
    assert response.status_code == 200


def test_it_counts_the_cases_on_each_agenda(client_as, staff, hub):
    conference = meeting(hub)
    AgendaItemFactory.create_batch(3, conference=conference)
    response = client_as(staff).get(LIST)
    row = response.text.split(f'data-conference="{conference.pk}"')[1].split("</tr>")[0]
    assert 'data-testid="agenda-count">3<' in row


def test_the_list_is_logged_as_a_search(client_as, staff, hub):
    client_as(staff).get(LIST, {"show": "all"})
    assert AccessLog.objects.filter(user=staff, action=AccessLog.Action.SEARCH).exists()


# Who sees what -----------------------------------------------------------------------------


def test_a_support_meeting_is_listed_only_for_the_invited_hubs(client_as, make_member, hub,
                                                               other_hub):  # fmt: skip
    third = HubFactory()
    shien = meeting(hub, code="shien", hubs=[other_hub])
    invited = make_member(Role.STAFF, other_hub)
    not_invited = make_member(Role.STAFF, third)
    third_manager = make_member(Role.MANAGER, third)
    assert shown(client_as(invited).get(LIST)) == {shien.pk}
    for user in (not_invited, third_manager):
        assert shown(client_as(user).get(LIST)) == set()
        assert shown(client_as(user).get(CALENDAR, {"month": f"{shien.starts_at:%Y-%m}"})) == set()


def test_a_hub_marked_absent_no_longer_lists_the_support_meeting(client_as, make_member, hub,
                                                                 other_hub):  # fmt: skip
    shien = meeting(hub, days=-2, code="shien", status=Status.HELD, hubs=[other_hub])
    ConferenceHub.objects.filter(conference=shien, hub=other_hub).update(present=False)
    absent = make_member(Role.STAFF, other_hub)
    assert shown(client_as(absent).get(LIST, {"show": "all"})) == set()


def test_the_convening_hubs_manager_sees_every_meeting_it_convenes(client_as, make_member, hub,
                                                                   other_hub):  # fmt: skip
    shien = meeting(hub, code="shien", hubs=[other_hub])
    ConferenceHub.objects.filter(conference=shien, hub=hub).update(present=False)
    manager = make_member(Role.MANAGER, hub)
    staff = make_member(Role.STAFF, hub)
    assert shown(client_as(manager).get(LIST)) == {shien.pk}
    assert shown(client_as(staff).get(LIST)) == set()


def test_volunteers_get_not_found(client_as, volunteer):
    client = client_as(volunteer)
    assert client.get(LIST).status_code == 404
    assert client.get(CALENDAR).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client):
    for url in (LIST, CALENDAR):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


# Calendar ----------------------------------------------------------------------------------


def test_the_calendar_shows_each_meeting_on_its_day(client_as, staff, hub):
    conference = meeting(hub, days=0)
    response = client_as(staff).get(CALENDAR)
    assert response.status_code == 200
    today = timezone.localdate()
    cell = response.text.split(f'data-date="{today:%Y-%m-%d}"')[1].split("</td>")[0]
    assert 'aria-current="date"' in cell
    assert f'data-conference="{conference.pk}"' in cell and "14:00" in cell
    assert conference.meeting_type.name in cell


def test_the_calendar_starts_on_sunday_and_links_the_neighbouring_months(client_as, staff):
    response = client_as(staff).get(CALENDAR, {"month": "2026-03"})
    weeks = response.context["weeks"]
    assert weeks[0][0]["date"] == datetime.date(2026, 3, 1)  # a Sunday
    assert all(week[0]["date"].weekday() == 6 for week in weeks)
    assert response.context["previous"] == "2026-02" and response.context["following"] == "2026-04"
    january = client_as(staff).get(CALENDAR, {"month": "2027-01"}).context
    assert january["previous"] == "2026-12" and january["following"] == "2027-02"


def test_the_calendar_shows_only_the_month_asked_for(client_as, staff, hub):
    in_march = ConferenceFactory(
        convening_hub=hub,
        starts_at=timezone.make_aware(datetime.datetime(2026, 3, 18, 10)),
    )
    in_may = ConferenceFactory(
        convening_hub=hub, starts_at=timezone.make_aware(datetime.datetime(2026, 5, 20, 10))
    )
    response = client_as(staff).get(CALENDAR, {"month": "2026-03"})
    assert shown(response) == {in_march.pk}
    assert f'data-conference="{in_may.pk}"' not in response.text


@pytest.mark.parametrize(
    "month", ["", "2026-13", "2026-00", "0000-01", "abc", "2026-1-1", "9999-12"]
)
def test_a_bad_month_shows_this_month(client_as, staff, month):
    response = client_as(staff).get(CALENDAR, {"month": month})
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)


# Query counts ------------------------------------------------------------------------------


def _many(hub, other_hub, n):
    for i in range(n):
        conference = meeting(hub, days=1 + i % 20, code="shien" if i % 2 else "suishin",
                             hubs=[other_hub])  # fmt: skip
        AgendaItemFactory.create_batch(2, conference=conference)


def test_the_list_query_count_does_not_grow_with_meetings(client_as, staff, hub, other_hub,
                                                          count_queries):  # fmt: skip
    _many(hub, other_hub, 1)
    client = client_as(staff)
    client.get(LIST)
    one = count_queries(lambda: client.get(LIST, {"show": "all"}))
    _many(hub, other_hub, 20)
    assert count_queries(lambda: client.get(LIST, {"show": "all"})) == one


def test_the_calendar_query_count_does_not_grow_with_meetings(client_as, staff, hub, other_hub,
                                                              count_queries):  # fmt: skip
    _many(hub, other_hub, 1)
    client = client_as(staff)
    client.get(CALENDAR)
    month = {"month": f"{at(1):%Y-%m}"}
    one = count_queries(lambda: client.get(CALENDAR, month))
    _many(hub, other_hub, 20)
    assert count_queries(lambda: client.get(CALENDAR, month)) == one
