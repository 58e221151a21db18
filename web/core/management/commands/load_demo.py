"""`manage.py load_demo`: the Kon Rẫy plan, units, accounts and 2021–2024 figures; safe to run again."""

from django.core.management.base import BaseCommand

from web.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the Kon Rẫy demo (plan, units, one account per role, figures 2021–2024). Idempotent."

    def handle(self, *args, **options):
        result = load_demo()
        version, counts = result["version"], result["counts"]
        self.stdout.write(f"Kế hoạch: {version.title} (phiên bản {version.number})")
        self.stdout.write("Báo cáo: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        self.stdout.write("")
        self.stdout.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
        for account, user, _created in result["accounts"]:
            self.stdout.write(
                f"  {account.username:<16} {account.role.value:<14} {user.email:<26} {account.unit or '—'}"
            )
