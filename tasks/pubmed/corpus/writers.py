"""Writers for the two JSON layouts the readers stream back.

Both write to ``path + ".tmp"`` and rename at the end, so an interrupted run never leaves
a truncated corpus that looks complete. A path ending in ``.gz`` is gzip-compressed.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterable
from typing import IO, Any

from tasks.pubmed.article import Article
from tasks.pubmed.corpus._common import PathLike


def _open_text(path: str, compress: bool) -> IO[str]:
    if compress:
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
    return open(path, "w", encoding="utf-8")


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def bioasq_record(article: Article) -> dict[str, Any]:
    """The BioASQ Task A object for one article, plus ``meshUIs`` when every UI is known.

    BioASQ has no major-topic flags or abstract sections, so those are not written.
    """
    obj: dict[str, Any] = {
        "journal": article.journal,
        "meshMajor": list(article.mesh_names),
        "year": article.year,
        "abstractText": article.abstract,
        "pmid": article.pmid,
        "title": article.title,
    }
    if all(ui is not None for ui in article.mesh_uis) and len(article.mesh_uis) == len(
        article.mesh_names
    ):
        obj["meshUIs"] = list(article.mesh_uis)
    return obj


class BioasqJsonWriter:
    """Streams articles into BioASQ's line layout (``{"articles":[``, one article per line
    with a comma after all but the last, ``]}``), so several files can be filled at once
    (e.g. train / validation / test) and :func:`iter_bioasq_json` streams them back.
    """

    def __init__(self, path: PathLike) -> None:
        self.path = os.fspath(path)
        self._tmp = self.path + ".tmp"
        self._out = _open_text(self._tmp, self.path.endswith(".gz"))
        self._out.write('{"articles":[\n')
        self._pending: str | None = None  # held back one line: only the last has no comma
        self.count = 0

    def write(self, article: Article) -> None:
        if self._pending is not None:
            self._out.write(self._pending + ",\n")
        self._pending = _dumps(bioasq_record(article))
        self.count += 1

    def close(self) -> None:
        """Finish the file and move it into place (the ``.tmp`` name until then)."""
        if self._out.closed:
            return
        if self._pending is not None:
            self._out.write(self._pending + "\n")
        self._out.write("]}\n")
        self._out.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the unfinished file: a failed run must not leave a corpus that looks whole."""
        if not self._out.closed:
            self._out.close()
        if os.path.exists(self._tmp):
            os.remove(self._tmp)

    def __enter__(self) -> BioasqJsonWriter:
        return self

    def __exit__(self, kind: object, *exc_info: object) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def write_bioasq_json(articles: Iterable[Article], path: PathLike) -> int:
    """Write ``articles`` as one BioASQ-layout file. Returns the number written."""
    with BioasqJsonWriter(path) as writer:
        for article in articles:
            writer.write(article)
    return writer.count


def write_jsonl(articles: Iterable[Article], path: PathLike) -> int:
    """Write one :meth:`Article.to_json` object per line (all fields except ``source``,
    which :func:`iter_jsonl` sets to the new file's line). Returns the count written."""
    final = os.fspath(path)
    tmp = final + ".tmp"
    count = 0
    with _open_text(tmp, final.endswith(".gz")) as out:
        for article in articles:
            obj = article.to_json()
            obj.pop("source", None)
            out.write(_dumps(obj) + "\n")
            count += 1
    os.replace(tmp, final)
    return count
