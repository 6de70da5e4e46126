"""Forms parse what people type; the rules themselves live in services."""

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from darcha.modules.identity.info import CONSENT_PURPOSES


class Form(forms.Form):
    """Django's own required and choice messages are missing in Uzbek Cyrillic; these are not."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Fill in this field.")
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = _("Choose one of the options in the list.")


class SignInForm(Form):
    identifier = forms.CharField(
        label=_("PINFL or phone number"),
        max_length=32,
        help_text=_("The 14 digits of your PINFL, or your phone number, for example +998 90 123-45-67."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CodeForm(Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if not re.fullmatch(r"[0-9]{6}", code):
            raise forms.ValidationError(_("The code is 6 digits."), code="code_format")
        return code


class RegisterForm(Form):
    pinfl = forms.CharField(
        label=_("PINFL"),
        max_length=20,
        help_text=_("14 digits, printed on your ID card or passport."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    document_number = forms.CharField(
        label=_("ID card or passport number"),
        max_length=12,
        help_text=_("2 letters and 7 digits, for example AB1234567."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    surname = forms.CharField(
        label=_("Surname"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    given_name = forms.CharField(
        label=_("Given name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    patronymic = forms.CharField(
        label=_("Patronymic (if you have one)"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "additional-name"}),
    )
    address_area = forms.ChoiceField(label=_("District of your registered address"), required=False)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        help_text=_("We send a code by SMS to confirm it. Only Uzbek numbers (+998) can receive codes."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, districts: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address_area"].choices = [("", _("Choose later")), *districts]

    def clean(self):
        return _passwords_match(self, super().clean())


def _passwords_match(form: forms.Form, data: dict) -> dict:
    if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
        form.add_error("password_again", _("The two passwords do not match."))
    return data


class PasswordForm(Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 8 characters, not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        return _passwords_match(self, super().clean())


class PhoneForm(Form):
    phone = forms.CharField(
        label=_("New mobile phone"),
        max_length=20,
        help_text=_("We send a code by SMS to the new number to confirm it."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )


class EmailForm(Form):
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("Leave empty to remove your e-mail address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class LanguageForm(Form):
    language = forms.ChoiceField(
        label=_("Language of the portal, messages and documents"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )


class ChannelsForm(Form):
    sms = forms.BooleanField(label=_("SMS"), required=False)
    email = forms.BooleanField(label=_("E-mail"), required=False)
    in_app = forms.BooleanField(label=_("Messages in my cabinet"), required=False)


class ConsentForm(Form):
    purpose = forms.ChoiceField(choices=[(key, key) for key in CONSENT_PURPOSES])
    action = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])


class SessionForm(Form):
    session = forms.IntegerField(min_value=1)


class EntitySwitchForm(Form):
    entity = forms.UUIDField(required=False)
    next = forms.CharField(required=False)


class PersonSearchForm(Form):
    pinfl = forms.CharField(
        label=_("PINFL of the visitor"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )


class PersonConfirmForm(Form):
    person = forms.UUIDField(widget=forms.HiddenInput)
    document_number = forms.CharField(
        label=_("Number of the ID document you checked"),
        max_length=12,
        help_text=_("2 letters and 7 digits, as printed on the visitor's ID card or passport."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
