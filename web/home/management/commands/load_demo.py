"""`manage.py load_demo`: the Kon Rẫy plan, units, accounts and 2021–2024 figures; safe to run again."""

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from web.accounts.models import RoleChoices
from web.data.models import StateChoices
from web.home.demo import DEMO_PASSWORD, load_demo


def _count_label(key: str) -> str:
    # Besides the approval states the loader counts reports it left out on
    # purpose ("missing") and, on a second run, reports it found in place ("kept").
    extra = {"missing": _("not reported"), "kept": _("already loaded, kept")}
    return extra[key] if key in extra else str(StateChoices(key).label)


class Command(BaseCommand):
    help = "Load the Kon Rẫy demo (plan, units, one account per role, figures 2021–2024). Idempotent."

    def handle(self, *args, **options):
        result = load_demo()
        with translation.override("vi"):  # printed for the people who will log in
            self._print(result)

    def _print(self, result) -> None:
        version, counts = result["version"], result["counts"]
        self.stdout.write(
            _("Plan: %(title)s (version %(number)s)") % {"title": version.title, "number": version.number}
        )
        reports = ", ".join(f"{_count_label(k)} {v}" for k, v in sorted(counts.items()))
        self.stdout.write(_("Reports: %(counts)s") % {"counts": reports})
        self.stdout.write("")
        self.stdout.write(_("Demo accounts (common password: %(password)s):") % {"password": DEMO_PASSWORD})
        for account, user, _created in result["accounts"]:
            role = str(RoleChoices(account.role.value).label)
            self.stdout.write(f"  {account.username:<16} {role:<14} {user.email:<26} {user.org_unit or '—'}")
        reform = result["reform"]
        if reform is None:
            return
        coordinator = reform["coordinator"]
        self.stdout.write(
            f"  {coordinator.username:<16} {RoleChoices.COORDINATOR.label!s:<14} {coordinator.email:<26} "
            f"{coordinator.org_unit}"
        )
        self.stdout.write("")
        self.stdout.write(
            _(
                "1 July 2025: Kon Rẫy reorganised into communes of %(province)s (illustrative mapping). "
                "Plan: %(plan)s"
            )
            % {"province": reform["province"].name, "plan": reform["plan_2026"].plan.name}
        )
