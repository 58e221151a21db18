"""The figure rule's codes in words: one translated message per ``chitieu.figures.Problem``.

Every door of the web app (entry form, live preview, API rows, CSV upload, bulk
load, target edit, plan import) words a refused figure here, so a user reads the
same sentence, with the part and the limit, whichever way the figure came in.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from chitieu.figures import FigureIssue, Problem, plain
from chitieu.quantity import format_number

PART_NAMES = {
    "numerator": _("the numerator"),
    "denominator": _("the denominator"),
    "value": _("the value"),
    "target": _("the target value"),
    "": _("the figure"),
}

MESSAGES = {
    Problem.NOT_FINITE: _("%(Part)s is not a finite number."),
    Problem.TOO_LARGE: _(
        "%(Part)s is too large: %(number)s (at most %(limit)s digits before the decimal comma,"
        " that is below %(bound)s)."
    ),
    Problem.TOO_PRECISE: _("%(Part)s has too many decimals: %(number)s (at most %(limit)s after the comma)."),
    Problem.NEGATIVE: _("Figures cannot be negative."),
    Problem.NOT_WHOLE: _("A count is a whole number: %(number)s is not."),
    Problem.ZERO_DENOMINATOR: _("The denominator is 0: the value cannot be computed."),
    Problem.MISSING_DENOMINATOR: _("The numerator needs its denominator (or give the value)."),
    Problem.MISSING_NUMERATOR: _("The denominator needs its numerator (or give the value)."),
    Problem.NUMERATOR_ABOVE_DENOMINATOR: _("The numerator is larger than the denominator."),
    Problem.SHARE_ABOVE_100: _("A share cannot be above 100 %%: %(number)s %%."),
}


def figure_message(issue: FigureIssue) -> str:
    """The refusal in the user's language, naming the part and giving the limit."""
    part = str(PART_NAMES.get(issue.part, PART_NAMES[""]))
    limit = issue.limit or 0
    return str(MESSAGES[issue.code]) % {
        "Part": part[:1].upper() + part[1:],
        "number": plain(issue.number),
        "limit": limit,
        "bound": format_number(Decimal(10) ** limit) if limit else "",
    }


SEX_NAMES = {"F": _("women / girls"), "M": _("men / boys")}
SEX_MISSING = _(
    "Indicator %(code)s is reported for women and for men: give the figure for %(sex)s too,"
    " or write “không áp dụng” in its note."
)


def sex_missing_message(code: str, sex: str) -> str:
    """A by-sex indicator sent with one sex blank: which indicator, which sex, and the way out."""
    return str(SEX_MISSING) % {"code": code, "sex": SEX_NAMES[sex]}
