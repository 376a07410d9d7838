"""decaNLP-style multi-task question answering on AllenNLP (MQAN), MeSH indexing first.

Importing the package registers every component, so `allennlp` finds them through
`.allennlp_plugins` without `--include-package`.
"""

from multitask import (  # noqa: F401
    data,
    decoding,
    metrics,
    models,
    modules,
    predictors,
    qa,
    training,
)
from multitask.errors import install_cli_excepthook

install_cli_excepthook()
