"""gunicorn settings for the references (the trivial WSGI app and Isso): those of
``forum/gunicorn.conf.py`` (bind, workers, threads, timeouts, access log), without
its hooks and its logger class, which load the app's own code (Isso runs in its
own environment, where there is none)."""

import runpy
import types
from pathlib import Path

_settings = runpy.run_path(str(Path(__file__).resolve().parent.parent / "forum" / "gunicorn.conf.py"))
globals().update(
    {
        name: value
        for name, value in _settings.items()
        if not name.startswith("_")
        and name != "logger_class"
        and not callable(value)
        and not isinstance(value, types.ModuleType)
    }
)
