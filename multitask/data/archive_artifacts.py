"""Files a model needs at prediction time, kept inside its archive.

A component that reads a file named in the config (a vocabulary table, a fitted retriever)
copies it into ``<serialization_dir>/artifacts/`` when training, and the config archives
that folder (``include_in_archive: ["artifacts"]``). AllenNLP hands the same
``serialization_dir`` keyword to readers and models when it loads an archive (pointing at
the extracted copy), so the component finds its file there, whatever the current folder.
Extracted archives are deleted after loading: load artifacts eagerly, in the constructor.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Optional

ARTIFACTS = "artifacts"


def archived(serialization_dir: Optional[str], name: str) -> Optional[Path]:
    """The archived copy of artifact ``name``, when there is one."""
    if not serialization_dir:
        return None
    path = Path(serialization_dir) / ARTIFACTS / name
    return path if path.exists() else None


def artifact_path(serialization_dir: str, name: str) -> Path:
    path = Path(serialization_dir) / ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def publish_file(serialization_dir: Optional[str], name: str, source: str | Path) -> None:
    """Copy ``source`` into the serialization dir's artifacts (atomically, once)."""
    _publish(serialization_dir, name, lambda tmp: shutil.copyfile(source, tmp))


def publish_text(serialization_dir: Optional[str], name: str, text: str) -> None:
    """Write ``text`` as an artifact (atomically, once): a full disk leaves no truncated
    file that a resumed run (``--recover``) or the archive would read."""
    _publish(serialization_dir, name, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _publish(serialization_dir: Optional[str], name: str, write: Callable[[str], object]) -> None:
    if not serialization_dir:
        return
    target = artifact_path(serialization_dir, name)
    if target.exists():
        return
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    os.close(handle)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
