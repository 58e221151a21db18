from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from chitieu.number_input import NumberInputError, format_number, parse_number_input


class VietnameseDecimalField(forms.CharField):
    """A number typed the Vietnamese way ("1.234,5"); empty means missing, not zero."""

    default_error_messages = {  # noqa: RUF012 - Django's convention
        "not_a_number": _(
            "“%(text)s” is not a number. Write it like 1.234,5 (dot for thousands, comma for decimals)."
        ),
    }

    def __init__(self, *, places: int = 6, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.places = places
        self.widget.attrs.setdefault("inputmode", "decimal")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return format_number(value, self.places)
        return value

    def to_python(self, value) -> Decimal | None:
        text = super().to_python(value)
        try:
            return parse_number_input(text or "")
        except NumberInputError as error:
            raise forms.ValidationError(
                self.error_messages["not_a_number"], code="not_a_number", params={"text": text}
            ) from error
