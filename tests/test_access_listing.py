"""The case rule in its two forms (access.case_condition): per row and for list pages.

List pages state the rule as hashed ``IN`` subqueries, everything else as correlated
``EXISTS``; both must select exactly the same cases for every way a hub comes to see one.
"""

import pytest

from cases.models import Case, ConferenceHub
from hubs.models import Role

from .factories import (
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    HubFactory,
    MembershipFactory,
    meeting_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(hub, other_hub):
    """One case for each way ``hub`` may (or may not) come to see a case led elsewhere."""
    third = HubFactory(name="第三の拠点")

    def on_agenda(hub_present, *, status="planned"):
        case = CaseFactory(household__registered_hub=other_hub)
        conference = ConferenceFactory(
            meeting_type=meeting_type("shien"), convening_hub=third, hubs=[hub], status=status
        )
        ConferenceHub.objects.filter(conference=conference, hub=hub).update(present=hub_present)
        AgendaItemFactory(conference=conference, case=case)
        return case

    return {
        "led": CaseFactory(household__registered_hub=hub),
        "taking part": CaseFactory(household__registered_hub=other_hub, hubs=[hub]),
        "invited": on_agenda(None),
        "attended": on_agenda(True),
        "absent": on_agenda(False),
        "cancelled": on_agenda(None, status="cancelled"),
        "multi-agency": CaseFactory(household__registered_hub=other_hub, multi_agency=True),
        "elsewhere": CaseFactory(household__registered_hub=other_hub),
    }


def both_forms(user):
    per_row = set(Case.objects.visible_to(user))
    listing = set(Case.objects.visible_to(user, listing=True))
    assert per_row == listing
    return listing


@pytest.mark.parametrize(
    "role, extra",
    [(Role.STAFF, set()), (Role.MANAGER, set()), (Role.COORDINATOR, {"multi-agency"})],
)
def test_both_forms_select_the_same_cases(cases, hub, role, extra):
    user = MembershipFactory(hub=hub, role=role).user
    expected = {"led", "taking part", "invited", "attended"} | extra
    assert both_forms(user) == {cases[name] for name in expected}


def test_an_unrelated_hub_sees_none_in_either_form(cases):
    assert both_forms(MembershipFactory(hub=HubFactory(name="無関係の拠点")).user) == set()


def test_the_case_list_uses_the_listing_form(client, cases, hub):
    user = MembershipFactory(hub=hub).user
    client.force_login(user)
    html = client.get("/cases/").content.decode()
    for name in ("led", "taking part", "invited", "attended"):
        assert cases[name].number in html
    for name in ("absent", "cancelled", "multi-agency", "elsewhere"):
        assert cases[name].number not in html
