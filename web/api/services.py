"""Creating, checking and revoking API tokens."""

from __future__ import annotations

from django.utils import timezone

from web.api.models import ApiToken, new_token_secret, token_digest


def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; the secret is returned once and never stored."""
    raw = new_token_secret()
    token = ApiToken.objects.create(user=user, name=name, digest=token_digest(raw), prefix=raw[:10])
    return token, raw


def token_user(raw: str):
    """The active user a token belongs to, or None (unknown, revoked, inactive user)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


def token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
