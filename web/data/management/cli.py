"""What the loading commands share: who acts, and failing with a clear message and exit 1."""

from __future__ import annotations

from chitieu.approval import Role
from web.accounts.models import User
from web.data.loading.errors import LoadError

SYSTEM_USERNAME = "chitieu-he-thong"


class Failed(Exception):
    """A refusal for the user: the lines are printed on stderr and the command exits with 1."""

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))
        self.lines = lines


def actor_for(username: str | None) -> User:
    """The named account; without a name, an administrator, or else the system account.

    The system account cannot log in (inactive, no password): it only signs the
    records a command writes, so the audit trail says they came from the command line.
    """
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise Failed(f"không có tài khoản {username!r}")
        if user.chitieu_role not in (Role.ADMINISTRATOR, Role.COORDINATOR):
            raise Failed(
                f"tài khoản {username!r} không phải quản trị hoặc điều phối viên: không được nạp số liệu"
            )
        return user
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is not None:
        return admin
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"role": Role.ADMINISTRATOR.value, "is_active": False, "is_superuser": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def run(command, body) -> None:
    """Run ``body()``; a refusal is printed (no traceback) and the process exits with 1."""
    from django.core.exceptions import PermissionDenied

    try:
        body()
    except Failed as error:
        lines = error.lines
    except LoadError as error:
        lines = error.lines()
    except PermissionDenied:
        lines = ("tài khoản này không có quyền nạp số liệu cho địa bàn của kế hoạch",)
    else:
        return
    for line in lines:
        command.stderr.write(f"lỗi: {line}")
    raise SystemExit(1)
