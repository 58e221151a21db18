from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from web.orgs import services
from web.orgs.access import area_unit_ids, require_coordinator, require_see_unit
from web.orgs.forms import MergeForm, RenameForm, SplitForm
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_tree

UNIT_CHANGE_ERRORS = {
    "unit_not_valid_on_date": gettext_lazy("The unit did not exist on that date."),
    "empty_name": gettext_lazy("The name is empty once invisible characters are removed: type a name."),
    "merge_needs_two_units": gettext_lazy("A merger needs at least two units."),
    "split_needs_two_names": gettext_lazy("A split needs at least two new names."),
}


@login_required
def tree(request):
    ids = area_unit_ids(request.user)
    roots = (
        OrgUnit.objects.filter(parent__isnull=True)
        if ids is None
        else OrgUnit.objects.filter(id=request.user.org_unit_id)
    )
    rows = [row for root in roots for row in unit_tree(root)]
    units = OrgUnit.objects.prefetch_related(
        "names", "successor_links__successor", "predecessor_links__predecessor"
    )
    by_id = {u.pk: u for u in units.filter(id__in=[u.pk for _, u in rows])}
    can_change = request.user.chitieu_role.value in ("administrator", "coordinator")
    return render(
        request, "orgs/tree.html", {"rows": [(d, by_id[u.pk]) for d, u in rows], "can_change": can_change}
    )


@login_required
def change(request, pk: int):
    """Rename, split or merge a unit; each keeps the history (see web.orgs.models)."""
    require_coordinator(request.user)
    unit = get_object_or_404(OrgUnit, pk=pk)
    require_see_unit(request.user, unit)
    action = request.POST.get("action") if request.method == "POST" else None
    data = request.POST if action else None
    forms = {
        "rename": RenameForm(data if action == "rename" else None, prefix="rename"),
        "split": SplitForm(data if action == "split" else None, prefix="split"),
        "merge": MergeForm(data if action == "merge" else None, prefix="merge", unit=unit),
    }
    if action in forms and forms[action].is_valid():
        cleaned = forms[action].cleaned_data
        try:
            if action == "rename":
                services.unit_rename(actor=request.user, unit=unit, name=cleaned["name"], on=cleaned["on"])
            elif action == "split":
                services.unit_split(actor=request.user, unit=unit, names=cleaned["names"], on=cleaned["on"])
            else:
                units = [unit, *cleaned["others"]]
                services.units_merge(actor=request.user, units=units, name=cleaned["name"], on=cleaned["on"])
        except services.UnitChangeError as error:
            fallback = UNIT_CHANGE_ERRORS["unit_not_valid_on_date"]
            messages.error(request, UNIT_CHANGE_ERRORS.get(error.code, fallback))
        else:
            messages.success(request, _("Saved. Figures stay attached to the units that reported them."))
            return redirect("orgs:tree")
    return render(request, "orgs/change.html", {"unit": unit, "forms": forms})
