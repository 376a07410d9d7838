"""Checked extraction of model archives: a ``model.tar.gz`` is data, never a way to write files.

AllenNLP 2.10.1 extracts archives with ``tarfile.extractall`` and no filter (Python 3.11 then
trusts every member), so a crafted archive could write outside the temporary folder through
``../`` names, absolute names, links or device files. ``install_safe_extraction`` swaps the
two places that extract (``allennlp.models.archival.extracted_archive``, behind
``load_archive`` and so behind predict, evaluate, fine-tuning from an archive and the
scripts; and the tar check of ``cached_path``) for :func:`check_members` plus Python's
``filter="data"``. The whole archive is checked before the first byte is written.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
import posixpath
import re
import shutil
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from multitask.errors import UserInputError

logger = logging.getLogger(__name__)


class UnsafeArchiveError(UserInputError):
    """An archive member that would land outside the extraction folder, or is not a plain file,
    folder or inside link. Nothing of the archive has been written when this is raised."""


def _resolve(path: str, links: set[str]) -> tuple[str | None, str | None]:
    """Walk ``path`` component by component as the file system would, inside the extraction
    folder; returns (normalised path, None) or (None, why it is refused).

    A ``..`` after a symbolic link would be resolved by the kernel from the link's target,
    not lexically, so any path that goes *through* a link of the archive is refused.
    """
    parts: list[str] = []
    components = [c for c in path.split("/") if c not in ("", ".")]
    for index, component in enumerate(components):
        if component == "..":
            if not parts:
                return None, "outside"
            parts.pop()
            continue
        parts.append(component)
        if index < len(components) - 1 and "/".join(parts) in links:
            return None, "through_link"
    return "/".join(parts), None


def _member_problem(member: tarfile.TarInfo, links: set[str]) -> str | None:
    """Why ``member`` must not be extracted, given the symbolic links seen before it."""
    name = member.name
    if not name or "\x00" in name:
        return "has an empty or invalid name"
    if posixpath.isabs(name):
        return "has an absolute path"
    normal, problem = _resolve(name, links)
    if problem == "outside":
        return "points outside the archive folder (path traversal)"
    if problem == "through_link":
        return "is written through a symbolic link"
    if member.isfile() or member.isdir():
        return None
    if member.issym() or member.islnk():
        target = member.linkname
        if not target or posixpath.isabs(target):
            return f"is a link to an absolute path ({target!r})"
        base = posixpath.dirname(normal or "") if member.issym() else ""
        _, problem = _resolve(posixpath.join(base, target), links)
        if problem == "outside":
            return f"is a link pointing outside the archive folder ({target!r})"
        if problem == "through_link":
            return f"is a link that goes through another symbolic link ({target!r})"
        return None
    kind = "device" if member.ischr() or member.isblk() else "special"
    return f"is a {kind} file, not a regular file or folder"


def check_members(archive: tarfile.TarFile, label: str) -> None:
    """Refuse the whole archive if any member is unsafe; the message names the first one."""
    links: set[str] = set()
    for member in archive.getmembers():
        problem = _member_problem(member, links)
        if problem is not None:
            raise UnsafeArchiveError(
                f"refusing to extract archive {label}: member {member.name!r} {problem}"
            )
        if member.issym():
            links.add(_resolve(member.name, links)[0] or "")


def extract_checked(archive_path: str | os.PathLike[str], destination: str) -> None:
    """Extract a tar archive (any compression) into ``destination`` after checking it whole."""
    label = os.fspath(archive_path)
    try:
        archive = tarfile.open(label, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise UserInputError(f"cannot read archive {label}: {error}") from None
    with archive:
        try:
            check_members(archive, label)
            archive.extractall(destination, filter="data")
        except tarfile.FilterError as error:  # a case check_members missed: still refused
            raise UnsafeArchiveError(f"refusing to extract archive {label}: {error}") from None
        except (tarfile.TarError, EOFError, OSError) as error:
            raise UserInputError(f"cannot extract archive {label}: {error}") from None


@contextmanager
def safe_extracted_archive(resolved_archive_file: str, cleanup: bool = True) -> Iterator[str]:
    """Drop-in for ``allennlp.models.archival.extracted_archive``, with checked extraction."""
    tempdir = tempfile.mkdtemp()
    try:
        logger.info("extracting archive file %s to temp dir %s", resolved_archive_file, tempdir)
        extract_checked(resolved_archive_file, tempdir)
        yield tempdir
    except BaseException:
        shutil.rmtree(tempdir, ignore_errors=True)
        raise
    if cleanup:
        shutil.rmtree(tempdir, ignore_errors=True)


def _check_cached_path_tarfile(tar_file: tarfile.TarFile) -> None:
    check_members(tar_file, str(tar_file.name))


def _refusing_read_state_dict(read_state_dict: Callable[..., Any]) -> Callable[..., Any]:
    """torch (>= 2.6) already refuses a weights file that holds code; say so in one line
    instead of a traceback that suggests re-running with ``weights_only=False``."""

    @functools.wraps(read_state_dict)
    def checked(path: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return read_state_dict(path, *args, **kwargs)
        except pickle.UnpicklingError as error:
            found = re.search(r"unsupported GLOBAL (\S+)", str(error))
            what = f" ({found.group(1)})" if found else ""
            raise UnsafeArchiveError(
                f"refusing to load weights {os.path.basename(os.fspath(path))}: the file holds "
                f"Python objects other than tensors{what}; it was tampered with or is not "
                "a weights file that AllenNLP wrote"
            ) from None

    checked.__wrapped_by_multitask__ = True  # type: ignore[attr-defined]
    return checked


def install_safe_extraction() -> None:
    """Route AllenNLP's and cached_path's archive extraction through the checks above, and
    turn a refused weights pickle into one clear line."""
    import cached_path._cached_path as cached_path_module
    from allennlp.models import archival
    from allennlp.nn import util

    archival.extracted_archive = safe_extracted_archive
    cached_path_module.check_tarfile = _check_cached_path_tarfile
    if not getattr(util.read_state_dict, "__wrapped_by_multitask__", False):
        util.read_state_dict = _refusing_read_state_dict(util.read_state_dict)
