#!/usr/bin/env python
"""Score the non-neural MeSH-indexing baselines that the MQAN model has to beat.

    python scripts/baselines.py                       # default corpus, scored on validation
    python scripts/baselines.py --eval data/corpus/test.json --output baselines_test.json
    python scripts/baselines.py --baselines frequency --k 10

Baselines (see multitask/baselines/):
  frequency      the k most frequent training headings for every article; without --k,
                 rows for k=5 and for the k in 1..30 with the best validation MiF
  tfidf_omikuji  TF-IDF (title + abstract, 1-2-grams, sublinear tf, min_df=2, 100k terms)
                 + omikuji Parabel (3 trees); score threshold and label cap tuned on
                 validation MiF. Needs the `baselines` extra (omikuji); skipped without it.
  tfidf_linear   the same TF-IDF + one linear SVM per heading with >= 10 training
                 articles; margin threshold and cap tuned on validation MiF

Everything tuned is tuned on --validation, so scores with --eval equal to --validation
are optimistic; report the test split for comparisons. Measures come from
multitask.metrics, the same functions the MQAN model is evaluated with. Headings are
keyed by descriptor UI where the corpus has one, else by name.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from multitask.baselines.runner import BASELINES, format_table, load_articles, run_baselines

CORPUS = Path("data/corpus")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", type=Path, default=CORPUS / "train.json")
    parser.add_argument("--validation", type=Path, default=CORPUS / "validation.json")
    parser.add_argument(
        "--eval", type=Path, default=None, help="split to score (default: --validation)"
    )
    parser.add_argument("--baselines", nargs="+", choices=BASELINES, default=list(BASELINES))
    parser.add_argument("--k", type=int, default=None, help="fix the frequency baseline's k")
    parser.add_argument(
        "--threads", type=int, default=None, help="omikuji threads (default: all cores)"
    )
    parser.add_argument("--output", type=Path, default=None, help="also write results as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm bars")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.k is not None and args.k < 1:
        parser.error("--k must be at least 1")

    for path in {args.train, args.validation, args.eval or args.validation}:
        if not path.exists():
            print(
                f"error: {path} does not exist; build the default corpus with "
                "`python scripts/prepare_corpus.py` or pass --train/--validation/--eval",
                file=sys.stderr,
            )
            return 2

    progress = not args.no_progress
    train = load_articles(args.train, "train", progress=progress)
    validation = load_articles(args.validation, "validation", progress=progress)
    same = args.eval is None or args.eval.resolve() == args.validation.resolve()
    evaluate = validation if same else load_articles(args.eval, "eval", progress=progress)
    eval_path = args.validation if same else args.eval

    results = run_baselines(
        train,
        validation,
        evaluate,
        args.baselines,
        k=args.k,
        n_threads=args.threads,
        progress=progress,
    )
    print(
        f"\n{len(evaluate):,} articles of {eval_path} "
        f"(trained on {len(train):,}, tuned on {len(validation):,} of {args.validation})"
    )
    if same:
        print("note: evaluated on the tuning split; these scores are optimistic")
    print(format_table(results))
    if args.output is not None:
        report = {
            "train": str(args.train),
            "validation": str(args.validation),
            "eval": str(eval_path),
            "n_train": len(train),
            "n_validation": len(validation),
            "n_eval": len(evaluate),
            "results": [r.to_json() for r in results],
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
