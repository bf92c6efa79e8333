from django import forms

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        required=False,
        help_text="What the token is for, so you know which to revoke later.",
    )
