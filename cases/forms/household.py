from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Area
from takatsuki_welfare.models import Code, CodeList

from ..models import Household


def not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."), code="future")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class HouseholdForm(forms.ModelForm):
    # The version the user started from (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Household
        fields = [
            "postal_code",
            "town",
            "address_rest",
            "area",
            "phone",
            "housing",
            "household_type",
            "public_assistance",
            "notes",
        ]
        widgets = {
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["area"].queryset = Area.objects.filter(kind=Area.Kind.DISTRICT)
        self.fields["housing"].queryset = Code.objects.of(CodeList.HOUSING)
        self.fields["household_type"].queryset = Code.objects.of(CodeList.HOUSEHOLD_TYPE)

    def changes(self):
        """The model fields to write, without the version."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class HouseholdFlagForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Complex need"), queryset=Code.objects.none(), empty_label=_("Choose")
    )
    persons = forms.ModelMultipleChoiceField(
        label=_("Persons involved"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    judged_on = forms.DateField(
        label=_("Judged on (判断日)"),
        widget=DateInput,
        validators=[not_in_future],
        initial=timezone.localdate,
    )
    basis = forms.CharField(
        label=_("Basis (根拠)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the judgement rests on, in a sentence or two."),
    )

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = Code.objects.of(CodeList.COMPLEX_NEED)
        # Only this household's members: a person of another household is not a valid choice.
        persons = self.fields["persons"]
        persons.queryset = household.members.order_by("id")
        persons.label_from_instance = lambda p: p.full_name

    def clean_basis(self):
        basis = self.cleaned_data["basis"].strip()
        if not basis:
            raise forms.ValidationError(_("Please write the basis for this judgement."))
        return basis


class HouseholdFlagEndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("No longer applies from"),
        widget=DateInput,
        validators=[not_in_future],
        initial=timezone.localdate,
    )

    def __init__(self, *args, flag, **kwargs):
        super().__init__(*args, **kwargs)
        self.flag = flag

    def clean_ended_on(self):
        ended_on = self.cleaned_data["ended_on"]
        if ended_on < self.flag.judged_on:
            raise forms.ValidationError(
                _("The end date cannot be before the date of the judgement.")
            )
        return ended_on
