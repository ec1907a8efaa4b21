"""Load a city's support network (areas, hubs and their relations) from CSV or JSON.

Loading is idempotent (records are matched on their ``code``) and atomic: a file with any
error changes nothing and every error is reported with file, line and reason.

JSON: ``{"hub_kinds": [...], "areas": [...], "hubs": [...]}``. CSV: one row per record with a
``record`` column (``hub_kind``, ``area`` or ``hub``); list values are separated by ``;``.
See docs/network-file.md.
"""

import csv
import json
import json.decoder
import json.scanner
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from takatsuki_welfare.models import Code, CodeList

from .models import Area, Hub

LIST_SEPARATOR = ";"
CSV_COLUMNS = [
    "record", "code", "name", "kana", "kind", "part_of", "fields", "projects", "operator",
    "operator_name", "areas", "postal_code", "address", "phone", "hours", "active",
    "acknowledge_business_days", "answer_business_days",
]  # fmt: skip
DUE_DAY_KEYS = ("acknowledge_business_days", "answer_business_days")
_TRUE = {"true", "1", "yes", "y", "はい", "○"}
_FALSE = {"false", "0", "no", "n", "いいえ", "×"}


class NetworkFileError(Exception):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class Entry:
    line: int
    data: dict


@dataclass
class Network:
    hub_kinds: list[Entry] = field(default_factory=list)
    areas: list[Entry] = field(default_factory=list)
    hubs: list[Entry] = field(default_factory=list)


@dataclass
class LoadReport:
    created: dict = field(default_factory=lambda: {"hub_kinds": 0, "areas": 0, "hubs": 0})
    updated: dict = field(default_factory=lambda: {"hub_kinds": 0, "areas": 0, "hubs": 0})


def _json_with_lines(text):
    """Parse JSON, recording on every object the line where it starts (key ``__line__``)."""
    decoder = json.JSONDecoder()

    def parse_object(s_and_end, *args):
        s, end = s_and_end
        obj, new_end = json.decoder.JSONObject(s_and_end, *args)
        obj["__line__"] = s.count("\n", 0, end) + 1
        return obj, new_end

    decoder.parse_object = parse_object
    decoder.scan_once = json.scanner.py_make_scanner(decoder)
    return decoder.decode(text)


def read_network(path) -> Network:
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise NetworkFileError([f"{name}: cannot read the file: {exc}"]) from exc
    if path.suffix.lower() == ".json":
        return _read_json(name, text)
    if path.suffix.lower() == ".csv":
        return _read_csv(name, text)
    raise NetworkFileError([f"{name}: unknown file type (expected .csv or .json)"])


def _read_json(name, text):
    try:
        data = _json_with_lines(text)
    except json.JSONDecodeError as exc:
        raise NetworkFileError([f"{name}:{exc.lineno}: invalid JSON: {exc.msg}"]) from exc
    if not isinstance(data, dict):
        raise NetworkFileError([f"{name}:1: the top level must be an object"])
    network, errors = Network(), []
    for section in ("hub_kinds", "areas", "hubs"):
        items = data.get(section, [])
        if not isinstance(items, list):
            errors.append(f"{name}:{data['__line__']}: '{section}' must be a list")
            continue
        for item in items:
            if not isinstance(item, dict):
                errors.append(f"{name}: every entry of '{section}' must be an object")
                continue
            line = item.pop("__line__")
            getattr(network, section).append(Entry(line, item))
    if errors:
        raise NetworkFileError(errors)
    return network


def _read_csv(name, text):
    reader = csv.DictReader(text.splitlines())
    missing = {"record", "code", "name"} - set(reader.fieldnames or [])
    if missing:
        raise NetworkFileError([f"{name}:1: missing columns: {', '.join(sorted(missing))}"])
    network, errors = Network(), []
    sections = {"hub_kind": "hub_kinds", "area": "areas", "hub": "hubs"}
    for row in reader:
        line = reader.line_num
        record = (row.pop("record") or "").strip()
        if None in row:
            errors.append(f"{name}:{line}: more values than columns")
            continue
        data = {k: (v or "").strip() for k, v in row.items()}
        for key in ("part_of", "fields", "projects", "areas"):
            if key in data:
                data[key] = [v.strip() for v in data[key].split(LIST_SEPARATOR) if v.strip()]
        if "active" in data:
            data["active"] = data["active"].lower()
        if record not in sections:
            errors.append(f"{name}:{line}: unknown record type '{record}'")
            continue
        if record == "hub_kind":
            data = {"code": data["code"], "label": data["name"]}
        getattr(network, sections[record]).append(Entry(line, data))
    if errors:
        raise NetworkFileError(errors)
    return network


def _as_bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text == "":  # an empty cell means active
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def _text(data, key, max_length, *, required=False):
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' must be text")
    value = value.strip()
    if required and not value:
        raise ValueError(f"'{key}' is required")
    if len(value) > max_length:
        raise ValueError(f"'{key}' is longer than {max_length} characters")
    return value


def _codes(data, key):
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{key}' must be a list of codes")
    return value


@transaction.atomic
def load_network(path) -> LoadReport:
    """Validate the whole file, then upsert it; raise NetworkFileError with every problem."""
    name = str(path)
    network = read_network(path)
    errors = []

    def error(entry, message):
        errors.append(f"{name}:{entry.line}: {message}")

    def check_unique(entries, what):
        seen = {}
        for entry in entries:
            code = entry.data.get("code")
            if code in seen:
                error(entry, f"duplicate {what} code '{code}' (first on line {seen[code]})")
            seen.setdefault(code, entry.line)

    check_unique(network.hub_kinds, "hub kind")
    check_unique(network.areas, "area")
    check_unique(network.hubs, "hub")

    kinds = {c.code: c for c in Code.objects.filter(code_list=CodeList.HUB_KIND)}
    known_kinds = set(kinds) | {e.data.get("code") for e in network.hub_kinds}
    fields = {c.code: c for c in Code.objects.filter(code_list=CodeList.FIELD)}
    projects = {c.code: c for c in Code.objects.filter(code_list=CodeList.PROJECT)}
    existing_areas = set(Area.objects.values_list("code", flat=True))
    known_areas = existing_areas | {e.data.get("code") for e in network.areas}
    area_kinds = set(Area.Kind.values)
    operators = set(Hub.Operator.values)

    cleaned_kinds, cleaned_areas, cleaned_hubs = [], [], []
    for entry in network.hub_kinds:
        try:
            cleaned_kinds.append(
                (
                    entry,
                    _text(entry.data, "code", 40, required=True),
                    _text(entry.data, "label", 100, required=True),
                )
            )
        except ValueError as exc:
            error(entry, str(exc))
    for entry in network.areas:
        d = entry.data
        try:
            row = {
                "code": _text(d, "code", 40, required=True),
                "name": _text(d, "name", 100, required=True),
                "kana": _text(d, "kana", 200),
                "kind": _text(d, "kind", 16, required=True),
                "part_of": _codes(d, "part_of"),
            }
        except ValueError as exc:
            error(entry, str(exc))
            continue
        if row["kind"] not in area_kinds:
            error(
                entry, f"unknown area kind '{row['kind']}' (one of {', '.join(sorted(area_kinds))})"
            )
        for parent in row["part_of"]:
            if parent not in known_areas:
                error(entry, f"'part_of' names unknown area '{parent}'")
        cleaned_areas.append((entry, row))
    for entry in network.hubs:
        d = entry.data
        try:
            row = {
                "code": _text(d, "code", 60, required=True),
                "name": _text(d, "name", 150, required=True),
                "kana": _text(d, "kana", 300),
                "kind": _text(d, "kind", 40, required=True),
                "operator": _text(d, "operator", 16) or Hub.Operator.DIRECT,
                "operator_name": _text(d, "operator_name", 150),
                "postal_code": _text(d, "postal_code", 8),
                "address": _text(d, "address", 200),
                "phone": _text(d, "phone", 30),
                "hours": _text(d, "hours", 150),
                "fields": _codes(d, "fields"),
                "projects": _codes(d, "projects"),
                "areas": _codes(d, "areas"),
            }
        except ValueError as exc:
            error(entry, str(exc))
            continue
        try:
            row["active"] = _as_bool(d.get("active", True))
        except ValueError:
            error(entry, f"'active' must be true or false, not '{d.get('active')}'")
            continue
        for key in DUE_DAY_KEYS:
            value = d.get(key, "")
            if value in ("", None):
                continue
            try:
                row[key] = int(value)
                if not 0 <= row[key] <= 60:
                    raise ValueError
            except (TypeError, ValueError):
                error(entry, f"'{key}' must be a whole number of business days (0-60)")
        if row["kind"] not in known_kinds:
            error(entry, f"unknown hub kind '{row['kind']}'")
        if row["operator"] not in operators:
            error(
                entry,
                f"unknown operator '{row['operator']}' (one of {', '.join(sorted(operators))})",
            )
        for key, known in (("fields", fields), ("projects", projects), ("areas", known_areas)):
            for code in row[key]:
                if code not in known:
                    error(entry, f"'{key}' names unknown code '{code}'")
        cleaned_hubs.append((entry, row))

    if errors:
        raise NetworkFileError(errors)

    report = LoadReport()
    for _entry, code, label in cleaned_kinds:
        kind, created = Code.objects.update_or_create(
            code_list=CodeList.HUB_KIND, code=code, defaults={"label": label}
        )
        kinds[code] = kind
        report.created["hub_kinds"] += created
        report.updated["hub_kinds"] += not created

    areas = {a.code: a for a in Area.objects.all()}
    for order, (_entry, row) in enumerate(cleaned_areas, start=1):
        area, created = Area.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "kana": row["kana"],
                "kind": row["kind"],
                "order": order,
            },
        )
        areas[area.code] = area
        report.created["areas"] += created
        report.updated["areas"] += not created
    for _entry, row in cleaned_areas:
        areas[row["code"]].part_of.set([areas[c] for c in row["part_of"]])

    for order, (_entry, row) in enumerate(cleaned_hubs, start=1):
        defaults = {
            k: v for k, v in row.items() if k not in ("code", "fields", "projects", "areas")
        }
        defaults["kind"] = kinds[row["kind"]]
        defaults["order"] = order
        hub, created = Hub.objects.update_or_create(code=row["code"], defaults=defaults)
        hub.fields.set([fields[c] for c in row["fields"]])
        hub.projects.set([projects[c] for c in row["projects"]])
        hub.areas.set([areas[c] for c in row["areas"]])
        report.created["hubs"] += created
        report.updated["hubs"] += not created
    return report
