#!/usr/bin/env python
"""Benchmark the MEDLINE XML reader against a bare lxml.iterparse loop.

Each measurement runs in a fresh subprocess so that ``ru_maxrss`` is that reader's own
peak RSS. The file is read whole and as a half-size prefix (first N citations written to
a temporary .xml.gz): a streaming reader's peak RSS must not grow with the file.

The project reader is imported without running ``multitask/__init__.py`` and
``tasks/__init__.py`` (which import AllenNLP and torch, about 1.1 GB RSS by themselves), so
the peak measures the reader; pass ``--with-package-init`` to include that import. For the
same reason the measuring code stays in this file rather than in the package: the parent
process must not import the package either (see :func:`compare_readers`).

    python scripts/benchmarks/bench_readers.py [--file pubmed20n0014.xml.gz] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FILES = [
    REPO / "data" / "raw" / "pubmed20n0014.xml.gz",
    REPO.parent / "shared" / "data" / "medline" / "pubmed20n0014.xml.gz",
]


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _import_reader(with_package_init: bool) -> tuple[Any, Any]:
    if not with_package_init:
        # Light stand-ins for the parent packages: their __init__ would pull in torch.
        for name in ("multitask", "multitask.data", "tasks"):
            module = types.ModuleType(name)
            module.__path__ = [str(REPO / name.replace(".", "/"))]
            sys.modules[name] = module
    from tasks.pubmed.corpus import ReadStats, read_articles

    return ReadStats, read_articles


def run_project(path: str, with_package_init: bool) -> dict[str, float]:
    ReadStats, read_articles = _import_reader(with_package_init)
    rss_before = _max_rss_mb()
    stats = ReadStats()
    start = time.perf_counter()
    kept = sum(1 for _ in read_articles(path, stats=stats))
    seconds = time.perf_counter() - start
    return {
        "records": stats.read,
        "kept": kept,
        "seconds": seconds,
        "rss_import_mb": rss_before,
        "rss_peak_mb": _max_rss_mb(),
    }


def run_bare(path: str) -> dict[str, float]:
    """The least a reader can do: parse, touch the same elements, clear as it goes."""
    from lxml import etree

    rss_before = _max_rss_mb()
    start = time.perf_counter()
    records = kept = 0
    with gzip.open(path, "rb") as fh:
        for _, elem in etree.iterparse(fh, events=("end",), tag="PubmedArticle"):
            records += 1
            citation = elem.find("MedlineCitation")
            pmid = citation.findtext("PMID")
            title = "".join(citation.find("Article/ArticleTitle").itertext())
            abstract = " ".join(
                "".join(t.itertext()) for t in citation.iterfind("Article/Abstract/AbstractText")
            )
            names = [
                d.text for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")
            ]
            if pmid and title and abstract and names:
                kept += 1
            elem.clear(keep_tail=False)
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    seconds = time.perf_counter() - start
    return {
        "records": records,
        "kept": kept,
        "seconds": seconds,
        "rss_import_mb": rss_before,
        "rss_peak_mb": _max_rss_mb(),
    }


def write_prefix(src: Path, dest: Path, fraction: float = 0.5) -> int:
    """Write the first ``fraction`` of the citations of ``src`` as a valid .xml.gz."""
    with gzip.open(src, "rb") as fh:
        data = fh.read()
    ends = [m.end() for m in re.finditer(rb"</PubmedArticle>", data)]
    n = max(1, int(len(ends) * fraction))
    with gzip.open(dest, "wb", compresslevel=6) as out:
        out.write(data[: ends[n - 1]])
        out.write(b"\n</PubmedArticleSet>\n")
    return n


def measure(kind: str, path: Path, runs: int, with_package_init: bool) -> dict[str, float]:
    results = []
    for _ in range(runs):
        cmd = [sys.executable, __file__, "--child", kind, "--file", str(path)]
        if with_package_init:
            cmd.append("--with-package-init")
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"{kind} child failed:\n{proc.stderr}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    seconds = statistics.median(r["seconds"] for r in results)
    return {
        "records": results[0]["records"],
        "kept": results[0]["kept"],
        "seconds": seconds,
        "docs_per_s": results[0]["records"] / seconds,
        "rss_import_mb": max(r["rss_import_mb"] for r in results),
        "rss_peak_mb": max(r["rss_peak_mb"] for r in results),
    }


def compare_readers(file: Path, runs: int, with_package_init: bool) -> list[tuple[str, dict, dict]]:
    """(size, project reader, bare loop) for a half-size prefix of ``file`` and the whole."""
    with tempfile.TemporaryDirectory() as tmp:
        half = Path(tmp) / "half.xml.gz"
        # In a subprocess: the children inherit the parent's RSS high-water mark (Linux keeps
        # ru_maxrss across fork and exec), so the parent must never hold the whole file.
        subprocess.run(
            [sys.executable, __file__, "--file", str(file), "--write-prefix-to", str(half)],
            check=True,
            capture_output=True,
        )
        rows = []
        for label, path in [("half", half), ("full", file)]:
            project = measure("project", path, runs, with_package_init)
            bare = measure("bare", path, runs, False)
            rows.append((label, project, bare))
    return rows


def print_rows(file: Path, runs: int, rows: list[tuple[str, dict, dict]]) -> None:
    print(
        f"file: {file} ({os.path.getsize(file) / 2**20:.1f} MB), "
        f"median of {runs} runs, each in a fresh process; docs = citations parsed"
    )
    header = (
        f"{'size':<5} {'reader':<8} {'docs':>7} {'kept':>7} {'median s':>9} "
        f"{'docs/s':>8} {'project/bare':>12} {'peak RSS MB':>12} {'after import':>13}"
    )
    print(header)
    print("-" * len(header))
    for label, project, bare in rows:
        ratio = project["docs_per_s"] / bare["docs_per_s"]
        for name, r, shown in [("project", project, f"{ratio:.2f}x"), ("bare", bare, "")]:
            print(
                f"{label:<5} {name:<8} {r['records']:>7,} {r['kept']:>7,} {r['seconds']:>9.2f} "
                f"{r['docs_per_s']:>8,.0f} {shown:>12} {r['rss_peak_mb']:>12.0f} "
                f"{r['rss_import_mb']:>13.0f}"
            )


def child(kind: str, file: Path, with_package_init: bool) -> None:
    """One measurement, in its own process: JSON on the last line of stdout."""
    if kind == "project":
        result = run_project(str(file), with_package_init)
    else:
        result = run_bare(str(file))
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = next((p for p in DEFAULT_FILES if p.exists()), DEFAULT_FILES[-1])
    parser.add_argument("--file", type=Path, default=default)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-package-init", action="store_true")
    parser.add_argument("--child", choices=["project", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--write-prefix-to", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_prefix_to:
        print(write_prefix(args.file, args.write_prefix_to))
    elif args.child:
        child(args.child, args.file, args.with_package_init)
    elif not args.file.exists():
        sys.exit(f"{args.file} not found; pass --file")
    else:
        print_rows(
            args.file, args.runs, compare_readers(args.file, args.runs, args.with_package_init)
        )


if __name__ == "__main__":
    main()
