from django.conf import settings


def site(request):
    """Values every template needs: the site's name."""
    return {"SITE_NAME": settings.SITE_NAME}
