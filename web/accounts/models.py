from django.contrib.auth.models import AbstractUser
from django.db import models
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
        return Role.ADMINISTRATOR if self.is_superuser else Role(self.role)
