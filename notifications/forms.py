"""The mail preferences form: one choice per kind (works without JavaScript)."""

from django import forms

from .models import MailTiming
from .preferences import DEFAULTS, KIND_NAMES


class MailPreferencesForm(forms.Form):
    """``immediately``, ``digest`` or ``never`` for each kind of notification."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, default in DEFAULTS.items():
            self.fields[kind] = forms.ChoiceField(
                label=KIND_NAMES[kind][0].upper() + KIND_NAMES[kind][1:],
                choices=MailTiming.choices,
                initial=default,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose immediately, in a daily digest, or never.",
                    "invalid_choice": "Choose immediately, in a daily digest, or never.",
                },
            )
