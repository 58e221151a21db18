from django.apps import AppConfig


class Config(AppConfig):
    name = "web.orgs"
    label = "orgs"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from web.core import hooks
        from web.orgs.models import OrgUnit
        from web.orgs.selectors import tree_changed

        # A user's visible units are remembered for the request on the user object; any change
        # to the tree (a service, a bulk load, a test's direct save) makes that answer stale.
        hooks.listen(hooks.TREE_CHANGED, tree_changed)
        post_save.connect(tree_changed, sender=OrgUnit, dispatch_uid="orgs.tree_changed.save")
        post_delete.connect(tree_changed, sender=OrgUnit, dispatch_uid="orgs.tree_changed.delete")
