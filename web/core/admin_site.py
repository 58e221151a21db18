"""The Django admin, for administrators only.

Django lets in any active ``is_staff`` account; here the account must also be
an administrator in chitieu's own sense (``User.chitieu_role``), so a staff
flag set by mistake on a coordinator or a reporter opens nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from chitieu.approval import Role


class ChitieuAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and user.is_staff
            and user.chitieu_role is Role.ADMINISTRATOR
        )


class ChitieuAdminConfig(AdminConfig):
    default_site = "web.core.admin_site.ChitieuAdminSite"
