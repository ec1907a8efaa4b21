"""Tasks a meeting gave a hub (会議で決まった対応): the dashboard tile and the hub's task list."""

import pytest
from django.urls import NoReverseMatch, reverse

from cases.models import Conference, ConferenceHub
from hubs.models import Role
from takatsuki_welfare.models import AccessLog

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    HubFactory,
    UserFactory,
    meeting_type,
)
from .test_dashboard import DAY, TODAY, tile_of

pytestmark = pytest.mark.django_db

LIST = reverse("cases:tasks_meeting_actions")


def task(owner_hub, *, convening_hub=None, hubs=(), code="suishin", case=None, **fields):
    """An action item for ``owner_hub`` from a meeting it was invited to."""
    convening_hub = convening_hub or owner_hub
    conference = ConferenceFactory(
        convening_hub=convening_hub,
        hubs=[owner_hub, *hubs],
        meeting_type=meeting_type(code),
        status=Conference.Status.APPROVED,
    )
    case = case or CaseFactory(household__registered_hub=convening_hub)
    item = AgendaItemFactory(conference=conference, case=case)
    return ActionItemFactory(agenda_item=item, owner_hub=owner_hub, **fields)


def rows(client, params=None):
    response = client.get(LIST, params or {})
    assert response.status_code == 200
    return list(response.context["object_list"])


# Access ------------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_volunteers_and_users_acting_nowhere_get_404(client_as, volunteer):
    assert client_as(volunteer).get(LIST).status_code == 404
    assert client_as(UserFactory()).get(LIST).status_code == 404


def test_it_answers_only_get(client_as, staff):
    assert client_as(staff).post(LIST).status_code == 405


def test_it_logs_a_search(client_as, staff):
    client_as(staff).get(LIST, {"show": "overdue"})
    assert AccessLog.objects.filter(user=staff, action="search", path__startswith=LIST).count() == 1


def test_a_support_meetings_task_shows_to_its_owner_hub_and_not_to_an_unrelated_hub(
    client_as, hub, other_hub, make_member
):
    """支援会議: the owner hub attended; a hub that did not, or was absent, sees nothing."""
    absent_hub = HubFactory(name="地域包括支援センター")
    action = task(other_hub, convening_hub=hub, hubs=[absent_hub], code="shien")
    ConferenceHub.objects.filter(hub=absent_hub).update(present=False)
    owner = make_member(Role.STAFF, other_hub)
    assert rows(client_as(owner)) == [action]
    assert tile_of(client_as(owner), "meeting_actions").rows == [action]
    for outsider in (
        make_member(Role.STAFF, HubFactory()),
        make_member(Role.MANAGER, HubFactory()),
        make_member(Role.STAFF, absent_hub),
    ):
        assert rows(client_as(outsider)) == []
        assert tile_of(client_as(outsider), "meeting_actions").rows == []


def test_a_support_meeting_attendee_sees_its_task_and_the_case_it_is_about(
    client_as, hub, other_hub, staff
):
    """Members of a 支援会議 share the case (社会福祉法106条の6): attending makes it visible."""
    shared = task(hub, convening_hub=other_hub, code="shien")
    own = task(hub, case=CaseFactory(household__registered_hub=hub))
    client = client_as(staff)
    for url in (LIST, reverse("home")):
        html = client.get(url).content.decode()
        for action in (shared, own):
            number = action.agenda_item.case.number
            assert reverse("cases:case_detail", args=[number]) in html
    assert {a.pk: a.case_visible for a in rows(client)} == {shared.pk: True, own.pk: True}


# Contents ----------------------------------------------------------------------------------


def test_open_tasks_of_the_hub_show_overdue_first(client_as, hub, other_hub, staff):
    later = task(hub, due_on=TODAY + 3 * DAY)
    undated = task(hub, due_on=None)
    overdue = task(hub, due_on=TODAY - 2 * DAY)
    due_today = task(hub, due_on=TODAY)
    task(hub, due_on=TODAY - DAY, done_on=TODAY)
    task(other_hub, convening_hub=hub, due_on=TODAY - DAY)
    cancelled = task(hub, due_on=TODAY - DAY)
    Conference.objects.filter(agenda_items__action_items=cancelled).update(
        status=Conference.Status.CANCELLED
    )
    client = client_as(staff)
    assert rows(client) == [overdue, due_today, later, undated]
    assert rows(client, {"show": "overdue"}) == [overdue]
    tile = tile_of(client, "meeting_actions")
    assert (tile.count, tile.overdue) == (4, 1)
    assert tile.rows == [overdue, due_today, later, undated]


def test_overdue_tasks_are_marked(client_as, hub, staff):
    overdue = task(hub, due_on=TODAY - DAY)
    on_time = task(hub, due_on=TODAY + DAY)
    html = client_as(staff).get(LIST).content.decode()
    assert f'data-meeting-action="{overdue.pk}" data-overdue="true"' in html
    assert f'data-meeting-action="{on_time.pk}">' in html
    home = client_as(staff).get("/").content.decode()
    assert "badge--danger" in home.split(f'data-meeting-action="{overdue.pk}"')[1].split("</li>")[0]


def test_the_tile_links_to_the_list_with_the_same_rows(client_as, hub, staff):
    for n in range(3):
        task(hub, due_on=TODAY - n * DAY)
    client = client_as(staff)
    tile = tile_of(client, "meeting_actions")
    assert tile.url == LIST
    assert rows(client) == tile.rows


def test_each_row_offers_done_with_the_way_back_to_the_list(client_as, hub, staff):
    action = task(hub, due_on=TODAY)
    try:
        done_url = reverse("cases:action_item_done", args=[action.pk])
    except NoReverseMatch:
        pytest.skip("cases:action_item_done is built by another screen group")
    client = client_as(staff)
    html = client.get(LIST, {"show": "open"}).content.decode()
    assert f'action="{done_url}"' in html
    assert f'name="next" value="{LIST}?show=open"' in html
    response = client.post(done_url, {"next": f"{LIST}?show=open"})
    assert (response.status_code, response["Location"]) == (302, f"{LIST}?show=open")
    action.refresh_from_db()
    assert action.done_on == TODAY
    assert rows(client) == []


def test_the_list_runs_a_constant_number_of_queries(
    client_as, hub, other_hub, staff, count_queries
):
    client = client_as(staff)

    def fill(n):
        for i in range(n):
            task(hub, due_on=TODAY - i * DAY)
            task(hub, convening_hub=other_hub, code="shien", due_on=TODAY + i * DAY)

    fill(1)
    client.get(LIST)
    one = count_queries(lambda: client.get(LIST))
    fill(10)
    assert len(rows(client)) == 22
    assert count_queries(lambda: client.get(LIST)) == one
