"""The dashboards' Kon Rẫy plan with four years of figures, shared so reports judge the same data."""

from tests.web.dashboards.conftest import _figures_once, coordinator, figures, kon_ray_plan  # noqa: F401
