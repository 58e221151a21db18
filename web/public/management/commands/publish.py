"""manage.py publish PLAN_ID DIR: a published plan's public page as static files any web server can
host (Open SDG's model): one page and one CSV per period, index.html for the current one, site.css."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone, translation

from web.plans.models import Plan
from web.public.services import public_csv, public_page


class Command(BaseCommand):
    help = "Ghi trang công khai của một kế hoạch đã công bố thành các tệp tĩnh (HTML, CSV)."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("dir")

    def handle(self, *args, plan_id: int, dir: str, **options):
        plan = Plan.objects.filter(pk=plan_id, publication__isnull=False).first()
        if plan is None:
            raise CommandError(f"Kế hoạch {plan_id} không có hoặc chưa được công bố.")
        out = Path(dir)
        out.mkdir(parents=True, exist_ok=True)
        today = timezone.localdate()
        with translation.override("vi"):
            current = public_page(plan, None, today)
            for period in current.periods:
                page = public_page(plan, period, today)
                html = render_to_string("public/static_plan.html", {"page": page})
                (out / f"{period}.html").write_text(html, encoding="utf-8")
                (out / f"{period}.csv").write_text(public_csv(page), encoding="utf-8")
                if period == current.period:
                    (out / "index.html").write_text(html, encoding="utf-8")
        shutil.copyfile(finders.find("chitieu/site.css"), out / "site.css")
        self.stdout.write(f"Đã ghi {len(current.periods)} kỳ vào {out}")
