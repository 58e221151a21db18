"""The data-entry form: built from the unit's duties for the period."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from chitieu.plan import Measure
from web.core.figures import figure_message
from web.core.forms import ChooseFilesInput, VietnameseDecimalField
from web.data.selectors import Duty
from web.data.services import FigureError, FigureInput, check_figure

SEX_KEYS = {"": "T", "F": "F", "M": "M"}


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        accept = {"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}
        kwargs.setdefault("widget", ChooseFilesInput(accept, multiple=True))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def field_names(duty: Duty, sex: str) -> tuple[str, str, str]:
    suffix = f"{duty.indicator.pk}-{SEX_KEYS[sex]}"
    return f"n-{suffix}", f"d-{suffix}", f"note-{suffix}"


def is_count(duty: Duty) -> bool:
    return duty.indicator.measure == Measure.COUNT


class EntryForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    evidence = MultipleFileField(label=_("Evidence files (PDF, image, Word, Excel)"), required=False)

    def __init__(self, *args, duties: list[Duty], observations: dict, disabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.duties = duties
        for duty in duties:
            for sex in duty.sexes:
                self._add_figure(duty, sex, observations.get((duty.indicator.code, sex)), disabled)
        if disabled:
            self.fields["evidence"].disabled = True

    def _add_figure(self, duty: Duty, sex: str, observation, disabled: bool) -> None:
        num, den, note = field_names(duty, sex)
        indicator = duty.indicator
        self.fields[num] = VietnameseDecimalField(
            label=indicator.numerator_label or _("Number"),
            disabled=disabled,
            initial=observation and (observation.numerator if not is_count(duty) else observation.value),
        )
        if not is_count(duty):
            self.fields[den] = VietnameseDecimalField(
                label=indicator.denominator_label or _("Total"),
                disabled=disabled,
                initial=observation and observation.denominator,
            )
        self.fields[note] = forms.CharField(
            label=_("Note"),
            required=False,
            disabled=disabled,
            initial=observation and observation.note,
            widget=forms.TextInput(attrs={"class": "note"}),
        )

    def clean(self):
        cleaned = super().clean()
        for duty in self.duties:
            for sex in duty.sexes:
                num, den, _note = field_names(duty, sex)
                try:
                    check_figure(duty.indicator, self.figure(duty, sex, cleaned))
                except FigureError as error:
                    box = den if error.issue.part == "denominator" and den in self.fields else num
                    self.add_error(box, figure_message(error.issue))
        return cleaned

    def full_clean(self):
        super().full_clean()
        self.full_clean_marks()

    def full_clean_marks(self) -> None:
        """The box with the problem is outlined (Django adds aria-invalid to it)."""
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def figure(self, duty: Duty, sex: str, cleaned: dict | None = None) -> FigureInput:
        cleaned = self.cleaned_data if cleaned is None else cleaned
        num, den, note = field_names(duty, sex)
        if is_count(duty):
            return FigureInput(value=cleaned.get(num), note=cleaned.get(note) or "")
        return FigureInput(
            numerator=cleaned.get(num), denominator=cleaned.get(den), note=cleaned.get(note) or ""
        )

    def figures(self) -> dict:
        return {(d.indicator, sex): self.figure(d, sex) for d in self.duties for sex in d.sexes}

    def max_evidence_mb(self) -> int:
        return settings.CHITIEU_EVIDENCE_MAX_BYTES // (1024 * 1024)


class DecisionForm(forms.Form):
    # The report's revision when the page was shown; absent (a hand-made request), nothing is compared.
    revision = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
