import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hubs.models import Area, Hub
from hubs.network import NetworkFileError, load_network
from takatsuki_welfare.models import Code, CodeList

TAKATSUKI = "hubs/networks/takatsuki.csv"
SAMPLE_TOWN = "hubs/networks/sample-town.json"

pytestmark = pytest.mark.django_db


def load(path):
    out = io.StringIO()
    call_command("load_network", str(path), stdout=out)
    return out.getvalue()


def test_it_loads_the_takatsuki_network():
    load(TAKATSUKI)
    assert Area.objects.filter(kind=Area.Kind.DISTRICT).count() == 37
    assert Area.objects.filter(kind=Area.Kind.CARE_ZONE).count() == 12
    assert Area.objects.filter(kind=Area.Kind.CSW_AREA).count() == 4
    hubs = Hub.objects.all()
    assert hubs.filter(kind__code="integrated").get().name == "福祉相談支援課"
    assert hubs.filter(name__endswith="地域包括支援センター").count() == 12
    assert hubs.filter(kind__code="community").count() == 24
    shakyo = hubs.get(code="shakyo")
    assert set(shakyo.projects.values_list("code", flat=True)) >= {"multiagency", "outreach"}
    assert shakyo.areas.filter(kind=Area.Kind.CSW_AREA).count() == 4
    # Every 地域包括 serves exactly one 日常生活圏域, each zone one centre.
    zones = [h.areas.get().code for h in hubs.filter(code__startswith="houkatsu-")]
    assert len(set(zones)) == 12


def test_it_is_idempotent_and_updates_on_rerun(tmp_path):
    load(TAKATSUKI)
    counts = (Area.objects.count(), Hub.objects.count())
    changed = tmp_path / "network.csv"
    changed.write_text(
        Path(TAKATSUKI).read_text(encoding="utf-8").replace("072-674-7171", "072-674-0000"),
        encoding="utf-8",
    )
    output = load(changed)
    assert (Area.objects.count(), Hub.objects.count()) == counts
    assert Hub.objects.get(code="desk").phone == "072-674-0000"
    assert "hubs: 0 created, 41 updated" in output


def test_a_district_finds_the_hubs_of_its_zone_and_csw_area():
    load(TAKATSUKI)
    district = Area.objects.get(name="芥川地区")
    serving = set(Hub.objects.serving(district).values_list("code", flat=True))
    assert "corner-01" in serving  # its own corner
    assert "shakyo" in serving  # through the CSW area
    assert any(code.startswith("houkatsu-") for code in serving)  # through its zone
    assert "corner-02" not in serving


def test_a_second_city_loads_the_same_way_with_its_own_hub_kind():
    load(SAMPLE_TOWN)
    desk = Hub.objects.get(code="midori-desk")
    assert desk.kind.label == "全部統合型"
    assert Code.objects.filter(code_list=CodeList.HUB_KIND, code="fully-integrated").exists()
    assert desk.fields.count() == 5
    assert Area.objects.get(code="midori-d1").part_of.get().code == "midori-north"
    assert Hub.objects.serving(Area.objects.get(code="midori-d3")).count() == 2


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_malformed_csv_reports_file_line_and_reason_and_changes_nothing(tmp_path):
    load(TAKATSUKI)
    before = Hub.objects.get(code="desk").phone
    lines = Path(TAKATSUKI).read_text(encoding="utf-8").splitlines()
    lines = [line.replace("072-674-7171", "000") for line in lines]
    desk_line = next(i for i, line in enumerate(lines, 1) if line.startswith("hub,desk,"))
    lines[desk_line - 1] = lines[desk_line - 1].replace(",integrated,", ",no-such-kind,")
    lines.append("hub,new-hub,新しい拠点,,basic,,elderly;astrology,,,,,,,,,")
    path = _write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(CommandError) as exc:
        load(path)
    message = str(exc.value)
    assert "nothing changed" in message
    assert f"{path}:{desk_line}: unknown hub kind 'no-such-kind'" in message
    assert f"{path}:{len(lines)}: 'fields' names unknown code 'astrology'" in message
    assert Hub.objects.get(code="desk").phone == before
    assert not Hub.objects.filter(code="new-hub").exists()


def test_a_malformed_json_reports_the_line(tmp_path):
    data = json.loads(Path(SAMPLE_TOWN).read_text(encoding="utf-8"))
    data["hubs"][1]["areas"] = ["nowhere"]
    data["hubs"][1]["active"] = "maybe"
    path = _write(tmp_path, "bad.json", json.dumps(data, ensure_ascii=False, indent=2))
    lines = path.read_text(encoding="utf-8").splitlines()
    code_line = lines.index('      "code": "midori-shakyo",')
    object_line = code_line  # the object's "{" is on the line before; lines are 1-based
    with pytest.raises(NetworkFileError) as exc:
        load_network(path)
    errors = exc.value.errors
    assert len(errors) == 1
    assert errors[0].startswith(f"{path}:{object_line}: ")
    assert "'active' must be true or false" in errors[0]
    assert not Hub.objects.exists()


def test_json_syntax_errors_name_the_line(tmp_path):
    path = _write(tmp_path, "broken.json", '{\n  "areas": [\n    {"code": "a",}\n  ]\n}\n')
    with pytest.raises(NetworkFileError) as exc:
        load_network(path)
    assert exc.value.errors[0].startswith(f"{path}:3: invalid JSON")


def test_duplicates_and_unknown_references_are_reported(tmp_path):
    text = (
        "record,code,name,kana,kind,part_of\n"
        "area,a1,A地区,,district,zone-x\n"
        "area,a1,A地区,,district,\n"
        "area,a2,B地区,,planet,\n"
    )
    path = _write(tmp_path, "areas.csv", text)
    with pytest.raises(NetworkFileError) as exc:
        load_network(path)
    assert exc.value.errors == [
        f"{path}:3: duplicate area code 'a1' (first on line 2)",
        f"{path}:2: 'part_of' names unknown area 'zone-x'",
        f"{path}:4: unknown area kind 'planet' (one of care_zone, csw_area, district)",
    ]
    assert not Area.objects.exists()


def test_an_unknown_file_type_is_refused(tmp_path):
    path = _write(tmp_path, "network.txt", "hello")
    with pytest.raises(NetworkFileError, match="unknown file type"):
        load_network(path)


def test_a_hub_may_set_its_own_referral_due_days(tmp_path):
    data = json.loads(Path(SAMPLE_TOWN).read_text(encoding="utf-8"))
    data["hubs"][0]["acknowledge_business_days"] = 1
    data["hubs"][0]["answer_business_days"] = "3"
    data["hubs"][1]["answer_business_days"] = "soon"
    path = _write(tmp_path, "days.json", json.dumps(data, ensure_ascii=False, indent=2))
    with pytest.raises(NetworkFileError, match="whole number of business days"):
        load_network(path)
    data["hubs"][1]["answer_business_days"] = 10
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load_network(path)
    desk, shakyo = Hub.objects.get(code="midori-desk"), Hub.objects.get(code="midori-shakyo")
    assert (desk.acknowledge_business_days, desk.answer_business_days) == (1, 3)
    assert (shakyo.acknowledge_business_days, shakyo.answer_business_days) == (2, 10)
