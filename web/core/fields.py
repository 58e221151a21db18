"""Model fields shared by the apps."""

from __future__ import annotations

import decimal

from django.db import models
from django.utils.functional import cached_property


class FigureField(models.DecimalField):
    """A ``DecimalField`` whose reads survive what is already stored, whatever it is.

    SQLite keeps any number in a numeric column: a figure with more digits than
    ``max_digits`` (stored before ``chitieu.figures`` refused them) made Django's
    reading raise ``decimal.InvalidOperation`` on every page that showed it. Here
    it is read with room for every digit, so the page opens and the figure can be
    corrected; a stored infinity or NaN reads as missing. Writes are unchanged:
    the figure rule refuses such numbers before they reach the database.

    Deconstructs as a plain ``DecimalField``: the column and the migrations are the same.
    """

    @cached_property
    def context(self) -> decimal.Context:
        # Room for any finite number SQLite's REAL can hold (about 10^308), with its decimals.
        return decimal.Context(prec=self.max_digits + 330, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)

    def from_db_value(self, value, expression, connection):
        if isinstance(value, decimal.Decimal) and not value.is_finite():
            return None
        return value

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
