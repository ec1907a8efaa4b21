"""The person rule (access.persons_visible_to) for every way a hub comes to see a person.

A person is visible when the hub registered them, registered their household, sees a case of
their household, or sees a case they are linked to. The rule is stated on the person (a join to
the household, probes by ``household_id`` and ``person_id``) for speed; these are its rows.
"""

import pytest

from cases.models import CasePerson, ConferenceHub, Consent, Person
from hubs.models import Role

from .factories import (
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    ConsentFactory,
    HouseholdFactory,
    HubFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
    meeting_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def persons(hub, other_hub):
    """One person for each way ``hub`` may (or may not) come to see a person of another hub."""
    user = UserFactory()

    def elsewhere(**kwargs):
        return PersonFactory(household__registered_hub=other_hub, **kwargs)

    def without_household(registered_hub):
        return PersonFactory(household=None, registered_hub=registered_hub, registered_by=user)

    def linked_to(case, person=None):
        person = person or elsewhere()
        CasePerson.objects.create(case=case, person=person)
        return person

    def attended_case():
        case = CaseFactory(household__registered_hub=other_hub)
        conference = ConferenceFactory(
            meeting_type=meeting_type("shien"), convening_hub=other_hub, hubs=[hub]
        )
        ConferenceHub.objects.filter(conference=conference, hub=hub).update(present=True)
        AgendaItemFactory(conference=conference, case=case)
        return case

    led = CaseFactory(household__registered_hub=hub)
    shared = CaseFactory(household__registered_hub=other_hub, hubs=[hub])
    attended = attended_case()
    hidden = CaseFactory(household__registered_hub=other_hub)
    multi_agency = CaseFactory(household__registered_hub=other_hub, multi_agency=True)
    return {
        "registered here": PersonFactory(household__registered_hub=other_hub, registered_hub=hub),
        "registered here, no household": without_household(hub),
        "household registered here": PersonFactory(
            household=HouseholdFactory(registered_hub=hub), registered_hub=other_hub
        ),
        "household of a led case": elsewhere(household=led.household),
        "household of a shared case": elsewhere(household=shared.household),
        "household of an attended case": elsewhere(household=attended.household),
        "linked to a led case": linked_to(led),
        "linked to a shared case, no household": linked_to(shared, without_household(other_hub)),
        "household of a hidden case": elsewhere(household=hidden.household),
        "linked to a hidden case": linked_to(hidden),
        "household of a multi-agency case": elsewhere(household=multi_agency.household),
        "elsewhere": elsewhere(),
        "elsewhere, no household": without_household(other_hub),
    }


VISIBLE = {
    "registered here",
    "registered here, no household",
    "household registered here",
    "household of a led case",
    "household of a shared case",
    "household of an attended case",
    "linked to a led case",
    "linked to a shared case, no household",
}


def visible(user, persons, few=False):
    names = {person.pk: name for name, person in persons.items()}
    rows = Person.objects.visible_to(user, few=few).filter(pk__in=names)
    rows = list(rows.values_list("pk", flat=True))
    assert len(rows) == len(set(rows))  # the join to the household adds no duplicates
    return {names[pk] for pk in rows}


# Both forms of the rule: the household's registration joined, or probed for a few persons.
both_forms = pytest.mark.parametrize("few", [False, True], ids=["joined", "few"])


@both_forms
@pytest.mark.parametrize(
    "role, extra",
    [
        (Role.STAFF, set()),
        (Role.CSW, set()),
        (Role.MANAGER, set()),
        (Role.COORDINATOR, {"household of a multi-agency case"}),
    ],
)
def test_a_hub_sees_exactly_the_persons_the_rule_gives(persons, hub, role, extra, few):
    user = MembershipFactory(hub=hub, role=role).user
    assert visible(user, persons, few) == VISIBLE | extra


@both_forms
def test_an_unrelated_hub_and_a_volunteer_see_none_of_them(persons, hub, few):
    unrelated = MembershipFactory(hub=HubFactory(), role=Role.MANAGER).user
    assert visible(unrelated, persons, few) == set()
    assert visible(MembershipFactory(hub=hub, role=Role.VOLUNTEER).user, persons, few) == set()


def test_the_rule_composes_with_search_household_filters_and_subqueries(persons, hub):
    user = MembershipFactory(hub=hub, role=Role.STAFF).user
    shown = persons["household of a shared case"]
    shown.family_name, shown.given_name = "北沢", "花子"
    shown.save()
    assert list(Person.objects.visible_to(user).search("北沢")) == [shown]
    household = Person.objects.visible_to(user).filter(household=shown.household)
    assert shown in household
    assert persons["elsewhere"] not in Person.objects.visible_to(user).filter(
        household=persons["elsewhere"].household
    )
    consent = ConsentFactory(person=shown, hubs=[hub])
    ConsentFactory(person=persons["elsewhere"], hubs=[hub])
    assert list(Consent.objects.visible_to(user)) == [consent]
