import datetime
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from takatsuki_welfare.wareki import format_both, format_wareki

register = template.Library()


@register.filter
def minutes(value):
    """A timedelta as whole minutes (for the lockout cool-off)."""
    if value is None:
        return ""
    return int(value.total_seconds() // 60)


@register.filter
def display_name(user):
    """A user's name in Japanese order (family name first), or the user name."""
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()


@register.filter
def wareki(value):
    """A date in 和暦 (e.g. 昭和45年3月2日)."""
    if not value:
        return ""
    try:
        return format_wareki(value)
    except ValueError:
        return value.isoformat()


@register.filter
def both_dates(value):
    """A date in 西暦 with the 和暦 year (e.g. 1970年3月2日（昭和45年）)."""
    if not value:
        return ""
    try:
        return format_both(value)
    except ValueError:
        return value.isoformat()


@register.filter(expects_localtime=True)
def iso_date(value):
    """A date (or a datetime's local date) as 2024-03-02: ``|date:"Y-m-d"`` for long lists."""
    if not isinstance(value, datetime.date):
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()


@register.simple_tag(takes_context=True)
def time_element(context, value, date_only=False):
    """A moment as <time>: 2024-03-02 10:15 in local time, or the day alone with date_only.

    The same markup as ``<time datetime="{{ value|date:'c' }}">{{ value|date:"Y-m-d H:i" }}</time>``
    for lists of entries, where the date filter is a good part of the cost.
    """
    value = template_localtime(value, context.use_tz)
    if date_only:
        day = value.date() if isinstance(value, datetime.datetime) else value
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), day.isoformat())
    shown = f"{value.year:04}-{value.month:02}-{value.day:02} {value.hour:02}:{value.minute:02}"
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


@register.filter
def age_yrs(age):
    """An age in the short form of list pages ("45 yrs", 45歳)."""
    return gettext("%(age)s yrs") % {"age": age}


# The stage badge's colour: text says the stage, colour only repeats it.
_STAGE_BADGE_CLASS = {
    "closed": "badge--muted",
    "suspended": "badge--warning",
    "watching": "badge--success",
}


@lru_cache
def _stage_labels():
    from cases.models import Stage

    return dict(Stage.choices)


@register.simple_tag
def stage_badge(stage):
    """A case's stage as a coloured badge."""
    return format_html(
        '<span class="badge {}">{}</span>',
        _STAGE_BADGE_CLASS.get(stage, "badge--info"),
        _stage_labels().get(stage, stage),
    )


# Stand-ins for the one argument of a view: text for a str converter, a number for an int one.
_TEXT_SLOT = "\x00"
_NUMBER_SLOT = 4294967291
_PCHAR_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


@lru_cache(maxsize=64)
def _url_around_slot(view_name, resolver, script_prefix):
    """The URL of view_name split around its argument, and the argument's kind, or None."""
    for slot in (_TEXT_SLOT, _NUMBER_SLOT):
        try:
            url = reverse(view_name, args=[slot])
        except NoReverseMatch:
            continue
        marker = quote(str(slot))
        if url.count(marker) == 1:
            head, tail = url.split(marker)
            return head, tail, type(slot)
    return None


@register.filter
def url_of(value, view_name):
    """``{% url view_name value %}`` for a view with one str or int argument, reversed once.

    Rows of long lists link each to its own page; reversing the URL for every row cost more
    than most of the row. Values the shortcut cannot vouch for (empty text, text with "/",
    anything but a non-negative int for an int argument) go through reverse() as before.
    """
    around = _url_around_slot(view_name, get_resolver(get_urlconf()), get_script_prefix())
    if around is not None:
        head, tail, kind = around
        if kind is str and isinstance(value, str | int) and not isinstance(value, bool):
            text = str(value)
            if text and "/" not in text:
                return head + quote(text, safe=_PCHAR_SAFE) + tail
        elif kind is int and type(value) is int and value >= 0:
            return f"{head}{value}{tail}"
    return reverse(view_name, args=[value])


SELECT_OPTION = "django/forms/widgets/select_option.html"


def _as_s(value, context):
    """``{{ value|stringformat:'s' }}``."""
    text = stringformat(value, "s")
    if isinstance(value, SafeData):
        text = mark_safe(text)  # noqa: S308 (stringformat keeps safe input safe)
    return render_value_in_context(text, context)


def _option(option, context):
    if option["template_name"] != SELECT_OPTION:
        option_template = context.template.engine.get_template(option["template_name"])
        with context.push(widget=option):
            return option_template.render(context)
    attrs = "".join(
        f" {render_value_in_context(name, context)}"
        + ("" if value is True else f'="{_as_s(value, context)}"')
        for name, value in option["attrs"].items()
        if value is not False
    )
    value = _as_s(option["value"], context)
    label = render_value_in_context(option["label"], context)
    return f'<option value="{value}"{attrs}>{label}</option>\n'


@register.simple_tag(takes_context=True)
def select_options(context, optgroups):
    """A select widget's option groups and options, exactly as Django's select.html writes them.

    A template per option was most of the cost of a long select (forty hubs). An option that
    names a template of its own still renders through it.
    """
    parts = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value_in_context(group_name, context)}">')
        parts.extend(f"\n  {_option(option, context)}" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 (every part above is escaped)
