"""Run `allennlp <command>` in the test process, as the console script runs it.

A subprocess pays for importing torch, AllenNLP and the plugins again (seconds per call);
in this process they are imported once. What the console adds is reproduced: a
``CommandLineError`` is printed as ``error: ...`` with exit status 1 (``multitask.errors``
installs that as the excepthook), and argparse's exits become the status.
"""

import sys
from unittest import mock

from allennlp.commands import main

import multitask  # noqa: F401 - registers the subcommands, as .allennlp_plugins does
import tasks  # noqa: F401
from multitask.errors import CommandLineError


def run_allennlp(*args: object) -> int:
    """The exit status of ``allennlp ARGS``; its output goes to this process's stdout and
    stderr (read them with ``capsys``)."""
    with mock.patch.object(sys, "argv", ["allennlp", *map(str, args)]):
        try:
            main(prog="allennlp")
        except SystemExit as exit_:
            code = exit_.code
            return code if isinstance(code, int) else (0 if code is None else 1)
        except CommandLineError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    return 0
