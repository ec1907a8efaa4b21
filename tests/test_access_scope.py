"""access.CaseScope: about one visible case, exactly what each model's visible_to shows of it."""

import pytest

from cases.models import (
    AccompanimentRecord,
    ActionItem,
    AgendaItem,
    Case,
    CasePerson,
    ConferenceHub,
    Consent,
    Intake,
    OutreachAttempt,
    Person,
    SupportPlan,
)
from hubs.models import Role
from referrals.models import Referral
from takatsuki_welfare.access import CaseScope

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    ConsentFactory,
    HubFactory,
    IntakeFactory,
    MembershipFactory,
    PersonFactory,
    PlanFactory,
    RecordFactory,
    ReferralFactory,
    UserFactory,
    meeting_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(hub, other_hub):
    """A case led by ``hub`` with ``other_hub`` taking part, and one of everything around it."""
    third = HubFactory(name="地域包括支援センター")
    case = CaseFactory(household__registered_hub=hub, hubs=[other_hub])
    PersonFactory(household=case.household)  # a household member on no case
    RecordFactory(case=case)
    RecordFactory(case=case, sensitive=True)  # lead hub's sensitive record
    RecordFactory(case=case, sensitive=True, acting_hub=other_hub)
    RecordFactory(case=case, sensitive=True, acting_hub=third)
    ReferralFactory(case=case, to_hub=other_hub)
    ReferralFactory(case=case, from_hub=other_hub, to_hub=third)
    PlanFactory(case=case)
    IntakeFactory(case=case, hub=third)
    OutreachAttempt.objects.create(
        case=case,
        person=case.primary_person,
        method=OutreachAttempt.Method.VISIT,
        result=OutreachAttempt.Result.ABSENT,
        recorded_by=UserFactory(),
        acting_hub=other_hub,
    )
    for code, invited in (("suishin", [other_hub]), ("shien", [third]), ("shien", [hub])):
        conference = ConferenceFactory(
            meeting_type=meeting_type(code), convening_hub=invited[0], hubs=invited
        )
        item = AgendaItemFactory(conference=conference, case=case)
        ActionItemFactory(agenda_item=item)
    # A 支援会議 the third hub attends makes the case visible to it; one it missed does not.
    absent = ConferenceFactory(meeting_type=meeting_type("shien"), convening_hub=hub, hubs=[third])
    ConferenceHub.objects.filter(conference=absent, hub=third).update(present=False)
    AgendaItemFactory(conference=absent, case=case)
    CaseFactory(household=case.household, household__registered_hub=other_hub)
    # Consents: of the primary person, of a person on the case from another household (seen
    # through the case), and of a household member on no case (not the case's question).
    ConsentFactory(person=case.primary_person, hubs=[hub])
    elsewhere = PersonFactory(household__registered_hub=third)
    CasePerson.objects.create(case=case, person=elsewhere)
    ConsentFactory(person=elsewhere, hubs=[third])
    ConsentFactory(person=PersonFactory(household=case.household))
    # The household's other cases, each seen by some hubs and not others (existence signals).
    fourth = HubFactory(name="子ども保健センター")
    CaseFactory(household=case.household, lead_hub=third, multi_agency=True)
    CaseFactory(household=case.household, lead_hub=fourth, hubs=[other_hub])
    attended = ConferenceFactory(meeting_type=meeting_type("shien"), convening_hub=third)
    AgendaItemFactory(
        conference=attended, case=CaseFactory(household=case.household, lead_hub=fourth)
    )
    AgendaItemFactory(
        conference=absent, case=CaseFactory(household=case.household, lead_hub=fourth)
    )
    CaseFactory(household=case.household, lead_hub=fourth)
    return {"case": case, "hubs": [hub, other_hub, third]}


def questions(scope):
    case = scope.case
    return {
        "records": (scope.records(), AccompanimentRecord.objects.filter(case=case)),
        "referrals": (scope.referrals(), Referral.objects.filter(case=case)),
        "intakes": (scope.intakes(), Intake.objects.filter(case=case)),
        "plans": (scope.plans(), SupportPlan.objects.filter(case=case)),
        "outreach": (scope.outreach(), OutreachAttempt.objects.filter(case=case)),
        "members": (scope.household_members(), Person.objects.filter(household=case.household)),
        "agenda": (scope.agenda_items(), AgendaItem.objects.filter(case=case)),
        "actions": (scope.action_items(), ActionItem.objects.filter(agenda_item__case=case)),
        "consents": (scope.consents(), Consent.objects.filter(person__case_links__case=case)),
    }


@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.COORDINATOR])
def test_each_question_answers_as_visible_to_does(world, which, role):
    user = MembershipFactory(hub=world["hubs"][which], role=role).user
    scope = CaseScope.get(user, pk=world["case"].pk)
    assert scope is not None
    for name, (scoped, everything) in questions(scope).items():
        expected = set(everything.model.objects.visible_to(user) & everything)
        assert expected, name  # every question has something to show here
        assert set(scoped) == expected, name


@pytest.mark.parametrize("which", [0, 1, 2])
@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.COORDINATOR])
def test_the_hidden_household_cases_are_the_ones_visible_to_leaves_out(world, which, role):
    user = MembershipFactory(hub=world["hubs"][which], role=role).user
    scope = CaseScope.get(user, pk=world["case"].pk)
    others = set(Case.objects.filter(household=scope.case.household).exclude(pk=scope.case.pk))
    hidden = others - set(Case.objects.visible_to(user))
    assert hidden and hidden != others  # the household has cases of both kinds here
    assert set(scope.hidden_household_cases()) == hidden


def test_the_answers_differ_between_hubs(world):
    """The fixture does exercise the rules: hubs do not all get the same answers."""
    answers = []
    for hub in world["hubs"]:
        scope = CaseScope.get(MembershipFactory(hub=hub).user, pk=world["case"].pk)
        answers.append({name: set(q[0]) for name, q in questions(scope).items()})
        answers[-1]["hidden"] = set(scope.hidden_household_cases())
    assert answers[0]["records"] != answers[1]["records"] != answers[2]["records"]
    assert answers[0]["agenda"] != answers[2]["agenda"]
    hidden = [answer["hidden"] for answer in answers]
    assert hidden[0] != hidden[1] != hidden[2] != hidden[0]


def test_no_scope_for_a_case_the_user_does_not_see(world):
    outsider = MembershipFactory(hub=HubFactory(name="無関係の拠点")).user
    assert CaseScope.get(outsider, pk=world["case"].pk) is None
    volunteer = MembershipFactory(hub=world["hubs"][0], role=Role.VOLUNTEER).user
    assert CaseScope.get(volunteer, pk=world["case"].pk) is None
    assert Case.objects.visible_to(outsider).count() == 0
