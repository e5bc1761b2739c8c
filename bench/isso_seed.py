"""Create Isso's database and fill it with the benchmark's threads.

Run with the Python of ``bench/.isso-venv`` (Isso is not a dependency of the
app): ``isso_seed.py CONFIG URI=N [URI=N ...]``. Isso creates its own schema;
the comments are then inserted in one transaction with the same texts and
shape as the app's (``corpus.py``). Authors come from 200 networks, so Isso's
in-process cache of address hashes stays warm, as it would for regular readers.
"""

import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from isso import config
from isso.db import SQLite3
from isso.utils import Bloomfilter


def main(cfg: str, threads: list[str]) -> None:
    conf = config.load(config.default_file(), cfg)
    path = conf.get("general", "dbpath")
    SQLite3(path, conf)  # Isso's own schema, triggers and version
    con = sqlite3.connect(path)
    with con:
        for spec in threads:
            uri, n = spec.rsplit("=", 1)
            tid = con.execute("INSERT INTO threads (uri, title) VALUES (?, ?)", (uri, uri)).lastrowid
            ids = []
            for i, parent in enumerate(corpus.shape(int(n))):
                addr = f"10.0.{i % 200}.0"
                row = (
                    tid,
                    ids[parent] if parent is not None else None,
                    1_666_000_000.0 + i,
                    None,
                    1,
                    addr,
                    corpus.body(i),
                    corpus.author(i),
                    None,
                    None,
                    i % 7,
                    0,
                    memoryview(Bloomfilter(iterable=[addr]).array),
                    0,
                )
                ids.append(
                    con.execute(
                        "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author,"
                        " email, website, likes, dislikes, voters, notification)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    ).lastrowid
                )
    con.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
