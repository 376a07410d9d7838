"""Model cards (modelcards/*.json): one per shipped training config, every figure with the
split it was measured on, the command that measured it and the document that reports it.

Cheap: reads JSON, evaluates the jsonnet configs and scans source text; trains nothing.
"""

import json
import re
from pathlib import Path

import _jsonnet
import pytest
from paths import heading_slugs

ROOT = Path(__file__).resolve().parents[1]
CARD_DIR = ROOT / "modelcards"
CONFIG_DIR = ROOT / "training_configs"

REQUIRED_KEYS = {
    "id",
    "config",
    "registered_model_name",
    "registered_predictor_name",
    "display_name",
    "task_ids",
    "model_details",
    "intended_use",
    "factors",
    "metrics",
    "speed",
    "training_data",
    "evaluation_data",
    "quantitative_analyses",
    "caveats_and_recommendations",
    "ethical_considerations",
    "model_usage",
}
MODEL_DETAILS_KEYS = {"description", "developed_by", "date", "model_type", "paper"}
INTENDED_USE_KEYS = {"primary_uses", "primary_users", "out_of_scope_use_cases"}
METRIC_KEYS = {"name", "value", "split", "command", "source"}
SPEED_KEYS = {"what", "value", "unit", "machine", "command", "source"}

#: F1-like measures (and precision, recall, exact match, ROUGE): a fraction in [0, 1]. Any
#: other name (decaScore, loss, perplexity, a ratio) must be a positive number.
FRACTION = re.compile(r"(^|\s)(MiF|MiP|MiR|EBF|MaF|HiF|EM|nF1|ROUGE-\w+|ROUGE avg)$")
COMMAND_PREFIXES = ("allennlp ", "python scripts/", "bash scripts/")
ENV_ASSIGNMENTS = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S+\s+)+")
SCRIPT_PATH = re.compile(r"(?<![\w./-])scripts/[\w./-]+\.(?:py|sh)\b")
CONFIG_PATH = re.compile(r"(?<![\w./-])training_configs/[\w./-]+\.jsonnet\b")
#: AllenNLP 2.10.1's own subcommands; the project's are found in its source below.
ALLENNLP_SUBCOMMANDS = {
    "build-vocab",
    "cached-path",
    "checklist",
    "count-instances",
    "diff",
    "evaluate",
    "find-lr",
    "predict",
    "print-results",
    "push-to-hf",
    "test-install",
    "train",
}


def card_paths() -> list[Path]:
    return sorted(CARD_DIR.glob("*.json"))


def shipped_configs() -> list[Path]:
    """Top-level configs only: not ablations/, not the shared .libsonnet."""
    return sorted(CONFIG_DIR.glob("*.jsonnet"))


def load(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def registered(kind: str) -> set[str]:
    """Names registered as `kind` (Subcommand, Predictor) anywhere in the project's source."""
    pattern = re.compile(rf'{kind}\.register\(\s*"([^"]+)"')
    names: set[str] = set()
    for package in ("multitask", "tasks"):
        for path in (ROOT / package).rglob("*.py"):
            names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def evaluate_config(path: Path) -> dict:
    ext_vars = {}
    for source in CONFIG_DIR.glob("*sonnet"):
        for name in re.findall(r"std\.extVar\('([^']+)'\)", source.read_text()):
            ext_vars[name] = f"/nonexistent/{name}"
    return json.loads(_jsonnet.evaluate_file(str(path), ext_vars=ext_vars))


def figures(card: dict) -> list[tuple[str, dict]]:
    return [("metrics", m) for m in card["metrics"]] + [
        ("baselines", m) for m in card.get("baselines", [])
    ]


def commands(card: dict) -> list[tuple[str, str]]:
    """Every command a card names: what measured each figure and speed, and how to use it."""
    found = []
    for where, entry in figures(card) + [("speed", s) for s in card["speed"]]:
        for key in ("command", "training_command"):
            if key in entry:
                found.append((f"{where}: {entry.get('name') or entry.get('what')}", entry[key]))
    for key, value in card["model_usage"].items():
        if key.endswith("_command") and value:
            found.append((f"model_usage.{key}", value))
    return found


def test_every_shipped_config_has_a_card_and_every_card_a_config():
    configs = {p.stem for p in shipped_configs()}
    cards = {p.stem for p in card_paths()}
    assert configs, "no training configs found"
    assert configs - cards == set(), f"configs without a card: {sorted(configs - cards)}"
    assert cards - configs == set(), f"cards without a config: {sorted(cards - configs)}"


@pytest.fixture(scope="module")
def subcommands() -> set[str]:
    return ALLENNLP_SUBCOMMANDS | registered("Subcommand")


@pytest.fixture(scope="module")
def predictors() -> set[str]:
    return registered("Predictor")


@pytest.mark.parametrize("path", card_paths(), ids=lambda p: p.stem)
class TestCard:
    def test_shape(self, path):
        card = load(path)
        assert REQUIRED_KEYS <= card.keys(), f"missing {sorted(REQUIRED_KEYS - card.keys())}"
        assert card["id"] == path.stem
        assert card["config"] == f"training_configs/{path.stem}.jsonnet"
        assert (ROOT / card["config"]).is_file()
        assert card["model_usage"]["training_config"] == card["config"]
        assert MODEL_DETAILS_KEYS <= card["model_details"].keys()
        assert "McCann" in card["model_details"]["paper"]["citation"]
        assert INTENDED_USE_KEYS <= card["intended_use"].keys()
        assert isinstance(card["metrics"], list) and isinstance(card["speed"], list)
        assert card["caveats_and_recommendations"], "no caveats"
        for key in ("display_name", "ethical_considerations"):
            assert isinstance(card[key], str) and card[key].strip(), key

    def test_names_match_the_config(self, path, predictors):
        card = load(path)
        model = evaluate_config(ROOT / card["config"])["model"]
        assert card["registered_model_name"] == model["type"]
        assert sorted(card["task_ids"]) == sorted(model["tasks"])
        assert card["registered_predictor_name"] in predictors

    def test_figures(self, path):
        card = load(path)
        for where, entry in figures(card):
            label = f"{where}: {entry.get('name')} on {entry.get('split')}"
            assert METRIC_KEYS <= entry.keys(), f"{label}: missing {METRIC_KEYS - entry.keys()}"
            value = entry["value"]
            assert isinstance(value, int | float) and not isinstance(value, bool), label
            if FRACTION.search(entry["name"]):
                assert 0 <= value <= 1, f"{label}: {value} is not in [0, 1]"
            else:
                assert value > 0, f"{label}: {value} is not positive"
            assert entry["split"].strip() and entry["command"].strip(), label
        if not card["metrics"]:
            caveats = [c.lower() for c in card["caveats_and_recommendations"]]
            assert any(c.startswith("not measured") for c in caveats), (
                "no metrics, and no caveat that starts with 'Not measured'"
            )

    def test_speed(self, path):
        card = load(path)
        for entry in card["speed"]:
            assert SPEED_KEYS <= entry.keys(), f"{entry.get('what')}: {SPEED_KEYS - entry.keys()}"
            value = entry["value"]
            assert isinstance(value, int | float) and not isinstance(value, bool)
            assert value > 0, entry["what"]
            if "value_max" in entry:
                assert entry["value_max"] >= value, entry["what"]

    def test_sources_exist(self, path):
        card = load(path)
        for entry in [e for _, e in figures(card)] + card["speed"]:
            document, _, anchor = entry["source"].partition("#")
            assert (ROOT / document).is_file(), f"source {document} not found"
            if anchor:
                assert anchor in heading_slugs(ROOT / document), (
                    f"{entry['source']}: no such heading"
                )

    def test_commands(self, path, subcommands):
        for where, command in commands(load(path)):
            for step in command.split("&&"):
                step = ENV_ASSIGNMENTS.sub("", step.strip())
                assert step.startswith(COMMAND_PREFIXES), f"{where}: {step!r}"
                if step.startswith("allennlp "):
                    name = step.split()[1]
                    assert name in subcommands, f"{where}: no subcommand allennlp {name}"
                for script in SCRIPT_PATH.findall(step):
                    assert (ROOT / script).is_file(), f"{where}: {script} does not exist"
                for config in CONFIG_PATH.findall(step):
                    assert (ROOT / config).is_file(), f"{where}: {config} does not exist"
