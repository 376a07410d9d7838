"""decaNLP-style multi-task question answering on AllenNLP (MQAN): the framework.

It names no task: tasks live in the ``tasks`` package and plug in by registered name.

Importing the package registers every component, so `allennlp` finds them through
`.allennlp_plugins` without `--include-package`. It also makes AllenNLP's archive extraction
safe (``multitask.archives``) for every entry point that loads a model archive, and adds
input checks to `allennlp train`, `predict` and `evaluate` (``multitask.cli``).
"""

from multitask import (  # noqa: F401
    commands,
    data,
    decoding,
    metrics,
    models,
    modules,
    predictors,
    qa,
    training,
)
from multitask.archives import install_safe_extraction
from multitask.cli import install_command_checks
from multitask.errors import install_cli_excepthook

install_cli_excepthook()
install_safe_extraction()
install_command_checks()
