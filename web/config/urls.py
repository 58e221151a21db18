from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

handler400 = "web.core.views.bad_request"  # what was wrong and the limit, in Vietnamese
handler500 = "web.core.views.server_error"  # a 503 with a Vietnamese sentence when the database is away

urlpatterns = [
    path("", include("web.core.urls")),
    path("", include("web.home.urls")),
    path("", include("web.accounts.urls")),
    path("units/", include("web.orgs.urls")),
    path("reorganisation/", include("web.reorg.urls")),
    path("plans/", include("web.plans.urls")),
    path("entry/", include("web.data.urls")),
    path("dashboards/", include("web.dashboards.urls")),
    path("reports/", include("web.reports.urls")),
    path("notices/", include("web.notices.urls")),
    path("public/", include("web.public.urls")),
    path("jobs/", include("web.jobs.urls")),
    path("api/", include("web.api.urls")),
    path("exchange/", include("web.api.web_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
