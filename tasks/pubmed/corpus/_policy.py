"""The keep/skip policy every corpus reader applies, and the one public signature they share.

Each format's reader used to take the same five keyword arguments, check them and fill in
a default :class:`ReadStats` itself. Here the options become one :class:`ReadPolicy`, the
helpers take that instead of four loose arguments, and :func:`corpus_reader` writes the
public signature and its preamble once, so a new option or format changes one place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from multitask.data.errors import CorpusFormatError
from multitask.data.files import PathLike
from multitask.data.read_stats import ReadStats
from tasks.pubmed.article import Article

OnError = Literal["raise", "skip"]


@dataclass(frozen=True, slots=True)
class ReadPolicy:
    """Which records a reader keeps, and whether a bad record raises or is skipped.

    ``require_text=False`` keeps records whose title or abstract (or both) are empty:
    prediction input, where every PMID must be answered. ``on_error="skip"`` turns
    record-level problems into counted skips; file-level ones always raise.
    """

    require_abstract: bool = True
    require_mesh: bool = True
    require_text: bool = True
    on_error: OnError = "raise"

    def __post_init__(self) -> None:
        # Checked when the policy is made, so a typo fails at the call, not mid-corpus.
        if self.on_error not in ("raise", "skip"):
            raise ValueError(f"on_error must be 'raise' or 'skip', not {self.on_error!r}")


#: One format's reader body: (file name for messages, stats to count into, policy).
FormatReader = Callable[[str, ReadStats, ReadPolicy], Iterator[Article]]

#: A public reader as :func:`corpus_reader` makes it: ``(path, stats=None, *, options)``.
Reader = Callable[..., Iterator[Article]]


def corpus_reader(read: FormatReader) -> Reader:
    """Give a format's reader body the public signature every corpus reader shares.

    The decorated function is written as ``(name, stats, policy)``; callers see
    ``(path, stats=None, *, require_abstract=True, require_mesh=True, require_text=True,
    on_error="raise")``. The wrapper checks the options (a bad ``on_error`` raises
    ValueError at the call), makes a fresh :class:`ReadStats` when none is given and
    passes the file name as a string; the body stays a generator, so the file is opened
    only when the result is iterated.
    """

    def reader(
        path: PathLike,
        stats: ReadStats | None = None,
        *,
        require_abstract: bool = True,
        require_mesh: bool = True,
        require_text: bool = True,
        on_error: OnError = "raise",
    ) -> Iterator[Article]:
        policy = ReadPolicy(require_abstract, require_mesh, require_text, on_error)
        return read(os.fspath(path), stats if stats is not None else ReadStats(), policy)

    # Not functools.wraps: its __wrapped__ would make inspect.signature show the body's.
    reader.__module__ = read.__module__
    reader.__name__ = read.__name__
    reader.__qualname__ = read.__qualname__
    reader.__doc__ = read.__doc__
    return reader


def record_error(
    stats: ReadStats, policy: ReadPolicy, name: str, where: str, reason: str, message: str
) -> None:
    """A recoverable problem with one record: raise, or count it as skipped ``reason``."""
    if policy.on_error == "raise":
        raise CorpusFormatError(name, where, message)
    stats.skip(reason, f"{name}, {where}: {message}")


def skip_record(stats: ReadStats, reason: str, name: str, where: str, pmid: str) -> None:
    """Count one well-formed record the policy drops, naming it the same way everywhere."""
    stats.skip(reason, f"{name}, {where} (PMID {pmid})")


def text_skip_reason(title: str, abstract: str, policy: ReadPolicy) -> str | None:
    """The skip reason the text alone decides (steps 2-3 of :func:`accept`), else None.

    Separate so that a reader can drop a record before parsing its MeSH headings.
    """
    if not policy.require_text:
        return None
    if not abstract:
        if not title or policy.require_abstract:
            return "no_abstract"
        return None
    if not title:
        return "no_title"
    return None


def accept(article: Article, stats: ReadStats, policy: ReadPolicy, name: str, where: str) -> bool:
    """Apply the shared keep/skip policy to one parsed record and count the outcome.

    Order (first match wins, so each record gets exactly one reason):

    1. no pmid                       -> a record error, "no_pmid" (raised unless
                                        ``on_error="skip"``), handled by the readers
    2. no abstract                   -> "no_abstract" if ``require_abstract`` or if the
                                        title is empty too (nothing to index); else kept
                                        with abstract ""
    3. no title                      -> "no_title" (an abstract without a title is kept
                                        out: it is almost always a broken record)
    4. no MeSH headings              -> "no_mesh" if ``require_mesh``, else kept with []

    ``require_text=False`` skips steps 2 and 3 (prediction input: every PMID is answered).
    """
    reason = text_skip_reason(article.title, article.abstract, policy)
    if reason is None and policy.require_mesh and not article.mesh_names:
        reason = "no_mesh"
    if reason is not None:
        skip_record(stats, reason, name, where, article.pmid)
        return False
    stats.kept += 1
    return True
