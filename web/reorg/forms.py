from __future__ import annotations

import base64
import binascii

from django import forms
from django.utils.translation import gettext_lazy as _

from web.core.forms import ChooseFilesInput

MAX_BYTES = 2 * 1024 * 1024  # a decision's list for a whole province is a few hundred kilobytes


class ReorganisationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("The decision's list of units (.csv or .xlsx)"),
        widget=ChooseFilesInput({"accept": ".csv,.tsv,.txt,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).") % {"mb": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ReorganisationApplyForm(forms.Form):
    """The file previewed, carried back unchanged; it is checked again before anything is changed."""

    data = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def clean_data(self) -> bytes:
        try:
            data = base64.b64decode(self.cleaned_data["data"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise forms.ValidationError(_("The file was damaged on the way: upload it again.")) from error
        if len(data) > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most %(mb)s MB).") % {"mb": 2})
        return data


class CarryOverDecisionForm(forms.Form):
    indicator = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accepted", _("Accept as carried over")),
            ("changed", _("Accept with the changes below")),
            ("dropped", _("Drop: keep the new plan's assignment")),
        ],
        widget=forms.RadioSelect,
    )
