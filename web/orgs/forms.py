from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from web.orgs.models import OrgUnit


class _Dated(forms.Form):
    # Day-first input comes from the project's vi formats module (dd/mm/yyyy).
    on = forms.DateField(label=_("From (dd/mm/yyyy)"), localize=True)


class RenameForm(_Dated):
    name = forms.CharField(label=_("New name"), max_length=200)


class SplitForm(_Dated):
    names = forms.CharField(
        label=_("Names of the new units, one per line"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_names(self) -> list[str]:
        names = [n.strip() for n in self.cleaned_data["names"].splitlines() if n.strip()]
        if len(names) < 2:
            raise forms.ValidationError(_("A split makes at least two units."))
        return names


class MergeForm(_Dated):
    others = forms.ModelMultipleChoiceField(
        label=_("Merged with"), queryset=OrgUnit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    name = forms.CharField(label=_("Name of the merged unit"), max_length=200)

    def __init__(self, *args, unit: OrgUnit, **kwargs):
        super().__init__(*args, **kwargs)
        siblings = OrgUnit.objects.filter(parent=unit.parent_id, kind=unit.kind, valid_to__isnull=True)
        self.fields["others"].queryset = siblings.exclude(pk=unit.pk)
