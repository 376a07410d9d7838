"""The table of a multi-run experiment: one line per run, then the mean of each row's seeds.

    python scripts/experiments/experiment_table.py runs/multitask [--rows mesh mesh_title ...]

Reads ``RUNS_DIR/<row>_s<seed>/held_out_metrics.json`` (written by
`allennlp evaluate-tasks` through ``scripts/experiments/multitask_experiment.sh``) and
``train_seconds``; prints markdown with MeSH MiF / EBF / MaF, titles ROUGE-1/2/L, NLI EM,
SQuAD nF1, the decaScore and the training time, and "-" for a task a run does not have.
The seeds' spread (max - min) is printed under each mean, to show the noise.
"""

import argparse
import json
import re
from pathlib import Path
from statistics import mean
from typing import Optional

RUN_NAME = re.compile(r"^(?P<row>.+)_s(?P<seed>\d+)$")
#: (column header, task, metric key, scale)
COLUMNS = [
    ("MiF", "mesh_indexing", "MiF", 1.0),
    ("EBF", "mesh_indexing", "EBF", 1.0),
    ("MaF", "mesh_indexing", "MaF", 1.0),
    ("titles R-1", "title_generation", "ROUGE-1", 1.0),
    ("R-2", "title_generation", "ROUGE-2", 1.0),
    ("R-L", "title_generation", "ROUGE-L", 1.0),
    ("NLI EM", "nli", "EM", 1.0),
    ("SQuAD nF1", "squad", "nF1", 1.0),
]


def run_values(run: Path) -> dict[str, Optional[float]]:
    metrics = json.loads((run / "held_out_metrics.json").read_text())
    values: dict[str, Optional[float]] = {}
    for header, task, key, scale in COLUMNS:
        value = metrics["tasks"].get(task, {}).get("metrics", {}).get(key)
        values[header] = None if value is None else value * scale
    values["decaScore"] = metrics["decaScore"]
    seconds = run / "train_seconds"
    values["train min"] = int(seconds.read_text()) / 60 if seconds.exists() else None
    return values


def cell(value: Optional[float], header: str) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if header in ("decaScore", "train min") else f"{value:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs_dir", type=Path)
    parser.add_argument("--rows", nargs="*", help="rows in this order (default: all, sorted)")
    args = parser.parse_args()
    runs: dict[str, dict[int, dict[str, Optional[float]]]] = {}
    for run in sorted(args.runs_dir.iterdir()):
        match = RUN_NAME.match(run.name)
        if match and (run / "held_out_metrics.json").exists():
            runs.setdefault(match["row"], {})[int(match["seed"])] = run_values(run)
    headers = [c[0] for c in COLUMNS] + ["decaScore", "train min"]
    print("| row | seed | " + " | ".join(headers) + " |")
    print("|---" * (len(headers) + 2) + "|")
    for row in args.rows or sorted(runs):
        seeds = runs.get(row, {})
        if not seeds:
            print(f"| {row} | not measured |" + " |" * len(headers))
            continue
        for seed, values in sorted(seeds.items()):
            print(f"| {row} | {seed} | " + " | ".join(cell(values[h], h) for h in headers) + " |")
        if len(seeds) > 1:
            means, spreads = [], []
            for header in headers:
                found = [v[header] for v in seeds.values() if v[header] is not None]
                means.append(cell(mean(found), header) if found else "-")
                spreads.append(cell(max(found) - min(found), header) if found else "-")
            print(f"| **{row}** | mean | " + " | ".join(means) + " |")
            print("| | spread | " + " | ".join(spreads) + " |")


if __name__ == "__main__":
    main()
