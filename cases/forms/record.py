"""Record forms: the full form, the tablet quick entry, 取消, and the timeline filters."""

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare.models import Code, CodeList

from ..models import AccompanimentRecord, Case, Person

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
DATETIME_INPUTS = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)  # tablet clocks drift a little
DEFAULT_CONTACT_TYPE = "home_visit"


def now_for_input():
    return timezone.localtime().replace(second=0, microsecond=0)


def _contact_types(current=None):
    """Active contact types, plus the record's own one even if it was retired since."""
    condition = Q(code_list=CodeList.CONTACT_TYPE, active=True)
    if current is not None:
        condition |= Q(pk=current)
    return Code.objects.filter(condition).order_by("order", "id")


def _when_field():
    return forms.DateTimeField(
        label=_("When"),
        input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


def _check_not_future(value):
    if value and value > timezone.now() + FUTURE_TOLERANCE:
        raise forms.ValidationError(_("A record is written after the contact: check the time."))
    return value


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        if obj.relationship_id:
            return f"{obj.full_name}（{obj.relationship}）"
        return obj.full_name


class RecordForm(forms.ModelForm):
    """The full record on a case. ``version`` is only used when editing."""

    occurred_at = _when_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AccompanimentRecord
        fields = [
            "occurred_at",
            "contact_type",
            "place",
            "met_persons",
            "met_others",
            "content",
            "state",
            "state_note",
            "next_action",
            "next_action_on",
            "sensitive",
        ]
        field_classes = {"met_persons": PersonChoices}
        widgets = {
            "contact_type": forms.RadioSelect,
            "met_persons": forms.CheckboxSelectMultiple,
            "content": forms.Textarea(attrs={"rows": 10}),
            "state": forms.RadioSelect,
            "next_action_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.instance
        editing = record.pk is not None
        self.fields["contact_type"].queryset = _contact_types(
            record.contact_type_id if editing else None
        )
        self.fields["contact_type"].empty_label = None
        self.fields["state"].choices = [("", _("Not noted")), *AccompanimentRecord.State.choices]
        people = Person.objects.visible_to(user).filter(
            Q(household_id=case.household_id) | Q(case_links__case=case)
        )
        if editing:
            people = Person.objects.filter(
                Q(pk__in=people.values("pk")) | Q(pk__in=record.met_persons.values("pk"))
            )
        self.fields["met_persons"].queryset = (
            people.distinct()
            .select_related("relationship")
            .order_by("relationship__order", "birth_date", "id")
        )
        if editing:
            self.fields["version"].initial = record.version
            self.fields["version"].required = True
        else:
            del self.fields["version"]
            self.fields["occurred_at"].initial = now_for_input()

    def clean_occurred_at(self):
        return _check_not_future(self.cleaned_data.get("occurred_at"))

    def service_fields(self):
        """The cleaned values as keyword arguments for record_create / record_update."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["met_persons"] = list(data["met_persons"])
        return data


class CaseCardChoice(forms.ModelChoiceField):
    """A case chosen by its number (the value the quick entry's cards and ?case= use)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Case.objects.none(), to_field_name="number", **kwargs)


class QuickRecordForm(forms.Form):
    """The tablet screen: which case, how, when, what. Everything else can be added later."""

    case = CaseCardChoice(
        label=_("Case"),
        error_messages={"invalid_choice": _("Choose one of your cases.")},
        widget=forms.RadioSelect,
    )
    contact_type = forms.ModelChoiceField(
        label=_("Contact type"), queryset=Code.objects.none(), empty_label=None,
        widget=forms.RadioSelect,
    )  # fmt: skip
    occurred_at = _when_field()
    content = forms.CharField(
        label=_("What happened"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        contact_types = _contact_types()
        self.fields["contact_type"].queryset = contact_types
        self.fields["contact_type"].initial = (
            contact_types.filter(code=DEFAULT_CONTACT_TYPE).values_list("pk", flat=True).first()
        )
        self.fields["occurred_at"].initial = now_for_input()

    def clean_occurred_at(self):
        return _check_not_future(self.cleaned_data.get("occurred_at"))

    def clean_content(self):
        content = self.cleaned_data["content"]
        if not content.strip():
            raise forms.ValidationError(_("Write what happened."))
        return content


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(
        label=_("Why this record is cancelled (取消)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_cancel_reason(self):
        reason = self.cleaned_data["cancel_reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please write why the record is cancelled."))
        return reason


class TimelineFilterForm(forms.Form):
    type = forms.MultipleChoiceField(
        label=_("Show"), required=False, widget=forms.CheckboxSelectMultiple
    )
    hub = forms.ModelChoiceField(
        label=_("Hub"), queryset=Hub.objects.none(), required=False, empty_label=_("All hubs")
    )

    def __init__(self, *args, types, hubs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = types
        self.fields["hub"].queryset = hubs
