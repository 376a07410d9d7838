"""`allennlp compare`: MeSH suggesters side by side on one split, one metric implementation."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

from multitask.errors import UserInputError
from tasks.mesh_indexing.commands.arguments import add_split_arguments, setup_logging

DESCRIPTION = """Compare MeSH indexers side by side: one split, one metric implementation.

Every system is a suggester: a trained MQAN archive (model.tar.gz), a registered suggester
(frequency, tfidf_omikuji, tfidf_linear, tfidf_knn, ensemble, ...), a JSON config, or a folder
a suggester was saved to. Suggesters that need fitting are fitted on --train and their limit
and threshold tuned on --validation (micro-F1); an archive keeps the selection it tuned on
validation while training. All are scored on --eval: MiF, MiP, MiR, EBF, MaF, HiF
(hierarchical F1 over the MeSH tree), each system's MiF minus --reference's with a paired
bootstrap 95% interval over the evaluated articles, MiF relative to tfidf_omikuji, training
seconds and abstracts per second. Systems named <system>_s<seed> also get a seed table: mean
and spread over seeds, and each mean minus --reference's. Writes comparison.json, comparison.md and
comparison.png into --output-dir."""

EXAMPLES = """examples:
  allennlp compare final=runs/mesh_mqan/model.tar.gz --eval data/corpus/test.json
  allennlp compare --baselines frequency tfidf_omikuji tfidf_knn --eval data/corpus/validation.json
  allennlp compare 'mix={"type": "ensemble", "members": {"a": {"type": "tfidf_omikuji"},
      "b": {"type": "tfidf_knn"}}}' --baselines"""


@Subcommand.register("compare")
class Compare(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Compare MeSH suggesters and archives on one split.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument(
            "systems",
            nargs="*",
            help="[NAME=]SYSTEM: a model archive, a registered suggester, a JSON config or a "
            "saved suggester folder",
        )
        add_split_arguments(subparser, evaluate=True)
        subparser.add_argument(
            "--baselines",
            nargs="*",
            default=None,
            help="registered suggesters to fit as baselines (default: frequency tfidf_omikuji "
            "tfidf_linear; give the flag alone for none)",
        )
        subparser.add_argument(
            "--threads", type=int, default=None, help="omikuji threads (default: all cores)"
        )
        subparser.add_argument(
            "--reference",
            default="main",
            help="the system every other is measured against (MiF difference with its "
            "bootstrap interval; a <system> of <system>_s<seed> names: its first seed there, "
            "its mean in the seed table); default main, else tfidf_omikuji, else the first",
        )
        subparser.add_argument("--output-dir", type=Path, default=Path("runs/compare_mesh"))
        subparser.set_defaults(func=run)
        return subparser


def run(args: argparse.Namespace) -> None:
    setup_logging()
    from tasks.mesh_indexing.comparison import (
        BASELINES,
        bar_chart,
        compare,
        markdown_table,
        mif_differences,
        resolve_reference,
        seed_table,
    )
    from tasks.mesh_indexing.mesh import MeshVocabulary
    from tasks.mesh_indexing.suggesters.specs import named_spec, suggester_from_spec

    baselines = list(BASELINES if args.baselines is None else args.baselines)
    specs = [(name, name) for name in baselines] + [named_spec(text) for text in args.systems]
    if not specs:
        raise UserInputError("nothing to compare: give systems or --baselines")
    missing = [
        p for p in (args.train, args.validation, args.eval, args.mesh_file) if not p.exists()
    ]
    if missing:
        raise UserInputError(f"not found: {', '.join(map(str, missing))}")
    suggesters = []
    for name, spec in specs:
        suggester = suggester_from_spec(spec)
        if args.threads is not None:
            set_threads(suggester, args.threads)
        suggesters.append((name, suggester))
    mesh = MeshVocabulary.from_file(args.mesh_file)
    rows = compare(
        args.train, args.validation, args.eval, mesh, suggesters, progress=not args.no_progress
    )
    reference = resolve_reference(rows, args.reference)
    table = markdown_table(rows, reference)
    seeds = seed_table(rows, args.reference)
    if seeds:
        table += f"\n\nOver seeds:\n\n{seeds}"
    heading = (
        f"{args.eval} (suggesters fitted on {args.train}, limit and threshold tuned on "
        f"{args.validation}; MQAN selections tuned on validation while training)"
    )
    print(f"\n{heading}\n\n{table}\n")
    args.output_dir.mkdir(parents=True, exist_ok=True)
    report = {
        "train": str(args.train),
        "validation": str(args.validation),
        "eval": str(args.eval),
        "rows": [row.to_json() for row in rows],
        "reference": reference,
        "mif_minus_reference": {
            name: interval.to_json() for name, interval in mif_differences(rows, reference).items()
        },
    }
    (args.output_dir / "comparison.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.output_dir / "comparison.md").write_text(f"{heading}\n\n{table}\n")
    bar_chart(rows, args.output_dir / "comparison.png", f"MeSH indexing on {args.eval.name}")
    print(f"written: {args.output_dir}/comparison.{{json,md,png}}")


def set_threads(suggester: object, threads: int) -> None:
    """Omikuji's threads, in the suggester, every member of an ensemble and a re-ranker's
    base."""
    if hasattr(suggester, "n_threads"):
        suggester.n_threads = threads  # type: ignore[attr-defined]
    for member in getattr(suggester, "members", {}).values():
        set_threads(member, threads)
    base = getattr(suggester, "base", None)
    if base is not None:
        set_threads(base, threads)
