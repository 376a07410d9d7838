#!/usr/bin/env python
"""Compare MeSH indexers side by side: one split, one metric implementation.

    python scripts/compare_mesh.py runs/mesh_mqan/model.tar.gz
    python scripts/compare_mesh.py final=runs/mesh_mqan/model.tar.gz today=runs/old/model.tar.gz \\
        --eval data/corpus/test.json --output-dir docs/results/mesh_test

Trains and tunes the baselines (frequency top-k, TF-IDF + omikuji, TF-IDF + one-vs-rest
linear SVMs) on --train / --validation, then scores them and every MQAN archive given
(NAME=PATH, or PATH named after its folder) on --eval. Columns: MiF, MiP, MiR, EBF, MaF,
HiF (hierarchical F1 over the MeSH tree, Kosmopoulos et al. 2015: both label sets extended
with their ancestors), MiF relative to TF-IDF + omikuji, training seconds (the run's
metrics.json beside the archive, plus the candidate retriever's fitting time) and
prediction speed (abstracts per second, batches of 32). Archives named <system>_s<seed>
(the same run with several seeds) also get a second table: mean and spread over seeds of
MiF, MaF and HiF per system, and each mean minus --reference's (an ablation: each method
against the run without it). Writes comparison.json, comparison.md and comparison.png
into --output-dir.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

CORPUS = Path("data/corpus")
MESH = Path("data/mesh/descriptors.tsv")


def archive_arg(text: str) -> tuple[str, Path]:
    name, _, path = text.rpartition("=")
    archive = Path(path)
    return (name or archive.parent.name or archive.stem), archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archives", nargs="*", type=archive_arg, help="[NAME=]model.tar.gz")
    parser.add_argument("--train", type=Path, default=CORPUS / "train.json")
    parser.add_argument("--validation", type=Path, default=CORPUS / "validation.json")
    parser.add_argument("--eval", type=Path, default=CORPUS / "test.json")
    parser.add_argument("--mesh-file", type=Path, default=MESH)
    parser.add_argument(
        "--baselines",
        nargs="*",
        default=["frequency", "tfidf_omikuji", "tfidf_linear"],
        help="baselines to run (none: only the archives)",
    )
    parser.add_argument("--threads", type=int, default=None, help="omikuji threads")
    parser.add_argument(
        "--reference",
        default="main",
        help="the system (of <system>_s<seed> archives) the seed table subtracts",
    )
    parser.add_argument("--output-dir", type=Path, default=Path("runs/compare_mesh"))
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    from multitask.baselines.runner import BASELINES

    unknown = sorted(set(args.baselines) - set(BASELINES))
    if unknown:
        parser.error(f"unknown baselines {unknown}; choose from {list(BASELINES)}")
    missing = [
        p for p in (args.train, args.validation, args.eval, args.mesh_file) if not p.exists()
    ]
    missing += [path for _, path in args.archives if not path.exists()]
    if missing:
        print(f"error: not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if not args.archives and not args.baselines:
        parser.error("nothing to compare: give archives or baselines")

    from multitask.mesh import MeshVocabulary
    from tasks.mesh_indexing.comparison import bar_chart, compare, markdown_table, seed_table

    mesh = MeshVocabulary.from_file(args.mesh_file)
    rows = compare(
        args.train,
        args.validation,
        args.eval,
        mesh,
        args.archives,
        args.baselines,
        n_threads=args.threads,
        progress=not args.no_progress,
    )
    table = markdown_table(rows)
    seeds = seed_table(rows, args.reference)
    if seeds:
        table += f"\n\nOver seeds:\n\n{seeds}"
    heading = (
        f"{args.eval} (baselines trained on {args.train}, tuned on {args.validation}; "
        "MQAN selections tuned on validation while training)"
    )
    print(f"\n{heading}\n\n{table}\n")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    report = {
        "train": str(args.train),
        "validation": str(args.validation),
        "eval": str(args.eval),
        "rows": [row.to_json() for row in rows],
    }
    (args.output_dir / "comparison.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.output_dir / "comparison.md").write_text(f"{heading}\n\n{table}\n")
    bar_chart(rows, args.output_dir / "comparison.png", f"MeSH indexing on {args.eval.name}")
    print(f"written: {args.output_dir}/comparison.{{json,md,png}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
