"""Editing a case: scoped choices, optimistic locking, escaping, access."""

import pytest
from django.urls import reverse

from hubs.models import Role
from takatsuki_welfare.models import AccessLog, CodeList

from .factories import CaseFactory, code

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(hub, staff):
    return CaseFactory(household__registered_hub=hub, fields=["elderly"], main_worker=staff)


def url(case):
    return reverse("cases:case_edit", args=[case.number])


def form_data(case, **changes):
    data = {
        "fields": [code(CodeList.FIELD, "elderly").pk, code(CodeList.FIELD, "poverty").pk],
        "concerns": [code(CodeList.CONCERN, "income").pk],
        "projects": [code(CodeList.PROJECT, "multiagency").pk],
        "main_worker": case.main_worker_id,
        "follow_up_days": 14,
        "multi_agency": "on",
        "summary": "母の介護と息子の就労",
        "version": case.version,
    }
    data.update(changes)
    return data


def test_it_saves_the_changes(client_as, staff, case):
    client = client_as(staff)
    assert client.get(url(case)).status_code == 200
    response = client.post(url(case), form_data(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert {c.code for c in case.fields.all()} == {"elderly", "poverty"}
    assert [c.code for c in case.concerns.all()] == ["income"]
    assert [c.code for c in case.projects.all()] == ["multiagency"]
    assert (case.follow_up_days, case.multi_agency) == (14, True)
    assert case.summary == "母の介護と息子の就労"
    assert case.version == 2
    entry = AccessLog.objects.get(action=AccessLog.Action.UPDATE)
    assert (entry.user, entry.object_type, entry.object_id) == (staff, "case", str(case.pk))


def test_the_second_of_two_edits_from_the_same_version_is_refused(client_as, staff, make_member,
                                                                  case):  # fmt: skip
    colleague = make_member(Role.STAFF, case.lead_hub)
    first = client_as(staff).post(url(case), form_data(case, summary="最初の保存"))
    assert first.status_code == 302
    response = client_as(colleague).post(
        url(case), form_data(case, summary="後からの保存", follow_up_days=60)
    )
    assert response.status_code == 409
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["summary"].value() == "後からの保存"
    assert "後からの保存" in response.content.decode()
    assert response.context["conflict"]["by"] == staff
    case.refresh_from_db()
    assert (case.summary, case.follow_up_days, case.version) == ("最初の保存", 14, 2)


def test_the_main_worker_is_chosen_among_the_lead_hubs_members(client_as, staff, make_member,
                                                               case, other_hub):  # fmt: skip
    colleague = make_member(Role.CSW, case.lead_hub)
    outsider = make_member(Role.STAFF, other_hub)
    client = client_as(staff)
    choices = client.get(url(case)).context["form"].fields["main_worker"].queryset
    assert colleague in choices and staff in choices and outsider not in choices
    response = client.post(url(case), form_data(case, main_worker=outsider.pk))
    assert response.status_code == 200
    assert "main_worker" in response.context["form"].errors
    response = client.post(url(case), form_data(case, main_worker=colleague.pk))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.main_worker == colleague


def test_bad_input_re_renders_the_form_with_what_was_typed(client_as, staff, case):
    response = client_as(staff).post(
        url(case), form_data(case, follow_up_days="abc", summary="入力を保持")
    )
    assert response.status_code == 200
    assert "follow_up_days" in response.context["form"].errors
    assert "入力を保持" in response.content.decode()
    case.refresh_from_db()
    assert case.summary == ""


def test_script_in_the_summary_is_shown_escaped(client_as, staff, case):
    client = client_as(staff)
    client.post(url(case), form_data(case, summary="<script>alert(1)</script>"))
    for page in (url(case), reverse("cases:case_detail", args=[case.number])):
        html = client.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_it_is_not_found_outside_the_case(client_as, make_member, case, other_hub, role):
    user = make_member(role, other_hub)
    assert client_as(user).get(url(case)).status_code == 404
    assert client_as(user).post(url(case), form_data(case)).status_code == 404


def test_volunteers_get_404_and_anonymous_users_sign_in(client_as, client, volunteer, case):
    assert client_as(volunteer).get(url(case)).status_code == 404
    client.logout()
    response = client.get(url(case))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_participating_hub_may_edit(client_as, make_member, case, other_hub):
    case.hub_links.create(hub=other_hub)
    user = make_member(Role.STAFF, other_hub)
    assert client_as(user).post(url(case), form_data(case)).status_code == 302
