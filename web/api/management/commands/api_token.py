"""``manage.py api_token USERNAME --name "DHIS2 sync"``: print a new API token once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from web.api.services import token_create


class Command(BaseCommand):
    help = "Tạo mã truy cập API cho một người dùng (chỉ hiện một lần)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api", help="mã dùng để làm gì")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"không có người dùng {username!r}")
        _token, raw = token_create(user=user, name=name)
        self.stdout.write(raw)
