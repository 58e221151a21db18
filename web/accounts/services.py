from __future__ import annotations

from django.db import transaction

from chitieu.approval import Role
from web.accounts.models import User
from web.core.audit import audit_record
from web.orgs.models import OrgUnit


@transaction.atomic
def user_ensure(
    *,
    username: str,
    password: str,
    role: Role,
    org_unit: OrgUnit | None,
    full_name: str = "",
    email: str = "",
    actor=None,
) -> tuple[User, bool]:
    """Create the account if missing (idempotent: an existing account is left as it is)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    first, _, last = full_name.rpartition(" ")
    user = User(
        username=username, role=role.value, org_unit=org_unit, first_name=first, last_name=last, email=email
    )
    user.is_superuser = user.is_staff = role is Role.ADMINISTRATOR
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user_create", subject=user, field="role", new=role.value)
    return user, True
