from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User

from forum.text import CleanTextMixin


class SignupForm(CleanTextMixin, UserCreationForm):
    """Username, email and password. Email is required: it is how a forgotten password is reset."""

    email = forms.EmailField(
        required=True, help_text="Only used to reset your password; never shown."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        # Password reset mails every account with the address; one account per address keeps
        # "reset my password" unambiguous.
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email
