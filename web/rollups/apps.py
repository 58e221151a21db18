from django.apps import AppConfig


class Config(AppConfig):
    name = "web.rollups"
    label = "rollups"

    def ready(self) -> None:
        # Imported here, not at the top, because Django's app loading requires it (services import
        # models, which may not load before the registry is ready), not to dodge a cycle.
        # The lower apps announce their writes; the summary tables follow in the same transaction.
        from web.core import hooks
        from web.rollups.cache import summary_changed_all
        from web.rollups.services import rollup_rebuild, rollup_submission_moved, unit_closure_refresh
        from web.rollups.verdicts import refresh_all_verdicts, refresh_plan_verdicts, refresh_verdicts

        hooks.listen(hooks.TREE_CHANGED, unit_closure_refresh)
        hooks.listen(hooks.TREE_CHANGED, refresh_all_verdicts)
        hooks.listen(hooks.NAMES_CHANGED, summary_changed_all)
        hooks.listen(hooks.NAMES_CHANGED, refresh_all_verdicts)  # 6.3's lists of units carry names
        hooks.listen(hooks.SUBMISSION_MOVED, rollup_submission_moved)
        hooks.listen(hooks.PLAN_LOADED, rollup_rebuild)
        # Every write of the summary (moves, rebuilds after loads) announces the areas it touched.
        hooks.listen(hooks.SUMMARY_WRITTEN, refresh_verdicts)
        hooks.listen(hooks.PLAN_CONFIRMED, refresh_plan_verdicts)  # a new version
        hooks.listen(hooks.PLAN_AMENDED, refresh_plan_verdicts)  # a target or assignment in force
