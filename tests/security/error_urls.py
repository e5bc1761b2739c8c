"""The site's URLs plus a test-only view that fails, to reach the 500 handler."""

from django.urls import path

from forum.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the site's handlers
from forum.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a bug, on purpose")


urlpatterns = [*site_urlpatterns, path("test-only/broken/", broken)]
