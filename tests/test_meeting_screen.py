"""The meeting screen: attendance, one agenda case at a time on a wall screen with its minutes
form and action items, and who sees (and writes) what."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cases import services_conference as conferences
from cases.models import (
    ActionItem,
    AgendaItem,
    CaseHub,
    Conference,
    ConferenceHub,
    HouseholdFlag,
    SupportPlan,
)
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    ConsentFactory,
    HubFactory,
    PersonFactory,
    PlanFactory,
    RecordFactory,
    ReferralFactory,
    code,
    meeting_type,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def u(name, *args):
    return reverse(f"cases:{name}", args=args)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def hubs(hub, other_hub):
    """The convening desk, the lead hub of the cases, and a third hub."""
    return {"desk": hub, "lead": other_hub, "third": HubFactory(name="地域包括支援センター")}


@pytest.fixture
def coordinator(make_member, hubs):
    return make_member(Role.COORDINATOR, hubs["desk"])


def new_case(hubs, consent=True):
    case = CaseFactory(household__registered_hub=hubs["lead"], multi_agency=True)
    if consent:
        ConsentFactory(person=case.primary_person, hubs=list(hubs.values()))
    return case


def plan_meeting(coordinator, hubs, cases, code="suishin", invite=("lead", "third"), hold=True):
    conference = conferences.conference_plan(
        actor=coordinator,
        meeting_type=meeting_type(code),
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        hubs=[hubs[name] for name in invite],
    )
    items = [
        conferences.agenda_add(actor=coordinator, conference=conference, case=case)
        for case in cases
    ]
    if hold:
        conferences.conference_hold(
            actor=coordinator,
            conference=conference,
            present_hubs=[hubs[name] for name in invite],
        )
    for item in items:
        item.refresh_from_db()
    return items


@pytest.fixture
def case(hubs):
    return new_case(hubs)


@pytest.fixture
def items(coordinator, hubs, case):
    """A held 多機関協働推進会議 with two consenting cases."""
    return plan_meeting(coordinator, hubs, [case, new_case(hubs)])


def record_minutes(client, item, button="save", **data):
    item.refresh_from_db()
    payload = {"version": item.version, "summary": "", button: "1", **data}
    return client.post(u("meeting_item", item.pk), payload)


# The case beside the minutes ---------------------------------------------------------------


def test_it_shows_the_case_its_household_plan_records_referrals_and_open_actions(
    client_as, coordinator, hubs, case, items
):
    item = items[0]
    sister = PersonFactory(household=case.household, given_name="花子", co_resident=False)
    HouseholdFlag.objects.create(
        household=case.household, kind=code(CodeList.COMPLEX_NEED, "8050"),
        judged_on=TODAY, judged_by=coordinator, basis="80代の母と50代の長男",
    )  # fmt: skip
    plan = PlanFactory(case=case, status=SupportPlan.Status.ENDORSED)
    goal = plan.goals.create(text="長男が週1回外出できる", order=1)
    plan_action = goal.actions.create(text="CSWが週1回訪問する", hub=hubs["lead"])
    record = RecordFactory(case=case, content="母と面談。長男は自室にいた。")
    referral = ReferralFactory(case=case, to_hub=hubs["third"])
    earlier = ConferenceFactory(
        convening_hub=hubs["desk"], starts_at=timezone.now() - datetime.timedelta(days=30),
        status=Conference.Status.APPROVED,
    )  # fmt: skip
    old_action = ActionItemFactory(
        agenda_item=AgendaItemFactory(conference=earlier, case=case),
        text="就労準備支援の見学に同行", due_on=TODAY - datetime.timedelta(days=1),
    )  # fmt: skip
    response = client_as(coordinator).get(u("meeting_item", item.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="meeting-screen"' in html and 'id="ecomap"' in html
    ecomap = html.split('id="ecomap"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in ecomap and hubs["third"].name in ecomap  # the referral's hub is drawn
    assert f'data-testid="member-{sister.pk}"' in html
    assert f'data-testid="member-{case.primary_person.pk}"' in html
    assert "8050" in html or "８０５０" in html
    assert "長男が週1回外出できる" in html
    assert f'data-testid="record-{record.pk}"' in html
    assert f'data-testid="referral-{referral.pk}"' in html
    assert f'data-testid="earlier-action-{old_action.pk}"' in html
    assert f'data-testid="plan-action-{plan_action.pk}"' in html
    assert 'name="summary"' in html and 'name="save_next"' in html
    assert f'data-testid="agenda-{items[1].pk}"' in html
    assert AccessLog.objects.filter(
        action=AccessLog.Action.VIEW, object_type="case", object_id=str(case.pk)
    ).exists()


def test_it_shows_only_the_last_five_records_and_not_a_sensitive_one_of_another_hub(
    client_as, coordinator, case, items
):
    hidden = RecordFactory(case=case, sensitive=True, content="（機微な記録）")
    shown = [RecordFactory(case=case) for _ in range(6)]
    html = client_as(coordinator).get(u("meeting_item", items[0].pk)).content.decode()
    assert f'data-testid="record-{hidden.pk}"' not in html
    assert html.count('data-testid="record-') == 5
    assert f'data-testid="record-{shown[0].pk}"' not in html  # the oldest of the six


def test_a_support_meeting_attendee_outside_the_case_sees_it_but_an_absent_hub_does_not(
    client_as, make_member, coordinator, hubs
):
    """支援会議 members share the case without consent; a hub marked absent never did."""
    case = new_case(hubs, consent=False)
    [item] = plan_meeting(coordinator, hubs, [case], code="shien")
    attendee = make_member(Role.STAFF, hubs["third"])
    response = client_as(attendee).get(u("meeting_item", item.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="case-summary"' in html
    assert f'data-testid="member-{case.primary_person.pk}"' in html
    assert 'name="summary"' not in html  # not the convening hub: read-only
    conferences.conference_hold(
        actor=coordinator, conference=item.conference, present_hubs=[hubs["lead"]]
    )
    assert client_as(attendee).get(u("meeting_item", item.pk)).status_code == 404
    assert client_as(attendee).get(f"/cases/{case.number}/").status_code == 404


def test_it_warns_when_the_consent_was_withdrawn_since_planning(
    client_as, coordinator, case, items
):
    html = client_as(coordinator).get(u("meeting_item", items[0].pk)).content.decode()
    assert 'data-testid="consent-warning"' not in html
    case.primary_person.consents.update(withdrawn_on=TODAY)
    html = client_as(coordinator).get(u("meeting_item", items[0].pk)).content.decode()
    assert 'data-testid="consent-warning"' in html


# Writing the minutes -----------------------------------------------------------------------


def test_it_records_the_minutes_of_the_case(client_as, coordinator, items):
    item = items[0]
    review = TODAY + datetime.timedelta(days=60)
    response = record_minutes(
        client_as(coordinator), item, summary="役割分担を確認した。",
        decisions=["share", "roles"], next_review_on=review.isoformat(),
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == u("meeting_item", item.pk)
    item.refresh_from_db()
    assert item.summary == "役割分担を確認した。"
    assert item.decisions == ["share", "roles"] and item.next_review_on == review
    assert item.conference.status == Conference.Status.DRAFTING


def test_save_and_next_goes_to_the_next_case_and_after_the_last_to_the_minutes(
    client_as, coordinator, items
):
    client = client_as(coordinator)
    first, second = items
    response = record_minutes(client, first, button="save_next", summary="一件目")
    assert response["Location"] == u("meeting_item", second.pk)
    response = record_minutes(client, second, button="save_next", summary="二件目")
    assert response["Location"] == u("minutes", second.conference_id)


def test_a_stale_page_is_refused_and_keeps_what_was_typed(client_as, coordinator, items):
    item = items[0]
    client = client_as(coordinator)
    record_minutes(client, item, summary="先に保存")
    response = client.post(
        u("meeting_item", item.pk),
        {"version": item.version, "summary": "古い画面からの入力", "save": "1"},
    )
    assert response.status_code == 409
    assert "古い画面からの入力" in response.content.decode()
    item.refresh_from_db()
    assert item.summary == "先に保存"


def test_an_unknown_decision_re_renders_the_form(client_as, coordinator, items):
    response = record_minutes(
        client_as(coordinator), items[0], summary="入力内容", decisions=["nonsense"]
    )
    assert response.status_code == 200
    assert "入力内容" in response.content.decode()
    assert AgendaItem.objects.get(pk=items[0].pk).summary == ""


def test_the_endorse_select_endorses_the_plan_under_discussion(client_as, coordinator, case, items):
    item = items[0]
    plan = PlanFactory(case=case, status=SupportPlan.Status.DISCUSSING)
    client = client_as(coordinator)
    html = client.get(u("meeting_item", item.pk)).content.decode()
    assert f'<option value="{plan.pk}"' in html
    response = record_minutes(
        client, item, summary="プランを決定", decisions=["plan", "support"], endorse_plan=plan.pk
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    item.refresh_from_db()
    assert plan.status == SupportPlan.Status.ENDORSED
    assert plan.endorsed_by == SupportPlan.EndorsedBy.CONFERENCE
    assert item.endorsed_plan == plan
    plan_page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert f'href="/conferences/{item.conference_id}/minutes/" data-testid="endorsing-meeting"' in (
        plan_page
    )


def test_a_support_meeting_offers_no_plan_to_endorse(client_as, coordinator, hubs):
    case = new_case(hubs, consent=False)
    PlanFactory(case=case, status=SupportPlan.Status.DISCUSSING)
    [item] = plan_meeting(coordinator, hubs, [case], code="shien")
    html = client_as(coordinator).get(u("meeting_item", item.pk)).content.decode()
    assert 'name="summary"' in html and 'name="endorse_plan"' not in html


def test_another_hub_at_the_meeting_reads_but_does_not_write_the_minutes(
    client_as, make_member, hubs, items
):
    item = items[0]
    lead_staff = make_member(Role.STAFF, hubs["lead"])
    client = client_as(lead_staff)
    html = client.get(u("meeting_item", item.pk)).content.decode()
    assert 'name="summary"' not in html and 'data-testid="action-form"' not in html
    response = record_minutes(client, item, summary="書き込み")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.summary == ""
    response = client.post(
        u("meeting_action_add", item.pk),
        {"action-text": "訪問", "action-owner_hub": hubs["lead"].pk},
    )
    assert response.status_code == 302 and not ActionItem.objects.exists()


# Action items -----------------------------------------------------------------------------


def test_it_adds_an_action_item_and_lists_attending_hubs_first(client_as, coordinator, hubs, items):
    item = items[0]
    elsewhere = HubFactory(name="あいうえお相談室", order=0)
    client = client_as(coordinator)
    response = client.get(u("meeting_item", item.pk))
    choices = [hub for hub, _label in response.context["action_form"].fields["owner_hub"].choices]
    ids = [int(str(value)) for value in choices if value]
    attending = {hubs["desk"].pk, hubs["lead"].pk, hubs["third"].pk}
    assert set(ids[:3]) == attending and elsewhere.pk in ids[3:]
    due = TODAY + datetime.timedelta(days=14)
    response = client.post(
        u("meeting_action_add", item.pk),
        {
            "action-text": "就労準備支援の見学に同行する",
            "action-owner_hub": hubs["third"].pk,
            "action-owner_person": "包括 山本",
            "action-due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert (action.agenda_item, action.owner_hub, action.owner_person, action.due_on) == (
        item, hubs["third"], "包括 山本", due,
    )  # fmt: skip
    html = client.get(u("meeting_item", item.pk)).content.decode()
    assert f'data-testid="action-{action.pk}"' in html


def test_an_action_item_without_text_re_renders_and_keeps_the_input(
    client_as, coordinator, hubs, items
):
    response = client_as(coordinator).post(
        u("meeting_action_add", items[0].pk),
        {
            "action-text": "",
            "action-owner_hub": hubs["lead"].pk,
            "action-owner_person": "担当 佐藤",
        },
    )
    assert response.status_code == 200
    assert "担当 佐藤" in response.content.decode()
    assert not ActionItem.objects.exists()


@pytest.fixture
def action(coordinator, hubs, items):
    return conferences.action_item_add(
        actor=coordinator, item=items[0], text="訪問する", owner_hub=hubs["lead"]
    )


def test_the_owner_hub_marks_an_action_done_and_goes_back_to_next(
    client_as, make_member, hubs, action
):
    owner = make_member(Role.STAFF, hubs["lead"])
    back = reverse("home")
    response = client_as(owner).post(u("action_item_done", action.pk), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    action.refresh_from_db()
    assert action.done_on == timezone.localdate() and action.done_by == owner


def test_an_unsafe_next_goes_to_the_meeting_screen_instead(client_as, make_member, hubs, action):
    owner = make_member(Role.STAFF, hubs["lead"])
    response = client_as(owner).post(
        u("action_item_done", action.pk), {"next": "https://evil.example/"}
    )
    assert response["Location"] == u("meeting_item", action.agenda_item_id)


def test_a_hub_that_does_not_own_the_action_cannot_mark_it_done(
    client_as, make_member, hubs, action
):
    third = make_member(Role.STAFF, hubs["third"])
    response = client_as(third).post(u("action_item_done", action.pk))
    assert response.status_code == 302
    assert messages_of(response)
    action.refresh_from_db()
    assert action.done_on is None


# Attendance -------------------------------------------------------------------------------


def test_attendance_opens_the_minutes_and_goes_to_the_first_case(
    client_as, coordinator, hubs, case
):
    items = plan_meeting(coordinator, hubs, [case], hold=False)
    conference = items[0].conference
    client = client_as(coordinator)
    html = client.get(u("meeting_attendance", conference.pk)).content.decode()
    assert f'data-testid="hub-{hubs["third"].pk}"' in html
    response = client.post(
        u("meeting_attendance", conference.pk),
        {"version": conference.version, "present_hubs": [hubs["lead"].pk]},
    )
    assert response["Location"] == u("meeting_item", items[0].pk)
    conference.refresh_from_db()
    assert conference.status == Conference.Status.HELD
    present = dict(conference.hub_links.values_list("hub", "present"))
    assert present == {hubs["desk"].pk: True, hubs["lead"].pk: True, hubs["third"].pk: False}
    # Still correctable while held.
    conference.refresh_from_db()
    response = client.post(
        u("meeting_attendance", conference.pk),
        {"version": conference.version, "present_hubs": [hubs["lead"].pk, hubs["third"].pk]},
    )
    assert response.status_code == 302
    assert ConferenceHub.objects.get(conference=conference, hub=hubs["third"]).present is True


def test_attendance_with_an_empty_agenda_goes_to_the_minutes(client_as, coordinator, hubs):
    conference = conferences.conference_plan(
        actor=coordinator, meeting_type=meeting_type("case_meeting"),
        starts_at=timezone.now(), hubs=[hubs["lead"]],
    )  # fmt: skip
    response = client_as(coordinator).post(
        u("meeting_attendance", conference.pk), {"version": conference.version}
    )
    assert response["Location"] == u("minutes", conference.pk)


def test_at_a_support_meeting_every_attendee_acknowledges_confidentiality(
    client_as, coordinator, hubs
):
    [item] = plan_meeting(coordinator, hubs, [new_case(hubs, False)], code="shien", hold=False)
    conference = item.conference
    someone = conferences.attendee_add(
        actor=coordinator, conference=conference, name="民生委員 山田", affiliation="民生委員"
    )
    client = client_as(coordinator)
    html = client.get(u("meeting_attendance", conference.pk)).content.decode()
    assert 'data-testid="confidentiality-duty"' in html and 'name="acknowledged"' in html
    response = client.post(
        u("meeting_attendance", conference.pk),
        {"version": conference.version, "present_attendees": [someone.pk]},
    )
    assert response.status_code == 200
    conference.refresh_from_db()
    assert conference.status == Conference.Status.PLANNED
    response = client.post(
        u("meeting_attendance", conference.pk),
        {
            "version": conference.version,
            "present_attendees": [someone.pk],
            "acknowledged": [someone.pk],
        },
    )
    assert response.status_code == 302
    someone.refresh_from_db()
    assert someone.present and someone.confidentiality_acknowledged_at is not None


def test_only_the_convening_hub_records_attendance(client_as, make_member, hubs, case):
    items = plan_meeting(make_member(Role.COORDINATOR, hubs["desk"]), hubs, [case], hold=False)
    conference = items[0].conference
    client = client_as(make_member(Role.STAFF, hubs["lead"]))
    assert (
        'data-testid="attendance-form"'
        not in client.get(u("meeting_attendance", conference.pk)).content.decode()
    )
    response = client.post(u("meeting_attendance", conference.pk), {"version": conference.version})
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.status == Conference.Status.PLANNED


# Who reaches these pages ------------------------------------------------------------------


def meeting_urls(item, action):
    return [
        ("get", u("meeting_attendance", item.conference_id)),
        ("get", u("meeting_item", item.pk)),
        ("post", u("meeting_item", item.pk)),
        ("post", u("meeting_action_add", item.pk)),
        ("post", u("action_item_done", action.pk)),
    ]


@pytest.mark.parametrize("who", ["unrelated staff", "unrelated manager", "volunteer"])
def test_outsiders_get_404_on_every_meeting_url(client_as, make_member, volunteer, action, who):
    user = {
        "unrelated staff": lambda: make_member(Role.STAFF, HubFactory()),
        "unrelated manager": lambda: make_member(Role.MANAGER, HubFactory()),
        "volunteer": lambda: volunteer,
    }[who]()
    client = client_as(user)
    for method, url in meeting_urls(action.agenda_item, action):
        assert getattr(client, method)(url).status_code == 404, url
    action.refresh_from_db()
    assert action.done_on is None


def test_a_hub_of_the_case_not_at_the_support_meeting_gets_404(
    client_as, make_member, coordinator, hubs
):
    case = new_case(hubs, consent=False)
    outsider_hub = HubFactory(name="子育て総合支援センター")
    CaseHub.objects.create(case=case, hub=outsider_hub)
    [item] = plan_meeting(coordinator, hubs, [case], code="shien", invite=("lead",))
    action = conferences.action_item_add(
        actor=coordinator, item=item, text="訪問", owner_hub=hubs["lead"]
    )
    client = client_as(make_member(Role.MANAGER, outsider_hub))
    for method, url in meeting_urls(item, action):
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_users_are_sent_to_sign_in(client, action):
    for method, url in meeting_urls(action.agenda_item, action):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


# Query counts -----------------------------------------------------------------------------


def test_the_meeting_screen_query_count_does_not_grow(
    client_as, coordinator, hubs, case, items, count_queries
):
    item = items[0]
    plan = PlanFactory(case=case, status=SupportPlan.Status.ENDORSED)
    earlier = ConferenceFactory(
        convening_hub=hubs["desk"], starts_at=timezone.now() - datetime.timedelta(days=30)
    )
    earlier_item = AgendaItemFactory(conference=earlier, case=case)

    def grow(n):
        for i in range(n):
            RecordFactory(case=case)
            ReferralFactory(case=case, to_hub=hubs["third"])
            ActionItemFactory(agenda_item=earlier_item)
            ActionItemFactory(agenda_item=item, owner_hub=hubs["lead"])
            goal = plan.goals.create(text=f"目標{i}", order=i)
            goal.actions.create(text=f"対応{i}", hub=hubs["lead"])

    client = client_as(coordinator)
    grow(1)
    one = count_queries(lambda: client.get(u("meeting_item", item.pk)))
    grow(19)
    response = client.get(u("meeting_item", item.pk))
    assert len(response.context["summary"]["referrals"]) == 20
    assert count_queries(lambda: client.get(u("meeting_item", item.pk))) == one


def test_a_hub_of_the_case_sees_its_consent_meeting_item_but_not_the_minutes(
    client_as, make_member, case, items
):
    participant_hub = HubFactory(name="子育て総合支援センター")
    CaseHub.objects.create(case=case, hub=participant_hub)
    client = client_as(make_member(Role.STAFF, participant_hub))
    response = client.get(u("meeting_item", items[0].pk))
    assert response.status_code == 200
    assert 'data-testid="case-summary"' in response.content.decode()
    assert u("minutes", items[0].conference_id) not in response.content.decode()
    assert f'data-testid="agenda-{items[1].pk}"' not in response.content.decode()
    assert client.get(u("minutes", items[0].conference_id)).status_code == 404
