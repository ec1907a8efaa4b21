from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub
from takatsuki_welfare.forms import BirthDateField
from takatsuki_welfare.japanese import kana_only
from takatsuki_welfare.models import Code, CodeList

from ..models import Consent, Person, PersonDetails
from .household import DateInput, not_in_future

KANA_ONLY = _("Please write the reading in kana (hiragana or katakana).")


class PersonForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    birth_date = BirthDateField(label=_("Date of birth"), required=False)

    class Meta:
        model = Person
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "birth_date",
            "sex",
            "phone",
            "phone2",
            "email",
            "relationship",
            "co_resident",
        ]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "phone2": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["relationship"].queryset = Code.objects.of(CodeList.RELATIONSHIP)

    def _clean_kana(self, name):
        value = self.cleaned_data[name].strip()
        if value and not kana_only(value):
            raise forms.ValidationError(KANA_ONLY, code="kana")
        return value

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PersonDetailsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = PersonDetails
        fields = [
            "disability_certificate",
            "certificate_grade",
            "care_level",
            "employment",
            "health_insurance",
            "pension",
            "health_notes",
        ]
        widgets = {"health_notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Choose")), *Consent.Kind.choices])
    hubs = forms.ModelMultipleChoiceField(
        label=_("Scope (hubs)"),
        queryset=Hub.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The hubs the person agreed their information may be shared with."),
    )
    obtained_on = forms.DateField(
        label=_("Obtained on"),
        widget=DateInput,
        validators=[not_in_future],
        initial=timezone.localdate,
    )
    method = forms.ChoiceField(
        label=_("Method"), choices=Consent.Method.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hubs"].label_from_instance = lambda hub: hub.name


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"),
        widget=DateInput,
        validators=[not_in_future],
        initial=timezone.localdate,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, consent, **kwargs):
        super().__init__(*args, **kwargs)
        self.consent = consent

    def clean_withdrawn_on(self):
        withdrawn_on = self.cleaned_data["withdrawn_on"]
        if withdrawn_on < self.consent.obtained_on:
            raise forms.ValidationError(
                _("Consent cannot be withdrawn before the date it was obtained.")
            )
        return withdrawn_on
