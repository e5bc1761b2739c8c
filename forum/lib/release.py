"""A short fingerprint of the code that renders pages, for cache keys.

Rendered pages and computed results are cached under the debate's version,
which changes with the data. The fingerprint changes with the code: after a
deploy that changed a template, a stylesheet or a module, no server serves a
page the previous release rendered. It hashes file contents, not times, so
every app server of one release computes the same value and shares the cache.
"""

import hashlib
from pathlib import Path

SOURCES = ("forum", "templates", "static")
SUFFIXES = {".py", ".html", ".css", ".js", ".json", ".txt"}


def code_version(base_dir: Path) -> str:
    digest = hashlib.sha256()
    for top in SOURCES:
        for path in sorted((base_dir / top).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
