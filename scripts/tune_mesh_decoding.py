#!/usr/bin/env python
"""Choose the MeSH decoder's label cap on a held-out split, next to the frequency baseline.

Decodes the split once without a cap (greedy decoding: capping at K keeps exactly the first K
labels), then scores every cap K with the project's metric functions:

    python scripts/tune_mesh_decoding.py runs/mesh_mqan/model.tar.gz data/corpus/validation.json

Use the chosen K with `-o '{"model.tasks.mesh_indexing.decoding.max_labels": K}'` at
evaluate / predict time, or set it in the config.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from allennlp.common.plugins import import_plugins
from allennlp.common.util import lazy_groups_of
from allennlp.models.archival import load_archive
from tqdm import tqdm

from multitask.baselines import FrequencyBaseline, article_labels, score
from multitask.data.corpus import read_articles
from multitask.predictors.task_reader import task_reader

TASK = "mesh_indexing"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive")
    parser.add_argument("split", help="held-out BioASQ-layout file (e.g. the validation split)")
    parser.add_argument("--train", default="data/corpus/train.json", help="for the baseline")
    parser.add_argument("--max-cap", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--output", help="write the table as JSON here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import_plugins()

    overrides = {f"model.tasks.{TASK}.decoding.max_labels": None, "model.beam_size": 1}
    archive = load_archive(args.archive, overrides=json.dumps(overrides))
    model = archive.model
    model.eval()
    reader = task_reader(archive.validation_dataset_reader, TASK)
    decoded: list[list[str]] = []
    gold: list[set[str]] = []
    instances = reader.read(args.split)
    for batch in tqdm(lazy_groups_of(instances, args.batch_size), desc="decoding", unit=" batches"):
        for instance, output in zip(batch, model.forward_on_instances(batch)):
            decoded.append([label["ui"] for label in output["answer"]["labels"]])
            gold.append(set(instance["metadata"]["gold"]))

    rows = []
    for cap in range(1, args.max_cap + 1):
        rows.append(
            {"cap": cap, **score(gold, [set(labels[:cap]) for labels in decoded]).to_json()}
        )
    rows.append({"cap": None, **score(gold, [set(labels) for labels in decoded]).to_json()})
    best = max(rows, key=lambda row: row["mif"])

    train_labels = [article_labels(a) for a in read_articles(args.train)]
    frequency = FrequencyBaseline().fit(train_labels)
    k = frequency.tune_k(gold)
    baseline = score(gold, frequency.predict(len(gold), k)).to_json()

    print(
        f"{len(gold)} articles in {args.split}; mean labels decoded without a cap: "
        f"{sum(map(len, decoded)) / len(decoded):.1f}, gold: {sum(map(len, gold)) / len(gold):.1f}"
    )
    print(f"{'cap':>5} {'MiF':>7} {'MiP':>7} {'MiR':>7} {'EBF':>7}")
    for row in rows:
        mark = "  <- best" if row is best else ""
        cap = "none" if row["cap"] is None else row["cap"]
        values = " ".join(f"{row[key]:7.4f}" for key in ("mif", "mip", "mir", "ebf"))
        print(f"{cap:>5} {values}{mark}")
    print(
        f"frequency@{k} (k tuned on this split): MiF {baseline['mif']:.4f} "
        f"MiP {baseline['mip']:.4f} MiR {baseline['mir']:.4f} EBF {baseline['ebf']:.4f}"
    )
    if args.output:
        with open(args.output, "w") as handle:
            json.dump(
                {"caps": rows, "best_cap": best["cap"], f"frequency@{k}": baseline},
                handle,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
