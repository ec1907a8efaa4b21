from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Engagement, OutreachAttempt, Person
from .household import DateInput, not_in_future


class PersonOfCaseField(forms.ModelChoiceField):
    """The case's persons, each labelled with their current engagement stage."""

    def __init__(self, *args, case_persons, **kwargs):
        self.engagement = {cp.person_id: cp.get_engagement_display() for cp in case_persons}
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        stage = self.engagement.get(obj.pk)
        return f"{obj.full_name}（{stage}）" if stage else obj.full_name


class OutreachForm(forms.ModelForm):
    engagement = forms.ChoiceField(
        label=_("Engagement stage after this attempt"),
        choices=[("", _("Unchanged")), *Engagement.choices],
        required=False,
        help_text=_("Leave unchanged if the attempt did not move the relationship forward."),
    )

    class Meta:
        model = OutreachAttempt
        fields = ["person", "attempted_on", "method", "result", "note", "next_attempt_on"]
        widgets = {
            "attempted_on": DateInput,
            "next_attempt_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 4}),
            "method": forms.RadioSelect,
            "result": forms.RadioSelect,
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        case_persons = list(case.case_persons.select_related("person"))
        self.fields["person"] = PersonOfCaseField(
            label=OutreachAttempt._meta.get_field("person").verbose_name,
            queryset=Person.objects.filter(case_links__case=case).order_by(
                "-case_links__is_primary", "case_links__id"
            ),
            case_persons=case_persons,
            empty_label=_("Choose"),
        )
        self.fields["attempted_on"].initial = timezone.localdate
        self.fields["attempted_on"].validators.append(not_in_future)
        self.fields["method"].choices = OutreachAttempt.Method.choices
        self.fields["result"].choices = OutreachAttempt.Result.choices

    def clean(self):
        cleaned = super().clean()
        attempted_on, next_on = cleaned.get("attempted_on"), cleaned.get("next_attempt_on")
        if attempted_on and next_on and next_on < attempted_on:
            self.add_error("next_attempt_on", _("The next attempt cannot be before this attempt."))
        return cleaned

    def attempt_fields(self):
        """Keyword arguments for services.outreach_record."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields["engagement"] = data["engagement"]
        return fields
