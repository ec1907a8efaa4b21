"""The household ecomap: the members genogram-style and, on a ring, the hubs involved.

``build_ecomap(scope)`` returns plain data with the coordinates already computed, so the
template only draws an inline SVG: no JavaScript and no external service (the LGWAN side has no
internet). Every source goes through the access policy (an ``access.CaseScope``: the case is
one the user sees), so a hub the user may only learn of
through something hidden from them (e.g. an action item of a 支援会議 they did not attend) is not
drawn. The number of queries does not depend on the number of members or hubs.
"""

import math
import unicodedata

from django.db.models import Count, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hubs.models import Hub
from referrals.models import ACTIVE, OPEN
from referrals.models import Status as ReferralStatus

from .models import CaseHub, CasePerson, Person, PlanAction, SupportPlan

COMMUNITY_KIND = "community"  # 地域型 (福祉のまちかど相談): drawn as a community resource

# Involvement kinds, in the order a hub's involvements are listed (and hubs are sorted).
LEAD, PARTICIPANT, PLAN, MEETING, REFERRAL, OUTREACH = (
    "lead",
    "participant",
    "plan",
    "meeting",
    "referral",
    "outreach",
)
KIND_LABELS = {
    LEAD: gettext_lazy("Lead hub (主担当)"),
    PARTICIPANT: gettext_lazy("Participating (参加)"),
    PLAN: gettext_lazy("Role in the plan (プラン上の役割)"),
    MEETING: gettext_lazy("Role from a meeting (会議での役割)"),
    REFERRAL: gettext_lazy("Being referred (つなぎ中)"),
    OUTREACH: gettext_lazy("Outreach (アウトリーチ)"),
}
KIND_ORDER = list(KIND_LABELS)

SHAPES = {
    Person.Sex.MALE: "square",
    Person.Sex.FEMALE: "circle",
    Person.Sex.OTHER: "diamond",
    Person.Sex.NOT_ANSWERED: "diamond",
}

# Caps: beyond them a "+N" stands for the rest (the hidden list still names everyone).
MAX_INSIDE = 8
MAX_OUTSIDE = 4
MAX_HUBS = 10

# Geometry (SVG user units).
WIDTH, HEIGHT = 1040, 900
CX, CY = WIDTH / 2, HEIGHT / 2
RING_RX, RING_RY = 410, 350
CELL_W, CELL_H = 112, 124
COLUMNS = 4
HALF = 24  # half the side of a member's shape
HUB_W = 184
HUB_PAD = 10
NAME_SIZE, DETAIL_SIZE = 15, 13
LINE_GAP = 4


def _width_em(text):
    """Approximate rendered width in em: wide (CJK) characters 1, others about 0.6."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def _truncate(text, em):
    if _width_em(text) <= em:
        return text
    out = ""
    for char in text:
        if _width_em(out + char) > em - 1:
            break
        out += char
    return out + "…"


def _wrap(text, em, max_lines):
    """Break text into lines of at most ``em``; the last line is cut with an ellipsis."""
    lines, current = [], ""
    for char in text:
        if _width_em(current + char) > em:
            lines.append(current)
            current = char.lstrip()
        else:
            current += char
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        rest = "".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], _truncate(rest, em)]
    return lines


def _fmt(value):
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _points(*pairs):
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in pairs)


def _diamond(x, y, half):
    return _points((x, y - half), (x + half, y), (x, y + half), (x - half, y))


def _hexagon(x, y, w, h):
    inset = min(16, w / 4)
    left, right, top, bottom = x - w / 2, x + w / 2, y - h / 2, y + h / 2
    return _points(
        (left, y), (left + inset, top), (right - inset, top),
        (right, y), (right - inset, bottom), (left + inset, bottom),
    )  # fmt: skip


# Data ------------------------------------------------------------------------------------


def _prefetched(case, name):
    """All of ``case.<name>`` if the caller has prefetched it (the case page), else None."""
    cache = getattr(case, "_prefetched_objects_cache", {})
    return list(cache[name]) if name in cache else None


def _members(scope):
    case = scope.case
    members = list(
        scope.household_members()
        .select_related("relationship")
        .order_by("relationship__order", "birth_date", "id")
    )
    links = _prefetched(case, "case_persons")
    if links is None:
        primary_id = (
            CasePerson.objects.filter(case=case, is_primary=True)
            .values_list("person_id", flat=True)
            .first()
        )
    else:
        primary_id = next((link.person_id for link in links if link.is_primary), None)
    return [
        {
            "id": person.pk,
            "name": person.full_name,
            "age": person.age,
            "sex": person.sex,
            "sex_label": person.get_sex_display(),
            "shape": SHAPES.get(person.sex, "diamond"),
            "relationship": str(person.relationship) if person.relationship else "",
            "primary": person.pk == primary_id,
            "co_resident": person.co_resident,
        }
        for person in members
    ]


def _involvements(scope):
    """{hub id: {kind: [details]}} from every source the user may see."""
    case = scope.case
    found = {}

    def add(hub_id, kind, detail=""):
        details = found.setdefault(hub_id, {}).setdefault(kind, [])
        if detail and detail not in details:
            details.append(detail)

    add(case.lead_hub_id, LEAD)
    links = _prefetched(case, "hub_links")
    if links is None:
        links = CaseHub.objects.filter(case=case)
    for link in sorted(links, key=lambda link: (link.joined_on, link.pk)):
        add(link.hub_id, PARTICIPANT, link.reason)

    current = {*OPEN, *ACTIVE}
    referrals = _prefetched(case, "referrals")
    if referrals is None:
        referrals = (
            scope.referrals()
            .filter(status__in=current)
            .only("from_hub", "to_hub", "status", "sent_at")
        )
    referrals = [
        r for r in sorted(referrals, key=lambda r: (r.sent_at, r.pk)) if r.status in current
    ]
    plan = (
        scope.plans()
        .filter(status=SupportPlan.Status.ENDORSED)
        .order_by("-number")
        .values("pk")[:1]
    )
    for action in (
        PlanAction.objects.filter(goal__plan=Subquery(plan))
        .order_by("goal__order", "goal_id", "order", "id")
        .values("hub_id", "text")
    ):
        add(action["hub_id"], PLAN, action["text"])
    for action in (
        scope.action_items()
        .open()
        .order_by("due_on", "id")
        .values("owner_hub_id", "text", "due_on")
    ):
        due = action["due_on"]
        text = action["text"] + (f"（{due:%Y-%m-%d}）" if due else "")
        add(action["owner_hub_id"], MEETING, text)
    for row in scope.outreach().order_by().values("acting_hub_id").annotate(n=Count("id")):
        count = row["n"]
        add(
            row["acting_hub_id"],
            OUTREACH,
            ngettext("%(n)d attempt", "%(n)d attempts", count) % {"n": count},
        )

    hub_ids = set(found)
    for r in referrals:
        hub_ids.update((r.from_hub_id, r.to_hub_id))
    hubs = {hub.pk: hub for hub in Hub.objects.filter(pk__in=hub_ids).select_related("kind")}
    for r in referrals:
        from_hub, to_hub = hubs[r.from_hub_id], hubs[r.to_hub_id]
        detail = f"{from_hub.name} → {to_hub.name}（{ReferralStatus(r.status).label}）"
        add(from_hub.pk, REFERRAL, detail)
        add(to_hub.pk, REFERRAL, detail)
    return found, hubs


def _hub_entries(scope):
    found, hubs = _involvements(scope)
    entries = []
    for hub_id, kinds in found.items():
        hub = hubs[hub_id]
        ordered = [k for k in KIND_ORDER if k in kinds]
        sort_key = (KIND_ORDER.index(ordered[0]), hub.order, hub.kana, hub.pk)
        entry = {
            "id": hub.pk,
            "name": hub.name,
            "resource": hub.kind.code == COMMUNITY_KIND,
            "kind_name": str(hub.kind),
            "kinds": ordered,
            "involvements": [
                {"kind": k, "label": str(KIND_LABELS[k]), "details": kinds[k]} for k in ordered
            ],
        }
        entries.append((sort_key, entry))
    return [entry for _key, entry in sorted(entries, key=lambda pair: pair[0])]


# Layout ----------------------------------------------------------------------------------


def _place_member(member, x, y):
    member.update(
        x=x,
        y=y,
        half=HALF,
        outer=HALF + 6,
        box_x=x - HALF,
        box_y=y - HALF,
        box_size=2 * HALF,
        outer_x=x - HALF - 6,
        outer_y=y - HALF - 6,
        outer_size=2 * HALF + 12,
        points=_diamond(x, y, HALF + 4),
        outer_points=_diamond(x, y, HALF + 12),
        age_y=y + 6,
        name_line=_truncate(member["name"], 7),
        name_y=y + HALF + 24,
        relationship_y=y + HALF + 42,
    )


def _layout_household(members):
    inside = [m for m in members if m["co_resident"]]
    outside = [m for m in members if not m["co_resident"]]
    shown_in, shown_out = inside[:MAX_INSIDE], outside[:MAX_OUTSIDE]
    cols = max(1, min(len(shown_in), COLUMNS))
    rows = max(1, math.ceil(len(shown_in) / COLUMNS))
    box_w, box_h = cols * CELL_W + 32, rows * CELL_H + 44
    block_h = box_h + (CELL_H + 24 if outside else 0)
    box_x, box_y = CX - box_w / 2, CY - block_h / 2
    for index, member in enumerate(shown_in):
        row, col = divmod(index, COLUMNS)
        in_row = min(COLUMNS, len(shown_in) - row * COLUMNS)
        offset = (cols - in_row) * CELL_W / 2
        x = box_x + 16 + offset + (col + 0.5) * CELL_W
        y = box_y + 36 + row * CELL_H + HALF + 8
        _place_member(member, x, y)
    out_y = box_y + box_h + 24 + HALF + 12
    for index, member in enumerate(shown_out):
        x = CX + (index - (len(shown_out) - 1) / 2) * CELL_W
        _place_member(member, x, out_y)
    more_in, more_out = len(inside) - len(shown_in), len(outside) - len(shown_out)
    out_left = CX - len(shown_out) / 2 * CELL_W
    # Edges start outside the whole block: the boundary and the row of members living elsewhere.
    block = {
        "left": min(box_x, out_left),
        "top": box_y,
        "right": max(box_x + box_w, CX + len(shown_out) / 2 * CELL_W),
        "bottom": out_y + HALF + 48 if shown_out else box_y + box_h,
    }
    return {
        "household": {
            "x": box_x, "y": box_y, "w": box_w, "h": box_h,
            "label_x": box_x + 14, "label_y": box_y + 22,
            "cx": CX, "cy": box_y + box_h / 2,
            "more": more_in, "more_x": box_x + box_w - 14, "more_y": box_y + box_h - 12,
            "block": block,
        },
        "inside": shown_in,
        "outside": shown_out,
        "outside_shown": len(shown_out),
        "outside_more": more_out,
        "outside_more_x": CX + (len(shown_out) / 2) * CELL_W + 12,
        "outside_more_y": out_y + 6,
        "outside_label_x": out_left - 4,
        "outside_label_y": out_y + 5,
    }  # fmt: skip


def _hub_lines(entry):
    lines = [("name", line) for line in _wrap(entry["name"], (HUB_W - 2 * HUB_PAD) / NAME_SIZE, 2)]
    for involvement in entry["involvements"]:
        text = involvement["label"]
        if involvement["details"]:
            text += ": " + "、".join(involvement["details"])
        lines.append(("detail", _truncate(text, (HUB_W - 2 * HUB_PAD) / DETAIL_SIZE)))
    return lines


def _exit(x, y, dx, dy, left, top, right, bottom):
    """The fraction of (dx, dy) at which a ray from (x, y), inside the rectangle, leaves it."""
    fractions = [math.inf]
    if dx:
        fractions.append(((right if dx > 0 else left) - x) / dx)
    if dy:
        fractions.append(((bottom if dy > 0 else top) - y) / dy)
    return min(fractions)


def _place_hub(node, angle, household):
    x = CX + RING_RX * math.cos(angle)
    y = CY + RING_RY * math.sin(angle)
    lines = node.pop("lines")
    height = 2 * HUB_PAD + sum(
        (NAME_SIZE if kind == "name" else DETAIL_SIZE) + LINE_GAP for kind, _text in lines
    )
    node.update(x=x, y=y, w=HUB_W, h=height, left=x - HUB_W / 2, top=y - height / 2)
    if node.get("resource"):
        node["points"] = _hexagon(x, y, HUB_W + 16, height)
    text_y, placed = y - height / 2 + HUB_PAD, []
    for kind, text in lines:
        size = NAME_SIZE if kind == "name" else DETAIL_SIZE
        text_y += size
        placed.append({"kind": kind, "text": text, "y": text_y})
        text_y += LINE_GAP
    node["lines"] = placed

    # The edge runs from the household boundary to the node's border; its label sits halfway.
    hx, hy = household["cx"], household["cy"]
    dx, dy = x - hx, y - hy
    start = _exit(hx, hy, dx, dy, **household["block"])
    half_w, half_h = HUB_W / 2 + 8, height / 2
    end = 1 - _exit(x, y, -dx, -dy, x - half_w, y - half_h, x + half_w, y + half_h)
    start = min(start, end)
    middle = (start + end) / 2
    node["edge"] = {
        "x1": hx + dx * start,
        "y1": hy + dy * start,
        "x2": hx + dx * end,
        "y2": hy + dy * end,
        "label_x": hx + dx * middle,
        "label_y": hy + dy * middle - 6,
    }


def _edge_style(kinds):
    if LEAD in kinds:
        return {"width": 6, "dash": "", "style": "thick"}
    if set(kinds) <= {REFERRAL}:
        return {"width": 2.5, "dash": "10 7", "style": "dashed"}
    return {"width": 2.5, "dash": "", "style": "solid"}


def _layout_hubs(entries, household):
    shown = entries if len(entries) <= MAX_HUBS else entries[: MAX_HUBS - 1]
    nodes = []
    for entry in shown:
        node = {
            **entry,
            "lines": _hub_lines(entry),
            "edge_label": _truncate("・".join(i["label"] for i in entry["involvements"]), 15),
            **_edge_style(entry["kinds"]),
        }
        nodes.append(node)
    more = len(entries) - len(shown)
    if more:
        nodes.append(
            {
                "more": more,
                "lines": [("name", _("+%(n)d more hubs") % {"n": more})],
                "width": 2.5,
                "dash": "3 5",
                "style": "dotted",
                "edge_label": "",
            }
        )
    for index, node in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * index / len(nodes)
        _place_hub(node, angle, household)
    return nodes


def _as_svg_numbers(value):
    """Floats as plain strings: the template would localise them (a decimal comma breaks SVG)."""
    if isinstance(value, float):
        return _fmt(value)
    if isinstance(value, dict):
        return {key: _as_svg_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_svg_numbers(item) for item in value]
    return value


def build_ecomap(scope):
    """Plain data for the household ecomap of ``scope.case``, as ``scope.user`` may see it.

    The case's hub links, persons concerned and referrals are reused if prefetched on
    ``scope.case`` (whoever sees a case sees all its referrals: ``CaseScope.referrals``).
    """
    case = scope.case
    members = _members(scope)
    hubs = _hub_entries(scope)
    layout = _layout_household(members)
    return _as_svg_numbers(
        {
            "id": f"ecomap-{case.pk}",
            "case_number": case.number,
            "width": WIDTH,
            "height": HEIGHT,
            "members": members,
            "hubs": hubs,
            "member_nodes": layout.pop("inside") + layout.pop("outside"),
            "hub_nodes": _layout_hubs(hubs, layout["household"]),
            "co_resident_count": sum(1 for m in members if m["co_resident"]),
            **layout,
        }
    )
