"""A suggester named on the command line: a model archive, a saved suggester folder, a
registered name, or a JSON config."""

from __future__ import annotations

import json
import re
from pathlib import Path

from allennlp.common import Params

from multitask.errors import UserInputError
from tasks.mesh_indexing.suggesters.archive import MqanArchiveSuggester
from tasks.mesh_indexing.suggesters.base import CONFIG_FILE, Suggester

_NAME = re.compile(r"[\w.-]+")


def suggester_from_spec(spec: str) -> Suggester:
    """``model.tar.gz`` (a trained MQAN), a folder that ``Suggester.save_to`` wrote, a
    registered name (``tfidf_omikuji``), or a JSON object (``{"type": "ensemble", ...}``)."""
    text = spec.strip()
    if text.startswith("{"):
        try:
            config = json.loads(text)
        except json.JSONDecodeError as error:
            raise UserInputError(f"suggester config {spec!r} is not valid JSON: {error}") from None
        if not isinstance(config, dict):
            raise UserInputError(f"suggester config {spec!r} is not a JSON object")
        return _build(config, spec)
    path = Path(text)
    if text.endswith((".tar.gz", ".tgz")) or path.is_file():
        if not path.exists():
            raise UserInputError(f"model archive {path} not found")
        return MqanArchiveSuggester(str(path))
    if path.is_dir():
        if not (path / CONFIG_FILE).exists():
            raise UserInputError(f"{path} is a folder without {CONFIG_FILE}: not a saved suggester")
        return Suggester.load_from(path)
    return _build({"type": text}, spec)


def _build(config: dict, spec: str) -> Suggester:
    name = config.get("type")
    if name is None or name not in Suggester.list_available():
        known = ", ".join(sorted(Suggester.list_available()))
        raise UserInputError(
            f"{spec!r} is neither a model archive, a saved suggester folder nor a registered "
            f"suggester ({known})"
        )
    try:
        return Suggester.from_params(Params(config))
    except Exception as error:  # a bad argument in the config: say which
        raise UserInputError(f"cannot build suggester {spec!r}: {error}") from None


def named_spec(text: str) -> tuple[str, str]:
    """``NAME=SPEC`` -> (NAME, SPEC) when NAME is a plain name (letters, digits, ``_.-``);
    a bare archive is named after its folder, a JSON config after its type, anything else
    after itself (so a path with ``=`` in it stays a path)."""
    name, sep, spec = text.partition("=")
    if sep and _NAME.fullmatch(name):
        return name, spec
    if text.endswith((".tar.gz", ".tgz")):
        path = Path(text)
        return (path.parent.name or path.stem), text
    if text.lstrip().startswith("{"):
        try:
            return str(json.loads(text).get("type", "suggester")), text
        except (json.JSONDecodeError, AttributeError):
            raise UserInputError(f"suggester config {text!r} is not a JSON object") from None
    return Path(text).name or text, text
