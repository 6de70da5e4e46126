from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


class AccessibilityForm(forms.Form):
    large_text = forms.BooleanField(required=False, label=_("Larger text"))
    high_contrast = forms.BooleanField(required=False, label=_("High contrast (light text on black)"))

    OPTIONS = {"large_text": "large-text", "high_contrast": "high-contrast"}

    @classmethod
    def from_choices(cls, choices: set[str]) -> "AccessibilityForm":
        return cls(initial={field: option in choices for field, option in cls.OPTIONS.items()})

    def choices(self) -> list[str]:
        return [option for field, option in self.OPTIONS.items() if self.cleaned_data[field]]
