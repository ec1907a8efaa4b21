import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from takatsuki_welfare.models import Code, CodeList

from .models import Area, Hub


class HubFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or kana"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = django_filters.ModelChoiceFilter(
        label=_("Kind"), queryset=Code.objects.of(CodeList.HUB_KIND), empty_label=_("All")
    )
    field = django_filters.ModelChoiceFilter(
        label=_("Field"),
        field_name="fields",
        queryset=Code.objects.of(CodeList.FIELD),
        empty_label=_("All"),
    )
    project = django_filters.ModelChoiceFilter(
        label=_("Project"),
        field_name="projects",
        queryset=Code.objects.of(CodeList.PROJECT),
        empty_label=_("All"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"), queryset=Area.objects.all(), method="filter_area", empty_label=_("All")
    )
    include_inactive = django_filters.BooleanFilter(
        label=_("Include inactive hubs"), method="filter_inactive", widget=forms.CheckboxInput
    )

    class Meta:
        model = Hub
        fields = ["q", "kind", "field", "project", "area"]

    @property
    def qs(self):
        # Retired hubs stay out of the directory unless asked for (also before any filtering).
        queryset = super().qs
        wants_inactive = (
            self.is_bound
            and self.form.is_valid()
            and self.form.cleaned_data.get("include_inactive")
        )
        return queryset if wants_inactive else queryset.active()

    def filter_text(self, queryset, name, value):
        return queryset.matching(value)

    def filter_area(self, queryset, name, value):
        return queryset.serving(value)

    def filter_inactive(self, queryset, name, value):
        return queryset
