"""The synthetic city: years of a Takatsuki-sized caseload over the loaded hub network.

Scale 1 is ten years of a city of ~350,000 people (SCALE_1 below). Everything is drawn from one
``random.Random(seed)``, so a seed, a network and a date give the same data. The shape follows
DOMAIN.md: households of typical kinds (単身高齢, 8050, ダブルケア, ヤングケアラー …) with ages
that fit, cases that open after intakes and move through stages (older ones mostly closed),
referrals with their event history, accompaniment records skewed per case (a few with hundreds),
outreach for the withdrawn, plan versions decided by a manager or at a 重層的支援会議, and
meetings with agendas, attending hubs and action items. Later years are busier.

Code lists come from the Code table and hubs from the loaded network; nothing about Takatsuki is
hard-coded beyond the roles hubs play, which are read from their kind, fields and projects.
Derived columns are filled with the models' own functions: Person/Household.search_keys(),
Case.compute_contact_due(), and referral due dates through referrals.services.due_dates().
"""

import bisect
import datetime
import itertools
import math
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from cases.models import (
    FOLLOW_UP_DAYS_BY_STAGE,
    NO_CONTACT_CODE,
    AccompanimentRecord,
    ActionItem,
    AgendaItem,
    Attendee,
    Case,
    CaseHub,
    CasePerson,
    ClosureRequest,
    Conference,
    ConferenceHub,
    Consent,
    Decision,
    Household,
    HouseholdFlag,
    Intake,
    IntakeConcern,
    LegalType,
    MeetingType,
    MinutesVersion,
    NumberSequence,
    OutreachAttempt,
    Person,
    PersonDetails,
    PlanAction,
    PlanGoal,
    RecordRevision,
    Stage,
    StageChange,
    SupportPlan,
)
from hubs.models import Area, Hub, Membership, Role
from referrals import models as rm
from referrals.business_days import is_business_day
from referrals.services import due_dates
from takatsuki_welfare.models import Code, CodeList

from . import texts
from .loader import Loader
from .names import Names

SCALE_1 = {
    "households": 160_000,  # persons follow from household sizes: about 350,000
    "intakes": 200_000,
    "cases": 60_000,
    "referrals": 150_000,
    "records": 1_000_000,
    "outreach": 50_000,
    "plans": 40_000,
    "conferences": 5_000,
}
USERNAME_PREFIX = "city-"
HEAVY_CASE_SHARE = 0.002  # cases with 200+ records (at least one at any scale)

# Household kinds: city share, household type code, how likely a case, fields, complex needs.
SCENARIOS = {
    "elderly_single": (0.17, "single", 3.0, ["elderly"], ["isolation"]),
    "single_adult": (0.15, "single", 1.2, ["poverty"], ["multiple_debt"]),
    "withdrawn_single": (0.02, "single", 4.0, ["cross"], ["hikikomori", "isolation"]),
    "elderly_couple": (0.12, "couple", 2.0, ["elderly"], ["elder_elder_care"]),
    "couple": (0.10, "couple", 0.3, ["poverty"], []),
    "family": (0.17, "parents_children", 0.4, ["children"], []),
    "8050": (0.035, "parents_children", 6.0, ["elderly", "cross"], ["8050", "hikikomori"]),
    "disabled_child": (
        0.03,
        "parents_children",
        4.0,
        ["disability", "elderly"],
        ["disabled_child_aged_parent"],
    ),
    "single_parent": (0.07, "single_parent", 2.0, ["children", "poverty"], []),
    "young_carer": (0.01, "single_parent", 6.0, ["children", "disability"], ["young_carer"]),
    "double_care": (0.03, "three_generations", 4.0, ["elderly", "children"], ["double_care"]),
    "three_gen": (0.035, "three_generations", 0.5, ["elderly"], []),
    "siblings": (0.02, "siblings", 1.0, ["elderly"], ["isolation"]),
    "other": (0.03, "other", 0.8, ["cross"], ["language"]),
}
OUTREACH_SCENARIOS = {"withdrawn_single", "8050", "elderly_single", "single_adult"}
CONCERNS_BY_FIELD = {
    "elderly": ["care", "health", "community_relations", "housing"],
    "disability": ["health", "job_search", "family_relations"],
    "children": ["childrearing", "withdrawal", "family_relations", "dv_abuse"],
    "poverty": ["income", "rent_loan", "tax_utilities", "debt", "job_search", "food"],
    "cross": ["withdrawal", "family_relations", "community_relations", "other"],
}
# Meeting types by code (seeded by migration); unknown codes fall back to their legal type.
MEETING_SHARE = {
    LegalType.MULTI_LAYERED: 0.35,
    LegalType.SUPPORT_MEETING: 0.2,
    LegalType.SELF_RELIANCE: 0.15,
    LegalType.COMMUNITY_CARE: 0.15,
    LegalType.CHILD_PROTECTION: 0.05,
    LegalType.OTHER: 0.10,
}
REFERRAL_KINDS = [
    (rm.Kind.SUPPORT, 0.38),
    (rm.Kind.INFORMATION, 0.2),
    (rm.Kind.ACCOMPANY, 0.12),
    (rm.Kind.OUTREACH, 0.06),
    (rm.Kind.PARTICIPATION, 0.06),
    (rm.Kind.MULTI_AGENCY, 0.1),
    (rm.Kind.SUPPORT_MEETING, 0.08),
]
CONTACT_TYPES = [
    ("interview", 0.18),
    ("home_visit", 0.22),
    ("accompany", 0.06),
    ("phone", 0.25),
    ("mail_sns", 0.04),
    ("liaison", 0.12),
    ("meeting", 0.03),
    ("watch", 0.03),
    (NO_CONTACT_CODE, 0.07),
]


class NotReady(Exception):
    """The database is not in a state the generator can fill."""


def targets(scale):
    return {name: max(1, round(count * scale)) for name, count in SCALE_1.items()}


@dataclass
class HubInfo:
    id: int
    name: str
    category: str  # integrated, multiagency, basic, community
    fields: set
    projects: set
    areas: set


@dataclass
class HouseholdInfo:
    id: int
    scenario: str
    district: int | None
    registered: datetime.date
    hub: int
    members: list  # [(person id, age, sex, relationship code)]
    subject: int  # person id of the one concerned (本人)


@dataclass
class CaseState:
    """What later phases need to know about a generated case."""

    id: int
    household: HouseholdInfo
    opened: datetime.date
    end: datetime.date  # closing day, or today for open cases
    closed: bool
    stage: str
    lead: int
    first_lead: int
    handover_on: datetime.date | None
    fields: list
    multi_agency: bool
    primary: int
    consent: dict | None
    hubs: dict = field(default_factory=dict)  # hub id -> (joined on, reason)
    worker: int | None = None
    records: int = 0
    referrals: int = 0
    plan_versions: int = 0
    outreach: int = 0
    contacts: list = field(default_factory=list)  # dates that count as contact
    concerns: list = field(default_factory=list)
    engagement: str = ""
    number: str = ""


class CityGenerator:
    def __init__(
        self,
        *,
        scale=1.0,
        seed=7,
        years=10,
        progress=False,
        drop_indexes=True,
        today=None,
        log=None,
    ):
        self.scale = scale
        self.seed = seed
        self.years = years
        self.rng = random.Random(seed)
        self.target = targets(scale)
        # The last day with data is yesterday: nothing lies in the future, and a seed gives the
        # same data whatever the time of day.
        self.today = today or timezone.localdate() - datetime.timedelta(days=1)
        self.start = self.today - datetime.timedelta(days=round(365.25 * years))
        self.tz = timezone.get_current_timezone()
        self.loader = Loader(connection, progress=progress, drop_indexes=drop_indexes)
        self.names = Names(self.rng)
        self.cutoff = datetime.datetime.combine(self.today, datetime.time(23, 59), tzinfo=self.tz)
        self.log = log or (lambda message: None)
        self.phases = {}
        self.consents = []
        self._pools = {}

    # Entry point ---------------------------------------------------------------------------

    def check_ready(self):
        if not Hub.objects.filter(active=True).exists():
            raise NotReady(
                "No hubs: load a network first (manage.py load_network "
                "hubs/networks/takatsuki.csv)."
            )
        for model in (Household, Person, Intake, Case, rm.Referral, Conference):
            if model.objects.exists():
                raise NotReady(
                    f"The database already holds {model._meta.verbose_name_plural}: "
                    "generate_city fills an empty database only (migrate a fresh one)."
                )

    def run(self):
        self.check_ready()
        started = time.perf_counter()
        with transaction.atomic():
            self._phase("prepare", self._prepare)
            self.loader.drop_secondary(self._loaded_models())
            self._phase("users", self._make_users)
            self._phase("households", self._make_households)
            self._phase("plan cases", self._plan_cases)
            self._phase("conference calendar", self._make_calendar)
            self._phase("cases", self._process_cases)
            self._phase("intakes", self._make_intakes)
            self._phase("conferences", self._write_conferences)
            self._phase("consents and hubs", self._write_case_links)
            self._phase("records", self._write_records)
            self._phase("flush", self.loader.close_all)
            self._phase("numbering", self._advance_numbering)
            self._phase("indexes", self.loader.restore_secondary)
            self.loader.reset_sequences()
        self._phase("analyze", self.loader.analyze)
        self.phases["total"] = time.perf_counter() - started
        return {t.model._meta.db_table: t.count for t in self.loader.tables.values()}

    def _phase(self, name, function):
        started = time.perf_counter()
        function()
        self.phases[name] = time.perf_counter() - started
        self.log(f"{name}: {self.phases[name]:.1f} s")

    def _loaded_models(self):
        models_ = [
            Household,
            Person,
            PersonDetails,
            HouseholdFlag,
            HouseholdFlag.persons.through,
            Intake,
            IntakeConcern,
            Intake.persons.through,
            Intake.fields.through,
            Consent,
            Consent.hubs.through,
            Case,
            CasePerson,
            CaseHub,
            StageChange,
            ClosureRequest,
            Case.fields.through,
            Case.concerns.through,
            Case.projects.through,
            AccompanimentRecord,
            AccompanimentRecord.met_persons.through,
            RecordRevision,
            OutreachAttempt,
            SupportPlan,
            PlanGoal,
            PlanAction,
            Conference,
            ConferenceHub,
            Attendee,
            AgendaItem,
            AgendaItem.consents.through,
            ActionItem,
            MinutesVersion,
            rm.Referral,
            rm.ReferralEvent,
        ]
        return models_

    def _table(self, model, total=None, explicit_ids=True):
        return self.loader.table(model, explicit_ids=explicit_ids, total=total)

    # Helpers -------------------------------------------------------------------------------

    def _skewed_offset(self, k=1.3):
        """A fraction of the period with density rising linearly (later years busier)."""
        u = self.rng.random()
        return (math.sqrt(1 + u * k * (k + 2)) - 1) / k

    def _day(self, lo=None, hi=None):
        """A day in [lo, hi], busier towards the end; offices' days preferred."""
        lo = lo or self.start
        hi = hi or self.today
        span = (hi - lo).days
        day = lo + datetime.timedelta(days=int(self._skewed_offset() * (span + 1)))
        return self._office_day(min(day, hi), hi)

    def _between(self, lo, hi):
        span = (hi - lo).days
        if span <= 0:
            return lo
        return self._office_day(lo + datetime.timedelta(days=self.rng.randint(0, span)), hi)

    def _office_day(self, day, hi):
        if not is_business_day(day) and self.rng.random() < 0.9:
            for _ in range(4):
                nxt = day + datetime.timedelta(days=1)
                if nxt > hi:
                    break
                day = nxt
                if is_business_day(day):
                    break
        return day

    def _at(self, day, first_hour=9, last_hour=17):
        minutes = self.rng.randint(first_hour * 60, last_hour * 60)
        moment = datetime.datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=self.tz
        )
        return moment

    def _past(self, moment):
        """A follow-up moment (taken up, cancelled, approved …) no later than the last day."""
        return min(moment, self.cutoff)

    def _pick(self, weighted):
        items, weights = zip(*weighted, strict=True)
        return self.rng.choices(items, weights)[0]

    def _user(self, hub, roles=(Role.STAFF, Role.CSW, Role.COORDINATOR, Role.MANAGER)):
        pool = self._pools.get((hub, roles))
        if pool is None:
            pool = [u for role in roles for u in self.staff[hub].get(role, ())]
            if not pool:
                pool = [u for users in self.staff[hub].values() for u in users] or self.any_staff
            self._pools[hub, roles] = pool
        return self.rng.choice(pool)

    def _manager(self, hub):
        return self._user(hub, (Role.MANAGER,))

    # Preparation ---------------------------------------------------------------------------

    def _prepare(self):
        self.codes = defaultdict(dict)
        for code in Code.objects.filter(active=True).order_by("code_list", "order", "id"):
            self.codes[code.code_list][code.code] = code.id
        missing = [
            c
            for c in (CodeList.CONTACT_TYPE, CodeList.CONCERN, CodeList.FIELD)
            if not self.codes[c]
        ]
        if missing:
            raise NotReady(f"Code lists missing (run migrate): {', '.join(missing)}")
        self.contact_types = [
            (self.codes[CodeList.CONTACT_TYPE][code], w)
            for code, w in CONTACT_TYPES
            if code in self.codes[CodeList.CONTACT_TYPE]
        ]
        self.no_contact = self.codes[CodeList.CONTACT_TYPE].get(NO_CONTACT_CODE)
        self.contact_label = {
            code_id: code for code, code_id in self.codes[CodeList.CONTACT_TYPE].items()
        }

        hubs = Hub.objects.filter(active=True).select_related("kind").order_by("id")
        hubs = hubs.prefetch_related("fields", "projects", "areas")
        self.hubs = {}
        for hub in hubs:
            fields = {c.code for c in hub.fields.all()}
            projects = {c.code for c in hub.projects.all()}
            if hub.kind.code == "community":
                category = "community"
            elif "multiagency" in projects:
                category = "multiagency"
            elif hub.kind.code == "integrated":
                category = "integrated"
            else:
                category = "basic"
            self.hubs[hub.id] = HubInfo(
                hub.id, hub.name, category, fields, projects, {a.id for a in hub.areas.all()}
            )
        self.hub_objects = {hub.id: hub for hub in hubs}
        self.casework_hubs = [h for h in self.hubs.values() if h.category != "community"]
        if not self.casework_hubs:
            raise NotReady("The network has no hub that does casework (only corners).")
        self.corners = [h for h in self.hubs.values() if h.category == "community"]
        by_category = defaultdict(list)
        for h in self.casework_hubs:
            by_category[h.category].append(h.id)
        self.desk = (
            by_category["integrated"]
            or by_category["multiagency"]
            or [max(self.casework_hubs, key=lambda h: len(h.fields)).id]
        )[0]
        self.multiagency_hubs = by_category["multiagency"] or [self.desk]
        self.outreach_hubs = [h.id for h in self.casework_hubs if "outreach" in h.projects] or (
            self.multiagency_hubs
        )

        parents = defaultdict(set)
        for link in Area.part_of.through.objects.all():
            parents[link.from_area_id].add(link.to_area_id)
        districts = list(Area.objects.filter(kind=Area.Kind.DISTRICT).order_by("order", "code"))
        self.districts = [(a.id, a.name.removesuffix("地区")) for a in districts]
        self.district_weights = [0.5 + self.rng.random() for _ in self.districts]
        self.serving = {}
        for district_id, _name in self.districts:
            around = {district_id, *parents[district_id]}
            self.serving[district_id] = [h for h in self.hubs.values() if h.areas & around]
        self._hub_for_cache = {}

        self.meeting_types = defaultdict(list)
        for mt in MeetingType.objects.filter(active=True).prefetch_related("default_hubs"):
            self.meeting_types[mt.legal_type].append(mt)

    def _hub_for(self, field_code, district):
        """The hub that would lead a case of this field for this district (a specialised one
        serving the district when there is one)."""
        key = (field_code, district)
        if key not in self._hub_for_cache:
            candidates = [
                h
                for h in self.serving.get(district, [])
                if h.category != "community" and field_code in h.fields
            ]
            candidates = candidates or [h for h in self.casework_hubs if field_code in h.fields]
            candidates = candidates or self.casework_hubs
            fewest = min(len(h.fields) for h in candidates)
            self._hub_for_cache[key] = (
                [h.id for h in candidates if len(h.fields) == fewest],
                [h.id for h in candidates],
            )
        specialised, everyone = self._hub_for_cache[key]
        return self.rng.choice(specialised if self.rng.random() < 0.85 else everyone)

    # Users ---------------------------------------------------------------------------------

    STAFFING = {
        "integrated": [(Role.STAFF, 18), (Role.COORDINATOR, 3), (Role.MANAGER, 2)],
        "multiagency": [(Role.STAFF, 4), (Role.CSW, 8), (Role.COORDINATOR, 4), (Role.MANAGER, 2)],
        "basic": [(Role.STAFF, 6), (Role.MANAGER, 1)],
        "community": [(Role.VOLUNTEER, 3)],
    }

    def _make_users(self):
        """A few hundred staff with memberships per hub (unusable passwords); reused when a
        previous run's users are still there."""
        User = get_user_model()
        self.staff = defaultdict(lambda: defaultdict(list))
        existing = Membership.objects.filter(user__username__startswith=USERNAME_PREFIX)
        if existing.exists():
            for m in existing.order_by("id"):
                if m.hub_id in self.hubs:
                    self.staff[m.hub_id][m.role].append(m.user_id)
        else:
            users = self._table(User)
            memberships = self._table(Membership)
            joined = timezone.make_aware(
                datetime.datetime.combine(self.start, datetime.time(9)), self.tz
            )
            for hub in self.hubs.values():
                n = 0
                for role, count in self.STAFFING[hub.category]:
                    for _ in range(count):
                        n += 1
                        family, _kana = self.names.family_name()
                        sex = self.rng.choice(["female", "male"])
                        given, _kana = self.names.given_name(sex, 1980)
                        user_id = users.add(
                            username=f"{USERNAME_PREFIX}{self.hub_objects[hub.id].code}-{n:02d}",
                            password=make_password(None),
                            last_name=family,
                            first_name=given,
                            date_joined=joined,
                        )
                        memberships.add(user_id=user_id, hub_id=hub.id, role=role)
                        self.staff[hub.id][role].append(user_id)
            # Some staff also work at a second hub (e.g. the desk's coordinators at the 社協).
            casework = [h.id for h in self.casework_hubs]
            for hub_id in casework:
                for user_id in list(self.staff[hub_id][Role.STAFF])[:2]:
                    if len(casework) > 1 and self.rng.random() < 0.3:
                        other = self.rng.choice([h for h in casework if h != hub_id])
                        memberships.add(user_id=user_id, hub_id=other, role=Role.STAFF)
                        self.staff[other][Role.STAFF].append(user_id)
            users.flush()
            memberships.flush()
        self.any_staff = [
            u
            for hub in self.casework_hubs
            for role, us in self.staff[hub.id].items()
            if role != Role.VOLUNTEER
            for u in us
        ]
        if not self.any_staff:
            raise NotReady("No staff users could be made for the network's hubs.")

    # Households and persons ------------------------------------------------------------------

    def _members(self, scenario):
        """[(relationship code, sex, age, is the person concerned)] for a household kind."""
        r = self.rng
        sex = r.choice(["female", "male"])
        other = "male" if sex == "female" else "female"

        def kids(n, lo, hi):
            return [
                ("child", r.choice(["female", "male"]), r.randint(lo, hi), False) for _ in range(n)
            ]

        match scenario:
            case "elderly_single":
                return [("self", sex, r.randint(70, 96), True)]
            case "single_adult":
                return [("self", sex, r.randint(22, 69), True)]
            case "withdrawn_single":
                return [("self", sex, r.randint(30, 62), True)]
            case "elderly_couple":
                age = r.randint(72, 94)
                return [("self", sex, age, True), ("spouse", other, age + r.randint(-5, 5), False)]
            case "couple":
                age = r.randint(25, 69)
                return [("self", sex, age, True), ("spouse", other, age + r.randint(-6, 6), False)]
            case "family":
                age = r.randint(30, 50)
                return [
                    ("self", sex, age, True),
                    ("spouse", other, age + r.randint(-4, 4), False),
                    *kids(r.randint(1, 2), 0, min(18, age - 20)),
                ]
            case "8050":
                child = r.randint(48, 60)
                parents = [("parent", "female", child + r.randint(25, 34), False)]
                if r.random() < 0.45:
                    parents.append(("parent", "male", child + r.randint(27, 36), False))
                return [("self", sex, child, True), *parents]
            case "disabled_child":
                child = r.randint(30, 55)
                return [
                    ("self", sex, child, True),
                    ("parent", "female", child + r.randint(24, 32), False),
                ]
            case "single_parent":
                age = r.randint(24, 50)
                parent_sex = "female" if r.random() < 0.85 else "male"
                return [
                    ("self", parent_sex, age, True),
                    *kids(r.randint(1, 3), 0, min(18, age - 18)),
                ]
            case "young_carer":
                carer = r.randint(11, 19)
                return [
                    ("self", sex, carer, True),
                    ("parent", "female", carer + r.randint(24, 35), False),
                    *[
                        ("sibling", r.choice(["female", "male"]), r.randint(4, 12), False)
                        for _ in range(r.randint(0, 2))
                    ],
                ]
            case "double_care":
                age = r.randint(35, 50)
                return [
                    ("self", "female", age, True),
                    ("spouse", "male", age + r.randint(-3, 5), False),
                    *kids(r.randint(1, 2), 0, 12),
                    ("parent", r.choice(["female", "male"]), age + r.randint(28, 40), False),
                ]
            case "three_gen":
                age = r.randint(35, 55)
                return [
                    ("self", sex, age, True),
                    ("spouse", other, age + r.randint(-4, 4), False),
                    *kids(r.randint(1, 2), 0, 20),
                    ("parent", r.choice(["female", "male"]), age + r.randint(26, 36), False),
                ]
            case "siblings":
                age = r.randint(50, 80)
                return [("self", sex, age, True), ("sibling", other, age + r.randint(-6, 6), False)]
            case _:
                return [
                    ("self", sex, r.randint(25, 70), True),
                    ("cohabitant", other, r.randint(25, 70), False),
                ]

    def _phone(self, mobile=False):
        r = self.rng
        if mobile:
            return f"0{r.choice('789')}0-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}"
        return f"072-6{r.randint(10, 99)}-{r.randint(1000, 9999)}"

    def _make_households(self):
        r = self.rng
        n = self.target["households"]
        households = self._table(Household, total=n)
        persons = self._table(Person, total=round(n * 2.2))
        details = self._table(PersonDetails)
        scenario_names = list(SCENARIOS)
        scenario_weights = [SCENARIOS[s][0] for s in scenario_names]
        year_counter = self.household_numbers = Counter()
        self.households = []
        relationship = self.codes[CodeList.RELATIONSHIP]
        housing = self.codes[CodeList.HOUSING]
        household_type = self.codes[CodeList.HOUSEHOLD_TYPE]
        district_ids = [d for d in self.districts] or [(None, "高槻")]
        district_weights = self.district_weights or [1.0]
        for _ in range(n):
            scenario = r.choices(scenario_names, scenario_weights)[0]
            district, town_stem = r.choices(district_ids, district_weights)[0]
            # About a third were known to some hub when the system went live (migrated).
            registered = (
                self._between(self.start, self.start + datetime.timedelta(days=60))
                if r.random() < 0.3
                else self._day()
            )
            fields = SCENARIOS[scenario][3]
            hub = self._hub_for(fields[0], district)
            by = self._user(hub)
            year_counter[registered.year] += 1
            created = self._at(registered)
            elderly = scenario in ("elderly_single", "elderly_couple")
            household = Household(**self._address(town_stem))
            household_id = households.add(
                number=f"H{registered.year}-{year_counter[registered.year]:06d}",
                postal_code=f"569-{r.randint(0, 1)}{r.randint(0, 99):02d}{r.randint(1, 9)}",
                town=household.town,
                address_rest=household.address_rest,
                area_id=district,
                phone=self._phone() if r.random() < 0.6 else "",
                housing_id=housing.get(
                    r.choice(
                        ["owned", "owned", "rented", "public"]
                        if not elderly
                        else ["owned", "owned", "owned", "rented", "public"]
                    )
                )
                if housing
                else None,
                household_type_id=household_type.get(SCENARIOS[scenario][1]),
                public_assistance=(
                    Household.PublicAssistance.RECEIVING
                    if scenario in ("single_adult", "single_parent") and r.random() < 0.25
                    else r.choice(
                        [Household.PublicAssistance.NONE, Household.PublicAssistance.UNKNOWN]
                    )
                ),
                registered_hub_id=hub,
                registered_by_id=by,
                created_at=created,
                updated_at=created,
                **household.search_keys(),
            )
            family, family_kana = self.names.family_name()
            written_family = (
                self.names.variant(family)
                if self.names.has_variant(family) and r.random() < 0.25
                else family
            )
            members = []
            subject = None
            for rel, sex, age, is_subject in self._members(scenario):
                age = max(0, age)
                birth = self.today - datetime.timedelta(
                    days=round(age * 365.25) + r.randint(0, 364)
                )
                if rel == "cohabitant" or (rel == "parent" and r.random() < 0.1):
                    name, name_kana = self.names.family_name()
                else:
                    name, name_kana = written_family, family_kana
                given, given_kana = self.names.given_name(sex, birth.year)
                kana_family, kana_given = self.names.written_kana(name_kana, given_kana)
                phone = self._phone(mobile=True) if 18 <= age < 80 and r.random() < 0.4 else ""
                person = Person(
                    family_name=name,
                    given_name=given,
                    family_name_kana=kana_family,
                    given_name_kana=kana_given,
                    phone=phone,
                )
                person_id = persons.add(
                    family_name=name,
                    given_name=given,
                    family_name_kana=kana_family,
                    given_name_kana=kana_given,
                    birth_date=birth if r.random() < 0.95 else None,
                    sex=sex if r.random() < 0.97 else Person.Sex.NOT_ANSWERED,
                    phone=phone,
                    household_id=household_id,
                    relationship_id=relationship.get(rel) or relationship.get("other_relative"),
                    registered_hub_id=hub,
                    registered_by_id=by,
                    created_at=created,
                    updated_at=created,
                    **person.search_keys(),
                )
                self._details(details, person_id, scenario, age, is_subject)
                members.append((person_id, age, sex, rel))
                if is_subject:
                    subject = person_id
            self.households.append(
                HouseholdInfo(household_id, scenario, district, registered, hub, members, subject)
            )

    def _address(self, town_stem):
        r = self.rng
        suffix = r.choice(["町", "", "台", "東町", "西町", "南町", "北町"])
        rest = f"{r.randint(1, 30)}番{r.randint(1, 25)}号"
        if r.random() < 0.35:
            building = r.choice(["コーポ", "ハイツ", "メゾン", "パレス"])
            place = r.choice(["高槻", "芥川", "さくら", "みどり"])
            rest += f" {building}{place} {r.randint(1, 5)}0{r.randint(1, 9)}"
        return {"town": f"{town_stem}{suffix}{r.randint(1, 5)}丁目", "address_rest": rest}

    def _details(self, table, person_id, scenario, age, is_subject):
        r = self.rng
        care = certificate = ""
        if age >= 75 and r.random() < 0.45:
            care = r.choice([c for c in PersonDetails.CareLevel.values if c])
        if (
            scenario in ("disabled_child", "young_carer")
            and is_subject != (scenario == "young_carer")
            and r.random() < 0.8
        ) or r.random() < 0.03:
            certificate = r.choice([c for c in PersonDetails.Certificate.values if c])
        if care or certificate:
            table.add(
                person_id=person_id,
                care_level=care,
                disability_certificate=certificate,
                certificate_grade=r.choice(["1級", "2級", "3級", "A", "B1", ""])
                if certificate
                else "",
            )

    # Case planning -------------------------------------------------------------------------

    def _index_households(self):
        """Households by registration date with cumulative weights, to draw one that was
        registered by a given day: some kinds of household need help far more often, and a
        heavy tail of them again and again (a few households with many cases)."""
        r = self.rng
        order = sorted(self.households, key=lambda h: (h.registered, h.id))
        self.registered_order = order
        self.registered_days = [h.registered.toordinal() for h in order]
        self.case_cum = list(
            itertools.accumulate(
                SCENARIOS[h.scenario][2] * min(r.paretovariate(1.5), 20.0) for h in order
            )
        )
        self.intake_cum = list(itertools.accumulate(SCENARIOS[h.scenario][2] ** 0.5 for h in order))

    def _household_by(self, day, cumulative):
        known = max(1, bisect.bisect_right(self.registered_days, day.toordinal()))
        x = self.rng.random() * cumulative[known - 1]
        return self.registered_order[min(bisect.bisect_right(cumulative, x), known - 1)]

    def _plan_cases(self):
        r = self.rng
        n = self.target["cases"]
        self._index_households()
        plans = []
        for _ in range(n):
            opened = self._day()
            household = self._household_by(opened, self.case_cum)
            plans.append((max(opened, household.registered), household))
        plans.sort(key=lambda p: (p[0], p[1].id))
        self.cases = []
        case_ids = self._table(Case, total=n)
        year_counter = Counter()
        for opened, household in plans:
            scenario = household.scenario
            fields = list(SCENARIOS[scenario][3])
            if r.random() < 0.3:
                fields = fields[:1]
            lead = self._hub_for(fields[0], household.district)
            complex_kind = SCENARIOS[scenario][2] >= 4
            multi = r.random() < (0.3 if complex_kind else 0.06)
            age = (self.today - opened).days
            closed_on = None
            if age > 30 and r.random() < min(0.9, 1 - math.exp(-age / 500)):
                closed_on = opened + datetime.timedelta(days=int(r.lognormvariate(5.3, 0.8)) + 14)
                if closed_on >= self.today:
                    closed_on = None
            stage = Stage.CLOSED if closed_on else self._open_stage(age, multi)
            first_lead, handover_on = lead, None
            end = closed_on or self.today
            if (end - opened).days > 60 and r.random() < 0.08:
                first_lead = self._hub_for(r.choice(fields), household.district)
                if first_lead != lead:
                    handover_on = self._between(
                        opened + datetime.timedelta(days=14), end - datetime.timedelta(days=14)
                    )
                else:
                    first_lead = lead
            primary = household.subject
            consent = None
            if r.random() < 0.8:
                consent = self._consent(primary, opened, first_lead)
            case = CaseState(
                id=case_ids.new_id(),
                household=household,
                opened=opened,
                end=end,
                closed=closed_on is not None,
                stage=stage,
                lead=lead,
                first_lead=first_lead,
                handover_on=handover_on,
                fields=fields,
                multi_agency=multi,
                primary=primary,
                consent=consent,
            )
            year_counter[opened.year] += 1
            case.number = f"{opened.year}-{year_counter[opened.year]:06d}"
            self.cases.append(case)
        self.case_numbers = year_counter
        self._allocate()

    def _open_stage(self, age, multi):
        if age < 10:
            return Stage.INTAKE
        if age < 40:
            return Stage.ASSESSMENT
        if age < 90 and (multi or self.rng.random() < 0.4):
            return Stage.PLANNING
        return self._pick(
            [
                (Stage.SUPPORT, 0.5),
                (Stage.MONITORING, 0.25),
                (Stage.WATCHING, 0.17),
                (Stage.SUSPENDED, 0.08),
            ]
        )

    def _consent(self, person, on, hub):
        consents = self._table(Consent)
        consent = {
            "id": consents.new_id(),
            "person": person,
            "on": on,
            "hubs": {hub},
            "by": self._user(hub),
            "method": self._pick(
                [
                    (Consent.Method.SIGNATURE, 0.7),
                    (Consent.Method.VERBAL, 0.2),
                    (Consent.Method.PROXY, 0.1),
                ]
            ),
            "withdrawn": None,
        }
        self.consents.append(consent)
        return consent

    def _allocate(self):
        """Spread records, referrals, plan versions and outreach over the cases."""
        r = self.rng
        cases = self.cases

        def window(c):
            return max(1, (c.end - c.opened).days)

        # Records: a few long-running cases with 200+ records, the rest proportional to a
        # skewed weight times the case's length.
        total = self.target["records"]
        heavy_n = max(1, round(len(cases) * HEAVY_CASE_SHARE))
        long_cases = sorted(cases, key=lambda c: (-window(c), c.id))[: max(heavy_n * 10, 10)]
        heavy = r.sample(long_cases, min(heavy_n, len(long_cases)))
        for c in heavy:
            c.records = min(r.randint(200, 450), max(total // 2, 1))
        rest = max(0, total - sum(c.records for c in heavy))
        heavy_ids = {c.id for c in heavy}
        others = [c for c in cases if c.id not in heavy_ids]
        self._spread(
            others,
            rest,
            [
                r.lognormvariate(0, 0.8)
                * (min(window(c), 1100) / 365 + 0.25)
                * (1.5 if c.multi_agency else 1)
                for c in others
            ],
            "records",
        )

        intakes_other = self.target["intakes"] - len(cases)
        self.linked_intakes = min(round(0.15 * self.target["intakes"]), max(0, intakes_other))
        self.other_intakes = max(0, intakes_other - self.linked_intakes)
        self.intake_referrals = min(round(self.other_intakes * 0.12), self.target["referrals"])
        case_referrals = self.target["referrals"] - self.intake_referrals
        self._spread(
            cases,
            case_referrals,
            [
                (1 + window(c) / 365) * (3 if c.multi_agency else 1) * r.lognormvariate(0, 0.6)
                for c in cases
            ],
            "referrals",
        )

        remaining = self.target["plans"]
        candidates = [c for c in cases if window(c) >= 45]
        candidates.sort(key=lambda c: (not c.multi_agency, r.random()))
        for c in candidates:
            if remaining <= 0:
                break
            versions = min(remaining, 1 + min(5, window(c) // 270))
            c.plan_versions = versions
            remaining -= versions

        remaining = self.target["outreach"]
        candidates = [
            c for c in cases if c.household.scenario in OUTREACH_SCENARIOS and window(c) >= 20
        ]
        r.shuffle(candidates)
        candidates.sort(key=lambda c: c.household.scenario not in ("withdrawn_single", "8050"))
        for c in candidates:
            if remaining <= 0:
                break
            c.outreach = min(remaining, max(2, int(r.lognormvariate(2.0, 0.6))))
            remaining -= c.outreach

    def _spread(self, cases, total, weights, attr):
        if not cases or total <= 0:
            return
        weight_sum = sum(weights)
        given = 0
        for c, w in zip(cases, weights, strict=True):
            k = int(w / weight_sum * total)
            setattr(c, attr, getattr(c, attr) + k)
            given += k
        for c in self.rng.choices(cases, weights, k=total - given):
            setattr(c, attr, getattr(c, attr) + 1)

    # Conference calendar ---------------------------------------------------------------------

    def _make_calendar(self):
        """All meetings with their dates and hubs; agendas fill while cases are generated."""
        r = self.rng
        n = self.target["conferences"]
        shares = [(lt, s) for lt, s in MEETING_SHARE.items() if self.meeting_types.get(lt)]
        if not shares:
            self.calendar = {}
            self.conferences = []
            return
        horizon = self.today + datetime.timedelta(days=45)
        conference_ids = self._table(Conference, total=n)
        planned = []
        for _ in range(n):
            legal_type = self._pick(shares)
            day = self._day(self.start, horizon)
            planned.append((self._at(day, 9, 16).replace(minute=r.choice([0, 30])), legal_type))
        planned.sort(key=lambda p: p[0])
        self.conferences = []
        self.calendar = defaultdict(list)  # legal type -> [(date ordinal, conference)]
        for starts_at, legal_type in planned:
            meeting_type = r.choice(self.meeting_types[legal_type])
            convening = self._convening_hub(legal_type)
            hubs = [convening]
            defaults = [h.id for h in meeting_type.default_hubs.all() if h.id in self.hubs]
            pool = defaults or [h.id for h in self.casework_hubs]
            for hub in r.sample(pool, min(len(pool), r.randint(2, 4))):
                if hub not in hubs:
                    hubs.append(hub)
            conference = {
                "id": conference_ids.new_id(),
                "type": meeting_type,
                "legal_type": legal_type,
                "starts_at": starts_at,
                "day": starts_at.date(),
                "convening": convening,
                "hubs": hubs,
                "items": [],
                "consents": [],
            }
            self.conferences.append(conference)
            self.calendar[legal_type].append((conference["day"].toordinal(), conference))

    def _convening_hub(self, legal_type):
        if legal_type == LegalType.MULTI_LAYERED:
            return self.rng.choice(self.multiagency_hubs)
        if legal_type == LegalType.COMMUNITY_CARE:
            elderly = [h.id for h in self.casework_hubs if h.fields == {"elderly"}]
            return self.rng.choice(elderly or [self.desk])
        if legal_type == LegalType.CHILD_PROTECTION:
            children = [
                h.id for h in self.casework_hubs if "children" in h.fields and h.category == "basic"
            ]
            return self.rng.choice(children or [self.desk])
        if legal_type == LegalType.OTHER:
            return self.rng.choice(self.casework_hubs).id
        return self.desk

    def _conference_on(self, legal_type, lo, hi, capacity=10):
        """The first meeting of this type in [lo, hi] with room on its agenda, or None."""
        entries = self.calendar.get(legal_type)
        if not entries or hi < lo:
            return None
        i = bisect.bisect_left(entries, (lo.toordinal(),), key=lambda e: (e[0],))
        while i < len(entries) and entries[i][0] <= hi.toordinal():
            conference = entries[i][1]
            if len(conference["items"]) < capacity:
                return conference
            i += 1
        return None

    def _put_on_agenda(self, conference, case, **item):
        """Add the case to the meeting; a consent-based meeting extends the consent's scope to
        every attending hub (as the meeting's consent check demands)."""
        if any(existing["case"] is case for existing in conference["items"]):
            return None
        if case.lead not in conference["hubs"] and len(conference["hubs"]) < 8:
            conference["hubs"].append(case.lead)
            for consent in conference["consents"]:
                consent["hubs"].add(case.lead)
        entry = {"case": case, **item}
        conference["items"].append(entry)
        if conference["type"].needs_consent and case.consent is not None:
            case.consent["hubs"].update(conference["hubs"])
            conference["consents"].append(case.consent)
        return entry

    # Cases ---------------------------------------------------------------------------------

    def _process_cases(self):
        self.intakes = []  # dicts, written in time order later
        self.records = []  # skeletons, written in time order later
        self.flagged = set()
        cases = self._table(Case)
        case_persons = self._table(CasePerson)
        case_fields = self._table(Case.fields.through, explicit_ids=False)
        case_concerns = self._table(Case.concerns.through, explicit_ids=False)
        case_projects = self._table(Case.projects.through, explicit_ids=False)
        field_codes = self.codes[CodeList.FIELD]
        concern_codes = self.codes[CodeList.CONCERN]
        project_codes = self.codes[CodeList.PROJECT]
        for c in self.cases:
            c.worker = self._user(c.lead)
            self._case_intakes(c)
            self._stage_history(c)
            self._referrals(c)
            self._plans(c)
            self._outreach(c)
            self._record_skeletons(c)
            self._flags(c)
            last_contact = max((d for d in c.contacts if d <= c.end), default=None)
            follow_up = FOLLOW_UP_DAYS_BY_STAGE[c.stage]
            derived = Case(
                opened_on=c.opened, last_contact_on=last_contact, follow_up_days=follow_up
            ).derived_values()
            created = self._at(c.opened)
            closure_reason = None
            if c.closed:
                closure_reason = self._closure(c)
            cases.add(
                id=c.id,
                number=c.number,
                household_id=c.household.id,
                stage=c.stage,
                lead_hub_id=c.lead,
                main_worker_id=c.worker
                if c.handover_on is None or self.rng.random() < 0.7
                else None,
                follow_up_days=follow_up,
                multi_agency=c.multi_agency,
                opened_on=c.opened,
                closed_on=c.end if c.closed else None,
                closure_reason_id=closure_reason,
                last_contact_on=last_contact,
                summary=self._summary(c),
                created_at=created,
                updated_at=self._at(c.end),
                **derived,
            )
            members = [m for m in c.household.members if m[0] != c.primary]
            others = self.rng.sample(members, min(len(members), self.rng.randint(0, 2)))
            case_persons.add(
                case_id=c.id, person_id=c.primary, is_primary=True, engagement=c.engagement
            )
            for person_id, *_rest in others:
                case_persons.add(case_id=c.id, person_id=person_id, is_primary=False)
            for code in c.fields:
                if code in field_codes:
                    case_fields.add(case_id=c.id, code_id=field_codes[code])
            for code in c.concerns:
                case_concerns.add(case_id=c.id, code_id=concern_codes[code])
            projects = {"comprehensive"}
            if c.multi_agency:
                projects.add("multiagency")
            if c.outreach:
                projects.add("outreach")
            for code in sorted(projects):
                if code in project_codes:
                    case_projects.add(case_id=c.id, code_id=project_codes[code])

    def _summary(self, c):
        topic = self.rng.choice(texts.TOPICS)
        return f"{topic}を中心に、世帯全体を支援している。" if self.rng.random() < 0.7 else ""

    def _concerns(self, fields):
        pool = [code for f in fields for code in CONCERNS_BY_FIELD.get(f, [])]
        pool = [code for code in pool if code in self.codes[CodeList.CONCERN]]
        if not pool:
            pool = list(self.codes[CodeList.CONCERN])
        return list(dict.fromkeys(self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))))

    def _case_intakes(self, c):
        r = self.rng
        c.concerns = self._concerns(c.fields)
        corner = None
        if self.corners and r.random() < 0.12:
            serving = [
                h for h in self.serving.get(c.household.district, []) if h.category == "community"
            ]
            corner = r.choice(serving or self.corners)
        received = self._at(c.opened)
        status = (
            Intake.ConsentStatus.GIVEN
            if c.consent
            else r.choice([Intake.ConsentStatus.REFUSED, Intake.ConsentStatus.UNKNOWN])
        )
        self.intakes.append(
            {
                "hub": corner.id if corner else c.first_lead,
                "recorded_by": self._user(corner.id, (Role.VOLUNTEER,)) if corner else c.worker,
                "received_at": received,
                "from_corner": corner is not None,
                "household": c.household.id,
                "persons": [c.primary],
                "fields": c.fields,
                "concerns": c.concerns,
                "consent_status": status,
                "consent": c.consent["id"] if c.consent else None,
                "outcome": Intake.Outcome.NEW_CASE,
                "case": c.id,
                "handed_to": c.first_lead if corner else None,
                "taken_up_at": self._past(received + datetime.timedelta(hours=r.randint(1, 30)))
                if corner
                else None,
                "taken_up_by": c.worker if corner else None,
            }
        )
        c.contacts.append(c.opened)

    def _stage_history(self, c):
        r = self.rng
        changes = self._table(StageChange)
        path = [Stage.INTAKE, Stage.ASSESSMENT]
        if c.plan_versions or c.multi_agency:
            path.append(Stage.PLANNING)
        path.append(Stage.SUPPORT)
        final = c.stage
        if final == Stage.CLOSED:
            if r.random() < 0.5:
                path.append(Stage.MONITORING)
            path.append(Stage.CLOSED)
        elif final in path:
            path = path[: path.index(final) + 1]
        else:
            path.append(final)
        days = sorted(self._between(c.opened, c.end) for _ in path[1:])
        if final == Stage.CLOSED:
            days[-1] = c.end
        previous = ""
        for stage, day in zip(path, [c.opened, *days], strict=True):
            changes.add(
                case_id=c.id,
                from_stage=previous,
                to_stage=stage,
                changed_by_id=c.worker,
                acting_hub_id=c.lead
                if c.handover_on is None or day >= c.handover_on
                else c.first_lead,
                changed_at=self._at(day),
                reason="ケース開始"
                if not previous
                else ("終結承認" if stage == Stage.CLOSED else r.choice(texts.STAGE_REASONS)),
            )
            previous = stage

    def _closure(self, c):
        r = self.rng
        reasons = self.codes[CodeList.CLOSURE_REASON]
        reason = reasons.get(
            self._pick(
                [
                    ("goal_achieved", 0.35),
                    ("handed_to_lead", 0.15),
                    ("other_system", 0.15),
                    ("own_wish", 0.1),
                    ("unreachable", 0.06),
                    ("moved_out", 0.06),
                    ("death", 0.06),
                    ("institution", 0.05),
                    ("other", 0.02),
                ]
            )
        ) or next(iter(reasons.values()), None)
        if reason is None:
            return None
        requested = self._at(c.end - datetime.timedelta(days=r.randint(0, 7)))
        self._table(ClosureRequest).add(
            case_id=c.id,
            closure_reason_id=reason,
            note=r.choice(texts.CLOSURE_NOTES),
            requested_by_id=c.worker,
            requested_at=requested,
            status=ClosureRequest.Status.APPROVED,
            decided_by_id=self._manager(c.lead),
            decided_at=self._at(c.end, 16, 17),
        )
        if c.consent and r.random() < 0.02:
            c.consent["withdrawn"] = c.end + datetime.timedelta(days=r.randint(1, 60))
            if c.consent["withdrawn"] > self.today:
                c.consent["withdrawn"] = None
        return reason

    def _join(self, c, hub, day, reason):
        if hub != c.lead and hub not in c.hubs:
            c.hubs[hub] = (day, reason)

    # Referrals -----------------------------------------------------------------------------

    def _referrals(self, c):
        r = self.rng
        if c.handover_on is not None:
            self._referral(
                c,
                day=c.handover_on,
                kind=rm.Kind.HANDOVER,
                from_hub=c.first_lead,
                to_hub=c.lead,
                final=rm.Status.ACCEPTED,
            )
            self._join(c, c.first_lead, c.handover_on, "引継ぎ")
            c.referrals -= 1
        if c.multi_agency and c.referrals > 0:
            day = self._between(c.opened, min(c.end, c.opened + datetime.timedelta(days=40)))
            to_hub = r.choice(self.multiagency_hubs)
            if to_hub != self._lead_on(c, day):
                self._referral(
                    c,
                    day=day,
                    kind=rm.Kind.MULTI_AGENCY,
                    to_hub=to_hub,
                    final=rm.Status.IN_PROGRESS if not c.closed else rm.Status.COMPLETED,
                )
                c.referrals -= 1
        days = sorted(self._between(c.opened, c.end) for _ in range(max(0, c.referrals)))
        previous = None
        for day in days:
            if (
                previous is not None
                and previous["status"] == rm.Status.DECLINED
                and (previous["next_step"] == rm.NextStep.REROUTE)
            ):
                self._referral(
                    c,
                    day=max(day, previous["day"]),
                    kind=previous["kind"],
                    from_hub=previous["from_hub"],
                    rerouted_from=previous,
                )
                previous = None
                continue
            kind = self._pick(REFERRAL_KINDS)
            previous = self._referral(c, day=day, kind=kind)

    def _lead_on(self, c, day):
        return c.first_lead if c.handover_on is not None and day < c.handover_on else c.lead

    def _referral_target(self, c, kind, from_hub):
        r = self.rng
        if kind == rm.Kind.MULTI_AGENCY:
            pool = self.multiagency_hubs
        elif kind == rm.Kind.OUTREACH:
            pool = self.outreach_hubs
        elif kind == rm.Kind.PARTICIPATION:
            pool = [h.id for h in self.casework_hubs if "participation" in h.projects]
        else:
            field_code = r.choice([*c.fields, "cross", "poverty"])
            pool = [self._hub_for(field_code, c.household.district)]
        pool = [h for h in pool if h != from_hub]
        return r.choice(pool or [h.id for h in self.casework_hubs if h.id != from_hub] or [None])

    def _referral(
        self, c, *, day, kind, from_hub=None, to_hub=None, final=None, rerouted_from=None
    ):
        r = self.rng
        from_hub = from_hub or (
            self._lead_on(c, day) if r.random() < 0.85 or not c.hubs else r.choice(sorted(c.hubs))
        )
        if kind == rm.Kind.SUPPORT_MEETING:
            basis = rm.Basis.SUPPORT_MEETING
        else:
            basis = rm.Basis.CONSENT if c.consent and r.random() < 0.9 else rm.Basis.SUPPORT_MEETING
        if to_hub is None:
            to_hub = self._referral_target(c, kind, from_hub)
            if rerouted_from is not None and to_hub == rerouted_from["to_hub"]:
                to_hub = self._referral_target(c, kind, from_hub)
        if to_hub is None or to_hub == from_hub:
            return None
        meeting_reference = ""
        if basis == rm.Basis.SUPPORT_MEETING:
            meeting = self._conference_on(
                LegalType.SUPPORT_MEETING, max(c.opened, day - datetime.timedelta(days=60)), day
            )
            if meeting is not None:
                self._put_on_agenda(meeting, c, decisions=[Decision.SHARE])
                meeting_reference = f"{meeting['day']:%Y年%m月%d日} 支援会議"
            else:
                meeting_reference = f"{day:%Y年%m月}開催の支援会議"
        else:
            c.consent["hubs"].add(to_hub)
        return self._write_referral(
            case=c,
            day=day,
            kind=kind,
            from_hub=from_hub,
            to_hub=to_hub,
            basis=basis,
            consent=c.consent if basis == rm.Basis.CONSENT else None,
            meeting_reference=meeting_reference,
            final=final,
            rerouted_from=rerouted_from,
            person=c.primary,
            end=c.end,
        )

    def _final_status(self, day, end, open_case):
        """Where a referral sent on ``day`` stands now (older ones are settled)."""
        age = (self.today - day).days
        if age <= 2:
            return self._pick(
                [(rm.Status.SENT, 0.6), (rm.Status.ACKNOWLEDGED, 0.3), (rm.Status.ACCEPTED, 0.1)]
            )
        if age <= 14:
            return self._pick(
                [
                    (rm.Status.SENT, 0.08),
                    (rm.Status.ACKNOWLEDGED, 0.15),
                    (rm.Status.ACCEPTED, 0.35),
                    (rm.Status.IN_PROGRESS, 0.3),
                    (rm.Status.DECLINED, 0.07),
                    (rm.Status.WITHDRAWN, 0.02),
                    (rm.Status.EXPIRED, 0.03),
                ]
            )
        settled = [
            (rm.Status.COMPLETED, 0.62),
            (rm.Status.DECLINED, 0.14),
            (rm.Status.WITHDRAWN, 0.04),
            (rm.Status.EXPIRED, 0.03),
        ]
        if open_case:
            settled += [(rm.Status.IN_PROGRESS, 0.12), (rm.Status.ACCEPTED, 0.05)]
        return self._pick(settled)

    def _write_referral(
        self,
        *,
        case,
        day,
        kind,
        from_hub,
        to_hub,
        basis,
        consent,
        meeting_reference,
        final,
        rerouted_from,
        person,
        end,
        intake=None,
    ):
        r = self.rng
        referrals = self._table(rm.Referral, total=self.target["referrals"])
        events = self._table(rm.ReferralEvent, total=round(self.target["referrals"] * 3.4))
        urgency = rm.Urgency.URGENT if r.random() < 0.05 else rm.Urgency.NORMAL
        to_info = self.hub_objects[to_hub]
        acknowledge_due, answer_due = due_dates(to_info, urgency, today=day)
        status = final or self._final_status(day, end, case is not None and not case.closed)
        sent_at = self._at(day)
        sender = self._user(from_hub)
        receiver = self._user(to_hub)
        reason = r.choice(texts.REFERRAL_REASONS).format(topic=r.choice(texts.TOPICS))
        log = [(sent_at, sender, from_hub, "", rm.Status.SENT, reason)]
        row = {
            "acknowledged_at": None,
            "answered_at": None,
            "completed_at": None,
            "outcome": "",
            "decline_reason": "",
            "declined_by": "",
            "decline_note": "",
            "withdraw_reason": "",
            "next_step": "",
            "next_step_note": "",
        }
        moment = sent_at

        def step(days_after, to_status, comment="", actor=receiver, hub=to_hub):
            nonlocal moment
            moment = min(
                moment + datetime.timedelta(hours=r.randint(2, 24 * max(1, days_after))),
                self.cutoff,
            )
            log.append((moment, actor, hub, log[-1][4], to_status, comment))
            return moment

        if status == rm.Status.WITHDRAWN:
            row["withdraw_reason"] = "本人の状況が変わったため"
            step(2, rm.Status.WITHDRAWN, row["withdraw_reason"], sender, from_hub)
        elif status == rm.Status.EXPIRED:
            if r.random() < 0.5:
                row["acknowledged_at"] = step(1, rm.Status.ACKNOWLEDGED)
            step(6, rm.Status.EXPIRED, "回答期限切れ", None, None)
        elif status != rm.Status.SENT:
            row["acknowledged_at"] = step(1, rm.Status.ACKNOWLEDGED)
            if status == rm.Status.DECLINED:
                row["answered_at"] = step(3, rm.Status.DECLINED, "対象外のため")
                row["decline_reason"] = r.choice(rm.DeclineReason.values)
                row["declined_by"] = rm.DeclinedBy.HUB
                row["decline_note"] = "対象外のため"
            elif status != rm.Status.ACKNOWLEDGED:
                row["answered_at"] = step(3, rm.Status.ACCEPTED)
                if case is not None and kind != rm.Kind.HANDOVER:
                    self._join(case, to_hub, row["answered_at"].date(), to_info.name[:50])
                if status in (rm.Status.IN_PROGRESS, rm.Status.COMPLETED):
                    step(5, rm.Status.IN_PROGRESS)
                if status == rm.Status.COMPLETED:
                    row["outcome"] = self._pick(
                        [(rm.Outcome.CONNECTED, 0.85), (rm.Outcome.NOT_CONNECTED, 0.15)]
                    )
                    row["completed_at"] = step(30, rm.Status.COMPLETED, "支援につながった")
        if status in (rm.Status.DECLINED, rm.Status.EXPIRED) and (
            (self.today - day).days > 10 or r.random() < 0.5
        ):
            row["next_step"] = self._pick([(rm.NextStep.REROUTE, 0.5), (rm.NextStep.KEEP, 0.5)])
            row["next_step_note"] = (
                "自機関で支援を継続する"
                if row["next_step"] == rm.NextStep.KEEP
                else "別の機関へ依頼"
            )
            step(1, status, row["next_step_note"], sender, from_hub)
        referral_id = referrals.add(
            case_id=case.id if case else None,
            intake_id=intake,
            person_id=person,
            from_hub_id=from_hub,
            sender_id=sender,
            to_hub_id=to_hub,
            kind=kind,
            reason=reason,
            request="状況の確認と支援をお願いします。" if r.random() < 0.6 else "",
            urgency=urgency,
            basis=basis,
            consent_id=consent["id"] if consent else None,
            meeting_reference=meeting_reference,
            sent_at=sent_at,
            acknowledge_due=acknowledge_due,
            answer_due=answer_due,
            status=status,
            rerouted_from_id=rerouted_from["id"] if rerouted_from else None,
            version=len(log),
            **row,
        )
        for at, actor, hub, from_status, to_status, comment in log:
            events.add(
                referral_id=referral_id,
                actor_id=actor,
                acting_hub_id=hub,
                at=at,
                from_status=from_status,
                to_status=to_status,
                comment=comment,
            )
        return {
            "id": referral_id,
            "status": status,
            "next_step": row["next_step"],
            "day": day,
            "kind": kind,
            "from_hub": from_hub,
            "to_hub": to_hub,
        }

    # Plans ---------------------------------------------------------------------------------

    def _plans(self, c):
        r = self.rng
        if not c.plan_versions:
            return
        plans = self._table(SupportPlan, total=self.target["plans"])
        goals = self._table(PlanGoal)
        actions = self._table(PlanAction)
        hubs = [c.lead, *sorted(c.hubs)]
        drafted = self._between(
            c.opened + datetime.timedelta(days=7),
            min(c.end, c.opened + datetime.timedelta(days=60)),
        )
        previous = None
        wishes = r.choice(texts.WISHES)
        for number in range(1, c.plan_versions + 1):
            last = number == c.plan_versions
            discussed = drafted + datetime.timedelta(days=r.randint(7, 30))
            endorsed_on, by, by_user, conference = None, "", None, None
            if discussed <= c.end:
                if c.multi_agency and c.consent:
                    conference = self._conference_on(
                        LegalType.MULTI_LAYERED,
                        discussed,
                        min(c.end, discussed + datetime.timedelta(days=60)),
                    )
                if conference is not None:
                    endorsed_on, by = conference["day"], SupportPlan.EndorsedBy.CONFERENCE
                    by_user = self._user(conference["convening"])
                elif discussed + datetime.timedelta(days=7) <= c.end:
                    endorsed_on = discussed + datetime.timedelta(days=r.randint(1, 7))
                    by, by_user = SupportPlan.EndorsedBy.MANAGER, self._manager(c.lead)
            review_on = endorsed_on + datetime.timedelta(days=180) if endorsed_on else None
            if endorsed_on is None:  # the last version: later ones wait for this one
                status = (
                    SupportPlan.Status.DISCUSSING
                    if discussed <= self.today
                    else (SupportPlan.Status.DRAFT)
                )
                if c.closed:
                    status = SupportPlan.Status.ENDED
            elif not last:
                status = r.choice([SupportPlan.Status.EVALUATED, SupportPlan.Status.ENDED])
            elif c.closed:
                status = SupportPlan.Status.EVALUATED
            else:
                status = SupportPlan.Status.ENDORSED
            evaluated = status == SupportPlan.Status.EVALUATED
            evaluated_on = min(c.end, review_on) if evaluated and review_on else None
            plan_id = plans.add(
                case_id=c.id,
                number=number,
                previous_id=previous,
                status=status,
                wishes=wishes,
                issues=f"{r.choice(texts.TOPICS)}と{r.choice(texts.TOPICS)}の課題が重なっている。",
                long_term_goal=r.choice(texts.GOALS),
                uses_participation=r.random() < 0.15,
                uses_outreach=c.outreach > 0,
                review_on=review_on,
                consent_id=c.consent["id"] if c.consent else None,
                endorsed_on=endorsed_on,
                endorsed_by=by,
                endorsed_by_user_id=by_user,
                evaluation=r.choice(SupportPlan.Evaluation.values) if evaluated else "",
                evaluation_note="目標に向けて一定の前進があった。" if evaluated else "",
                evaluated_on=evaluated_on,
                created_by_id=c.worker,
                created_at=self._at(min(drafted, self.today)),
                updated_at=self._at(min(endorsed_on or discussed, self.today)),
                version=3 if endorsed_on else 1,
            )
            if conference is not None:
                self._put_on_agenda(
                    conference,
                    c,
                    decisions=[Decision.PLAN, Decision.SUPPORT, Decision.ROLES],
                    endorsed_plan=plan_id,
                    next_review_on=review_on,
                )
            for order, term in enumerate(["long", "short", "short"][: r.randint(2, 3)]):
                goal_id = goals.add(
                    plan_id=plan_id, term=term, text=r.choice(texts.GOALS), order=order
                )
                for action_order in range(r.randint(1, 2)):
                    due = (endorsed_on or drafted) + datetime.timedelta(days=r.randint(30, 150))
                    actions.add(
                        goal_id=goal_id,
                        text=r.choice(texts.ACTIONS),
                        hub_id=r.choice(hubs),
                        frequency=r.choice(texts.FREQUENCIES),
                        due_on=due,
                        done_on=due if due < self.today and r.random() < 0.6 else None,
                        order=action_order,
                    )
            previous = plan_id
            if endorsed_on is None:
                break
            drafted = (review_on or discussed) + datetime.timedelta(days=r.randint(0, 20))
            if drafted > c.end:
                drafted = c.end
        # Multi-agency cases come back to the meeting for review (評価).
        if c.multi_agency and c.consent:
            day = c.opened + datetime.timedelta(days=200)
            while day < c.end and r.random() < 0.6:
                conference = self._conference_on(
                    LegalType.MULTI_LAYERED, day, min(c.end, day + datetime.timedelta(days=60))
                )
                if conference is not None:
                    self._put_on_agenda(conference, c, decisions=[Decision.EVALUATION])
                day += datetime.timedelta(days=r.randint(150, 300))

    # Outreach ------------------------------------------------------------------------------

    def _outreach(self, c):
        r = self.rng
        if not c.outreach:
            return
        attempts = self._table(OutreachAttempt, total=self.target["outreach"])
        hub = r.choice(self.outreach_hubs)
        if hub != c.lead:
            self._join(c, hub, c.opened, "アウトリーチ")
        engagement = "not_contacted"
        ladder = ["not_contacted", "contacted", "relationship", "connected", "watching"]
        days = sorted(self._between(c.opened, c.end) for _ in range(c.outreach))
        for day in days:
            result = self._pick(
                [
                    ("met", 0.25 + 0.1 * ladder.index(engagement)),
                    ("absent", 0.35),
                    ("refused", 0.1),
                    ("letter_left", 0.2),
                    ("information", 0.1),
                ]
            )
            if result == "met" and engagement != "watching" and r.random() < 0.4:
                engagement = ladder[ladder.index(engagement) + 1]
            elif result != "met" and engagement == "not_contacted" and r.random() < 0.2:
                engagement = "contacted"
            attempts.add(
                case_id=c.id,
                person_id=c.primary,
                attempted_on=day,
                method=r.choice(OutreachAttempt.Method.values),
                result=result,
                note=r.choice(texts.NO_CONTACT)
                if result == "absent"
                else r.choice(texts.OBSERVATIONS),
                next_attempt_on=day + datetime.timedelta(days=r.randint(7, 30))
                if r.random() < 0.7
                else None,
                engagement_after=engagement,
                recorded_by_id=self._user(hub, (Role.CSW, Role.STAFF)),
                acting_hub_id=hub,
                created_at=self._at(day),
            )
            if result == "met":
                c.contacts.append(day)
        c.engagement = engagement

    # Records -------------------------------------------------------------------------------

    def _record_skeletons(self, c):
        """When, by whom and how: the text is written later, in time order."""
        r = self.rng
        if not c.records:
            return
        span = max(0, (c.end - c.opened).days)
        joined = [(day, hub) for hub, (day, _reason) in c.hubs.items()]
        codes, weights = zip(*self.contact_types, strict=True)
        for _ in range(c.records):
            day = self._office_day(
                c.opened + datetime.timedelta(days=int(span * r.random() ** 0.8)), c.end
            )
            lead = self._lead_on(c, day)
            hub = lead
            if joined and r.random() < 0.2:
                options = [h for d, h in joined if d <= day]
                hub = r.choice(options) if options else lead
            contact_type = r.choices(codes, weights)[0]
            occurred = self._at(day, 8, 19)
            if contact_type != self.no_contact:
                c.contacts.append(day)
            self.records.append((occurred, c.id, hub, self._user(hub), contact_type, c.primary))

    def _write_records(self):
        r = self.rng
        self.records.sort(key=lambda rec: (rec[0], rec[1]))
        records = self._table(AccompanimentRecord, total=len(self.records))
        met = self._table(
            AccompanimentRecord.met_persons.through,
            explicit_ids=False,
            total=round(len(self.records) * 0.4),
        )
        revisions = self._table(RecordRevision)
        for occurred, case_id, hub, author, contact_type, primary in self.records:
            code = self.contact_label.get(contact_type, "")
            next_day = occurred.date() + datetime.timedelta(days=r.randint(3, 30))
            cancelled = r.random() < 0.01
            content = self._record_text(code)
            record_id = records.add(
                case_id=case_id,
                occurred_at=occurred,
                author_id=author,
                acting_hub_id=hub,
                contact_type_id=contact_type,
                place=r.choice(texts.PLACES) if code != "phone" else "",
                content=content,
                state=r.randint(1, 5) if r.random() < 0.5 else None,
                next_action=r.choice(texts.NEXT) if r.random() < 0.3 else "",
                next_action_on=next_day if r.random() < 0.3 else None,
                sensitive=r.random() < 0.03,
                cancelled_at=self._past(occurred + datetime.timedelta(days=1))
                if cancelled
                else None,
                cancelled_by_id=author if cancelled else None,
                cancel_reason="別ケースへの誤入力" if cancelled else "",
                created_at=occurred,
                updated_at=occurred,
            )
            if code in ("interview", "home_visit", "accompany") and r.random() < 0.8:
                met.add(accompanimentrecord_id=record_id, person_id=primary)
            if r.random() < 0.02:
                revisions.add(
                    record_id=record_id,
                    edited_by_id=author,
                    edited_at=self._past(occurred + datetime.timedelta(hours=r.randint(1, 72))),
                    before={"content": content[:40], "contact_type": code},
                )
        self.records = []

    def _record_text(self, code):
        r = self.rng
        if code == NO_CONTACT_CODE:
            return r.choice(texts.NO_CONTACT)
        if code == "liaison":
            return (
                f"{r.choice(texts.LIAISON)}と{r.choice(texts.TOPICS)}について連絡調整。"
                f"{r.choice(texts.NEXT)}。"
            )
        return (
            f"{r.choice(texts.MET)}と{r.choice(texts.TOPICS)}について話した。"
            f"{r.choice(texts.OBSERVATIONS)}。{r.choice(texts.NEXT)}。"
        )

    # Household flags -----------------------------------------------------------------------

    def _flags(self, c):
        household = c.household
        kinds = SCENARIOS[household.scenario][4]
        if not kinds or household.id in self.flagged or self.rng.random() < 0.3:
            return
        self.flagged.add(household.id)
        flags = self._table(HouseholdFlag)
        persons = self._table(HouseholdFlag.persons.through, explicit_ids=False)
        complex_needs = self.codes[CodeList.COMPLEX_NEED]
        for kind in kinds:
            if kind not in complex_needs:
                continue
            flag_id = flags.add(
                household_id=household.id,
                kind_id=complex_needs[kind],
                judged_on=min(self.today, c.opened + datetime.timedelta(days=14)),
                judged_by_id=c.worker,
                basis="アセスメントにより確認",
            )
            for person_id, *_rest in household.members[:2]:
                persons.add(householdflag_id=flag_id, person_id=person_id)

    # Intakes -------------------------------------------------------------------------------

    def _make_intakes(self):
        """Intakes linked to cases, and the many ended with advice or handed to another hub,
        written in the order they were received."""
        r = self.rng
        for c in r.choices(
            self.cases, [max(1, (c.end - c.opened).days) for c in self.cases], k=self.linked_intakes
        ):
            day = self._between(c.opened, c.end)
            hub = self._lead_on(c, day)
            self.intakes.append(
                {
                    "hub": hub,
                    "recorded_by": self._user(hub),
                    "received_at": self._at(day),
                    "household": c.household.id,
                    "persons": [c.primary],
                    "fields": c.fields[:1],
                    "concerns": self._concerns(c.fields)[:2],
                    "consent_status": Intake.ConsentStatus.GIVEN
                    if c.consent
                    else Intake.ConsentStatus.UNKNOWN,
                    "consent": None,
                    "outcome": Intake.Outcome.LINKED,
                    "case": c.id,
                }
            )
            c.contacts.append(day)
        handed_over = set(r.sample(range(self.other_intakes), self.intake_referrals))
        for i in range(self.other_intakes):
            day = self._day()
            household = self._household_by(day, self.intake_cum)
            day = max(day, household.registered)
            anonymous = i not in handed_over and r.random() < 0.1
            fields = SCENARIOS[household.scenario][3][:1]
            corner = None
            if self.corners and r.random() < 0.1:
                serving = [
                    h for h in self.serving.get(household.district, []) if h.category == "community"
                ]
                corner = r.choice(serving or self.corners)
            hub = corner.id if corner else self._hub_for(fields[0], household.district)
            recent = (self.today - day).days < 7
            if i in handed_over:
                outcome = Intake.Outcome.HANDED_OVER
            elif recent and r.random() < 0.3:
                outcome = Intake.Outcome.PENDING
            else:
                outcome = Intake.Outcome.INFO_ONLY
            handed_to = None
            if corner is not None or outcome == Intake.Outcome.HANDED_OVER:
                handed_to = self._hub_for(fields[0], household.district)
                if handed_to == hub:
                    handed_to = self.desk if hub != self.desk else self.multiagency_hubs[0]
                if handed_to == hub:
                    outcome, handed_to = Intake.Outcome.INFO_ONLY, None
            taken_up = outcome != Intake.Outcome.PENDING and handed_to is not None
            received = self._at(day)
            self.intakes.append(
                {
                    "hub": hub,
                    "recorded_by": self._user(hub, (Role.VOLUNTEER,))
                    if corner
                    else self._user(hub),
                    "received_at": received,
                    "from_corner": corner is not None,
                    "household": None if anonymous else household.id,
                    "persons": [] if anonymous else [household.subject],
                    "subject_description": "近所の高齢の方（氏名不明）" if anonymous else "",
                    "fields": fields,
                    "concerns": self._concerns(fields)[:2],
                    "consent_status": Intake.ConsentStatus.GIVEN
                    if not anonymous and r.random() < 0.5
                    else Intake.ConsentStatus.UNKNOWN,
                    "outcome": outcome,
                    "handed_to": handed_to,
                    "taken_up_at": self._past(received + datetime.timedelta(hours=r.randint(1, 48)))
                    if taken_up
                    else None,
                    "taken_up_by": self._user(handed_to) if taken_up else None,
                    "refer": outcome == Intake.Outcome.HANDED_OVER and not anonymous,
                }
            )
        self._write_intakes()

    def _write_intakes(self):
        r = self.rng
        self.intakes.sort(key=lambda i: (i["received_at"], i.get("case") or 0))
        intakes = self._table(Intake, total=len(self.intakes))
        concerns = self._table(IntakeConcern)
        persons = self._table(Intake.persons.through, explicit_ids=False)
        fields = self._table(Intake.fields.through, explicit_ids=False)
        channels = self.codes[CodeList.CHANNEL]
        routes = self.codes[CodeList.ROUTE]
        field_codes = self.codes[CodeList.FIELD]
        concern_codes = self.codes[CodeList.CONCERN]
        channel_weights = [
            ("visit_desk", 0.35),
            ("phone", 0.4),
            ("outreach", 0.12),
            ("mail_web", 0.05),
            ("letter", 0.02),
            ("community_place", 0.06),
        ]
        route_weights = [
            ("self", 0.3),
            ("family", 0.22),
            ("neighbour", 0.06),
            ("minsei", 0.08),
            ("corner", 0.03),
            ("houkatsu", 0.06),
            ("medical", 0.06),
            ("city_office", 0.07),
            ("school", 0.03),
            ("csw", 0.04),
            ("other", 0.05),
        ]
        for item in self.intakes:
            who = r.choice(texts.CONSULTERS)
            consent = item.get("consent")
            if item.pop("refer", False) and item["consent_status"] == Intake.ConsentStatus.GIVEN:
                on = item["received_at"].date()
                consent = self._consent(item["persons"][0], on, item["hub"])
                consent["hubs"].add(item["handed_to"])
            intake_id = intakes.add(
                hub_id=item["hub"],
                recorded_by_id=item["recorded_by"],
                received_at=item["received_at"],
                from_corner=item.get("from_corner", False),
                channel_id=channels.get(self._pick(channel_weights)),
                route_id=routes.get(self._pick(route_weights)),
                consulter_name="" if who == "本人" else who,
                consulter_relationship="" if who == "本人" else who,
                household_id=item["household"],
                subject_description=item.get("subject_description", ""),
                urgency=Intake.Urgency.SAME_DAY if r.random() < 0.05 else Intake.Urgency.NORMAL,
                narrative=r.choice(texts.INTAKE).format(who=who, topic=r.choice(texts.TOPICS)),
                consent_status=item["consent_status"],
                consent_id=consent["id"] if isinstance(consent, dict) else consent,
                outcome=item["outcome"],
                case_id=item.get("case"),
                handed_to_id=item.get("handed_to"),
                taken_up_at=item.get("taken_up_at"),
                taken_up_by_id=item.get("taken_up_by"),
                created_at=item["received_at"],
            )
            for person_id in item["persons"]:
                persons.add(intake_id=intake_id, person_id=person_id)
            for code in item["fields"]:
                if code in field_codes:
                    fields.add(intake_id=intake_id, code_id=field_codes[code])
            for n, code in enumerate(item["concerns"]):
                concerns.add(intake_id=intake_id, concern_id=concern_codes[code], is_main=n == 0)
            if item["outcome"] == Intake.Outcome.HANDED_OVER and item["persons"]:
                day = item["received_at"].date()
                basis = rm.Basis.CONSENT if isinstance(consent, dict) else rm.Basis.SUPPORT_MEETING
                self._write_referral(
                    case=None,
                    day=day,
                    kind=rm.Kind.SUPPORT,
                    from_hub=item["hub"],
                    to_hub=item["handed_to"],
                    basis=basis,
                    consent=consent if isinstance(consent, dict) else None,
                    meeting_reference=""
                    if isinstance(consent, dict)
                    else f"{day:%Y年%m月}開催の支援会議",
                    final=rm.Status.ACCEPTED,
                    rerouted_from=None,
                    person=item["persons"][0],
                    end=self.today,
                    intake=intake_id,
                )
        self.intakes = []

    # Conferences ---------------------------------------------------------------------------

    def _write_conferences(self):
        r = self.rng
        conferences = self._table(Conference)
        conference_hubs = self._table(ConferenceHub)
        attendees = self._table(Attendee)
        items = self._table(AgendaItem)
        item_consents = self._table(AgendaItem.consents.through, explicit_ids=False)
        actions = self._table(ActionItem)
        minutes = self._table(MinutesVersion)
        open_cases = self.cases
        for conference in self.conferences:
            day = conference["day"]
            # Meetings nobody put a case on get one or two cases that were open at the time.
            tries = 0
            while len(conference["items"]) < 1 and open_cases and tries < 50:
                tries += 1
                case = r.choice(open_cases)
                if case.opened <= day <= case.end and (
                    not conference["type"].needs_consent or case.consent
                ):
                    self._put_on_agenda(conference, case, decisions=[Decision.SHARE])
            age = (self.today - day).days
            if age < 0:
                status = Conference.Status.PLANNED
            elif r.random() < 0.03:
                status = Conference.Status.CANCELLED
            elif age < 7:
                status = r.choice([Conference.Status.HELD, Conference.Status.DRAFTING])
            elif age < 30:
                status = r.choice([Conference.Status.SUBMITTED, Conference.Status.APPROVED])
            else:
                status = Conference.Status.APPROVED
            held = status not in (Conference.Status.PLANNED, Conference.Status.CANCELLED)
            support_meeting = conference["legal_type"] == LegalType.SUPPORT_MEETING
            conferences.add(
                id=conference["id"],
                meeting_type_id=conference["type"].id,
                title=f"{conference['type'].name}（{day.month}月）",
                starts_at=conference["starts_at"],
                ends_at=conference["starts_at"] + datetime.timedelta(minutes=90),
                place=r.choice(["市役所 会議室", "総合センター 会議室", "社会福祉協議会 会議室"]),
                online=r.random() < 0.15,
                convening_hub_id=conference["convening"],
                chair_id=self._manager(conference["convening"]),
                status=status,
                notes="",
                created_by_id=self._user(conference["convening"]),
                created_at=self._past(conference["starts_at"] - datetime.timedelta(days=14)),
                updated_at=self._past(conference["starts_at"]),
            )
            for hub in conference["hubs"]:
                conference_hubs.add(
                    conference_id=conference["id"], hub_id=hub, present=True if held else None
                )
                user = self._user(hub)
                attendees.add(
                    conference_id=conference["id"],
                    hub_id=hub,
                    user_id=user,
                    present=True if held else None,
                    confidentiality_acknowledged_at=conference["starts_at"]
                    if held and support_meeting
                    else None,
                )
            if r.random() < 0.4:
                name, affiliation = r.choice(texts.NAMED_ATTENDEES)
                attendees.add(
                    conference_id=conference["id"],
                    name=name,
                    affiliation=affiliation,
                    present=True if held else None,
                    confidentiality_acknowledged_at=conference["starts_at"]
                    if held and support_meeting
                    else None,
                )
            content_cases = []
            for order, entry in enumerate(conference["items"]):
                case = entry["case"]
                item_id = items.add(
                    conference_id=conference["id"],
                    case_id=case.id,
                    order=order,
                    planned_minutes=r.choice([15, 20, 30]),
                    summary=r.choice(texts.CONFERENCE_SUMMARIES) if held else "",
                    decisions=entry.get("decisions", []) if held else [],
                    endorsed_plan_id=entry.get("endorsed_plan"),
                    next_review_on=entry.get("next_review_on"),
                )
                if conference["type"].needs_consent and case.consent:
                    item_consents.add(agendaitem_id=item_id, consent_id=case.consent["id"])
                    if held:
                        for hub in conference["hubs"]:
                            self._join(case, hub, day, f"{conference['type'].name}に出席")
                content_actions = []
                if held:
                    for _ in range(r.choice([0, 1, 1, 2])):
                        owner = r.choice(conference["hubs"])
                        due = day + datetime.timedelta(days=r.randint(14, 60))
                        done = due if due < self.today and r.random() < 0.75 else None
                        text = r.choice(texts.ACTIONS)
                        actions.add(
                            agenda_item_id=item_id,
                            text=text,
                            owner_hub_id=owner,
                            due_on=due,
                            done_on=done,
                            done_by_id=self._user(owner) if done else None,
                            created_at=conference["starts_at"],
                        )
                        self._join(case, owner, day, "会議で役割")
                        content_actions.append(
                            {
                                "text": text,
                                "owner_hub": self.hubs[owner].name,
                                "owner_person": "",
                                "due_on": due.isoformat(),
                            }
                        )
                content_cases.append(
                    {
                        "case": case.number,
                        "summary": "",
                        "decisions": [],
                        "endorsed_plan": "",
                        "next_review_on": "",
                        "actions": content_actions,
                    }
                )
            if status == Conference.Status.APPROVED:
                minutes.add(
                    conference_id=conference["id"],
                    number=1,
                    content={
                        "meeting_type": conference["type"].name,
                        "starts_at": conference["starts_at"].isoformat(),
                        "hubs": [
                            {"name": self.hubs[h].name, "present": True} for h in conference["hubs"]
                        ],
                        "cases": content_cases,
                    },
                    approved_by_id=self._manager(conference["convening"]),
                    approved_at=self._past(conference["starts_at"] + datetime.timedelta(days=10)),
                )
        self.conferences = []

    # Consents and participating hubs ---------------------------------------------------------

    def _write_case_links(self):
        consents = self._table(Consent)
        consent_hubs = self._table(Consent.hubs.through, explicit_ids=False)
        for consent in self.consents:
            consents.add(
                id=consent["id"],
                person_id=consent["person"],
                kind=Consent.Kind.SHARE_WITH_AGENCIES,
                obtained_on=consent["on"],
                method=consent["method"],
                recorded_by_id=consent["by"],
                recorded_at=self._at(consent["on"]),
                withdrawn_on=consent["withdrawn"],
                withdrawal_note="本人の申出により撤回" if consent["withdrawn"] else "",
            )
            for hub in sorted(consent["hubs"]):
                consent_hubs.add(consent_id=consent["id"], hub_id=hub)
        case_hubs = self._table(CaseHub)
        for c in self.cases:
            for hub, (day, reason) in sorted(c.hubs.items()):
                if hub != c.lead:
                    case_hubs.add(case_id=c.id, hub_id=hub, joined_on=day, reason=reason[:200])
        self.consents = []

    # Numbering -----------------------------------------------------------------------------

    def _advance_numbering(self):
        """The app numbers new households and cases after the generated ones."""
        for kind, counts in (("household", self.household_numbers), ("case", self.case_numbers)):
            for year, count in counts.items():
                sequence, _created = NumberSequence.objects.get_or_create(kind=kind, year=year)
                if sequence.last < count:
                    sequence.last = count
                    sequence.save(update_fields=["last"])
