from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chitieu.approval import Role


class RoleChoices(models.TextChoices):
    ADMINISTRATOR = Role.ADMINISTRATOR.value, _("administrator")
    COORDINATOR = Role.COORDINATOR.value, _("coordinator")
    REPORTER = Role.REPORTER.value, _("reporter")
    VIEWER = Role.VIEWER.value, _("viewer")


class User(AbstractUser):
    """A person; ``role`` says what they may do, ``org_unit`` where.

    A coordinator or viewer acts on ``org_unit`` and every unit below it (its
    area); a reporter only on ``org_unit`` itself.
    """

    role = models.CharField(_("role"), max_length=20, choices=RoleChoices.choices, default=RoleChoices.VIEWER)
    org_unit = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    @property
    def chitieu_role(self) -> Role:
        """The role the account acts with today.

        A unit closed by a reorganisation (a dissolved district, its offices) keeps
        the accounts that had no successor of the same kind: their staff still read
        the plans and figures of the years the unit existed, but change nothing, so
        they act as viewers.
        """
        if self.is_superuser:
            return Role.ADMINISTRATOR
        role = Role(self.role)
        if role is not Role.VIEWER and self.unit_closed:
            return Role.VIEWER
        return role

    @property
    def unit_closed(self) -> bool:
        unit = self.org_unit if self.org_unit_id else None
        return unit is not None and unit.valid_to is not None and unit.valid_to < timezone.localdate()
