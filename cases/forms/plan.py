from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub

from ..models import Consent, PlanAction, PlanGoal, SupportPlan
from .household import DateInput


class ConsentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.full_name}: {obj}"


class HubChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PlanForm(forms.ModelForm):
    """The plan itself; ``version`` is set only when editing an existing plan."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = SupportPlan
        fields = [
            "wishes",
            "issues",
            "long_term_goal",
            "uses_participation",
            "uses_outreach",
            "review_on",
            "consent",
        ]
        field_classes = {"consent": ConsentChoiceField}
        widgets = {
            "wishes": forms.Textarea(attrs={"rows": 5}),
            "issues": forms.Textarea(attrs={"rows": 6}),
            "long_term_goal": forms.Textarea(attrs={"rows": 3}),
            "review_on": DateInput,
        }
        help_texts = {
            "wishes": _("In the person's and household's own words."),
            "consent": _("Valid consents of the persons of this case."),
        }

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].required = True
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        consents = Consent.objects.visible_to(user).filter(person__case_links__case=case)
        self.fields["consent"].queryset = (
            consents.filter(
                Q(pk__in=consents.valid_on().values("pk")) | Q(pk=self.instance.consent_id)
            )
            .select_related("person")
            .order_by("-obtained_on", "-id")
        )
        self.fields["consent"].empty_label = _("No consent recorded yet")

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class GoalForm(forms.ModelForm):
    class Meta:
        model = PlanGoal
        fields = ["term", "text", "order"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "term": forms.RadioSelect}

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ActionForm(forms.ModelForm):
    class Meta:
        model = PlanAction
        fields = ["text", "hub", "person_in_charge", "frequency", "due_on", "order"]
        field_classes = {"hub": HubChoiceField}
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "due_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hub"].queryset = Hub.objects.filter(
            Q(active=True) | Q(pk=self.instance.hub_id)
        )
        self.fields["hub"].empty_label = _("Choose")

    def changes(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class VersionForm(forms.Form):
    """A status step: the version the user saw, so a step on a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EvaluateForm(VersionForm):
    evaluation = forms.ChoiceField(
        label=_("Evaluation"),
        choices=SupportPlan.Evaluation.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Evaluation note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
