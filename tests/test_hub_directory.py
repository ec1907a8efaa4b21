import pytest
from django.urls import reverse

from hubs.models import Hub, Role

from .factories import HubFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def names(response):
    return [hub.name for hub in response.context["object_list"]]


@pytest.fixture
def signed_in(client, takatsuki):
    membership = MembershipFactory(hub=Hub.objects.get(code="desk"), role=Role.STAFF)
    client.force_login(membership.user)
    return client


def test_it_lists_the_network(signed_in):
    response = signed_in.get(reverse("hubs:list"))
    assert response.status_code == 200
    assert response.context["paginator"].count == 41
    assert "福祉相談支援課" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "community"}, 24),
        ({"field": "disability"}, 3),  # 基幹 centre, the desk and the 社協
        ({"project": "multiagency"}, 1),
        ({"q": "ホウカツ"}, 12),  # katakana finds the hiragana reading
        ({"q": "地域包括"}, 12),
        ({"q": "ｶﾝｶﾞﾙｰ"}, 1),  # half-width
    ],
)
def test_it_filters(signed_in, query, expected):
    from takatsuki_welfare.models import Code

    params = {}
    for key, value in query.items():
        if key in ("kind", "field", "project"):
            list_name = {"kind": "hub_kind", "field": "field", "project": "project"}[key]
            value = Code.objects.get(code_list=list_name, code=value).pk
        params[key] = value
    response = signed_in.get(reverse("hubs:list"), params)
    assert response.context["paginator"].count == expected, names(response)


def test_the_area_filter_finds_every_hub_serving_a_district(signed_in):
    from hubs.models import Area

    district = Area.objects.get(name="芥川地区")
    response = signed_in.get(reverse("hubs:list"), {"area": district.pk})
    found = names(response)
    assert "福祉のまちかど相談（芥川）" in found
    assert "高槻市社会福祉協議会" in found
    assert "福祉のまちかど相談（磐手）" not in found


def test_inactive_hubs_are_hidden_unless_asked(signed_in):
    Hub.objects.filter(code="corner-01").update(active=False)
    assert "福祉のまちかど相談（芥川）" not in names(signed_in.get(reverse("hubs:list")))
    shown = names(signed_in.get(reverse("hubs:list"), {"include_inactive": "on"}))
    assert "福祉のまちかど相談（芥川）" in shown


def test_a_bad_filter_value_is_explained_not_a_500(signed_in):
    response = signed_in.get(reverse("hubs:list"), {"kind": "not-a-number"})
    assert response.status_code == 200
    assert response.context["filter"].form.errors["kind"]


def test_the_list_runs_a_constant_number_of_queries(client, count_queries, staff):
    client.force_login(staff)
    client.get(reverse("hubs:list"))  # warm the session
    HubFactory.create_batch(1, fields=["elderly"], projects=["comprehensive"])
    one_row = count_queries(lambda: client.get(reverse("hubs:list")))
    HubFactory.create_batch(19, fields=["elderly", "children"], projects=["community"])
    assert count_queries(lambda: client.get(reverse("hubs:list"))) == one_row


def test_detail_shows_fields_projects_contact_and_areas(signed_in):
    response = signed_in.get(reverse("hubs:detail", args=["shakyo"]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("多機関協働", "アウトリーチ等", "072-673-1101", "CSW北エリア", "委託"):
        assert text in page
    assert reverse("hubs:members", args=["shakyo"]) in page


def test_an_unknown_hub_is_404(signed_in):
    assert signed_in.get(reverse("hubs:detail", args=["no-such-hub"])).status_code == 404


def test_members_and_roles_are_listed_for_staff(signed_in):
    shakyo = Hub.objects.get(code="shakyo")
    MembershipFactory(hub=shakyo, role=Role.CSW, user__last_name="中村", user__first_name="さくら")
    MembershipFactory(hub=shakyo, role=Role.CSW, user__last_name="退職", active=False)
    response = signed_in.get(reverse("hubs:members", args=["shakyo"]))
    page = response.content.decode()
    assert "中村 さくら" in page
    assert "コミュニティソーシャルワーカー" in page
    assert "退職" not in page


def test_a_corner_volunteer_cannot_reach_the_member_list(client, volunteer, hub):
    client.force_login(volunteer)
    response = client.get(reverse("hubs:members", args=[hub.code]))
    assert response.status_code == 403
    detail = client.get(reverse("hubs:detail", args=[hub.code])).content.decode()
    assert reverse("hubs:members", args=[hub.code]) not in detail


def test_navigation_depends_on_role(client, staff, volunteer, hub):
    client.force_login(staff)
    assert "自拠点の職員" in client.get("/").content.decode()
    client.force_login(volunteer)
    page = client.get("/").content.decode()
    assert "自拠点の職員" not in page
    assert "つなぐ" in page
