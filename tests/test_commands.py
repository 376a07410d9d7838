"""The project's `allennlp` subcommands are found as AllenNLP finds plugin commands, and each
has a `--help` with a description and an example a user can copy."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allennlp.commands import ArgumentParserWithDefaults
from allennlp.commands.subcommand import Subcommand
from paths import PROJECT_ROOT

import multitask  # noqa: F401 - registers the framework's commands
import tasks  # noqa: F401 - and the tasks'

COMMANDS = [
    "evaluate-tasks",
    "held-out-questions",
    "prepare-corpus",
    "bioasq-submission",
    "compare",
    "optimize",
    "serve-mesh",
]


def test_allennlp_lists_every_command():
    """One real `allennlp --help`: the plugins come in through .allennlp_plugins."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("allennlp")), "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("    ")}
    assert set(COMMANDS) <= listed, result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_a_description_and_an_example(name, capsys):
    # the parser `allennlp` builds (allennlp.commands.parse_args), without its sys.argv
    parser = ArgumentParserWithDefaults(prog="allennlp")
    subparsers = parser.add_subparsers(title="Commands", metavar="")
    Subcommand.by_name(name)().add_subparser(subparsers)
    with pytest.raises(SystemExit) as exit_:
        parser.parse_args([name, "--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    usage, _, rest = text.partition("\n\n")
    assert usage.startswith(f"usage: allennlp {name}")
    assert rest.strip() and not rest.startswith("positional") and not rest.startswith("options")
    assert "example" in text and f"\n  allennlp {name} " in text, text
