"""Loading a province's accounts (accounts.csv): who logs in, with which role, for which unit.

Without it a new deployment had no way to give its offices and communes their accounts (the demo
makes its own; the web app has no account pages). Accounts already there (same user name) are kept
as they are: the file can be loaded again after adding lines.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation

from chitieu.approval import Role
from chitieu.names import name_key
from web.accounts.models import RoleChoices, User
from web.accounts.services import user_ensure
from web.data.loading.csv_rows import csv_rows
from web.data.loading.errors import MAX_REPORTED, LoadError, LoadIssue
from web.orgs.models import OrgUnit

ACCOUNT_COLUMNS = ("username", "full_name", "email", "role", "unit")

# Shorter or longer Vietnamese names people write, beside the name the interface shows.
_ROLE_ALIASES = {
    Role.ADMINISTRATOR: ("quản trị",),
    Role.COORDINATOR: ("điều phối viên",),
    Role.REPORTER: ("báo cáo",),
    Role.VIEWER: ("xem",),
}
# Letters and digits a person can copy from paper without doubt (no 0/O, 1/l/I).
_PASSWORD_LETTERS = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


class NewAccount(NamedTuple):
    """A checked line of accounts.csv for an account not yet in the database."""

    line: int
    username: str
    full_name: str
    email: str
    role: Role
    unit: OrgUnit | None


@dataclass
class AccountsResult:
    created: list[tuple[str, str]] = field(default_factory=list)  # (user name, first password)
    existing: list[str] = field(default_factory=list)


@cache
def roles() -> dict[str, Role]:
    """Each role by name_key (no accents, any case) of its value, its name in the interface
    (RoleChoices, in Vietnamese: the same words the header shows) and the aliases above."""
    with translation.override("vi"):
        shown = {Role(choice.value): str(choice.label) for choice in RoleChoices}
    return {name_key(name): role for role in Role for name in (role.value, shown[role], *_ROLE_ALIASES[role])}


def first_password() -> str:
    """A random password of 12 letters and digits, given once to its owner, who changes it."""
    return "".join(secrets.choice(_PASSWORD_LETTERS) for _ in range(12))


def accounts_load(*, rows_or_path, actor=None) -> AccountsResult:
    """Load accounts.csv (username,full_name,email,role,unit); every new account gets a first password.

    All or nothing: a bad line (unknown role or unit, a closed unit, a user name repeated or not
    allowed, a bad e-mail address) is reported with every other one and no account is created.
    ``unit`` is a unit code; it may be empty for an administrator only.
    """
    rows, name = csv_rows(rows_or_path, ACCOUNT_COLUMNS)
    units = {u.code: u for u in OrgUnit.objects.exclude(code="")}
    known = set(User.objects.values_list("username", flat=True))
    errors: list[LoadIssue] = []
    new: list[NewAccount] = []
    in_file: dict[str, int] = {}
    result = AccountsResult()
    for line, cells in rows:
        username, full_name, email, role_name, code = (c.strip() for c in [*cells, "", "", "", "", ""][:5])
        role = roles().get(name_key(role_name))
        unit = units.get(code)
        problem = _problem(username, email, role_name, role, code, unit, in_file)
        if problem:
            errors.append(LoadIssue(line, problem, "bad_account"))
            continue
        in_file[username] = line
        if username in known:
            result.existing.append(username)
        else:
            assert role is not None  # _problem said so
            new.append(NewAccount(line, username, full_name, email, role, unit))
    if errors:
        raise LoadError(errors[:MAX_REPORTED], len(errors), source=name)
    with transaction.atomic():
        for account in new:
            password = first_password()
            user_ensure(
                username=account.username,
                password=password,
                role=account.role,
                org_unit=account.unit,
                full_name=account.full_name,
                email=account.email,
                actor=actor,
            )
            result.created.append((account.username, password))
    return result


def _problem(username, email, role_name, role, code, unit, in_file) -> str:
    """What is wrong with one line, in Vietnamese, or ""."""
    if not username:
        return "thiếu tên đăng nhập (cột username)"
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        return f"tên đăng nhập {username!r} chỉ được có chữ, số và các dấu @ . + - _"
    if username in in_file:
        return f"tên đăng nhập {username!r} trùng với dòng {in_file[username]}"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            return f"địa chỉ thư điện tử không hợp lệ: {email!r}"
    if role is None:
        allowed = ", ".join(role.value for role in Role)
        return f"vai trò không hợp lệ: {role_name!r} (dùng {allowed}, hoặc tên tiếng Việt)"
    if not code:
        if role is Role.ADMINISTRATOR:
            return ""
        return "thiếu mã đơn vị (cột unit): chỉ quản trị viên được để trống"
    if unit is None:
        return f"không tìm thấy đơn vị có mã {code!r}"
    if unit.valid_to is not None and unit.valid_to < timezone.localdate():
        closed = f"{unit.valid_to:%d/%m/%Y}"
        return f"đơn vị {unit.name!r} (mã {code}) đã giải thể ngày {closed}: chọn đơn vị kế thừa"
    return ""
