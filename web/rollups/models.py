"""Roll-ups kept in the database: the org tree as a closure table and a summary of the figures.

``UnitAncestor`` lists, for every unit, each unit whose figure it counts in, with the
distance: depth 0 is the unit whose own figure it is. An office reports for its
district (``reports_for_area``), so an office has no row of its own: its depth-0 row
is its district. SQL can then GROUP BY ancestor in one pass, whatever the depth of
the tree, on SQLite and PostgreSQL alike.

``RollupFigure`` holds, per plan × ancestor × indicator × period × sex class, the
sums the engine needs (numerators, denominators, counts, how many rows lacked
what), split into the ancestor's *own* figures (depth 0) and those of the units
*below* it, for two views: approved figures, and provisional ones (sent, approved
or not). Communes are not ancestors here: a commune's figures are its few rows.
Sums are kept in millionths (the figures' 6 decimal places) as integers, so they
are exact on SQLite too.

Rows with a ``shape`` are the units below an area for a year (and so for the phase, which
is judged on its years), grouped by how each unit counts for its year: units counting with
periods of one kind (months, quarters…, none counted twice) by their latest one ("…2024-12"),
others by the exact periods they count with. A row holds the sums of the rows of one period of
the units of that shape, and ``n_units`` how many of them gave it. The engine combines each shape
as one unit (``chitieu.evaluation.engine.unit_counts_with`` says why that is the same; the
coverage is each unit's, from ``n_units``), so a year of a quarterly stock or of a share of
women is judged from sums too. ``sex`` there is the engine's reading: "" both sexes, F, M, and
W a share of women (each unit's F row standing for its total when it gave none).
"""

from __future__ import annotations

from django.db import models

MICRO = 1_000_000  # figures have 6 decimal places: sums are stored as integers of millionths


class UnitAncestor(models.Model):
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    ancestor = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "ancestor"], name="unit_ancestor_once")]
        indexes = [
            models.Index(fields=["ancestor", "depth"], name="ancestor_depth"),
            models.Index(fields=["unit", "depth"], name="unit_depth"),
        ]


class View(models.TextChoices):
    APPROVED = "A", "approved"
    PROVISIONAL = "P", "submitted or approved"


class SexClass(models.TextChoices):
    """'' the total rows; F, M; S the two sexes summed for a unit that gave no total row."""

    TOTAL = "", "total"
    FEMALE = "F", "female"
    MALE = "M", "male"
    SUMMED = "S", "female + male"
    WOMEN = "W", "share of women"  # rows with a shape only


class RollupFigure(models.Model):
    # No foreign-key constraints in the database (Django still deletes the rows with their plan or
    # unit): the rows are derived, written only by the rebuild from the plan's reports and the unit
    # closure, and a country's rebuild writes two million of them — checking both keys of each at
    # COMMIT was 6 of the 67 s of a national year. No index of the plan alone: the unique key and
    # ``rollup_plan_period`` both begin with it, and each index is written with every row (a fifth
    # of the WAL records of the rebuild's INSERTs, ~14 % of their time in a country). No index of the
    # unit alone either: every read names the plan and view before the unit (the unique key), and
    # each row's entry went among thousands of equal ones of its unit (770 places in the index):
    # copying a year's approved rows of a country as the provisional ones took 13 % longer with it
    # (a third longer just after a checkpoint). A unit's deletion (rare; units with reports are
    # protected) reads the table to find its rows.
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    view = models.CharField(max_length=1, choices=View.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period_key = models.CharField(max_length=20)
    indicator_code = models.CharField(max_length=20)
    sex = models.CharField(max_length=1, choices=SexClass.choices, blank=True)
    own = models.BooleanField()  # the unit's own figure (or its offices'), not those of units below
    n_rows = models.IntegerField(default=0)  # observations summed
    n_both = models.IntegerField(default=0)  # of which with numerator and denominator
    sum_num = models.BigIntegerField(default=0)  # Σ numerators of those, in millionths
    sum_den = models.BigIntegerField(default=0)  # Σ denominators of those
    n_values = models.IntegerField(default=0)  # rows with a value
    sum_value = models.BigIntegerField(default=0)  # Σ values
    n_count_missing = models.IntegerField(default=0)  # rows with neither value nor numerator (counts)
    sum_count = models.BigIntegerField(default=0)  # Σ (value, else numerator): the count
    n_units = models.IntegerField(default=0)  # reporting units behind the sums
    # "" the sums of one period; else the periods a year's units below counted with (see above)
    shape = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "view", "unit", "period_key", "indicator_code", "sex", "own", "shape"],
                name="rollup_figure_once",
            )
        ]
        indexes = [models.Index(fields=["plan", "view", "period_key"], name="rollup_plan_period")]


class RollupVersion(models.Model):
    """A per-plan counter of changes to the summary: bumped in the transaction that writes it.

    Cached evaluations are keyed by it (web.rollups.cache), so a change to the figures
    makes every earlier entry of the plan unreachable without having to find them."""

    plan = models.OneToOneField("plans.Plan", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveBigIntegerField(default=0)
    # Bumped where verdicts judged again are written: a page showing verdicts being updated is
    # cached under it (web.dashboards.fragments), so the judged ones replace it at once.
    judged = models.PositiveBigIntegerField(default=0)


class Verdict(models.Model):
    """The engine's verdict of an area (nation, province, district) for a period, stored by the
    writers of the summary in their transaction (web.rollups.verdicts says what is stored and when).

    Per plan × view × area × period: one row with ``indicator_code`` "" (the evaluation's issues,
    the plan digest and the data horizon), then per indicator the total row (sex "") holding the
    engine's whole result and, when the engine judged the sexes apart, one row per sex. The
    columns are the figures pages list and filter on; ``result`` is the engine's value itself."""

    # No foreign-key constraints in the database, as for the summary rows (Django still deletes
    # the rows with their plan or unit): the rows are derived, written only by ``store_verdicts``,
    # and checking both keys of a country's 231,000 rows at COMMIT was 2.7 s of every judging. No
    # index of its own on the plan either: every query of the rows starts with it, as
    # ``verdict_once`` does; nor on the unit, which every query names after the plan and view (as
    # for the summary rows).
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    view = models.CharField(max_length=1, choices=View.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period_key = models.CharField(max_length=20)
    indicator_code = models.CharField(max_length=20, blank=True)
    sex = models.CharField(max_length=1, blank=True)  # "", F, M (the engine's parts by sex)
    status = models.CharField(max_length=20, blank=True)
    actual = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    achievement = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    progress = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    provisional = models.BooleanField(default=False)
    units_meeting_share = models.DecimalField(max_digits=30, decimal_places=10, null=True)  # 6.3-style
    trajectory_band = models.CharField(max_length=20, blank=True)
    projected = models.DecimalField(max_digits=30, decimal_places=10, null=True)
    digest = models.CharField(max_length=40, blank=True)  # the core plan it was judged on
    horizon = models.DateField(null=True)  # the latest end of a period with figures in the area
    result = models.BinaryField(null=True)  # the engine's IndicatorResult (issues on the "" row)
    # On the head row ("" indicator) of an area × period: set where a change to the figures made
    # its verdicts stale, until they are judged again (the earliest such change). Pages may show
    # them meanwhile, said as being updated; nothing else reads them. Other rows keep it empty.
    stale_since = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "view", "unit", "period_key", "indicator_code", "sex"], name="verdict_once"
            )
        ]
        indexes = [models.Index(fields=["plan", "view", "period_key"], name="verdict_plan_period")]
