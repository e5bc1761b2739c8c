"""The site's URLs plus one test-only page carrying an inline script and an inline handler.

Used with ``@pytest.mark.urls`` to prove the Content-Security-Policy stops
script that slipped into a page, whatever escaping failed to catch.
"""

from django.http import HttpResponse
from django.urls import path

from forum.urls import urlpatterns as site_urlpatterns

INJECTED = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Injected</title></head>
<body>
<p id="target">untouched</p>
<script>document.getElementById("target").textContent = "ran"; alert("inline script");</script>
<img alt="" src="/static/none.png"
  onerror="document.getElementById('target').textContent = 'handler ran'; alert('handler')">
<a id="link" href="javascript:alert('link')">link</a>
</body></html>"""


def injected(request):
    return HttpResponse(INJECTED)


urlpatterns = [*site_urlpatterns, path("test-only/injected/", injected)]
