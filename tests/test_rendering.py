"""Faster rendering of long pages writes the same markup as the templates and tags it replaces.

The widget templates in templates/django/forms/widgets and the tags in tsunagu.py exist only
to make lists cheaper to render (see the case list); each is checked against Django's own.
"""

import datetime
import zoneinfo

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.template import engines
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from cases.models import Stage
from takatsuki_welfare.templatetags.tsunagu import url_of

CHOICES = [
    ("", "すべて"),
    (1, "A & B"),
    ("x", "<b>太字</b>"),
    ("safe", mark_safe("<i>safe</i>")),
    ("グループ", [(3, "三"), (4, "四")]),
]

WIDGETS = [
    (forms.Select(choices=CHOICES, attrs={"required": True, "aria-describedby": "h"}), 1),
    (forms.Select(choices=CHOICES, attrs={"disabled": False}), None),
    (forms.SelectMultiple(choices=CHOICES), [1, 3]),
    (forms.NullBooleanSelect(), True),
    (forms.TextInput(attrs={"type": "search", "maxlength": 10}), 'a"b<c'),
    (forms.DateInput(attrs={"type": "date"}), datetime.date(2024, 3, 2)),
    (forms.NumberInput(attrs={"min": 1}), 5),
    (forms.CheckboxInput(), True),
    (forms.CheckboxSelectMultiple(choices=CHOICES), [1, "x"]),
    (forms.RadioSelect(choices=CHOICES), "x"),
    (forms.Textarea(attrs={"rows": 3}), "一行目\n<二行目>"),
    (forms.HiddenInput(), "v"),
]


def render(source, **context):
    return engines["django"].from_string("{% load tsunagu %}" + source).render(context)


def test_forms_render_through_our_templates():
    template = TemplatesSetting().get_template("django/forms/widgets/select.html")
    assert "templates/django/forms/widgets" in template.origin.name


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda w: type(w).__name__)
def test_our_widget_templates_write_what_djangos_write(widget, value):
    ours = widget.render("f", value, attrs={"id": "id_f"}, renderer=TemplatesSetting())
    djangos = widget.render("f", value, attrs={"id": "id_f"}, renderer=DjangoTemplates())
    assert ours == djangos


def test_an_option_with_a_template_of_its_own_still_renders_through_it():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input.html"

    widget = Custom(choices=CHOICES)
    ours = widget.render("f", 1, renderer=TemplatesSetting())
    assert ours == widget.render("f", 1, renderer=DjangoTemplates())
    assert 'type="select"' in ours


@pytest.mark.parametrize(
    ("view", "value"),
    [
        ("cases:case_detail", "C2024-00001"),
        ("cases:case_detail", "2022-003927"),
        ("cases:case_detail", "番号 ?&#%"),
        ("cases:case_detail", 123),
        ("cases:record_detail", 7),
        ("cases:record_detail", 0),
        ("cases:person_detail", 4321),
        ("hubs:members", "houkatsu-01"),
    ],
)
def test_url_of_gives_the_url_reverse_gives(view, value):
    assert url_of(value, view) == reverse(view, args=[value])


@pytest.mark.parametrize(
    ("view", "value"),
    [
        ("cases:case_detail", ""),
        ("cases:case_detail", "a/b"),
        ("cases:record_detail", -1),
        ("cases:record_detail", "seven"),
        ("cases:record_detail", None),
    ],
)
def test_url_of_refuses_what_reverse_refuses(view, value):
    with pytest.raises(NoReverseMatch):
        reverse(view, args=[value])
    with pytest.raises(NoReverseMatch):
        url_of(value, view)


def test_url_of_follows_the_script_prefix():
    set_script_prefix("/tsunagu/")
    try:
        assert url_of("C1", "cases:case_detail") == "/tsunagu/cases/C1/"
        assert url_of(5, "cases:record_detail") == reverse("cases:record_detail", args=[5])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("stage", [*Stage.values, "unknown"])
def test_the_stage_badge_tag_writes_the_badge_of_the_include(stage):
    colour = {"closed": "muted", "suspended": "warning", "watching": "success"}.get(stage, "info")
    label = dict(Stage.choices).get(stage, stage)
    assert render("{% stage_badge stage %}", stage=stage) == (
        f'<span class="badge badge--{colour}">{label}</span>'
    )


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2024, 3, 2),
        datetime.date(987, 1, 9),
        datetime.datetime(2024, 3, 1, 20, 5, tzinfo=datetime.UTC),  # 3月2日 in Tokyo
        None,
        "",
    ],
)
def test_iso_date_is_the_date_filter_with_y_m_d(value):
    assert render("{{ v|iso_date }}", v=value) == render('{{ v|date:"Y-m-d" }}', v=value)


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2024, 3, 1, 20, 5, 9, tzinfo=datetime.UTC),
        datetime.datetime(2024, 3, 2, 9, 30, 0, 1234, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
        timezone.now(),
    ],
)
def test_time_element_writes_what_the_date_filters_write(value):
    moment = '<time datetime="{{ v|date:\'c\' }}">{{ v|date:"Y-m-d H:i" }}</time>'
    day = '<time datetime="{{ v|date:\'Y-m-d\' }}">{{ v|date:"Y-m-d" }}</time>'
    assert render("{% time_element v %}", v=value) == render(moment, v=value)
    assert render("{% time_element v date_only=True %}", v=value) == render(day, v=value)


@pytest.mark.parametrize(("language", "expected"), [("ja", "45歳"), ("en", "45 yrs")])
def test_age_yrs_is_the_templates_short_age(language, expected):
    with translation.override(language):
        blocktranslate = (
            "{% load i18n %}{% blocktranslate with age=a %}{{ age }} yrs{% endblocktranslate %}"
        )
        assert render(blocktranslate, a=45) == expected
        assert render("{{ a|age_yrs }}", a=45) == expected
