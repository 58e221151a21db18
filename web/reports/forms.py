"""The report settings form: labels and boxes; the rules are the core's (``parse_settings``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chitieu.reports import settings as rules


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReportSettingsForm(forms.Form):
    # Length limits a little above the core's so that its message, naming the limit, is the one shown.
    issuing_body = forms.CharField(
        label=_("Issuing body"),
        required=False,
        widget=_area(2),
        help_text=_(
            "One line per line of the block, e.g. ỦY BAN NHÂN DÂN / HUYỆN KON RẪY. Blank: from the plan."
        ),
    )
    parent_body = forms.CharField(label=_("Parent body"), required=False)
    number = forms.CharField(
        label=_("Document number"), required=False, help_text=_("Blank: left for the clerk to fill in.")
    )
    symbol = forms.CharField(label=_("Symbol"), required=False, help_text=_("Blank: BC-UBND."))
    place = forms.CharField(label=_("Place name (before the date)"), required=False)
    signer_authority = forms.CharField(
        label=_("Signing form"),
        required=False,
        help_text=_("TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, TL., TUQ. or Q."),
    )
    signer_title = forms.CharField(label=_("Signer's title"), widget=_area(2), required=False)
    signer = forms.CharField(label=_("Signer's name"), required=False)
    recipients = forms.CharField(
        label=_("Recipients (Nơi nhận)"),
        required=False,
        widget=_area(5),
        help_text=_("One recipient a line, without the leading dash. Blank: the usual list."),
    )
    closing = forms.CharField(
        label=_("Closing paragraphs"),
        required=False,
        widget=_area(4),
        help_text=_("One paragraph a line, printed after the report's sections and before the signature."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        """The core's checks; each problem goes to its field, in Vietnamese."""
        cleaned = super().clean()
        data = {key: cleaned.get(key, "") for key in rules.KEYS}
        try:
            self.settings = rules.parse_settings(data, require_signer=True)
        except rules.SettingsError as error:
            for key, message in error.problems.items():
                self.add_error(key if key in self.fields else None, message)
        return cleaned

    @staticmethod
    def initial_from(settings: rules.ReportSettings, revision: int) -> dict:
        values = settings.as_dict()
        for key in ("recipients", "closing"):
            values[key] = "\n".join(values[key])
        return {**values, "revision": revision}
