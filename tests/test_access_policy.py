"""The access policy as querysets: who sees which case, household, person and intake."""

import pytest

from cases.models import Case, Household, Intake, Person
from hubs.models import Role

from .factories import CaseFactory, HubFactory, IntakeFactory, MembershipFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(hub, other_hub):
    """A case led by `hub`; a multi-agency case led by other_hub; a case shared with hub."""
    own = CaseFactory(household__registered_hub=hub)
    foreign = CaseFactory(household__registered_hub=other_hub, multi_agency=True)
    shared = CaseFactory(household__registered_hub=other_hub, hubs=[hub])
    return {"own": own, "foreign": foreign, "shared": shared}


def visible_numbers(user):
    return set(Case.objects.visible_to(user).values_list("number", flat=True))


@pytest.mark.parametrize("role", [Role.STAFF, Role.CSW, Role.MANAGER])
def test_staff_csw_and_managers_see_cases_their_hub_leads_or_takes_part_in(world, hub, role):
    user = MembershipFactory(hub=hub, role=role).user
    assert visible_numbers(user) == {world["own"].number, world["shared"].number}


def test_coordinators_also_see_every_multi_agency_case(world, hub):
    user = MembershipFactory(hub=hub, role=Role.COORDINATOR).user
    assert visible_numbers(user) == {c.number for c in world.values()}


def test_volunteers_inactive_users_and_users_without_membership_see_no_case(world, hub):
    volunteer = MembershipFactory(hub=hub, role=Role.VOLUNTEER).user
    inactive = MembershipFactory(hub=hub, role=Role.STAFF, user__is_active=False).user
    retired = MembershipFactory(hub=hub, role=Role.STAFF, active=False).user
    for user in (volunteer, inactive, retired):
        assert visible_numbers(user) == set()
        assert not Household.objects.visible_to(user).exists()
        assert not Person.objects.visible_to(user).exists()


def test_an_unrelated_hub_sees_nothing(world):
    outsider = MembershipFactory(hub=HubFactory(), role=Role.MANAGER).user
    assert visible_numbers(outsider) == set()
    assert not Person.objects.visible_to(outsider).exists()


def test_households_and_persons_follow_the_cases(world, hub):
    user = MembershipFactory(hub=hub, role=Role.STAFF).user
    households = set(Household.objects.visible_to(user))
    assert households == {world["own"].household, world["shared"].household}
    persons = set(Person.objects.visible_to(user))
    assert world["shared"].primary_person in persons
    assert world["foreign"].primary_person not in persons


def test_a_person_registered_by_the_hub_is_visible_before_any_case(hub):
    person = PersonFactory(household__registered_hub=hub)
    assert person in Person.objects.visible_to(MembershipFactory(hub=hub).user)


def test_the_acting_membership_decides_for_users_with_several(world, hub, other_hub):
    user = MembershipFactory(hub=hub, role=Role.STAFF).user
    other = MembershipFactory(user=user, hub=other_hub, role=Role.STAFF)
    assert visible_numbers(user) == set()  # several memberships and none chosen
    user.acting_membership = other
    assert visible_numbers(user) == {world["foreign"].number, world["shared"].number}


def test_intakes(hub, other_hub):
    volunteer = MembershipFactory(hub=HubFactory(), role=Role.VOLUNTEER).user
    mine = IntakeFactory(hub=volunteer.memberships.get().hub, recorded_by=volunteer,
                         handed_to=hub, outcome=Intake.Outcome.PENDING)  # fmt: skip
    received = IntakeFactory(hub=hub)
    elsewhere = IntakeFactory(hub=other_hub)
    staff = MembershipFactory(hub=hub).user
    assert set(Intake.objects.visible_to(volunteer)) == {mine}
    assert set(Intake.objects.visible_to(staff)) == {mine, received}
    assert elsewhere not in Intake.objects.visible_to(staff)
