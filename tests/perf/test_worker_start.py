"""What a gunicorn worker does once at start (``post_worker_init`` in forum/gunicorn.conf.py)."""

import gc
import runpy
from pathlib import Path

import pytest
from django.conf import settings

GUNICORN_CONF = Path(settings.BASE_DIR) / "forum" / "gunicorn.conf.py"


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_moves_what_it_loaded_at_start_out_of_the_collectors_sight(unfrozen, settings):
    settings.SCREEN_TOXICITY_SCORER = ""
    before = len(gc.get_objects())
    runpy.run_path(str(GUNICORN_CONF))["post_worker_init"](None)
    # Everything loaded so far (the URLconf, the API, the models) stays as long
    # as the worker: full collections no longer walk it on every request.
    assert gc.get_freeze_count() > before // 2
    assert len(gc.get_objects()) < gc.get_freeze_count() // 10
