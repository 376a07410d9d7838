"""The README's commands do what they say: every `allennlp predict ... --silent` also names
an `--output-file` (AllenNLP exits early and prints nothing otherwise)."""

import re

from paths import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def commands(name: str) -> list[str]:
    joined = README.replace("\\\n", " ")  # continuation lines
    return [line for line in joined.splitlines() if re.search(rf"\ballennlp {name}\b", line)]


def test_silent_predictions_are_written_somewhere():
    predicts = commands("predict")
    assert predicts, "the README shows `allennlp predict`"
    for command in predicts:
        if "--silent" in command:
            assert "--output-file" in command, command


def test_use_outside_the_repository_is_documented():
    assert "--include-package multitask --include-package tasks" in README
