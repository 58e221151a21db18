"""Every URL pattern of the site and every operation of the API, read from Django and the OpenAPI schema."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def site_routes() -> set[str]:
    """URL patterns; the API's operations stand in for the patterns django-ninja generates."""
    routes = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        if pattern.callback.__module__.startswith("ninja.operation"):
            continue  # one pattern may carry several operations: counted in api_operations()
        routes.add(route)
    return routes | api_operations()


def api_operations() -> set[str]:
    from web.api.api import api

    schema = api.get_openapi_schema()
    return {f"API {method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def admin_routes() -> list[str]:
    return sorted(r for r in site_routes() if r.startswith("admin/"))
