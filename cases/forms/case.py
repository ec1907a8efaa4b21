from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hubs.models import Membership, Role
from takatsuki_welfare.models import Code, CodeList
from takatsuki_welfare.templatetags.tsunagu import display_name

from ..models import Case, Stage


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def _codes(code_list, current):
    """Active codes of the list, plus those the record already has (even if retired since)."""
    return Code.objects.filter(Q(code_list=code_list, active=True) | Q(pk__in=current)).order_by(
        "order", "id"
    )


class CaseEditForm(forms.ModelForm):
    follow_up_days = forms.IntegerField(
        label=Case._meta.get_field("follow_up_days").verbose_name,
        help_text=Case._meta.get_field("follow_up_days").help_text,
        min_value=1,
        max_value=365,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Case
        fields = [
            "fields",
            "concerns",
            "projects",
            "main_worker",
            "follow_up_days",
            "multi_agency",
            "summary",
        ]
        field_classes = {"main_worker": UserChoiceField}
        widgets = {
            "fields": forms.CheckboxSelectMultiple,
            "concerns": forms.CheckboxSelectMultiple,
            "projects": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        self.fields["version"].initial = case.version
        for name, code_list in (
            ("fields", CodeList.FIELD),
            ("concerns", CodeList.CONCERN),
            ("projects", CodeList.PROJECT),
        ):
            self.fields[name].queryset = _codes(code_list, getattr(case, name).values("pk"))
        members = Membership.objects.active().filter(hub_id=case.lead_hub_id)
        members = members.exclude(role=Role.VOLUNTEER).values("user_id")
        self.fields["main_worker"].queryset = (
            get_user_model()
            .objects.filter(Q(pk__in=members) | Q(pk=case.main_worker_id))
            .order_by("last_name", "first_name", "username")
        )


class StageChangeForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("New stage"))
    reason = forms.CharField(
        label=_("Why the stage changes"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [(s, Stage(s).label) for s in case.allowed_next_stages()]
        self.fields["version"].initial = case.version


class ClosureRequestForm(forms.Form):
    closure_reason = forms.ModelChoiceField(
        label=_("Closure reason (終結理由)"), queryset=Code.objects.of(CodeList.CLOSURE_REASON)
    )
    note = forms.CharField(
        label=_("Why the case can close"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ClosureDecisionForm(forms.Form):
    APPROVE = "approve"
    RETURN = "return"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve: close the case")), (RETURN, _("Return with a comment"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not cleaned.get("comment"):
            self.add_error("comment", _("Please write why the request is returned."))
        return cleaned
