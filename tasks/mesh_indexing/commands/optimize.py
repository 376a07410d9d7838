"""`allennlp optimize`: the limit and threshold that give a suggester its best validation MiF."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

from multitask.errors import UserInputError
from tasks.mesh_indexing.commands.arguments import add_split_arguments, setup_logging

DESCRIPTION = """Tune how many suggestions a text keeps (limit) and how high they must score
(threshold) on a validation split, by micro-F1 (Annif's `optimize`).

SYSTEM is a trained MQAN archive (model.tar.gz), a registered suggester (frequency,
tfidf_omikuji, tfidf_linear, tfidf_knn, ...), a JSON config, or a folder a suggester was saved
to. One that is not trained yet is fitted on --train first. Prints, for each limit, the best
threshold with its MiP / MiR / MiF, then the best pair; --save writes the fitted suggester and
the chosen selection into a folder that `allennlp compare` and the other commands take."""

EXAMPLES = """examples:
  allennlp optimize tfidf_omikuji --validation data/corpus/validation.json --save runs/omikuji
  allennlp optimize runs/mesh_mqan/model.tar.gz --limits 5 10 15 20"""


@Subcommand.register("optimize")
class Optimize(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Tune a suggester's limit and threshold on validation micro-F1.",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument("system", help="model archive, suggester name, JSON or folder")
        add_split_arguments(subparser, evaluate=False)
        subparser.add_argument(
            "--limits", type=int, nargs="+", default=None, help="limits to try (default 1..30)"
        )
        subparser.add_argument("--save", type=Path, default=None, help="folder for the result")
        subparser.set_defaults(func=run)
        return subparser


def run(args: argparse.Namespace) -> None:
    setup_logging()
    from tasks.mesh_indexing.comparison import Split, load_articles, suggest_all
    from tasks.mesh_indexing.mesh import MeshVocabulary
    from tasks.mesh_indexing.suggesters.specs import suggester_from_spec
    from tasks.mesh_indexing.suggesters.tuning import DEFAULT_LIMITS, tune_each_limit

    limits = args.limits or list(DEFAULT_LIMITS)
    if min(limits) < 1:
        raise UserInputError(f"--limits must be at least 1, got {min(limits)}")
    suggester = suggester_from_spec(args.system)
    needed = [args.validation, args.mesh_file] + ([] if suggester.trained else [args.train])
    missing = [p for p in needed if not p.exists()]
    if missing:
        raise UserInputError(f"not found: {', '.join(map(str, missing))}")
    progress = not args.no_progress
    mesh = MeshVocabulary.from_file(args.mesh_file)
    if not suggester.trained:
        train = Split.of(load_articles(args.train, "train", progress=progress), mesh)
        suggester.fit(train.texts, train.gold)
    validation = Split.of(load_articles(args.validation, "validation", progress=progress), mesh)
    suggested, _ = suggest_all(suggester, validation.texts, max(limits), "suggesting", progress)
    per_limit = tune_each_limit(suggested, validation.gold, limits)
    best = max(per_limit, key=lambda t: (round(t.mif, 12), -t.selection.limit))
    print(f"\n{args.system} on {args.validation} ({len(validation.texts):,} articles)\n")
    print("| limit | threshold | MiP | MiR | MiF |\n|---|---|---|---|---|")
    for tuned in per_limit:
        mark = " **best**" if tuned is best else ""
        print(
            f"| {tuned.selection.limit} | {tuned.selection.threshold:.4g} | {tuned.mip:.4f} "
            f"| {tuned.mir:.4f} | {tuned.mif:.4f}{mark} |"
        )
    print(f"\nbest: limit {best.selection.limit}, threshold {best.selection.threshold:.4g}")
    if args.save is not None:
        suggester.save_to(args.save)
        (args.save / "selection.json").write_text(json.dumps(best.to_json(), indent=2) + "\n")
        print(f"written: {args.save}")
