import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from hubs.demo import DEMO_PASSWORD, DEMO_USERS
from hubs.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_with_debug_off(takatsuki, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()


def test_seed_demo_creates_one_user_per_role_and_is_rerunnable(takatsuki, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    User = get_user_model()
    first_run = User.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert User.objects.count() == first_run
    demo_logins = [username for username, *_ in DEMO_USERS] + ["admin"]
    assert User.objects.filter(username__in=demo_logins).count() == len(DEMO_USERS) + 1
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    for username, *_ in DEMO_USERS:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and not admin.memberships.exists()


def test_seed_demo_needs_the_network(db):
    with pytest.raises(CommandError, match="load_network"):
        call_command("seed_demo", "--force", stdout=io.StringIO())


def test_add_member_creates_an_account_without_a_usable_password(takatsuki):
    call_command("add_member", "tanaka", "--hub", "desk", "--role", "staff", stdout=io.StringIO())
    user = get_user_model().objects.get(username="tanaka")
    assert not user.has_usable_password()
    assert user.memberships.get().hub.code == "desk"
    with pytest.raises(CommandError, match="No hub"):
        call_command("add_member", "tanaka", "--hub", "nowhere", "--role", "staff")


def test_seed_demo_creates_a_living_caseload(takatsuki, settings):
    from cases.models import Case, Household, HouseholdFlag
    from referrals.models import Referral

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert Household.objects.count() == 30
    assert Case.objects.count() == 30
    flags = set(HouseholdFlag.objects.values_list("kind__code", flat=True))
    assert {"8050", "double_care", "young_carer"} <= flags
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"in_progress", "acknowledged", "sent", "declined", "completed"} <= statuses
    # every demo login of a casework role has something to look at
    for username in ("desk_staff", "houkatsu_staff", "csw", "disability_staff"):
        user = get_user_model().objects.get(username=username)
        assert Case.objects.visible_to(user).exists(), username


def test_seed_demo_gives_the_csw_daily_work(takatsuki, settings):
    from cases.models import Case, OutreachAttempt, SupportPlan

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    csw = get_user_model().objects.get(username="csw")
    assert Case.objects.filter(main_worker=csw).contact_overdue().exists()
    assert OutreachAttempt.objects.filter(result="absent").exists()  # failed attempts kept
    assert SupportPlan.objects.filter(status="endorsed").exists()


def test_seed_demo_holds_meetings_and_keeps_the_support_meeting_confidential(takatsuki, settings):
    from cases.models import ActionItem, AgendaItem, Conference

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    User = get_user_model()
    statuses = set(Conference.objects.values_list("status", flat=True))
    assert statuses == {"approved", "planned", "submitted"}
    houkatsu = User.objects.get(username="houkatsu_staff")
    assert ActionItem.objects.visible_to(houkatsu).open().overdue(datetime.date.today()).exists()
    support_meeting = Conference.objects.get(meeting_type__code="shien")
    csw = User.objects.get(username="csw")
    case = support_meeting.agenda_items.get().case
    assert Conference.objects.visible_to(csw).filter(pk=support_meeting.pk).exists() is False
    assert AgendaItem.objects.visible_to(csw).filter(case=case).exists() is False
    desk_manager = User.objects.get(username="desk_manager")
    assert Conference.objects.visible_to(desk_manager).awaiting_approval().exists()
