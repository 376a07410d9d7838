"""The framework's `allennlp` subcommands (any task), registered on import."""

from multitask.commands import evaluate_tasks, held_out_questions  # noqa: F401
