"""FilterSets for the cases app's list pages."""

import unicodedata

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import ModelChoiceField

from hubs.models import Hub, Membership, Role
from takatsuki_welfare.models import Code, CodeList
from takatsuki_welfare.templatetags.tsunagu import display_name

from .models import (
    Case,
    CasePerson,
    Conference,
    HouseholdFlag,
    LegalType,
    MeetingType,
    Person,
    Stage,
)

# Stages sort in the order a case moves through them, not alphabetically by code.
STAGE_RANK = models.Case(
    *(models.When(stage=value, then=rank) for rank, value in enumerate(Stage.values)),
    output_field=models.IntegerField(),
)


class UserChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class UserChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class CaseOrderingFilter(django_filters.OrderingFilter):
    """Sortable columns; empty dates sort as the oldest; "id" always breaks ties."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        ordering = []
        for param in value:
            if param in EMPTY_VALUES:
                continue
            name = self.get_ordering_value(param)
            descending = name.startswith("-")
            name = name.removeprefix("-")
            if name == "stage_rank":
                qs = qs.annotate(stage_rank=STAGE_RANK)
            expression = F(name)
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
            )
        return qs.order_by(*ordering, "id")


def members_of_acting_hub(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return get_user_model().objects.none()
    members = (
        Membership.objects.active().filter(hub_id=membership.hub_id).exclude(role=Role.VOLUNTEER)
    )
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, kana or case number"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    stage = django_filters.MultipleChoiceFilter(
        label=_("Stage"),
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,  # a column of the case itself: no join, no duplicates to remove
    )
    field = django_filters.ModelChoiceFilter(
        label=_("Field"),
        field_name="fields",
        queryset=Code.objects.of(CodeList.FIELD),
        empty_label=_("All"),
    )
    concern = django_filters.ModelChoiceFilter(
        label=_("Concern"),
        field_name="concerns",
        queryset=Code.objects.of(CodeList.CONCERN),
        empty_label=_("All"),
    )
    flag = django_filters.ModelChoiceFilter(
        label=_("Complex need"),
        queryset=Code.objects.of(CodeList.COMPLEX_NEED),
        method="filter_flag",
        empty_label=_("All"),
    )
    lead_hub = django_filters.ModelChoiceFilter(
        label=_("Lead hub"), queryset=Hub.objects.active(), empty_label=_("All")
    )
    main_worker = UserChoiceFilter(
        label=_("Main worker"), queryset=members_of_acting_hub, empty_label=_("All")
    )
    multi_agency = django_filters.BooleanFilter(
        label=_("Multi-agency"),
        widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]),
    )
    no_contact_days = IntegerFilter(
        label=_("No contact for more than (days)"), method="filter_no_contact", min_value=1
    )
    contact_overdue = django_filters.BooleanFilter(
        label=_("No contact past the follow-up interval (連絡途絶)"),
        method="filter_contact_overdue",
        widget=forms.CheckboxInput,
    )
    mine = django_filters.BooleanFilter(
        label=_("Only cases I am the main worker of"),
        method="filter_mine",
        widget=forms.CheckboxInput,
    )
    opened_from = django_filters.DateFilter(
        label=_("Opened from"),
        field_name="opened_on",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    opened_to = django_filters.DateFilter(
        label=_("Opened until"),
        field_name="opened_on",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ordering = CaseOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("number", "number"),
            ("opened_on", "opened"),
            ("stage_rank", "stage"),
            ("last_contact_on", "last_contact"),
        ),
        field_labels={
            "number": _("Case number"),
            "opened_on": _("Opened on"),
            "stage_rank": _("Stage"),
            "last_contact_on": _("Last contact"),
        },
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Case
        fields = []

    def filter_text(self, queryset, name, value):
        text = unicodedata.normalize("NFKC", value).strip()
        if not text:
            return queryset
        persons = Person.objects.search(text)
        named = Exists(CasePerson.objects.filter(case_id=OuterRef("pk"), person__in=persons))
        return queryset.filter(named | Q(number__contains=text))

    def filter_flag(self, queryset, name, value):
        today = timezone.localdate()
        flags = HouseholdFlag.objects.filter(household_id=OuterRef("household_id"), kind=value)
        flags = flags.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        return queryset.filter(Exists(flags))

    def filter_no_contact(self, queryset, name, value):
        return queryset.without_contact_for(value)

    def filter_contact_overdue(self, queryset, name, value):
        """Oldest due first, as on the dashboard, unless the user picks another sort."""
        if not value:
            return queryset
        return queryset.contact_overdue().order_by("contact_due_on", "id")

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(main_worker=self.request.user)


class ConferenceFilter(django_filters.FilterSet):
    """The conference list: a quick tab (``show``) and the conditions beside it."""

    UPCOMING, HELD, SUBMITTED, APPROVED, CANCELLED, ALL = (
        "upcoming", "held", "submitted", "approved", "cancelled", "all",
    )  # fmt: skip
    TABS = (
        (UPCOMING, _("Upcoming (予定)")),
        (HELD, _("Held (開催済)")),
        (SUBMITTED, _("Awaiting approval (承認待ち)")),
        (APPROVED, _("Approved (承認済)")),
        (CANCELLED, _("Cancelled (中止)")),
        (ALL, _("All (すべて)")),
    )

    show = django_filters.ChoiceFilter(
        choices=TABS, method="filter_show", widget=forms.HiddenInput, empty_label=None
    )
    meeting_type = django_filters.ModelChoiceFilter(
        label=_("Meeting type"), queryset=MeetingType.objects.all(), empty_label=_("All")
    )
    legal_type = django_filters.ChoiceFilter(
        label=_("Legal type"),
        field_name="meeting_type__legal_type",
        choices=LegalType.choices,
        empty_label=_("All"),
    )
    date_from = django_filters.DateFilter(
        label=_("Meetings from"),
        field_name="starts_at__date",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Meetings until"),
        field_name="starts_at__date",
        lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    mine = django_filters.BooleanFilter(
        label=_("Only meetings my hub convenes"), method="filter_mine", widget=forms.CheckboxInput
    )

    class Meta:
        model = Conference
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Without a tab chosen the list shows what is coming up.
        data = QueryDict(mutable=True) if data is None else data.copy()
        if data.get("show") not in dict(self.TABS):
            data["show"] = self.UPCOMING
        super().__init__(data, *args, **kwargs)

    def filter_show(self, queryset, name, value):
        status = Conference.Status
        if value == self.UPCOMING:
            return queryset.filter(
                status=status.PLANNED, starts_at__date__gte=timezone.localdate()
            ).order_by("starts_at", "id")
        by_tab = {
            self.HELD: [status.HELD, status.DRAFTING],
            self.SUBMITTED: [status.SUBMITTED],
            self.APPROVED: [status.APPROVED],
            self.CANCELLED: [status.CANCELLED],
        }
        if value in by_tab:
            queryset = queryset.filter(status__in=by_tab[value])
        return queryset.order_by("-starts_at", "-id")

    def filter_mine(self, queryset, name, value):
        membership = getattr(self.request, "membership", None)
        if not value or membership is None:
            return queryset
        return queryset.filter(convening_hub_id=membership.hub_id)
