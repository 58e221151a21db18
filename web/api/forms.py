"""The DHIS2 export settings form (one box per indicator of the plan in force, per sex, and units), and
the form of a new API token."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chitieu.dates import parse_day
from chitieu.plan import Plan as CorePlan
from web.api.exchange import SEX_KEYS, Dhis2Config, Dhis2SettingsError, dhis2_config_check
from web.api.models import TokenScope
from web.orgs.models import OrgUnit

_SEX_FIELDS = {"": "coc_total", "F": "coc_F", "M": "coc_M"}


def _identifier(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=200, help_text=help_text)


class Dhis2SettingsForm(forms.Form):
    data_set = _identifier(_("Data set (dataSet)"), _("Blank: the document names no data set."))
    id_scheme = forms.ChoiceField(
        label=_("ID scheme (idScheme)"),
        required=False,
        choices=[("", _("DHIS2's default (UID)")), ("UID", "UID"), ("CODE", "CODE")],
    )
    coc_total = _identifier(_("Category option combination for totals"), _("Blank: DHIS2's default."))
    coc_F = _identifier(_("Category option combination for women and girls"), _("Blank: F."))
    coc_M = _identifier(_("Category option combination for men and boys"), _("Blank: M."))
    org_units = forms.CharField(
        label=_("Units"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One unit a line: official code = the instance's identifier. Blank: the official codes."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, core: CorePlan | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_fields: list[tuple[str, str]] = []  # (code, field name)
        for indicator in core.indicators if core else ():
            for suffix, words in (("", _("value")), (".NUM", _("numerator")), (".DEN", _("denominator"))):
                name = f"de_{indicator.code}{suffix}".replace(".", "_")
                self.fields[name] = _identifier(f"{indicator.code}{suffix} — {words}")
                self.indicator_fields.append((f"{indicator.code}{suffix}", name))

    @staticmethod
    def initial_from(config: Dhis2Config, revision: int) -> dict:
        initial: dict = {"data_set": config.data_set, "id_scheme": config.id_scheme, "revision": revision}
        for key, name in _SEX_FIELDS.items():
            initial[name] = config.category_option_combos.get(key, "")
        initial["org_units"] = "\n".join(f"{k} = {v}" for k, v in config.org_units.items())
        for code, value in config.data_elements.items():
            initial[f"de_{code}".replace(".", "_")] = value
        return initial

    def _units(self, text: str) -> dict[str, str]:
        units = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            code, equals, value = line.partition("=")
            if not equals or not code.strip() or not value.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write “official code = identifier”.") % {"n": number}
                )
            units[code.strip()] = value.strip()
        return units

    def clean(self):
        cleaned = super().clean()
        try:
            units = self._units(cleaned.get("org_units", ""))
        except forms.ValidationError as error:
            self.add_error("org_units", error)
            return cleaned
        try:
            self.config = dhis2_config_check(
                data_set=cleaned.get("data_set", ""),
                id_scheme=cleaned.get("id_scheme", ""),
                data_elements={code: cleaned.get(name, "") for code, name in self.indicator_fields},
                org_units=units,
                category_option_combos={k: cleaned.get(n, "") for k, n in _SEX_FIELDS.items()},
            )
        except Dhis2SettingsError as error:
            for where, message in error.problems.items():
                self.add_error(self._field_of(where), f"{where}: {message}")
        return cleaned

    def _field_of(self, where: str) -> str | None:
        """The box a problem of ``dhis2_config_check`` belongs to, so it shows beside it."""
        if where.startswith("Tập dữ liệu"):
            return "data_set"
        if where.startswith("Kiểu mã"):
            return "id_scheme"
        if where.startswith("Đơn vị"):
            return "org_units"
        if where.startswith("Chỉ tiêu "):
            code = where.removeprefix("Chỉ tiêu ")
            return next((n for c, n in self.indicator_fields if c == code), None)
        for key, words in SEX_KEYS.items():
            if where == f"Giới tính {words}":
                return _SEX_FIELDS[key]
        return None


class TokenForm(forms.Form):
    """A new API token: its name, scope, area (among the units the person may see) and last day."""

    name = forms.CharField(label=_("Name (what the token is for)"), max_length=100)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=TokenScope.choices, widget=forms.RadioSelect, initial=TokenScope.READ
    )
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)
    expires_on = forms.CharField(
        label=_("Last day of use (dd/mm/yyyy)"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "size": 10, "data-vi-date": ""}
        ),
    )

    def __init__(self, *args, units: list[OrgUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["area"].choices = [(u.pk, u.name) for u in units]

    def clean_area(self) -> OrgUnit:
        return self.units[self.cleaned_data["area"]]  # a choice, so it is one of them

    def clean_expires_on(self) -> date:
        text = self.cleaned_data["expires_on"]
        day = parse_day(text)
        if day is None:
            raise forms.ValidationError(
                _("“%(text)s” is not a date: write it as dd/mm/yyyy."), params={"text": text}
            )
        if day <= timezone.localdate():
            raise forms.ValidationError(_("The last day of use must be after today."))
        return day
