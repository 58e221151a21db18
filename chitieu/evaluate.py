"""Evaluation: is this period's target met, and will the phase target be met?

Two different numbers, both with the inputs behind them:

- **achievement**: the actual of the period against the period's target →
  ``exceeded`` (Vượt), ``achieved`` (Đạt), ``not_achieved`` (Không đạt) or
  ``no_data``; plus the direction-aware percentage of the target and, with a
  baseline, the share of the planned change done;
- **trajectory**: from the yearly figures so far, a linear trend projected to the
  end of the phase and the compound-growth ratio used for SDG progress
  (observed ÷ required annual growth).

Pure functions: ``as_of`` is passed in, no clock is read, arithmetic is
``Decimal``. One function, ``standing``, decides better / equal / worse for
every comparator and direction.

The code lives in the ``chitieu.evaluation`` package (verdict, trajectory, results, engine);
this module re-exports it so older imports keep working.
"""

from chitieu.evaluation.engine import (  # noqa: F401
    DEFAULT_BANDS,
    SEX_RATIO_BAND,
    Selection,
    applicable_target,
    distinct_units,
    evaluate_indicator,
    evaluate_plan,
    figure_status,
    find_baseline,
    is_sex_ratio_at_birth,
    level_figure,
    not_arisen,
    pools_phase,
    unit_counts_with,
)
from chitieu.evaluation.results import (  # noqa: F401
    Coverage,
    Flag,
    IndicatorResult,
    PartResult,
    PlanEvaluation,
    combine_applicable,
    shown_places,
    vi_figure,
)
from chitieu.evaluation.trajectory import (  # noqa: F401
    BAND_LABELS,
    Baseline,
    Trajectory,
    TrajectoryBands,
    compound_growth,
    linear_projection,
    trajectory,
)
from chitieu.evaluation.verdict import (  # noqa: F401
    STATUS_LABELS,
    Standing,
    Status,
    achievement_percent,
    combine,
    progress_share,
    round_half_up,
    standing,
    status_for,
)
from chitieu.periods import parse_period  # noqa: F401
from chitieu.rollup import FigureState  # noqa: F401
