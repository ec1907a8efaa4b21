"""The access policy: one place decides who sees which personal data (DESIGN.md's table).

Each model's ``objects.visible_to(user)`` calls the function here for its type. The acting
membership (hub and role) comes from the session through ``user.acting_membership``; outside a
request (commands, tests) a user with exactly one active membership acts as it.

- volunteer: no case; only the intakes they recorded.
- staff / CSW: cases their hub leads or takes part in, or that are on the agenda of a
  conference their hub attends (invited, not marked absent; DESIGN.md: "a conference it
  attended" — members of a 支援会議 share the case under 社会福祉法106条の6); intakes received
  at or handed to their hub, or belonging to a case they see.
- coordinator: as staff, plus every multi-agency case city-wide.
- manager: all of their hub's cases (lead or taking part); intakes as staff.
Households and persons are visible through a visible case, or when the hub registered them.
Conferences (会議) and their minutes: the hubs invited to attend (not those marked absent) and
the convening hub's manager. A case's agenda items are also seen by whoever sees the case —
except for a 支援会議, whose very existence on the case stays with its attendees.
A user without an acting membership (e.g. the system administrator) sees no personal data.
"""

from django.db.models import Exists, OuterRef, Q

from hubs.models import Membership, Role


def acting_membership(user):
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if hasattr(user, "acting_membership"):
        membership = user.acting_membership
    else:
        memberships = list(Membership.objects.active().filter(user=user).select_related("hub")[:2])
        membership = memberships[0] if len(memberships) == 1 else None
        user.acting_membership = membership
    if membership is None or not membership.active:
        return None
    return membership


def _casework_membership(user):
    membership = acting_membership(user)
    if membership is None or membership.role == Role.VOLUNTEER:
        return None
    return membership


def case_condition(membership):
    from cases.models import AgendaItem, CaseHub, ConferenceHub

    hub = membership.hub_id
    attending = ConferenceHub.objects.filter(
        hub_id=hub, conference_id=OuterRef("conference_id")
    ).exclude(present=False)
    on_an_agenda = (
        AgendaItem.objects.filter(case_id=OuterRef("pk"))
        .exclude(conference__status="cancelled")
        .filter(Exists(attending))
    )
    condition = (
        Q(lead_hub_id=hub)
        | Q(Exists(CaseHub.objects.filter(case_id=OuterRef("pk"), hub_id=hub)))
        | Q(Exists(on_an_agenda))
    )
    if membership.role == Role.COORDINATOR:
        condition |= Q(multi_agency=True)
    return condition


def cases_visible_to(user, queryset):
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(case_condition(membership))


def _visible_cases(membership):
    from cases.models import Case

    return Case.objects.filter(case_condition(membership))


def households_visible_to(user, queryset):
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    cases = _visible_cases(membership).filter(household_id=OuterRef("pk"))
    return queryset.filter(Q(registered_hub_id=membership.hub_id) | Q(Exists(cases)))


def persons_visible_to(user, queryset):
    from cases.models import CasePerson, Household

    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    hub = membership.hub_id
    households = Household.objects.filter(pk=OuterRef("household_id")).filter(
        Q(registered_hub_id=hub)
        | Q(Exists(_visible_cases(membership).filter(household_id=OuterRef("pk"))))
    )
    case_links = CasePerson.objects.filter(person_id=OuterRef("pk")).filter(
        Exists(_visible_cases(membership).filter(pk=OuterRef("case_id")))
    )
    return queryset.filter(Q(registered_hub_id=hub) | Q(Exists(households)) | Q(Exists(case_links)))


def intakes_visible_to(user, queryset):
    membership = acting_membership(user)
    if membership is None:
        return queryset.none()
    if membership.role == Role.VOLUNTEER:
        return queryset.filter(recorded_by=user)
    hub = membership.hub_id
    cases = _visible_cases(membership).filter(pk=OuterRef("case_id"))
    return queryset.filter(Q(hub_id=hub) | Q(handed_to_id=hub) | Q(Exists(cases)))


def referrals_visible_to(user, queryset):
    """The two hubs of a referral see it; so does anyone who sees its case (the chain)."""
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    hub = membership.hub_id
    cases = _visible_cases(membership).filter(pk=OuterRef("case_id"))
    return queryset.filter(Q(from_hub_id=hub) | Q(to_hub_id=hub) | Q(Exists(cases)))


def records_visible_to(user, queryset):
    """Records of visible cases; a sensitive record only for the lead hub and the author's hub."""
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    hub = membership.hub_id
    cases = _visible_cases(membership).filter(pk=OuterRef("case_id"))
    return queryset.filter(Exists(cases)).filter(
        Q(sensitive=False) | Q(acting_hub_id=hub) | Q(case__lead_hub_id=hub)
    )


def conference_condition(membership):
    from cases.models import ConferenceHub

    attending = ConferenceHub.objects.filter(
        conference_id=OuterRef("pk"), hub_id=membership.hub_id
    ).exclude(present=False)
    condition = Q(Exists(attending))
    if membership.role == Role.MANAGER:
        condition |= Q(convening_hub_id=membership.hub_id)
    return condition


def conferences_visible_to(user, queryset):
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(conference_condition(membership))


def agenda_items_visible_to(user, queryset):
    from cases.models import Conference, LegalType

    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    conferences = Conference.objects.filter(conference_condition(membership))
    cases = _visible_cases(membership).filter(pk=OuterRef("case_id"))
    open_on_case = Q(Exists(cases)) & ~Q(
        conference__meeting_type__legal_type=LegalType.SUPPORT_MEETING
    )
    return queryset.filter(Q(conference__in=conferences) | open_on_case)
