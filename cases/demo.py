"""Demo caseload for `seed_demo`: about 30 households with intakes and cases across hubs.

Deterministic (fixed seeds) so that every newcomer sees the same living system. Includes an
8050 household, a double-care household and a young carer.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from hubs.models import Hub
from takatsuki_welfare.models import Code, CodeList

from . import services
from .models import Case, Household, HouseholdFlag, Intake, Person, Stage, StageChange

RANDOM_HOUSEHOLDS = 27


class _Codes:
    def __init__(self):
        self._codes = {(c.code_list, c.code): c for c in Code.objects.all()}

    def __call__(self, code_list, code):
        return self._codes[(code_list, code)]

    def all(self, code_list):
        return [c for (lst, _), c in self._codes.items() if lst == code_list]


class DemoCity:
    def __init__(self, seed=2026):
        self.rng = random.Random(seed)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.today = timezone.localdate()
        self.code = _Codes()
        User = get_user_model()
        self.users = {u.username: u for u in User.objects.filter(memberships__isnull=False)}
        self.hubs = {h.code: h for h in Hub.objects.all()}
        self.districts = list(
            Hub.objects.get(code="desk").areas.model.objects.filter(kind="district")
        )

    # People and households ---------------------------------------------------------------

    def household(self, actor, *, town=None, **extra):
        district = self.rng.choice(self.districts)
        return services.household_create(
            actor=actor,
            postal_code=self.fake.zipcode(),
            town=town or f"{district.name.removesuffix('地区')}町",
            address_rest=f"{self.fake.chome()}{self.fake.ban()}{self.fake.gou()}",
            area=district,
            phone=self.fake.phone_number(),
            housing=self.rng.choice(self.code.all(CodeList.HOUSING)[:4]),
            **extra,
        )

    def person(self, actor, household, *, family=None, age, sex, relationship, **extra):
        family = family or self.fake.last_name_pair()
        given = (
            self.fake.first_name_female_pair()
            if sex == "female"
            else self.fake.first_name_male_pair()
        )
        birth = self.today - datetime.timedelta(days=int(age * 365.25) + self.rng.randint(0, 300))
        return services.person_create(
            actor=actor,
            household=household,
            family_name=family[0],
            given_name=given[0],
            family_name_kana=family[1],
            given_name_kana=given[1],
            birth_date=birth,
            sex=sex,
            phone=self.fake.phone_number() if age >= 18 and self.rng.random() < 0.6 else "",
            relationship=self.code(CodeList.RELATIONSHIP, relationship),
            **extra,
        )

    def flag(self, actor, household, kind, persons, basis, days_ago=30):
        flag = HouseholdFlag.objects.create(
            household=household,
            kind=self.code(CodeList.COMPLEX_NEED, kind),
            judged_on=self.today - datetime.timedelta(days=days_ago),
            judged_by=actor,
            basis=basis,
        )
        flag.persons.set(persons)

    # Intakes and cases ---------------------------------------------------------------------

    def intake_and_case(self, actor, household, persons, *, concerns, fields, stage, narrative,
                        days_ago, route="family", channel="visit_desk", multi_agency=False,
                        participants=(), projects=("comprehensive",), contact_days_ago=None):  # fmt: skip
        concern_codes = [self.code(CodeList.CONCERN, c) for c in concerns]
        field_codes = [self.code(CodeList.FIELD, f) for f in fields]
        intake = services.intake_record(
            actor=actor,
            persons=persons,
            household=household,
            concerns=concern_codes,
            main_concern=concern_codes[0],
            fields=field_codes,
            outcome=Intake.Outcome.NEW_CASE,
            channel=self.code(CodeList.CHANNEL, channel),
            route=self.code(CodeList.ROUTE, route),
            urgency=Intake.Urgency.NORMAL,
            narrative=narrative,
            consent_status=Intake.ConsentStatus.GIVEN,
            open_case={
                "household": household,
                "persons": persons,
                "primary": persons[0],
                "fields": field_codes,
                "concerns": concern_codes,
                "projects": [self.code(CodeList.PROJECT, p) for p in projects],
                "multi_agency": multi_agency,
                "reason": "相談受付から新規ケースとして開始",
            },
        )
        case = intake.case
        consent = services.consent_record(
            actor=actor,
            person=persons[0],
            kind="share",
            hubs=[case.lead_hub, *participants],
            obtained_on=self.today - datetime.timedelta(days=days_ago),
            method="signature",
        )
        opened = self.today - datetime.timedelta(days=days_ago)
        Intake.objects.filter(pk=intake.pk).update(
            consent=consent,
            received_at=timezone.now() - datetime.timedelta(days=days_ago, hours=3),
        )
        for hub in participants:
            services.case_add_hub(case=case, hub=hub, reason="つなぎ（デモ）")
        self._walk_to(case, actor, stage, opened)
        contact = None
        if contact_days_ago is not None:
            contact = self.today - datetime.timedelta(days=contact_days_ago)
        case.refresh_from_db()
        case.opened_on, case.last_contact_on = opened, contact
        case.save(update_fields=["opened_on", "last_contact_on"])
        return case

    def _walk_to(self, case, actor, stage, opened):
        path = [Stage.ASSESSMENT, Stage.PLANNING, Stage.SUPPORT, Stage.MONITORING]
        targets = path[: path.index(stage) + 1] if stage in path else [Stage.ASSESSMENT, stage]
        if stage == Stage.INTAKE:
            targets = []
        for step, target in enumerate(targets, start=1):
            case.refresh_from_db()
            change = services.case_change_stage(
                actor=actor,
                case=case,
                to_stage=target,
                reason="支援の進捗に応じて段階を更新",
                expected_version=case.version,
            )
            when = timezone.make_aware(
                datetime.datetime.combine(
                    opened + datetime.timedelta(days=7 * step), datetime.time(10)
                )
            )
            StageChange.objects.filter(pk=change.pk).update(changed_at=min(when, timezone.now()))

    # The city ------------------------------------------------------------------------------

    def build(self):
        u, h = self.users, self.hubs
        # 8050: an 82-year-old mother and her withdrawn son of 52.
        home = self.household(u["houkatsu_staff"], town="芥川町")
        mother = self.person(u["houkatsu_staff"], home, family=("大野", "オオノ", "Ono"), age=82,
                             sex="female", relationship="self")  # fmt: skip
        son = self.person(u["houkatsu_staff"], home, family=("大野", "オオノ", "Ono"), age=52,
                          sex="male", relationship="child")  # fmt: skip
        self.flag(u["houkatsu_staff"], home, "8050", [mother, son],
                  "母82歳・長男52歳。長男は20年以上就労せず、母の年金で生活。", 40)  # fmt: skip
        self.flag(u["houkatsu_staff"], home, "hikikomori", [son],
                  "長男は外出がほぼなく、半年以上自室中心の生活。", 40)  # fmt: skip
        self.intake_and_case(
            u["houkatsu_staff"], home, [mother, son],
            concerns=["care", "withdrawal", "income"], fields=["elderly", "cross"],
            stage=Stage.SUPPORT, days_ago=60, route="minsei", multi_agency=True,
            participants=[h["shakyo"], h["desk"]], projects=["comprehensive", "multiagency", "outreach"],
            narrative="民生委員より。母の物忘れが進み、同居の長男は長年ひきこもり。家計は母の年金のみ。",
            contact_days_ago=12,
        )  # fmt: skip
        # Double care: a mother of 42 with a toddler and her own mother with dementia.
        home = self.household(u["desk_staff"])
        carer = self.person(u["desk_staff"], home, age=42, sex="female", relationship="self")
        child = self.person(u["desk_staff"], home, age=2, sex="male", relationship="child")
        grandmother = self.person(
            u["desk_staff"], home, age=76, sex="female", relationship="parent"
        )
        self.flag(u["desk_staff"], home, "double_care", [carer, child, grandmother],
                  "2歳の子の育児と認知症の母の介護を同時に担っている。", 20)  # fmt: skip
        self.intake_and_case(
            u["desk_staff"], home, [carer, child, grandmother],
            concerns=["care", "childrearing", "health"], fields=["elderly", "children"],
            stage=Stage.PLANNING, days_ago=25, route="self", multi_agency=True,
            participants=[h["kangaroo"], h["houkatsu-01"]], projects=["comprehensive", "multiagency"],
            narrative="本人来所。育児と母の介護で休めず、仕事も辞めた。眠れない日が続いている。",
            contact_days_ago=5,
        )  # fmt: skip
        # Young carer: a 15-year-old caring for a mother with a mental illness.
        home = self.household(u["disability_staff"])
        mother2 = self.person(u["disability_staff"], home, age=45, sex="female",
                              relationship="parent")  # fmt: skip
        carer2 = self.person(u["disability_staff"], home, age=15, sex="female", relationship="self")
        self.flag(u["disability_staff"], home, "young_carer", [carer2],
                  "中学3年生。母の通院付き添いと家事を担い、欠席が増えている（学校より）。", 10)  # fmt: skip
        self.intake_and_case(
            u["disability_staff"], home, [carer2, mother2],
            concerns=["family_relations", "withdrawal", "health"], fields=["disability", "children"],
            stage=Stage.ASSESSMENT, days_ago=14, route="school", channel="phone",
            participants=[h["shakyo"]], projects=["comprehensive"],
            narrative="学校から電話。生徒が母の世話で欠席がち。本人は困っていると言わない。",
            contact_days_ago=None,
        )  # fmt: skip
        self._random_households()
        self._corner_intakes()

    def _random_households(self):
        leads = ["desk_staff", "houkatsu_staff", "csw", "disability_staff"]
        field_of = {"desk_staff": "poverty", "houkatsu_staff": "elderly", "csw": "cross",
                    "disability_staff": "disability"}  # fmt: skip
        stages = [Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.SUPPORT, Stage.SUPPORT,
                  Stage.MONITORING, Stage.WATCHING, Stage.SUSPENDED]  # fmt: skip
        concerns = ["health", "housing", "income", "rent_loan", "tax_utilities", "debt",
                    "job_search", "community_relations", "family_relations", "care", "food"]  # fmt: skip
        participants = ["kangaroo", "child-health", "houkatsu-02", "houkatsu-05", "shakyo", "desk"]
        for i in range(RANDOM_HOUSEHOLDS):
            username = leads[i % len(leads)]
            actor = self.users[username]
            home = self.household(actor)
            size = self.rng.choice([1, 1, 2, 2, 3, 4])
            family = self.fake.last_name_pair()
            people = [
                self.person(actor, home, family=family, age=self.rng.randint(20, 90),
                            sex=self.rng.choice(["male", "female"]), relationship="self")
            ]  # fmt: skip
            for _ in range(size - 1):
                people.append(
                    self.person(actor, home, family=family, age=self.rng.randint(1, 85),
                                sex=self.rng.choice(["male", "female"]),
                                relationship=self.rng.choice(["spouse", "child", "parent"]))
                )  # fmt: skip
            picked = self.rng.sample(concerns, self.rng.randint(1, 3))
            others = [h for h in participants if h != actor.memberships.get().hub.code]
            self.intake_and_case(
                actor, home, people[:2],
                concerns=picked, fields=[field_of[username]],
                stage=self.rng.choice(stages), days_ago=self.rng.randint(3, 400),
                route=self.rng.choice(["self", "family", "neighbour", "minsei", "medical"]),
                channel=self.rng.choice(["visit_desk", "phone", "outreach"]),
                multi_agency=self.rng.random() < 0.2,
                participants=[self.hubs[c] for c in self.rng.sample(others, self.rng.randint(0, 1))],
                narrative=self.fake.text(max_nb_chars=120),
                contact_days_ago=self.rng.choice([None, 2, 10, 25, 45, 90]),
            )  # fmt: skip

    def _corner_intakes(self):
        volunteer, desk_staff = self.users["volunteer"], self.users["desk_staff"]
        concerns = [self.code(CodeList.CONCERN, "community_relations")]
        worries = [
            ("近所の一人暮らしの高齢男性", "新聞がたまっている。最近姿を見かけない。"),
            ("向かいのお宅の中学生", "平日の昼間も家にいて、祖母の介護をしているようだ。"),
            ("自治会の高齢夫婦", "ごみ出しができず、家の周りにごみがたまっている。"),
        ]
        intakes = []
        for subject, narrative in worries:
            intakes.append(
                services.intake_record(
                    actor=volunteer,
                    handed_to=self.hubs["desk"],
                    concerns=concerns,
                    main_concern=concerns[0],
                    consulter_name="まちかど相談員",
                    subject_description=subject,
                    narrative=narrative,
                    contact_hint="まちかど相談の開設日に会えます",
                    consent_status=Intake.ConsentStatus.UNKNOWN,
                )
            )
        services.intake_take_up(actor=desk_staff, intake=intakes[0])
        services.intake_take_up(actor=desk_staff, intake=intakes[1])
        case = Case.objects.filter(lead_hub=self.hubs["desk"]).order_by("id").first()
        services.intake_connect(actor=desk_staff, intake=intakes[1], case=case)


def seed_cases():
    """Create the demo caseload unless households already exist; returns what was created."""
    if Household.objects.exists():
        return 0
    DemoCity().build()
    return Household.objects.count(), Case.objects.count(), Person.objects.count()
