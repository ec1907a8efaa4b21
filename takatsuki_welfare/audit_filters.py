import datetime

import django_filters
from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import AccessLog
from .templatetags.tsunagu import display_name

# Records whose pages are logged; the filter offers them by name.
RECORD_TYPES = ["cases.Case", "cases.Household", "cases.Person", "cases.Intake", "cases.Consent"]


def record_type_choices():
    models = (apps.get_model(label) for label in RECORD_TYPES)
    return [(model._meta.model_name, capfirst(model._meta.verbose_name)) for model in models]


class DateInput(forms.DateInput):
    input_type = "date"


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AccessLogFilter(django_filters.FilterSet):
    """Filters for a manager's view of their hub's log; ``hub`` scopes the user choices."""

    user = django_filters.ModelChoiceFilter(
        label=_("User"), queryset=get_user_model().objects.none(), empty_label=_("All")
    )
    date_from = django_filters.DateFilter(
        label=_("Date from"), method="filter_date_from", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("Date to"), method="filter_date_to", widget=DateInput
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), choices=AccessLog.Action.choices, empty_label=_("All")
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Record type"), choices=record_type_choices, empty_label=_("All")
    )
    object_id = django_filters.CharFilter(label=_("Record id"))
    record = django_filters.CharFilter(
        label=_("Record contains"),
        field_name="object_repr",
        lookup_expr="contains",
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        model = AccessLog
        fields = ["user", "date_from", "date_to", "action", "object_type", "object_id", "record"]

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone who has been a member of the hub, including former members: the log outlives them.
        users = (
            get_user_model()
            .objects.filter(memberships__hub=hub)
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.filters["user"].queryset = users
        self.form.fields["user"].label_from_instance = display_name

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))
