"""Browser journey: a 重層的支援会議 from planning to approved minutes and the owners' tasks."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case, Conference, HouseholdFlag, SupportPlan
from hubs.models import Hub

pytestmark = pytest.mark.django_db(transaction=True)


def case_with_flag(kind):
    household = HouseholdFlag.objects.get(kind__code=kind).household
    return Case.objects.filter(household=household).order_by("id").first()


def switch_user(page, sign_in, username):
    page.context.clear_cookies()
    sign_in(username)


def add_to_agenda(page, case):
    page.locator("#case-search-q").fill(case.number)
    page.locator(f"[data-testid=add-{case.number}]").click()
    expect(page.locator(f"tr[data-case='{case.number}']")).to_be_visible()


def write_minutes(page, summary, decisions, action, owner, endorse=None):
    page.locator("textarea[name=summary]").fill(summary)
    for decision in decisions:
        page.locator(f"input[name=decisions][value={decision}]").check()
    if endorse is not None:
        page.locator("select[name=endorse_plan]").select_option(str(endorse.pk))
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("minutes-form")).to_be_visible()
    form = page.get_by_test_id("action-form")
    form.locator("[name=action-text]").fill(action)
    form.locator("select[name=action-owner_hub]").select_option(str(owner.pk))
    form.locator("input[name=action-due_on]").fill(timezone.localdate().isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text(action)
    expect(page.locator("textarea[name=summary]")).to_have_value(summary)  # saved before


def test_a_meeting_from_planning_to_the_owners_dashboards(demo_city, sign_in, live_server, page):
    hubs = Hub.objects.in_bulk(["desk", "houkatsu-01", "kangaroo"], field_name="code")
    eight_fifty, double_care = case_with_flag("8050"), case_with_flag("double_care")
    plan = SupportPlan.objects.get(case=double_care, status=SupportPlan.Status.DISCUSSING)

    # The coordinator plans a 多機関協働推進会議 (重層的支援会議) with three hubs.
    sign_in("coordinator")
    page.goto(f"{live_server.url}/conferences/new/?type=suishin")
    page.locator("input[name=title]").fill("第10回 多機関協働推進会議")
    page.locator("input[name=date]").fill(timezone.localdate().isoformat())
    page.locator("input[name=start_time]").fill("14:00")
    page.locator("input[name=place]").fill("総合センター 7階 会議室")
    for hub in hubs.values():
        page.locator(f"input[name=hubs][value='{hub.pk}']").check()
    page.get_by_test_id("save-conference").click()
    expect(page).to_have_url(re.compile(r"/conferences/\d+/$"))
    conference = Conference.objects.get(title="第10回 多機関協働推進会議")

    # Both households consented to this meeting with these hubs: the gate lets them on.
    add_to_agenda(page, eight_fifty)
    add_to_agenda(page, double_care)
    assert [i.case for i in conference.agenda_items.order_by("order")] == [eight_fifty, double_care]

    # On the day: attendance, then one screen per case.
    page.get_by_test_id("start-meeting").click()
    for hub in hubs.values():
        page.locator(f"input[name=present_hubs][value='{hub.pk}']").check()
    page.get_by_test_id("attendance-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-summary")).to_contain_text(eight_fifty.number)
    expect(page.locator("#ecomap svg.ecomap__svg")).to_be_visible()
    write_minutes(
        page, "母の介護認定の結果を共有。長男への訪問はCSWが継続する。", ["share", "roles"],
        "介護認定の結果に応じてケアマネジャーにつなぐ", hubs["houkatsu-01"],
    )  # fmt: skip
    page.get_by_test_id("next-case").click()
    expect(page.get_by_test_id("case-summary")).to_contain_text(double_care.number)
    write_minutes(
        page, "プランを確認し、決定した。デイサービスと一時預かりを並行して調整する。",
        ["plan", "support", "roles"], "家計の状況を確認し、減免制度を案内する", hubs["desk"],
        endorse=plan,
    )  # fmt: skip
    page.get_by_test_id("save-next").click()
    expect(page).to_have_url(re.compile(rf"/conferences/{conference.pk}/minutes/$"))
    page.get_by_test_id("submit-minutes").click()
    plan.refresh_from_db()
    assert plan.status == SupportPlan.Status.ENDORSED
    assert plan.endorsed_on == timezone.localdate()

    # The 社協 manager approves from the review queue; the minutes are then read-only.
    switch_user(page, sign_in, "shakyo_manager")
    page.goto(f"{live_server.url}/review/")
    page.get_by_test_id(f"approve-minutes-{conference.pk}").click()
    expect(page.get_by_test_id(f"approve-minutes-{conference.pk}")).to_have_count(0)
    conference.refresh_from_db()
    assert conference.status == Conference.Status.APPROVED
    page.goto(f"{live_server.url}/conferences/{conference.pk}/minutes/")
    expect(page.get_by_test_id("read-only")).to_be_visible()

    # The action items wait on the owners' dashboards.
    for username, text in [
        ("houkatsu_staff", "介護認定の結果に応じてケアマネジャーにつなぐ"),
        ("desk_staff", "家計の状況を確認し、減免制度を案内する"),
    ]:
        switch_user(page, sign_in, username)
        expect(page.locator("[data-tile=meeting_actions]")).to_contain_text(text)

    # The desk's 支援会議 on the young carer: the 社協 takes part in that case, was not invited.
    confidential = Conference.objects.get(meeting_type__code="shien")
    switch_user(page, sign_in, "csw")
    response = page.goto(f"{live_server.url}/conferences/{confidential.pk}/minutes/")
    assert response.status == 404
    young_carer = confidential.agenda_items.get().case
    page.goto(f"{live_server.url}/cases/{young_carer.number}/")
    expect(page.locator("main")).to_contain_text(young_carer.number)
    expect(page.locator("main")).not_to_contain_text("支援会議")
