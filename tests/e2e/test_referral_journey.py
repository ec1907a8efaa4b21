"""Browser journey of issue 4: the desk refers an 8050 mother to a 地域包括支援センター."""

import datetime

import pytest
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import Case, Consent
from hubs.models import Hub
from referrals.models import Referral, Status
from takatsuki_welfare.models import Code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eight_fifty_case(demo_city, django_user_model):
    """An 8050 household at the desk: the mother consents to sharing with the 地域包括."""
    desk_staff = django_user_model.objects.get(username="desk_staff")
    houkatsu = Hub.objects.get(code="houkatsu-01")
    household = case_services.household_create(actor=desk_staff, town="芥川町", address_rest="3-5")
    mother = case_services.person_create(
        actor=desk_staff, household=household, family_name="森", given_name="ハル",
        family_name_kana="もり", given_name_kana="はる", birth_date=datetime.date(1944, 5, 1),
    )  # fmt: skip
    son = case_services.person_create(
        actor=desk_staff, household=household, family_name="森", given_name="健太",
        family_name_kana="もり", given_name_kana="けんた", birth_date=datetime.date(1974, 8, 9),
    )  # fmt: skip
    case = case_services.case_open(
        actor=desk_staff, household=household, persons=[mother, son], primary=mother,
        fields=[Code.objects.get(code_list="field", code="elderly")],
    )  # fmt: skip
    consent = case_services.consent_record(
        actor=desk_staff, person=mother, kind=Consent.Kind.SHARE_WITH_AGENCIES,
        hubs=[desk_staff.memberships.get().hub, houkatsu], obtained_on=datetime.date.today(),
        method=Consent.Method.SIGNATURE,
    )  # fmt: skip
    return case, consent


def sign_in_page(browser, live_server, username):
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("tsunagu-demo-2026")
    page.locator(".login button[type=submit]").click()
    return page


def test_the_desk_refers_a_mother_and_the_houkatsu_accepts(eight_fifty_case, browser, live_server):
    case, consent = eight_fifty_case
    desk = sign_in_page(browser, live_server, "desk_staff")
    desk.goto(f"{live_server.url}/cases/{case.number}/")
    desk.locator(f"a[href='/referrals/new/case/{case.number}/']").first.click()

    houkatsu = Hub.objects.get(code="houkatsu-01")
    desk.locator("select[name=to_hub]").select_option(str(houkatsu.pk))
    desk.locator("select[name=kind]").select_option("support")
    desk.locator("textarea[name=reason]").fill("母（82歳）の介護保険申請と見守りをお願いしたい。")
    desk.locator("input[name=basis][value=consent]").check()
    desk.locator(f"input[name=consent][value='{consent.pk}']").check()
    desk.locator("button[name=send]").click()

    referral = Referral.objects.get(case=case)
    expect(desk).to_have_url(f"{live_server.url}/referrals/{referral.pk}/")
    expect(desk.locator("main")).to_contain_text("芥川地域包括支援センター")

    # The 地域包括 sees the referral (not yet the case), acknowledges, then accepts.
    staff = sign_in_page(browser, live_server, "houkatsu_staff")
    assert staff.goto(f"{live_server.url}/cases/{case.number}/").status == 404
    staff.goto(f"{live_server.url}/referrals/")
    row = staff.locator("tr", has_text="森 ハル")
    row.get_by_role("button", name="受け付ける").click()
    expect(staff.locator("tr", has_text="森 ハル")).to_be_visible()
    staff.locator("tr", has_text="森 ハル").get_by_role("button", name="受諾する").click()
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED
    assert staff.goto(f"{live_server.url}/cases/{case.number}/").status == 200

    # The desk sees the answer and the timeline on the case page.
    desk.goto(f"{live_server.url}/referrals/{referral.pk}/")
    expect(desk.locator("main")).to_contain_text("受諾")
    desk.goto(f"{live_server.url}/cases/{case.number}/")
    chain = desk.locator("main")
    expect(chain).to_contain_text("芥川地域包括支援センター")
    expect(chain).to_contain_text("受付済")
    expect(chain).to_contain_text("受諾")
    assert Case.objects.get(pk=case.pk).participating_hubs.filter(pk=houkatsu.pk).exists()
