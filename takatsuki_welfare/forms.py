import datetime

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core import validators
from django.utils.translation import gettext_lazy as _

from .wareki import format_wareki, parse_birth_date


class LoginForm(AuthenticationForm):
    """Django's login form; one message for every failure, so it never tells who exists."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The user name or password is not correct. Please check and try again. "
            "After %(limit)s failed attempts, sign-in is locked for %(minutes)s minutes."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def get_invalid_login_error(self):
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "limit": settings.AXES_FAILURE_LIMIT,
                "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            },
        )


class BirthDateField(forms.CharField):
    """A date typed in 和暦 or 西暦 (昭和45年3月2日, S45.3.2, 1970-03-02 …)."""

    widget = forms.TextInput(
        attrs={"placeholder": "例: 昭和45年3月2日 / S45.3.2 / 1970-03-02", "inputmode": "text"}
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        # max_length limits the typed text (the widget's maxlength); the cleaned value is a date.
        self.validators = [
            v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)
        ]

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return format_wareki(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_birth_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid_date") from exc
