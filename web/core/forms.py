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
        "foreign_digits": _("“%(text)s”: write the number with the digits 0–9."),
        "ambiguous": _(
            "“%(text)s” can be read two ways: %(whole)s,%(fraction)s (a decimal) or %(whole)s.%(fraction)s"
            " (thousands). Write %(whole)s.%(fraction)s for the whole number,"
            " %(whole)s,%(fraction)s0 for the decimal."
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
            whole, _sep, fraction = text.strip().partition(",")
            raise forms.ValidationError(
                self.error_messages[error.code],
                code=error.code,
                params={"text": text, "whole": whole, "fraction": fraction},
            ) from error


class ChooseFilesInput(forms.ClearableFileInput):
    """A file input shown as the page's own translated button plus the chosen names.

    The browser's built-in "Choose files" text follows its language pack, which
    is often missing; the real input stays in the page, focusable, just hidden.
    """

    template_name = "core/file_pick.html"
    allow_multiple_selected = False

    def __init__(self, attrs=None, *, multiple: bool = False):
        super().__init__({"class": "visually-hidden", **(attrs or {})})
        self.allow_multiple_selected = multiple
