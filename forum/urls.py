from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from forum.api import api
from forum.debates.views import pages

admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("privacy/", pages.privacy, name="privacy"),
    path("favicon.ico", pages.favicon),
    # The API before the pages' catch-all prefixes: a vote or a comment is
    # resolved without trying every page's pattern first. File downloads
    # (streamed) are served ahead of the ninja API that documents them.
    path("api/v1/", include("forum.moderation.api_exports")),
    path("api/v1/", api.urls),
    path("", include("forum.debates.urls")),
    path("moderation/", include("forum.moderation.urls")),
    path("", include("forum.moderation.public_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "forum.lib.errors.bad_request"
handler403 = "forum.lib.errors.forbidden"
handler404 = "forum.lib.errors.not_found"
handler500 = "forum.lib.errors.server_error"
