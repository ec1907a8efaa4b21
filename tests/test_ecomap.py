"""The household ecomap: members genogram-style, the hubs involved and how, through the policy."""

import datetime
import re

import pytest
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse

from cases.ecomap import MAX_HUBS, MAX_INSIDE, build_ecomap
from cases.models import Case, CaseHub, OutreachAttempt, Person, PlanAction, PlanGoal, SupportPlan
from hubs.models import Role
from referrals.models import Status as ReferralStatus
from takatsuki_welfare.access import CaseScope
from takatsuki_welfare.models import CodeList

from .factories import (
    ActionItemFactory,
    AgendaItemFactory,
    CaseFactory,
    ConferenceFactory,
    HubFactory,
    PersonFactory,
    PlanFactory,
    ReferralFactory,
    code,
    meeting_type,
)

pytestmark = pytest.mark.django_db


def ecomap_of(case, user):
    return build_ecomap(CaseScope.get(user, pk=case.pk))


@pytest.fixture
def case(hub):
    primary = PersonFactory(
        household__registered_hub=hub, family_name="山田", given_name="一郎",
        sex=Person.Sex.MALE, birth_date=datetime.date(1972, 6, 1),
        relationship=code(CodeList.RELATIONSHIP, "self"),
    )  # fmt: skip
    return CaseFactory(household=primary.household, lead_hub=hub, primary=primary)


def member(household, **fields):
    return PersonFactory(household=household, **fields)


def by_id(items):
    return {item["id"]: item for item in items}


def hub_kinds(ecomap):
    return {h["id"]: h["kinds"] for h in ecomap["hubs"]}


def inside(point, box):
    x, y = float(point["x"]), float(point["y"])
    left, top = float(box["x"]), float(box["y"])
    return left < x < left + float(box["w"]) and top < y < top + float(box["h"])


def svg(ecomap):
    return render_to_string("cases/ecomap.html", {"ecomap": ecomap})


def group(html, attribute, value):
    """The <g> element of one member or hub in the rendered SVG."""
    match = re.search(rf'<g class="ecomap__\w+" {attribute}="{value}".*?</g>', html, re.S)
    assert match, (attribute, value)
    return match.group(0)


# Members -------------------------------------------------------------------------------


def test_it_draws_the_members_by_sex_with_age_relationship_and_the_primary_double_outline(
    staff, case
):
    household = case.household
    mother = member(
        household, family_name="山田", given_name="ハナ", sex=Person.Sex.FEMALE,
        birth_date=datetime.date(1940, 1, 5), relationship=code(CodeList.RELATIONSHIP, "parent"),
    )  # fmt: skip
    other = member(household, sex=Person.Sex.OTHER, relationship=None, birth_date=None)
    unanswered = member(household, sex=Person.Sex.NOT_ANSWERED)
    primary = case.primary_person

    ecomap = ecomap_of(case, staff)
    members = by_id(ecomap["members"])
    assert {pk: m["shape"] for pk, m in members.items()} == {
        primary.pk: "square",
        mother.pk: "circle",
        other.pk: "diamond",
        unanswered.pk: "diamond",
    }
    assert members[mother.pk]["age"] == mother.age
    assert members[mother.pk]["relationship"] == "親"
    assert members[other.pk]["age"] is None
    assert [pk for pk, m in members.items() if m["primary"]] == [primary.pk]

    html = svg(ecomap)
    primary_svg = group(html, "data-person", primary.pk)
    assert 'data-shape="square"' in primary_svg and 'data-primary="true"' in primary_svg
    assert primary_svg.count("<rect") == 2 and 'data-outline="outer"' in primary_svg
    mother_svg = group(html, "data-person", mother.pk)
    assert mother_svg.count("<circle") == 1 and 'data-outline="outer"' not in mother_svg
    assert f">{mother.age}</text>" in mother_svg and ">親</text>" in mother_svg
    assert group(html, "data-person", other.pk).count("<polygon") == 1


def test_it_puts_co_resident_members_inside_the_household_and_the_others_outside(staff, case):
    household = case.household
    away = member(household, given_name="次郎", co_resident=False)
    home = member(household, given_name="花子", sex=Person.Sex.FEMALE)

    ecomap = ecomap_of(case, staff)
    nodes, box = by_id(ecomap["member_nodes"]), ecomap["household"]
    assert inside(nodes[home.pk], box)
    assert inside(nodes[case.primary_person.pk], box)
    assert not inside(nodes[away.pk], box)
    assert 'data-co-resident="false"' in group(svg(ecomap), "data-person", away.pk)


def test_it_is_drawn_only_for_a_case_the_user_sees(make_member, case, other_hub):
    """The household's persons come through the policy's scope of a visible case."""
    stranger = make_member(Role.STAFF, other_hub)
    assert CaseScope.get(stranger, pk=case.pk) is None


def test_it_caps_the_members_drawn_and_lists_everyone_for_screen_readers(staff, case):
    for _ in range(MAX_INSIDE + 2):
        member(case.household)
    ecomap = ecomap_of(case, staff)
    assert len(ecomap["members"]) == MAX_INSIDE + 3
    assert len(ecomap["member_nodes"]) == MAX_INSIDE
    assert ecomap["household"]["more"] == 3
    html = svg(ecomap)
    assert 'data-testid="ecomap-more-members"' in html and ">+3</text>" in html
    hidden = html[html.index('data-testid="ecomap-text"') :]
    assert all(m["name"] in hidden for m in ecomap["members"])


# Hubs ----------------------------------------------------------------------------------


@pytest.fixture
def network(staff, case):
    """One hub for each kind of involvement."""
    hubs = {
        name: HubFactory(name=label)
        for name, label in [
            ("participant", "障がい者基幹相談支援センター"),
            ("referred", "子ども保健センター"),
            ("plan", "芥川地域包括支援センター"),
            ("meeting", "子育て総合支援センター"),
            ("outreach", "高槻市社会福祉協議会"),
        ]
    }
    hubs["corner"] = HubFactory(
        name="福祉のまちかど相談（芥川）", kind=code(CodeList.HUB_KIND, "community")
    )
    CaseHub.objects.create(case=case, hub=hubs["participant"], reason="障害福祉サービスの調整")
    CaseHub.objects.create(case=case, hub=hubs["corner"], reason="地域での見守り")
    ReferralFactory(case=case, to_hub=hubs["referred"], status=ReferralStatus.ACKNOWLEDGED)
    ReferralFactory(case=case, to_hub=HubFactory(name="辞退した拠点"), status="declined")
    plan = PlanFactory(case=case, status=SupportPlan.Status.ENDORSED)
    goal = PlanGoal.objects.create(plan=plan, text="母の介護負担を減らす")
    PlanAction.objects.create(goal=goal, hub=hubs["plan"], text="介護保険の申請支援")
    meeting = AgendaItemFactory(case=case, conference__convening_hub=hubs["meeting"])
    ActionItemFactory(agenda_item=meeting, owner_hub=hubs["meeting"], text="家庭訪問に同行")
    ActionItemFactory(
        agenda_item=meeting, owner_hub=HubFactory(name="済んだ役割の拠点"),
        done_on=datetime.date(2026, 1, 5),
    )  # fmt: skip
    OutreachAttempt.objects.create(
        case=case, person=case.primary_person, method=OutreachAttempt.Method.VISIT,
        result=OutreachAttempt.Result.ABSENT, recorded_by=staff, acting_hub=hubs["outreach"],
    )  # fmt: skip
    return hubs


def test_it_draws_each_involved_hub_once_with_its_kinds_of_involvement(staff, hub, case, network):
    ecomap = ecomap_of(case, staff)
    assert hub_kinds(ecomap) == {
        hub.pk: ["lead", "referral"],
        network["participant"].pk: ["participant"],
        network["corner"].pk: ["participant"],
        network["referred"].pk: ["referral"],
        network["plan"].pk: ["plan"],
        network["meeting"].pk: ["meeting"],
        network["outreach"].pk: ["outreach"],
    }  # the declined referral and the done action item are not drawn
    assert ecomap["hubs"][0]["id"] == hub.pk  # the lead hub first, at the top of the ring
    details = {h["id"]: h["involvements"] for h in ecomap["hubs"]}
    assert details[network["participant"].pk][0]["details"] == ["障害福祉サービスの調整"]
    assert details[network["plan"].pk][0]["details"] == ["介護保険の申請支援"]
    assert details[network["meeting"].pk][0]["details"][0].startswith("家庭訪問に同行")
    assert details[network["referred"].pk][0]["details"] == [
        f"{hub.name} → 子ども保健センター（{ReferralStatus.ACKNOWLEDGED.label}）"
    ]


def test_it_styles_the_edges_by_involvement_and_draws_community_resources_apart(
    staff, hub, case, network
):
    ecomap = ecomap_of(case, staff)
    nodes = by_id(ecomap["hub_nodes"])
    assert nodes[hub.pk]["style"] == "thick"
    assert nodes[network["referred"].pk]["style"] == "dashed"
    assert nodes[network["plan"].pk]["style"] == "solid"
    assert [pk for pk, n in nodes.items() if n["resource"]] == [network["corner"].pk]

    html = svg(ecomap)
    corner = group(html, "data-hub", network["corner"].pk)
    assert 'data-shape="hexagon"' in corner and 'data-resource="true"' in corner
    assert 'data-shape="rect"' in group(html, "data-hub", network["plan"].pk)
    assert re.search(rf'<line [^>]*data-hub="{hub.pk}" data-style="thick"', html)
    assert re.search(r'stroke-dasharray="10 7"[^>]*data-style="dashed"', html)
    for name in ("子ども保健センター", "高槻市社会福祉協議会", "福祉のまちかど相談（芥川）"):
        assert name in html
    assert "辞退した拠点" not in html and "済んだ役割の拠点" not in html


def test_it_places_the_hubs_on_a_ring_around_the_household_deterministically(staff, case, network):
    first, again = ecomap_of(case, staff), ecomap_of(case, staff)
    assert first == again
    box = first["household"]
    centre = (float(box["cx"]), float(box["cy"]))
    for node in first["hub_nodes"]:
        assert not inside(node, box)
        distance = (float(node["x"]) - centre[0]) ** 2 + (float(node["y"]) - centre[1]) ** 2
        assert distance**0.5 > float(box["h"]) / 2
        assert 0 < float(node["x"]) < first["width"] and 0 < float(node["y"]) < first["height"]


def test_a_hub_only_a_support_meeting_involves_is_not_drawn_for_non_attendees(
    make_member, staff, case, other_hub
):
    """An action item of a 支援会議 betrays the meeting: only its attendees see its owner hub."""
    secret_owner = HubFactory(name="秘密の役割の拠点")
    CaseHub.objects.create(case=case, hub=other_hub)
    meeting = AgendaItemFactory(
        case=case,
        conference=ConferenceFactory(meeting_type=meeting_type("shien"), convening_hub=other_hub),
    )
    ActionItemFactory(agenda_item=meeting, owner_hub=secret_owner)

    assert secret_owner.pk not in hub_kinds(ecomap_of(case, staff))
    attendee = make_member(Role.STAFF, other_hub)
    assert hub_kinds(ecomap_of(case, attendee))[secret_owner.pk] == ["meeting"]


def test_it_caps_the_hubs_drawn_with_a_more_node(staff, case):
    for index in range(MAX_HUBS + 2):
        CaseHub.objects.create(case=case, hub=HubFactory(name=f"参加拠点{index:02d}"))
    ecomap = ecomap_of(case, staff)
    assert len(ecomap["hubs"]) == MAX_HUBS + 3  # with the lead hub
    assert len(ecomap["hub_nodes"]) == MAX_HUBS
    assert ecomap["hub_nodes"][-1]["more"] == 4
    html = svg(ecomap)
    assert 'data-testid="ecomap-more-hubs"' in html
    hidden = html[html.index('data-testid="ecomap-text"') :]
    assert all(h["name"] in hidden for h in ecomap["hubs"])


def test_it_renders_an_accessible_svg_with_a_legend_and_a_text_version(staff, case, network):
    html = svg(ecomap_of(case, staff))
    ecomap_id = f"ecomap-{case.pk}"
    assert f'role="img" aria-labelledby="{ecomap_id}-title {ecomap_id}-desc"' in html
    assert f'<title id="{ecomap_id}-title">' in html and f'<desc id="{ecomap_id}-desc">' in html
    assert 'class="ecomap__legend"' in html
    assert not re.search(r"\sstyle=", html)  # CSP: no inline styles
    hidden = html[html.index('data-testid="ecomap-text"') :]
    assert "障害福祉サービスの調整" in hidden and "介護保険の申請支援" in hidden


def test_the_case_page_shows_the_ecomap(client_as, staff, case, network):
    html = client_as(staff).get(reverse("cases:case_detail", args=[case.number])).content.decode()
    assert 'data-testid="ecomap"' in html
    assert f'data-hub="{network["corner"].pk}"' in html
    assert "css/ecomap.css" in html


def test_its_query_count_does_not_grow_with_members_or_hubs(
    staff, hub, case, count_queries, network
):
    small = CaseFactory(household__registered_hub=hub, lead_hub=hub)
    for index in range(6):
        member(case.household, sex=Person.Sex.FEMALE, co_resident=index % 2 == 0)
        CaseHub.objects.create(case=case, hub=HubFactory())
        ReferralFactory(case=case, to_hub=HubFactory())
    ecomap_of(small, staff)  # warm up (the acting membership)
    assert count_queries(lambda: ecomap_of(small, staff)) == count_queries(
        lambda: ecomap_of(case, staff)
    )


def prefetched_scope(case, user):
    """A scope whose case carries its links and referrals, as the case page loads them."""
    scope = CaseScope.get(
        user, Case.objects.prefetch_related("hub_links", "case_persons"), pk=case.pk
    )
    prefetch_related_objects([scope.case], Prefetch("referrals", queryset=scope.referrals()))
    return scope


def test_it_reuses_the_links_and_referrals_prefetched_on_the_case(
    staff, hub, case, count_queries, network
):
    plain = CaseScope.get(staff, pk=case.pk)
    prefetched = prefetched_scope(case, staff)
    assert build_ecomap(prefetched) == build_ecomap(plain)
    assert count_queries(lambda: build_ecomap(prefetched)) == (
        count_queries(lambda: build_ecomap(plain)) - 3
    )
    small = CaseFactory(household__registered_hub=hub, lead_hub=hub)
    assert count_queries(lambda: build_ecomap(prefetched_scope(small, staff))) == count_queries(
        lambda: build_ecomap(prefetched_scope(case, staff))
    )
