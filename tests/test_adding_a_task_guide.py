"""Runs docs/adding_a_task.md as written: its Python blocks, then its config, for a few batches."""

import json
import re
import shutil

from allennlp.commands.train import train_model_from_file
from allennlp.predictors import Predictor
from paths import PROJECT_ROOT

import multitask  # noqa: F401

GUIDE = PROJECT_ROOT / "docs" / "adding_a_task.md"
RECORDS = [
    {"id": f"q{i}", "question": q, "context": c, "final_decision": a}
    for i, (q, c, a) in enumerate(
        [
            ("Does aspirin reduce stroke?", "Aspirin lowered stroke incidence by 20%.", "yes"),
            (
                "Does coffee cause cancer?",
                "No association between coffee and cancer was found.",
                "no",
            ),
            (
                "Is drug x safe in pregnancy?",
                "Evidence on drug x in pregnancy is limited.",
                "maybe",
            ),
            ("Does exercise lower blood pressure?", "Exercise lowered systolic pressure.", "yes"),
        ]
    )
]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), flags=re.DOTALL)


def test_the_guide_trains_and_predicts(tmp_path, monkeypatch):
    namespace: dict = {}
    for code in blocks("python"):
        exec(compile(code, str(GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code

    data = tmp_path / "pubmedqa"
    data.mkdir()
    for split in ("train", "dev"):
        (data / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    (config,) = blocks("jsonnet")
    config_file = tmp_path / "pubmedqa_mqan.jsonnet"
    config_file.write_text(config)
    shutil.copy(PROJECT_ROOT / "training_configs" / "mqan.libsonnet", tmp_path)
    monkeypatch.setenv("PUBMEDQA_DATA", str(data))

    out = tmp_path / "run"
    train_model_from_file(
        str(config_file),
        str(out),
        overrides=json.dumps({"trainer": {"num_epochs": 2, "callbacks": []}}),
    )
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0.0 <= metrics["validation_pubmedqa_accuracy"] <= 1.0
    assert "validation_pubmedqa_macro_F1" in metrics
    assert metrics["validation_decaScore"] == 100 * metrics["validation_pubmedqa_accuracy"]

    predictor = Predictor.from_path(out / "model.tar.gz", "multitask_qa")
    output = predictor.predict_json(
        {
            "task": "pubmedqa",
            "question": RECORDS[0]["question"] + " -- yes, no, or maybe?",
            "context": RECORDS[0]["context"],
        }
    )
    assert output["task"] == "pubmedqa"
    assert isinstance(output["answer"], str)
