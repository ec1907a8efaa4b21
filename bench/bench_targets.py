"""What bench/run measures, chosen from the database it runs against (in-process Django).

Users of several roles are signed in by writing their sessions server-side, exactly as a login
would leave them (auth keys, the acting membership, the sign-in time): no password is posted.
Each page's URL is built from real rows: the case whose timeline is closest to 200 entries, the
household with the most cases, the commonest two-kanji family name, and so on. Each target is
then requested once in-process with Django's test Client to check it answers as expected and
to count its SQL queries.
"""

import html
import re
import statistics
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from importlib import import_module
from urllib.parse import urlencode

import jaconv

TIMELINE_GOAL = 200  # the "case with 200 timeline entries"
WORKING_STAGES = ["assessment", "planning", "support", "monitoring"]
NEXT_LINK = re.compile(r'<a href="([^"]*)" rel="next"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Target:
    name: str
    label: str
    path: str
    kind: str  # ceiling | page | search | post | report
    ceiling: str = "table"  # the ceiling its ratio is taken against: hello or table
    role: str = ""
    hub: str = ""
    method: str = "GET"
    expect: int = 200
    htmx: bool = False
    # Session keys of one user (a pool, so concurrent requests use different sessions); none for
    # the ceilings, which then need no session lookup.
    sessions: list = field(default_factory=list)
    form: dict = field(default_factory=dict)  # POST fields (the CSRF token is added later)
    body: str = ""
    note: str = ""
    queries: int | None = None
    in_process_ms: float | None = None

    def public(self):
        data = asdict(self)
        for private in ("sessions", "form", "body"):
            data.pop(private)
        return data

    @property
    def session(self):
        return self.sessions[0] if self.sessions else ""


class Picker:
    """Finds the users and rows the targets need; creates a bench user only where none exists."""

    def __init__(self, log, pool):
        from django.contrib.auth import get_user_model

        from hubs.models import Hub, Membership

        self.log = log
        self.pool = pool
        self.User = get_user_model()
        self.Hub = Hub
        self.Membership = Membership
        self._sessions = {}

    def member(self, hub, role):
        """An active member of ``hub`` in ``role`` (an existing one if there is any)."""
        from django.contrib.auth.hashers import make_password

        membership = (
            self.Membership.objects.active()
            .filter(hub=hub, role=role)
            .select_related("user", "hub__kind")
            .order_by("id")
            .first()
        )
        if membership is None:
            user, _ = self.User.objects.get_or_create(
                username=f"bench-{role}-{hub.code}"[:150],
                defaults={
                    "last_name": "ベンチ",
                    "first_name": role,
                    "password": make_password(None),
                },
            )
            membership, _ = self.Membership.objects.get_or_create(
                user=user, hub=hub, role=role, defaults={"active": True}
            )
            self.log(f"  created bench user {user.username} ({role} at {hub.name})")
        return membership

    def sessions(self, membership):
        """Signed-in sessions acting as ``membership``; their keys are the session cookies."""
        from django.conf import settings
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

        from hubs import acting
        from takatsuki_welfare.middleware import SIGNED_IN_AT

        if membership.pk in self._sessions:
            return self._sessions[membership.pk]
        user = membership.user
        keys = []
        for _ in range(self.pool):
            store = import_module(settings.SESSION_ENGINE).SessionStore()
            store[SESSION_KEY] = user._meta.pk.value_to_string(user)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store[acting.SESSION_KEY] = membership.pk
            store[SIGNED_IN_AT] = int(time.time())
            store.create()
            keys.append(store.session_key)
        self._sessions[membership.pk] = keys
        return keys

    def hub(self, **lookup):
        return self.Hub.objects.filter(active=True, **lookup).select_related("kind").first()


def _is_kanji(text):
    return all(unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH") for ch in text)


def _is_kana(text):
    return all("\u3041" <= ch <= "\u30ff" for ch in text)


def _commonest(values, accept, limit=2000):
    from django.db.models import Count

    from cases.models import Person

    rows = (
        Person.objects.exclude(**{values: ""})
        .values_list(values)
        .annotate(n=Count("id"))
        .order_by("-n", values)[:limit]
    )
    for value, count in rows:
        if accept(value):
            return value, count
    return None, 0


def _timeline_case():
    """The case whose timeline is closest to TIMELINE_GOAL entries (records dominate it)."""
    from django.db.models import Count, F, Func

    from cases.models import AccompanimentRecord, Case

    row = (
        AccompanimentRecord.objects.values("case")
        .annotate(n=Count("id"))
        .annotate(distance=Func(F("n") - TIMELINE_GOAL, function="ABS"))
        .order_by("distance", "-case")
        .first()
    )
    queryset = Case.objects.select_related("lead_hub", "household")
    if row is None:
        return queryset.order_by("-id").first()
    return queryset.get(pk=row["case"])


def _timeline_size(case):
    from cases.models import AccompanimentRecord, Intake, OutreachAttempt, StageChange
    from referrals.models import ReferralEvent

    return sum(
        model.objects.filter(**{lookup: case}).count()
        for model, lookup in [
            (AccompanimentRecord, "case"),
            (Intake, "case"),
            (OutreachAttempt, "case"),
            (StageChange, "case"),
            (ReferralEvent, "referral__case"),
        ]
    )


def build_targets(log, pool=16):
    """The targets, with sessions created and URLs filled in from the database."""
    from django.db.models import Count

    from cases.models import AgendaItem, Case
    from hubs.models import Role
    from referrals.models import OPEN, Referral

    pick = Picker(log, pool)
    targets = [
        Target("hello", "hello-world (ceiling)", "/bench/hello/", "ceiling", ceiling="hello"),
        Target("table", "50-row case table, no DB (ceiling)", "/bench/case-table/", "ceiling"),
    ]

    def add(name, label, path, kind, membership, **extra):
        targets.append(
            Target(
                name,
                label,
                path,
                kind,
                role=membership.role,
                hub=membership.hub.name,
                sessions=pick.sessions(membership),
                **extra,
            )
        )

    houkatsu = (
        pick.Hub.objects.filter(active=True, code__startswith="houkatsu")
        .annotate(n=Count("led_cases"))
        .order_by("-n", "code")
        .first()
    ) or pick.hub(kind__code="basic")
    if houkatsu is None:
        raise SystemExit("No hub found: load the network and generate data first.")
    staff = pick.member(houkatsu, Role.STAFF)
    manager = pick.member(houkatsu, Role.MANAGER)

    stages = "&".join(f"stage={s}" for s in WORKING_STAGES)
    add("case_list", "case list, working stages, page 1", f"/cases/?{stages}", "page", staff)
    add("case_list_deep", "case list, deep page", f"/cases/?{stages}", "page", staff)

    case = _timeline_case()
    if case is not None:
        lead = pick.member(case.lead_hub, Role.STAFF)
        size = _timeline_size(case)
        note = f"{case.number}: {size} timeline entries"
        add("case_detail", "case detail", f"/cases/{case.number}/", "page", lead, note=note)
        add(
            "case_timeline",
            "case timeline, first page",
            f"/cases/{case.number}/timeline/",
            "page",
            lead,
            note=note,
        )
    busiest = (
        Case.objects.values("household").annotate(n=Count("id")).order_by("-n", "household").first()
    )
    if busiest is not None:
        newest = Case.objects.filter(household=busiest["household"]).select_related("lead_hub")
        newest = newest.order_by("-opened_on", "-id").first()
        add(
            "household",
            "household page",
            f"/households/{busiest['household']}/",
            "page",
            pick.member(newest.lead_hub, Role.STAFF),
            note=f"{busiest['n']} cases",
        )

    csw_hub = pick.hub(code="shakyo") or houkatsu
    csw = pick.member(csw_hub, Role.CSW)
    kanji, kanji_n = _commonest("family_name", lambda v: len(v) == 2 and _is_kanji(v))
    if kanji:
        add(
            "search_kanji",
            "person search, 2-kanji family name",
            f"/persons/search/?{urlencode({'q': kanji})}",
            "search",
            csw,
            ceiling="hello",
            htmx=True,
            note=f"q={kanji} ({kanji_n} persons)",
        )
    kana, kana_n = _commonest("family_name_kana", lambda v: len(v) >= 4 and _is_kana(v))
    if kana:
        prefix = jaconv.kata2hira(kana[:3])  # typed in hiragana; the search key folds kana
        add(
            "search_kana",
            "person search, kana prefix",
            f"/persons/search/?{urlencode({'q': prefix})}",
            "search",
            csw,
            ceiling="hello",
            htmx=True,
            note=f"q={prefix} (prefix of {kana}, {kana_n} persons)",
        )

    inbox_row = (
        Referral.objects.filter(status__in=OPEN)
        .values("to_hub")
        .annotate(n=Count("id"))
        .order_by("-n", "to_hub")
        .first()
    )
    inbox_hub = pick.Hub.objects.get(pk=inbox_row["to_hub"]) if inbox_row else houkatsu
    add(
        "inbox",
        "referral hub inbox",
        "/referrals/",
        "page",
        pick.member(inbox_hub, Role.STAFF),
        note=f"{inbox_row['n'] if inbox_row else 0} open referrals",
    )

    coordinator = (
        pick.Membership.objects.active()
        .filter(role=Role.COORDINATOR)
        .select_related("user", "hub__kind")
        .order_by("id")
        .first()
    ) or pick.member(pick.hub(code="desk") or houkatsu, Role.COORDINATOR)
    add("coordination", "coordination view", "/referrals/coordination/", "page", coordinator)
    add("dashboard_staff", "dashboard (staff)", "/", "page", staff)
    add("dashboard_manager", "dashboard (manager)", "/", "page", manager)

    item_row = (
        AgendaItem.objects.exclude(conference__status="cancelled")
        .values("conference")
        .annotate(n=Count("id"))
        .order_by("-n", "-conference")
        .first()
    )
    if item_row is not None:
        item = (
            AgendaItem.objects.filter(conference=item_row["conference"])
            .select_related("conference__convening_hub")
            .order_by("id")
            .first()
        )
        add(
            "meeting_item",
            "conference agenda screen",
            f"/conferences/agenda/{item.pk}/",
            "page",
            pick.member(item.conference.convening_hub, Role.MANAGER),
            note=f"{item_row['n']} agenda items",
        )

    add(
        "intake_post",
        "intake POST (info only)",
        "/intakes/new/",
        "post",
        staff,
        ceiling="hello",
        method="POST",
        expect=302,
        form=_intake_form(),
    )
    return targets


def _intake_form():
    """The smallest valid staff intake: an unidentified person, one concern, information only."""
    import datetime

    from django.utils import timezone

    from takatsuki_welfare.models import Code, CodeList

    concern = Code.objects.of(CodeList.CONCERN).order_by("order", "id").first()
    received = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "subject": "unidentified",
        "subject_description": "近所の高齢の男性（ベンチマーク）",
        "concerns": str(concern.pk),
        "main_concern": str(concern.pk),
        "urgency": "normal",
        "narrative": "最近姿を見かけないと近所の方から相談。",
        "consent_status": "unknown",
        "outcome": "info_only",
    }


def _client(session_key):
    from django.conf import settings
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def _request(target, path=None):
    client = _client(target.session)
    headers = {"HX-Request": "true"} if target.htmx else {}
    if target.method == "POST":
        return client.post(path or target.path, target.form, headers=headers)
    return client.get(path or target.path, headers=headers)


def follow_next(target, hops, log):
    """Walk the list's "next" links ``hops`` times (works for OFFSET and keyset pagination)."""
    path = target.path
    base = path.split("?")[0]
    walked = 0
    for _ in range(hops):
        response = _request(target, path)
        match = NEXT_LINK.search(response.content.decode())
        if match is None:
            break
        href = html.unescape(match.group(1))
        path = base + href if href.startswith("?") else href
        walked += 1
    target.path = path
    target.note = f"{walked} pages in"
    if walked < hops:
        log(f"  {target.name}: only {walked} next links to follow (fewer rows than {hops} pages)")


def count_queries(targets, log):
    """Request each target once in-process: check its status and count its SQL queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for target in targets:
        if target.kind == "report":
            continue
        _request(target)  # warm caches (templates, translations) before counting
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = _request(target)
            target.in_process_ms = (time.perf_counter() - started) * 1000
        target.queries = len(queries)
        if response.status_code != target.expect:
            raise SystemExit(
                f"{target.name}: {target.method} {target.path} answered "
                f"{response.status_code}, expected {target.expect} (as {target.role or 'anon'})"
            )
        log(f"  {target.name:18} {target.queries:3} queries  {target.in_process_ms:7.1f} ms")


def report_target(log, repeat=5):
    """A year's referral figures (referrals/reports.py). No page shows them yet, so they are
    timed in-process rather than over HTTP."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from referrals.reports import referral_figures

    year = timezone.localdate().year - 1
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            referral_figures(start=start, end=end)
            timings.append((time.perf_counter() - started) * 1000)
    target = Target(
        "report_year",
        f"referral figures {year} (in-process)",
        f"referrals.reports.referral_figures({year})",
        "report",
        queries=len(queries),
        in_process_ms=statistics.median(timings),
        note="no page shows reports: median of in-process calls",
    )
    log(f"  {target.name:18} {target.queries:3} queries  {target.in_process_ms:7.1f} ms")
    return target


def csrf_for(base_url, target):
    """A CSRF cookie and form token issued by the running server to this session."""
    import urllib.request
    from http.cookies import SimpleCookie

    from django.conf import settings

    request = urllib.request.Request(  # noqa: S310 (a loopback http URL built here)
        base_url + target.path,
        headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={target.session}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        page = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
    token = CSRF_INPUT.search(page)
    if token is None or settings.CSRF_COOKIE_NAME not in cookies:
        raise SystemExit(f"{target.path} gave no CSRF token: is the intake form still there?")
    return cookies[settings.CSRF_COOKIE_NAME].value, token.group(1)


def database_summary():
    """Row counts of the big tables, so a result says what data it was measured on."""
    from cases.models import AccompanimentRecord, Case, Household, Intake, Person
    from referrals.models import Referral

    models = [Household, Person, Intake, Case, Referral, AccompanimentRecord]
    return {model._meta.db_table: model.objects.count() for model in models}
