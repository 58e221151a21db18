"""Who reports an indicator and how often, by default, read from the plan itself.

The annex names a lead unit per indicator; "UBND các xã, thị trấn" means every
commune reports its own figure. Counts written "per month" or "per quarter"
("01 chuyên mục/tháng") are reported that often, everything else once a year.
The web app's default assignment and ``chitieu synth`` both use these rules.
"""

from __future__ import annotations

from chitieu.names import name_key
from chitieu.periods import PeriodKind
from chitieu.plan import CountPeriod, Indicator

# "UBND các xã", "các xã, thị trấn", "Ủy ban nhân dân các xã": every commune, not one office.
_COMMUNES_KEYS = ("ubnd cac xa", "cac xa, thi tran", "uy ban nhan dan cac xa")
_FREQUENCY_OF_COUNT = {CountPeriod.MONTH: PeriodKind.MONTH, CountPeriod.QUARTER: PeriodKind.QUARTER}


def means_every_commune(lead_unit: str) -> bool:
    key = name_key(lead_unit)
    return any(k in key for k in _COMMUNES_KEYS)


def reported_by_communes(indicator: Indicator) -> bool:
    return any(means_every_commune(u) for u in indicator.lead_units)


def default_frequency(indicator: Indicator) -> PeriodKind:
    if indicator.per_period is None:
        return PeriodKind.YEAR
    return _FREQUENCY_OF_COUNT.get(indicator.per_period, PeriodKind.YEAR)


def office_leads(indicator: Indicator) -> tuple[str, ...]:
    """The lead units that are offices (not "every commune")."""
    return tuple(u for u in indicator.lead_units if not means_every_commune(u))
