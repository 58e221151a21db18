from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from web.accounts.access import area_unit_ids
from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_tree


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
    return render(request, "orgs/tree.html", {"rows": [(d, by_id[u.pk]) for d, u in rows]})
