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

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import Exact

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


def case_condition(membership, *, per_row=True):
    """The cases a membership sees, in the form that suits the query it goes into.

    ``per_row=False`` (a list page scanning many cases) states the hub's participation and
    attended agendas as uncorrelated ``id IN (…)`` subqueries, which PostgreSQL builds once into
    hashes: a case list's condition costs a few milliseconds at 60,000 cases instead of a
    correlated probe per row. ``per_row=True`` (the default) keeps correlated ``EXISTS``: for
    checking a few cases, or inside another row's subquery (``_visible_cases(…)
    .filter(pk=OuterRef(…))``), where the hashes would be rebuilt for every outer row. Both
    forms state the same rule (tests/test_access_listing.py).
    """
    # Built once per membership and form: a page asks for it a score of times, and building
    # the subqueries is a good part of the ORM's cost. Resolving a Q clones what it holds.
    key = (membership.hub_id, membership.role, per_row)
    cache = membership.__dict__.setdefault("_case_conditions", {})
    if key not in cache:
        cache[key] = _build_case_condition(membership, per_row)
    return cache[key]


def _build_case_condition(membership, per_row):
    from cases.models import AgendaItem, CaseHub, ConferenceHub

    hub = membership.hub_id
    participating = CaseHub.objects.filter(hub_id=hub)
    attending = ConferenceHub.objects.filter(hub_id=hub).exclude(present=False)
    agendas = AgendaItem.objects.exclude(conference__status="cancelled")
    if per_row:
        attended = attending.filter(conference_id=OuterRef("conference_id"))
        condition = (
            Q(lead_hub_id=hub)
            | Q(Exists(participating.filter(case_id=OuterRef("pk"))))
            | Q(Exists(agendas.filter(case_id=OuterRef("pk")).filter(Exists(attended))))
        )
    else:
        attended = agendas.filter(conference_id__in=attending.values("conference_id"))
        condition = (
            Q(lead_hub_id=hub)
            | Q(pk__in=participating.values("case_id"))
            | Q(pk__in=attended.values("case_id"))
        )
    if membership.role == Role.COORDINATOR:
        condition |= Q(multi_agency=True)
    return condition


def cases_visible_to(user, queryset, *, listing=False):
    """``listing``: the query scans many cases (a list page) rather than checking a few."""
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    return queryset.filter(case_condition(membership, per_row=not listing))


def _visible_cases(membership):
    from cases.models import Case

    return Case.objects.filter(case_condition(membership))


def households_visible_to(user, queryset):
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    cases = _visible_cases(membership).filter(household_id=OuterRef("pk"))
    return queryset.filter(Q(registered_hub_id=membership.hub_id) | Q(Exists(cases)))


def persons_visible_to(user, queryset, *, few=False):
    """Registered by the hub, of a household it registered or sees a case of, or on a case it sees.

    The household's two rules are stated on the person (its registration through a join, its
    cases as a probe by ``household_id``; a case always has its household) rather than as one
    ``Exists`` over households with a nested ``Exists``: the same rows, but each person costs a
    few index probes, cheap enough for a search's thousands of candidates (docs/search.md).

    ``few``: the queryset is already narrowed to a few hundred persons (a search's candidates,
    by id). The household's registration is then read per person (a scalar subquery on the
    household's key): for so few rows the planner answers the join by hashing every household
    of the city, and an ``EXISTS`` from about a thousand rows by hashing the hub's. Same rows.
    """
    membership = _casework_membership(user)
    if membership is None:
        return queryset.none()
    # Built once per membership and form, as case_condition is.
    key = (membership.hub_id, membership.role, few)
    cache = membership.__dict__.setdefault("_person_conditions", {})
    if key not in cache:
        cache[key] = _person_condition(membership, few)
    return queryset.filter(cache[key])


def _person_condition(membership, few):
    from cases.models import CasePerson, Household

    hub = membership.hub_id
    cases = _visible_cases(membership)
    case_links = CasePerson.objects.filter(person_id=OuterRef("pk")).filter(
        Exists(cases.filter(pk=OuterRef("case_id")))
    )
    if few:
        registered_by = Household.objects.filter(pk=OuterRef("household_id")).order_by()
        household_registered = Q(Exact(Subquery(registered_by.values("registered_hub_id")), hub))
    else:
        household_registered = Q(household__registered_hub_id=hub)
    return (
        Q(registered_hub_id=hub)
        | household_registered
        | Q(Exists(cases.filter(household_id=OuterRef("household_id"))))
        | Q(Exists(case_links))
    )


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


class CaseScope:
    """What a user sees about one case they see: the rules above, with "the case is visible"
    already settled.

    A case page or meeting screen asks a dozen questions about the same case (its records,
    referrals, plans, household members, meetings …). Through ``visible_to`` each would carry
    the whole case rule as nested subqueries, and building and compiling those is most of such
    a page's time. Here the case has been loaded once through ``Case.objects.visible_to``, so
    each question keeps only the part of its rule that does not follow from seeing the case.
    Every method returns what ``Model.objects.visible_to(user).filter(<the case>)`` returns
    (tests/test_access_scope.py).
    """

    def __init__(self, user, case, membership):
        self.user, self.case, self.membership = user, case, membership

    @classmethod
    def get(cls, user, queryset=None, **lookup):
        """The scope of the case matching ``lookup`` among those ``user`` sees, or None."""
        from cases.models import Case

        membership = _casework_membership(user)
        if membership is None:
            return None
        queryset = Case.objects.all() if queryset is None else queryset
        case = cases_visible_to(user, queryset).filter(**lookup).first()
        return None if case is None else cls(user, case, membership)

    @classmethod
    def of(cls, user, case):
        """For a ``case`` the caller has just loaded through ``Case.objects.visible_to(user)``."""
        membership = _casework_membership(user)
        if membership is None:
            raise ValueError("A case scope needs a casework membership.")
        return cls(user, case, membership)

    @property
    def hub_id(self):
        return self.membership.hub_id

    def referrals(self):
        from referrals.models import Referral

        return Referral.objects.filter(case=self.case)

    def intakes(self):
        from cases.models import Intake

        return Intake.objects.filter(case=self.case)

    def records(self):
        from cases.models import AccompanimentRecord

        records = AccompanimentRecord.objects.filter(case=self.case)
        if self.case.lead_hub_id == self.hub_id:
            return records
        return records.filter(Q(sensitive=False) | Q(acting_hub_id=self.hub_id))

    def plans(self):
        from cases.models import SupportPlan

        return SupportPlan.objects.filter(case=self.case)

    def outreach(self):
        from cases.models import OutreachAttempt

        return OutreachAttempt.objects.filter(case=self.case)

    def hidden_household_cases(self):
        """The household's other cases the user does not see (the case page only signals them).

        The case rule negated on each of them. None of its terms can be unknown (``lead_hub``
        and ``multi_agency`` are never NULL, ``EXISTS`` is true or false), so ``NOT`` the rule
        holds on exactly the cases ``Case.objects.visible_to`` leaves out.
        """
        from cases.models import Case

        others = Case.objects.filter(household_id=self.case.household_id).exclude(pk=self.case.pk)
        return others.exclude(case_condition(self.membership))

    def consents(self):
        """Consents of the case's persons: a person on a case the user sees is visible."""
        from cases.models import Consent

        return Consent.objects.filter(person__case_links__case=self.case)

    def household_members(self):
        """Everyone in the case's household: seeing a case on it makes the household visible."""
        from cases.models import Person

        return Person.objects.filter(household_id=self.case.household_id)

    def _agenda_condition(self, prefix=""):
        """An agenda item on this case: its meeting is visible, or it is no 支援会議."""
        from cases.models import Conference, LegalType

        conferences = Conference.objects.filter(conference_condition(self.membership))
        return Q(**{f"{prefix}conference__in": conferences}) | ~Q(
            **{f"{prefix}conference__meeting_type__legal_type": LegalType.SUPPORT_MEETING}
        )

    def agenda_items(self):
        from cases.models import AgendaItem

        return AgendaItem.objects.filter(case=self.case).filter(self._agenda_condition())

    def action_items(self):
        from cases.models import ActionItem

        return ActionItem.objects.filter(agenda_item__case=self.case).filter(
            self._agenda_condition("agenda_item__")
        )
