"""Forms of the referral screens: sending, and one small form per transition."""

from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from hubs.models import Hub

from .models import Basis, DeclinedBy, DeclineReason, Kind, Outcome, Urgency
from .services import CONSENT_KINDS_FOR_REFERRAL


def hub_choices(hubs):
    """Hubs grouped by kind (拠点の型) for a select; hubs must come with select_related("kind")."""
    hubs = sorted(hubs, key=lambda h: (h.kind.order, h.kind_id, h.order, h.kana, h.pk))
    groups = [
        (str(kind), [(h.pk, h.name) for h in members])
        for kind, members in groupby(hubs, key=lambda h: h.kind)
    ]
    return [("", _("Choose a hub")), *groups]


def consent_label(consent):
    scope = "、".join(h.name for h in consent.hubs.all()) or "—"
    return _("%(person)s: %(kind)s, %(date)s (scope: %(scope)s)") % {
        "person": consent.person.full_name,
        "kind": consent.get_kind_display(),
        "date": f"{consent.obtained_on:%Y-%m-%d}",
        "scope": scope,
    }


class ReferralForm(forms.Form):
    """Refer a case or an intake. The basis check itself is the service's (check_basis).

    The hub select validates against every hub, so that choosing one's own or a retired hub
    gets the service's explanation rather than "not a valid choice"; it lists only the hubs the
    directory filters leave (plus the one chosen). Consents likewise: valid ones are listed, but
    a consent withdrawn meanwhile is still accepted here and refused with the reason.
    """

    to_hub = forms.ModelChoiceField(label=_("Receiving hub"), queryset=Hub.objects.none())
    kind = forms.ChoiceField(
        label=_("Kind of referral"), choices=[("", "---------"), *Kind.choices]
    )
    person = forms.ModelChoiceField(
        label=_("Person referred"), queryset=None, required=False, empty_label=None
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the receiving hub needs to know to decide."),
    )
    request = forms.CharField(
        label=_("What is asked"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    basis = forms.ChoiceField(
        label=_("Basis for sharing"),
        choices=Basis.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "The person's consent must cover the receiving hub; without it, share only "
            "through a support meeting (社会福祉法106条の6)."
        ),
    )
    consent = forms.ModelChoiceField(
        label=_("Consent relied on"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
    )
    meeting_reference = forms.CharField(
        label=_("Support meeting (date and name)"),
        max_length=200,
        required=False,
        help_text=_("For example: 2026-05-20 支援会議（芥川地区）"),
    )

    def __init__(self, *args, hubs, listed_hubs, persons, consents, allow_handover, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_hub"].queryset = hubs
        chosen = self._raw("to_hub")
        listed = list(listed_hubs)
        if chosen and not any(str(h.pk) == chosen for h in listed):
            listed += list(hubs.filter(pk=chosen) if chosen.isdigit() else [])
        self.fields["to_hub"].choices = hub_choices(listed)
        if not allow_handover:
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != Kind.HANDOVER
            ]
        self.fields["person"].queryset = persons
        self.fields["person"].required = persons.exists()
        self.fields["consent"].queryset = consents
        chosen_consent = self._raw("consent")
        self.fields["consent"].choices = [
            (c.pk, consent_label(c))
            for c in consents
            if str(c.pk) == chosen_consent
            or (c.is_valid_on() and c.kind in CONSENT_KINDS_FOR_REFERRAL)
        ]

    def _raw(self, name):
        source = self.data if self.is_bound else self.initial
        value = source.get(name)
        return str(value) if value not in (None, "") else ""


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CommentForm(VersionedForm):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(VersionedForm):
    decline_reason = forms.ChoiceField(
        label=_("Reason for declining"), choices=[("", "---------"), *DeclineReason.choices]
    )
    declined_by = forms.ChoiceField(
        label=_("Declined by"),
        choices=DeclinedBy.choices,
        initial=DeclinedBy.HUB,
        widget=forms.RadioSelect,
    )
    decline_note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “Other”. The sender must choose a next step after a decline."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decline_reason") == DeclineReason.OTHER
            and not data.get("decline_note", "").strip()
        ):
            self.add_error("decline_note", _("Please describe the reason."))
        return data


class CompleteForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    outcome_note = forms.CharField(
        label=_("Note for the sending hub"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WithdrawForm(VersionedForm):
    withdraw_reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class KeepForm(VersionedForm):
    next_step_note = forms.CharField(
        label=_("How the support continues at your hub"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RerouteForm(VersionedForm):
    """Refer the same case on to another named hub; the basis can change for the new hub."""

    to_hub = forms.ModelChoiceField(label=_("Re-route to"), queryset=Hub.objects.none())
    consent = forms.ModelChoiceField(
        label=_("Consent covering the new hub"),
        queryset=None,
        required=False,
        help_text=_("Leave empty to keep the basis of this referral."),
    )
    meeting_reference = forms.CharField(
        label=_("Or: support meeting (date and name)"),
        max_length=200,
        required=False,
        help_text=_("Filled in, the new referral relies on the support meeting (支援会議)."),
    )
    next_step_note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, hubs, consents, **kwargs):
        super().__init__(*args, **kwargs)
        hubs = list(hubs)
        self.fields["to_hub"].queryset = Hub.objects.filter(pk__in=[h.pk for h in hubs])
        self.fields["to_hub"].choices = hub_choices(hubs)
        self.fields["consent"].queryset = consents
        self.fields["consent"].choices = [
            ("", "---------"),
            *((c.pk, consent_label(c)) for c in consents),
        ]
