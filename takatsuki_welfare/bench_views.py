"""Ceilings for the benchmark (bench/run): what this server does with no database at all.

Mounted under /bench/ only when settings.BENCH_ENDPOINTS is on (bench/bench.env turns it on;
it is off everywhere else). Both views are open without signing in, so the request carries no
session cookie and no middleware touches the database:

- ``hello``: the smallest response through the whole middleware stack.
- ``case_table``: the case list page (cases/case_list.html, its filter form, base.html and the
  navigation of a signed-in 地域包括 staff member) rendered with 50 rows built in memory. It is
  the best the real case list could do; the benchmark reports each page against it.
"""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from cases.filters import CaseFilter
from cases.models import Case, CasePerson, Household, Person, Stage
from hubs.models import Area, Hub, Membership, Role
from takatsuki_welfare.models import Code, CodeList

app_name = "bench"

ROWS = 50
# Choice lists of the filter form, sized like the seeded code lists and the Takatsuki network.
CHOICE_COUNTS = {"field": 5, "concern": 16, "flag": 12, "lead_hub": 41, "main_worker": 10}
FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
FAMILY_KANA = ["やまだ", "さとう", "すずき", "たかはし", "たなか", "いとう", "わたなべ"]
GIVEN = ["花子", "太郎", "一郎", "洋子", "健太", "美咲", "翔太", "和子"]
GIVEN_KANA = ["はなこ", "たろう", "いちろう", "ようこ", "けんた", "みさき", "しょうた"]
TOWNS = ["芥川町", "城北町", "富田町", "大冠町", "真上町", "津之江町", "南平台", "日吉台"]
STAGES = [s for s in Stage.values if s != Stage.CLOSED]


@login_not_required
def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def _code(pk, code_list, label):
    return Code(pk=pk, code_list=code_list, code=f"c{pk}", label=label, order=pk)


def _rows(hub, worker):
    """Fifty cases as the case list's query would return them (related rows already joined)."""
    today = timezone.localdate()
    area = Area(pk=1, code="district-01", name="芥川地区", kind=Area.Kind.DISTRICT)
    fields = [_code(i, CodeList.FIELD, f"分野{i}") for i in range(1, 6)]
    rows = []
    for i in range(ROWS):
        household = Household(
            pk=1000 + i,
            number=f"H2024-{i:05d}",
            town=TOWNS[i % len(TOWNS)],
            address_rest=f"{i % 9 + 1}丁目{i % 20 + 1}番{i % 30 + 1}号",
            area=area,
        )
        person = Person(
            pk=2000 + i,
            family_name=FAMILY[i % len(FAMILY)],
            given_name=GIVEN[i % len(GIVEN)],
            family_name_kana=FAMILY_KANA[i % len(FAMILY_KANA)],
            given_name_kana=GIVEN_KANA[i % len(GIVEN_KANA)],
            birth_date=datetime.date(1940 + i % 60, i % 12 + 1, i % 28 + 1),
        )
        case = Case(
            pk=3000 + i,
            number=f"C2024-{i:05d}",
            household=household,
            stage=STAGES[i % len(STAGES)],
            lead_hub=hub,
            main_worker=worker,
            multi_agency=i % 4 == 0,
            opened_on=today - datetime.timedelta(days=3 * i),
            last_contact_on=today - datetime.timedelta(days=5 * i) if i % 7 else None,
        )
        case.contact_due_on = case.compute_contact_due()
        case.primary_links = [CasePerson(case=case, person=person, is_primary=True)]
        chosen = Code.objects.none()
        chosen._result_cache = fields[i % 3 : i % 3 + 1 + i % 2]
        chosen._prefetch_done = True
        case._prefetched_objects_cache = {"fields": chosen}
        rows.append(case)
    return rows


def _in_memory_choices(form):
    """Give the filter form's database-backed choice lists fixed in-memory choices instead."""
    for name, size in CHOICE_COUNTS.items():
        field = form.fields[name]
        # The widget renders these; the field's queryset is never evaluated.
        field.widget.choices = [("", field.empty_label)] + [
            (i, f"{name} {i}") for i in range(1, size)
        ]


@login_not_required
def case_table(request):
    kind = Code(pk=1, code_list=CodeList.HUB_KIND, code="basic", label="基本型")
    hub = Hub(pk=1, code="houkatsu-01", name="芥川地域包括支援センター", kind=kind)
    worker = get_user_model()(pk=1, username="bench", last_name="高槻", first_name="花子")
    membership = Membership(pk=1, user=worker, hub=hub, role=Role.STAFF, active=True)
    # Render as the signed-in staff member would see it (header, role-aware navigation).
    request.user = worker
    request.membership = membership
    request.all_memberships = [membership]
    worker.acting_membership = membership

    filterset = CaseFilter(None, queryset=Case.objects.none(), request=request)
    _in_memory_choices(filterset.form)
    # Twenty pages' worth of references to the same rows, so the page links render too.
    paginator = Paginator(_rows(hub, worker) * 20, ROWS)
    page = paginator.page(1)
    context = {
        "filter": filterset,
        "object_list": page.object_list,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": True,
        "sort": {
            column: {"url": f"?ordering={column}", "direction": ""}
            for column in ("number", "opened", "stage", "last_contact")
        },
        # The navigation's counters, which the real page reads from the database.
        "unread_notification_count": 0,
        "referral_inbox_count": 0,
    }
    return render(request, "cases/case_list.html", context)


urlpatterns = [
    path("hello/", hello, name="hello"),
    path("case-table/", case_table, name="case_table"),
]
