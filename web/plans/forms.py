from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from chitieu.figures import check_target
from chitieu.plan import Aggregation
from web.core.figures import figure_message
from web.core.forms import ChooseFilesInput, VietnameseDecimalField
from web.orgs.models import OrgUnit, UnitKind
from web.plans.models import (
    AGGREGATION_CHOICES,
    COMPARATOR_CHOICES,
    COUNT_PERIOD_CHOICES,
    DIRECTION_CHOICES,
    FREQUENCY_CHOICES,
    MEASURE_CHOICES,
    Plan,
    Reporters,
)


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Plan annex (.txt, .xlsx or .docx)"),
        widget=ChooseFilesInput({"accept": ".txt,.tsv,.csv,.xlsx,.docx"}),
    )
    name = forms.CharField(
        label=_("Name of the plan"),
        max_length=300,
        required=False,
        help_text=_(
            "As it will be shown everywhere, e.g. “Kế hoạch thực hiện công tác bình đẳng giới năm 2024”. "
            "Left empty: the plan's year and area."
        ),
    )
    area = forms.ModelChoiceField(label=_("Area of the plan"), queryset=OrgUnit.objects.none())
    plan = forms.ModelChoiceField(
        label=_("Amendment of an existing plan"),
        queryset=Plan.objects.none(),
        required=False,
        empty_label=_("— no, a new plan —"),
    )
    amendment_note = forms.CharField(
        label=_("Reason for the amendment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Shown after a warning: the same file is already a plan of this area.
    same_file_ok = forms.BooleanField(label=_("Yes, read this file again as another plan"), required=False)

    def __init__(self, *args, areas, plans, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas.exclude(kind=UnitKind.OFFICE)
        self.fields["plan"].queryset = plans
        self.max_bytes = max_bytes

    def clean_file(self):
        # The name is not checked: the reader decides by the content (text, Word, Excel; a PDF,
        # an image or a program is refused with its reason, a zip bomb before it is unpacked).
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).") % {"mb": self.max_bytes // (1024 * 1024)}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("plan") and not (cleaned.get("amendment_note") or "").strip():
            self.add_error("amendment_note", _("Say why the plan is amended."))
        return cleaned


class IndicatorReviewForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.ChoiceField(label=_("Measure"), choices=MEASURE_CHOICES)
    per = forms.IntegerField(label=_("per"), required=False, min_value=1)
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES)
    by_sex = forms.BooleanField(label=_("by sex"), required=False)
    aggregation = forms.ChoiceField(
        label=_("How figures add up"),
        choices=[("", _("as the wording says")), *AGGREGATION_CHOICES],
        required=False,
    )
    numerator_label = forms.CharField(label=_("Numerator"), required=False)
    denominator_label = forms.CharField(label=_("Denominator"), required=False)
    # The per-unit rule (6.3): a threshold each unit must meet in every sub-period, and the share
    # of units that must meet it for the plan's target to be met.
    per_unit = forms.BooleanField(label=_("a threshold every unit must meet"), required=False)
    per_period = forms.ChoiceField(
        label=_("in every"),
        choices=[("", _("— period of the plan —")), *COUNT_PERIOD_CHOICES],
        required=False,
    )
    unit_share = VietnameseDecimalField(label=_("share of units that must meet it (%)"), places=4)

    def clean_unit_share(self):
        share = self.cleaned_data["unit_share"]
        if share is not None and not Decimal(0) < share <= Decimal(100):
            raise forms.ValidationError(_("A share of units is more than 0 and at most 100 (%)."))
        return share

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("aggregation") == Aggregation.PER_UNIT.value:
            cleaned["per_unit"] = True  # the two say the same; one ticked is enough
        if not cleaned.get("per_unit"):
            cleaned["unit_share"] = None
        elif cleaned.get("unit_share") is None and "unit_share" not in self.errors:
            cleaned["unit_share"] = Decimal(100)  # "100% các xã": the usual wording
        return cleaned


class TargetReviewForm(forms.Form):
    comparator = forms.ChoiceField(label=_("Comparator"), choices=COMPARATOR_CHOICES)
    value = VietnameseDecimalField(label=_("Target value"), required=True)

    def clean_value(self):
        """The figure rule's limits (``chitieu.figures.check_target``): what the database holds."""
        value = self.cleaned_data["value"]
        problem = check_target(value)
        if problem is not None:
            raise forms.ValidationError(figure_message(problem), code=problem.code.value)
        return value


class _Seen(forms.Form):
    # The record as the page showed it (services.target_seen / assignment_seen): a change made
    # by someone else since is refused instead of overwritten. Absent: nothing is compared.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_seen(self) -> str | None:
        return self.cleaned_data["seen"] or None


class TargetChangeForm(_Seen, TargetReviewForm):
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentForm(_Seen):
    lead_units = forms.ModelMultipleChoiceField(
        label=_("Lead units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reporters = forms.ChoiceField(label=_("Who reports"), choices=Reporters.choices)
    frequency = forms.ChoiceField(label=_("How often"), choices=FREQUENCY_CHOICES)
    by_sex = forms.BooleanField(label=_("Figures by sex required"), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_units"].queryset = units
