"""``{% report_buttons plan period as_of provisional %}``: the download buttons for a dashboard's period."""

from __future__ import annotations

from datetime import date

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from chitieu.periods import PeriodKeyError, PeriodKind, parse_period
from web.orgs.access import can_manage_plan

register = template.Library()


@register.inclusion_tag("report_downloads/_buttons.html", takes_context=True)
def report_buttons(context, plan, period: str, as_of: date, provisional: bool = False) -> dict:
    """Links for the year shown; none for a phase or a quarter (the report is annual)."""
    try:
        is_year = parse_period(period).kind is PeriodKind.YEAR
    except PeriodKeyError:
        is_year = False
    if not is_year:
        return {"links": []}
    query = {"as_of": as_of.isoformat()} | ({"provisional": "1"} if provisional else {})
    links = []
    for fmt in ("docx", "pdf", "xlsx"):
        url = reverse("report_downloads:download", args=(plan.pk, period, fmt))
        links.append({"fmt": fmt, "url": f"{url}?{urlencode(query)}"})
    request = context.get("request")
    settings_url = (
        reverse("report_downloads:settings", args=(plan.pk,))
        if request is not None and can_manage_plan(request.user, plan)
        else ""
    )
    return {
        "links": links,
        "period": period,
        "provisional": provisional,
        "settings_url": settings_url,
        "plan_id": plan.pk,
    }
