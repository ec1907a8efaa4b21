"""Accompaniment records: the full form, last contact, edit history, 取消, sensitive records."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services_support
from cases.models import AccompanimentRecord, Case, RecordRevision
from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import (
    CaseFactory,
    HubFactory,
    IntakeFactory,
    PersonFactory,
    RecordFactory,
    code,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(hub, staff):
    return CaseFactory(
        household__registered_hub=hub,
        main_worker=staff,
        follow_up_days=30,
        opened_on=timezone.localdate() - datetime.timedelta(days=100),
    )


def when(days_ago=0, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def form_data(**changes):
    data = {
        "occurred_at": when(1).strftime("%Y-%m-%dT%H:%M"),
        "contact_type": code(CodeList.CONTACT_TYPE, "home_visit").pk,
        "place": "自宅",
        "met_others": "民生委員",
        "content": "自宅を訪問。母は元気そう。長男とは会えなかった。",
        "state": "3",
        "state_note": "落ち着いている",
        "next_action": "来週もう一度訪問",
        "next_action_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }
    data.update(changes)
    return data


def create_url(case):
    return reverse("cases:record_create", args=[case.number])


def record_by(actor, case, days_ago=1, contact="home_visit", **fields):
    return services_support.record_create(
        actor=actor,
        case=case,
        occurred_at=when(days_ago),
        contact_type=code(CodeList.CONTACT_TYPE, contact),
        content=fields.pop("content", "電話で近況を確認した。"),
        **fields,
    )


# Creating a record ---------------------------------------------------------------------------


def test_it_records_a_contact_and_moves_the_last_contact(client_as, staff, case):
    son = PersonFactory(household=case.household, given_name="一郎")
    client = client_as(staff)
    assert client.get(create_url(case)).status_code == 200
    response = client.post(create_url(case), form_data(met_persons=[son.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_timeline", args=[case.number])
    record = AccompanimentRecord.objects.get(case=case)
    assert (record.author, record.acting_hub) == (staff, case.lead_hub)
    assert record.contact_type.code == "home_visit"
    assert list(record.met_persons.all()) == [son]
    assert (record.state, record.state_note, record.sensitive) == (3, "落ち着いている", False)
    case.refresh_from_db()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert case.last_contact_on == yesterday
    assert case.contact_due_on == yesterday + datetime.timedelta(days=30)
    entry = AccessLog.objects.get(action=AccessLog.Action.CREATE)
    assert (entry.object_type, entry.object_id) == ("accompanimentrecord", str(record.pk))


def test_it_offers_the_household_members_and_now(client_as, staff, case, hub):
    member = PersonFactory(household=case.household, given_name="花子")
    stranger = PersonFactory(household__registered_hub=hub)
    form = client_as(staff).get(create_url(case)).context["form"]
    people = list(form.fields["met_persons"].queryset)
    assert member in people and case.primary_person in people and stranger not in people
    now = timezone.localtime().replace(tzinfo=None)  # the widget shows local time
    assert abs(form["occurred_at"].value() - now) < datetime.timedelta(minutes=2)


def test_an_absent_visit_is_an_attempt_not_a_contact(client_as, staff, case):
    record_by(staff, case, days_ago=10)
    response = client_as(staff).post(
        create_url(case), form_data(contact_type=code(CodeList.CONTACT_TYPE, "no_contact").pk)
    )
    assert response.status_code == 302
    assert AccompanimentRecord.objects.filter(case=case).count() == 2
    case.refresh_from_db()
    assert case.last_contact_on == timezone.localdate() - datetime.timedelta(days=10)


def test_the_follow_up_interval_ends_on_the_boundary_day(staff, case):
    record_by(staff, case, days_ago=40)
    record_by(staff, case, days_ago=5, contact="no_contact")  # does not reset the clock
    contact_day = timezone.localdate() - datetime.timedelta(days=40)
    overdue = Case.objects.contact_overdue
    assert case not in overdue(today=contact_day + datetime.timedelta(days=30))
    assert case in overdue(today=contact_day + datetime.timedelta(days=31))


def test_a_record_in_the_future_or_without_content_is_refused_with_the_input_kept(
    client_as, staff, case
):
    client = client_as(staff)
    future = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(create_url(case), form_data(occurred_at=future, content=""))
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"occurred_at", "content"}
    assert form["place"].value() == "自宅"
    assert not AccompanimentRecord.objects.exists()


def test_it_escapes_script_in_the_content(client_as, staff, case):
    record = record_by(staff, case, content="<script>alert(1)</script>")
    html = client_as(staff).get(reverse("cases:record_detail", args=[record.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_the_form_keeps_the_draft_key_and_loads_no_inline_script(client_as, staff, case):
    html = client_as(staff).get(create_url(case)).content.decode()
    assert f'data-draft-key="tsunagu-draft:{staff.pk}:record:{case.number}"' in html
    assert "js/draft.js" in html
    assert "<script>" not in html


# Detail and edit history ---------------------------------------------------------------------


def detail_url(record):
    return reverse("cases:record_detail", args=[record.pk])


def edit_url(record):
    return reverse("cases:record_edit", args=[record.pk])


def test_the_detail_is_logged(client_as, staff, case):
    record = record_by(staff, case)
    assert client_as(staff).get(detail_url(record)).status_code == 200
    entry = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (entry.object_type, entry.object_id) == ("accompanimentrecord", str(record.pk))


def test_editing_keeps_the_old_text_visible(client_as, staff, case, make_member):
    record = record_by(staff, case, content="最初の記録：母と面談。")
    colleague = make_member(Role.CSW, case.lead_hub, last_name="佐藤", first_name="次郎")
    client = client_as(colleague)
    assert client.get(edit_url(record)).status_code == 200
    response = client.post(
        edit_url(record),
        form_data(content="訂正後の記録：母と長男に面談。", version=record.version),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.content, record.version) == ("訂正後の記録：母と長男に面談。", 2)
    revision = RecordRevision.objects.get(record=record)
    assert revision.edited_by == colleague
    assert revision.before["content"] == "最初の記録：母と面談。"
    html = client.get(detail_url(record)).content.decode()
    assert "最初の記録：母と面談。" in html and "訂正後の記録：母と長男に面談。" in html
    assert "佐藤 次郎" in html
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE, object_id=str(record.pk))


def test_the_second_of_two_edits_from_the_same_version_is_refused(client_as, staff, case,
                                                                  make_member):  # fmt: skip
    record = record_by(staff, case)
    colleague = make_member(Role.STAFF, case.lead_hub)
    first = client_as(staff).post(edit_url(record), form_data(content="先の保存", version=1))
    assert first.status_code == 302
    response = client_as(colleague).post(edit_url(record), form_data(content="後の保存", version=1))
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert response.context["form"]["content"].value() == "後の保存"
    assert "後の保存" in response.content.decode()
    record.refresh_from_db()
    assert (record.content, record.version) == ("先の保存", 2)
    assert RecordRevision.objects.filter(record=record).count() == 1


def test_only_the_writing_hub_and_the_lead_hub_change_a_record(client_as, make_member, case):
    partner = HubFactory()
    third = HubFactory()
    case.participating_hubs.add(partner, third)
    partner_staff = make_member(Role.STAFF, partner)
    record = record_by(partner_staff, case)
    lead_staff = make_member(Role.STAFF, case.lead_hub)
    assert client_as(lead_staff).get(edit_url(record)).status_code == 200
    assert client_as(partner_staff).get(edit_url(record)).status_code == 200
    outsider = client_as(make_member(Role.STAFF, third))
    assert outsider.get(detail_url(record)).status_code == 200
    assert outsider.get(edit_url(record)).status_code == 403
    cancel = reverse("cases:record_cancel", args=[record.pk])
    assert outsider.post(cancel, {"cancel_reason": "誤り", "version": 1}).status_code == 403


# 取消 -----------------------------------------------------------------------------------------


def cancel_url(record):
    return reverse("cases:record_cancel", args=[record.pk])


def test_cancelling_needs_a_reason(client_as, staff, case):
    record = record_by(staff, case)
    client = client_as(staff)
    assert client.get(cancel_url(record)).status_code == 200
    response = client.post(cancel_url(record), {"cancel_reason": "  ", "version": record.version})
    assert response.status_code == 200
    assert "cancel_reason" in response.context["form"].errors
    record.refresh_from_db()
    assert not record.is_cancelled


def test_a_cancelled_record_stays_struck_through_with_who_when_why(client_as, staff, case):
    record = record_by(staff, case, content="別のケースの記録を誤って入力")
    client = client_as(staff)
    response = client.post(
        cancel_url(record), {"cancel_reason": "別ケースへの誤入力", "version": 1}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.cancelled_by, record.cancel_reason) == (staff, "別ケースへの誤入力")
    assert AccompanimentRecord.objects.filter(pk=record.pk).exists()
    html = client.get(detail_url(record)).content.decode()
    assert 'class="card struck"' in html
    assert "別のケースの記録を誤って入力" in html and "別ケースへの誤入力" in html
    assert client.get(edit_url(record)).status_code == 302  # no edits after 取消
    assert AccessLog.objects.filter(action=AccessLog.Action.UPDATE, object_id=str(record.pk))


def test_cancelling_the_only_contact_clears_the_last_contact(client_as, staff, case):
    record = record_by(staff, case, days_ago=3)
    case.refresh_from_db()
    assert case.last_contact_on is not None
    client_as(staff).post(cancel_url(record), {"cancel_reason": "誤入力", "version": 1})
    case.refresh_from_db()
    assert case.last_contact_on is None
    assert case.contact_due_on == case.opened_on + datetime.timedelta(days=30)


def test_cancelling_the_latest_contact_falls_back_to_the_one_before(client_as, staff, case):
    record_by(staff, case, days_ago=20)
    latest = record_by(staff, case, days_ago=2)
    client_as(staff).post(cancel_url(latest), {"cancel_reason": "日付の誤り", "version": 1})
    case.refresh_from_db()
    assert case.last_contact_on == timezone.localdate() - datetime.timedelta(days=20)


def test_cancelling_the_only_record_falls_back_to_the_consultation_received(
    client_as, staff, case, hub
):
    received = timezone.now() - datetime.timedelta(days=12)
    IntakeFactory(hub=hub, recorded_by=staff, case=case, received_at=received)
    record = record_by(staff, case, days_ago=3)
    client_as(staff).post(cancel_url(record), {"cancel_reason": "誤入力", "version": 1})
    case.refresh_from_db()
    assert case.last_contact_on == timezone.localdate(received)


def test_records_cannot_be_deleted(client_as, staff, case):
    record = record_by(staff, case)
    client = client_as(staff)
    assert client.post(detail_url(record)).status_code == 405
    assert client.delete(detail_url(record)).status_code == 405
    assert AccompanimentRecord.objects.filter(pk=record.pk).exists()


# Sensitive records and access ----------------------------------------------------------------


@pytest.fixture
def shared_case(hub, staff):
    """A case led by ``hub`` with two participating hubs (the first writes a sensitive record)."""
    author_hub, participant = HubFactory(name="地域包括支援センター"), HubFactory(name="社協")
    case = CaseFactory(household__registered_hub=hub, hubs=[author_hub, participant])
    return case, author_hub, participant


def test_a_sensitive_record_is_seen_by_the_lead_and_the_authors_hub_only(
    client_as, make_member, staff, shared_case
):
    case, author_hub, participant = shared_case
    author = make_member(Role.CSW, author_hub)
    record = record_by(author, case, sensitive=True, content="DVの疑いについての聞き取り")
    normal = record_by(author, case, content="通常の訪問記録")
    assert client_as(staff).get(detail_url(record)).status_code == 200
    assert client_as(make_member(Role.STAFF, author_hub)).get(detail_url(record)).status_code == 200
    client = client_as(make_member(Role.STAFF, participant))
    assert client.get(detail_url(record)).status_code == 404
    assert client.get(detail_url(normal)).status_code == 200
    html = client.get(reverse("cases:case_timeline", args=[case.number])).content.decode()
    assert "通常の訪問記録" in html and "DVの疑い" not in html


@pytest.mark.parametrize("kind", ["volunteer", "unrelated_staff", "unrelated_manager"])
def test_volunteers_and_unrelated_hubs_get_404_everywhere(client_as, make_member, staff, case,
                                                          volunteer, kind):  # fmt: skip
    record = record_by(staff, case)
    user = {
        "volunteer": lambda: volunteer,
        "unrelated_staff": lambda: make_member(Role.STAFF, HubFactory()),
        "unrelated_manager": lambda: make_member(Role.MANAGER, HubFactory()),
    }[kind]()
    client = client_as(user)
    for url in [
        create_url(case),
        reverse("cases:case_timeline", args=[case.number]),
        detail_url(record),
        edit_url(record),
        cancel_url(record),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(create_url(case), form_data()).status_code == 404
    assert client.post(cancel_url(record), {"cancel_reason": "x", "version": 1}).status_code == 404
    assert AccompanimentRecord.objects.count() == 1


def test_a_volunteer_gets_404_on_the_quick_entry(client_as, volunteer):
    assert client_as(volunteer).get(reverse("cases:record_quick")).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, staff, case):
    record = RecordFactory(case=case, author=staff)
    for url in [
        create_url(case),
        reverse("cases:case_timeline", args=[case.number]),
        reverse("cases:record_quick"),
        detail_url(record),
        edit_url(record),
        cancel_url(record),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
