"""Crafted model archives are refused whole, with one clear line, and nothing lands outside."""

import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import torch
from allennlp.models.archival import load_archive
from paths import MQAN_FIXTURES, PROJECT_ROOT

import multitask  # noqa: F401 - installs the checked extraction
from multitask.archives import UnsafeArchiveError, extract_checked

ALLENNLP = str(Path(sys.executable).with_name("allennlp"))


def _add(archive: tarfile.TarFile, name: str, data: bytes = b"x", **fields) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data) if not fields else 0
    for key, value in fields.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if not fields else None)


def _escape_to(target: Path) -> str:
    """A member name that climbs from any temporary folder to ``target``."""
    return "../" * 40 + str(target).lstrip("/")


def crafted(tmp_path: Path, case: str, outside: Path) -> Path:
    """A gzipped tar with a harmless config first, then the one unsafe member of ``case``."""
    path = tmp_path / f"{case}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, "config.json", b"{}")
        if case == "traversal":
            _add(archive, _escape_to(outside / "pwned.txt"))
        elif case == "absolute":
            _add(archive, str(outside / "pwned.txt"))
        elif case == "symlink_outside":
            _add(archive, "escape", type=tarfile.SYMTYPE, linkname=str(outside))
            _add(archive, "escape/pwned.txt")
        elif case == "relative_symlink_outside":
            _add(archive, "sub/escape", type=tarfile.SYMTYPE, linkname="../" * 40 + "tmp")
        elif case == "symlink_chain":
            _add(archive, "a", type=tarfile.SYMTYPE, linkname=".")
            _add(archive, "b", type=tarfile.SYMTYPE, linkname="a/a/../..")
        elif case == "hardlink_outside":
            _add(archive, "hard", type=tarfile.LNKTYPE, linkname=_escape_to(outside / "victim"))
        elif case == "device":
            _add(archive, "null", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
        elif case == "fifo":
            _add(archive, "pipe", type=tarfile.FIFOTYPE)
    return path


CASES = {
    "traversal": "points outside the archive folder (path traversal)",
    "absolute": "has an absolute path",
    "symlink_outside": "is a link to an absolute path",
    "relative_symlink_outside": "is a link pointing outside the archive folder",
    "symlink_chain": "is a link that goes through another symbolic link",
    "hardlink_outside": "is a link pointing outside the archive folder",
    "device": "is a device file, not a regular file or folder",
    "fifo": "is a special file, not a regular file or folder",
}


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim").write_text("untouched")
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_unsafe_member_refuses_the_whole_archive(tmp_path, outside, case):
    archive = crafted(tmp_path, case, outside)
    destination = tmp_path / "extracted"
    destination.mkdir()
    with pytest.raises(UnsafeArchiveError) as error:
        extract_checked(archive, str(destination))
    message = str(error.value)
    assert message.startswith(f"refusing to extract archive {archive}: member ")
    assert CASES[case] in message and "\n" not in message
    assert list(destination.iterdir()) == [], "checked whole before writing anything"
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_text() == "untouched"


def test_safe_links_and_folders_still_extract(tmp_path):
    path = tmp_path / "fine.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, "./vocabulary/tokens.txt", b"a\nb\n")
        _add(archive, "vocabulary/alias.txt", type=tarfile.SYMTYPE, linkname="tokens.txt")
        _add(archive, "copy.txt", type=tarfile.LNKTYPE, linkname="vocabulary/tokens.txt")
    destination = tmp_path / "out"
    destination.mkdir()
    extract_checked(path, str(destination))
    assert (destination / "vocabulary" / "alias.txt").read_text() == "a\nb\n"
    assert (destination / "copy.txt").read_text() == "a\nb\n"


def test_load_archive_uses_the_checked_extraction(tmp_path, outside):
    archive = crafted(tmp_path, "traversal", outside)
    with pytest.raises(UnsafeArchiveError, match="path traversal"):
        load_archive(str(archive))
    assert not (outside / "pwned.txt").exists()


def test_cached_path_extraction_is_checked_too(tmp_path, outside):
    from allennlp.common.file_utils import cached_path

    archive = crafted(tmp_path, "traversal", outside)
    with pytest.raises(UnsafeArchiveError, match="path traversal"):
        cached_path(str(archive), cache_dir=str(tmp_path / "cache"), extract_archive=True)
    assert not (outside / "pwned.txt").exists()


def test_cli_refuses_a_crafted_archive_in_one_line(tmp_path, outside):
    # evaluate, fine-tuning and the scripts reach the same load_archive (tests below)
    archive = crafted(tmp_path, "traversal", outside)
    extraction_root = tmp_path / "tmp"
    extraction_root.mkdir()
    result = subprocess.run(
        [
            ALLENNLP,
            "predict",
            str(archive),
            str(MQAN_FIXTURES / "predict_input.jsonl"),
            "--predictor",
            "mesh_indexer",
            "--output-file",
            str(tmp_path / "o.jsonl"),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "TMPDIR": str(extraction_root), "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert f"error: refusing to extract archive {archive}: member " in result.stderr
    assert not (outside / "pwned.txt").exists()
    assert list(extraction_root.iterdir()) == [], "the temporary folder is removed"


class _Payload:
    """Unpickling this runs ``touch``: what a tampered weights.th would try."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_tampered_weights_pickle_is_refused(tiny_archive, tmp_path):
    marker = tmp_path / "code_ran"
    evil_weights = tmp_path / "weights.th"
    torch.save({"payload": _Payload(marker)}, evil_weights)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tiny_archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            if member.name != "weights.th":
                target.addfile(member, source.extractfile(member) if member.isfile() else None)
        target.add(evil_weights, arcname="weights.th")
    with pytest.raises(UnsafeArchiveError) as error:
        load_archive(str(tampered))
    assert str(error.value).startswith(
        "refusing to load weights weights.th: the file holds Python objects other than tensors"
    )
    assert "posix.system" in str(error.value)
    assert not marker.exists()


def test_evaluate_is_checked(tmp_path, outside):
    from allennlp.commands.evaluate import evaluate_from_archive

    archive = crafted(tmp_path, "hardlink_outside", outside)
    with pytest.raises(UnsafeArchiveError, match="is a link pointing outside"):
        evaluate_from_archive(str(archive), str(MQAN_FIXTURES / "mesh_articles.json"))
    assert (outside / "victim").read_text() == "untouched"


def test_fine_tuning_from_an_archive_is_checked(tmp_path, outside):
    from allennlp.common import Params
    from allennlp.models import Model

    archive = crafted(tmp_path, "traversal", outside)
    with pytest.raises(UnsafeArchiveError, match="path traversal"):
        Model.from_params(Params({"type": "from_archive", "archive_file": str(archive)}))
    assert not (outside / "pwned.txt").exists()


def test_the_submission_command_refuses_a_crafted_archive(tmp_path, outside):
    from tasks.mesh_indexing.submission import write_submission

    archive = crafted(tmp_path, "symlink_outside", outside)
    articles = MQAN_FIXTURES / "mesh_articles.json"
    expected = f"^refusing to extract archive {re.escape(str(archive))}"
    with pytest.raises(UnsafeArchiveError, match=expected):
        write_submission(archive, articles, tmp_path / "submission.json")
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
