"""`allennlp predict` input read line by line as bytes, numbered as in the file.

AllenNLP's ``_PredictManager`` decodes the input in blocks (one bad byte on line 2 fails
before line 1 is predicted), skips blank lines before the predictor counts (so errors name
the wrong line), and a bad line ends the run with what was predicted so far still in its
batch. Here each line is decoded on its own and numbered as in the file; at the first bad
line every line before it is predicted and written, then the run stops with
``input line N: ...`` (a ``UserInputError``, one line on the command line).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import IO

from allennlp.commands import predict as predict_command
from allennlp.common.file_utils import cached_path, open_compressed
from allennlp.common.util import JsonDict

from multitask.errors import UserInputError
from multitask.predictors.json_lines import JsonLinePredictor, PredictionInputError


def numbered_lines(handle: IO[bytes]) -> Iterator[tuple[int, str]]:
    """(file line number, text) of each non-blank line; PredictionInputError at a line that
    is not UTF-8 (a byte-order mark at the start of the file is allowed)."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise PredictionInputError(
                f"input line {number}: not UTF-8 text (byte 0x{raw[error.start]:02x} "
                f"at byte {error.start + 1} of the line)"
            ) from None
        if text.strip():
            yield number, text


class CheckedPredictManager(predict_command._PredictManager):
    """``_PredictManager`` with per-line decoding, file line numbers and the lines before a
    bad one written before the error is raised."""

    _input_error: UserInputError | None = None

    def _open_input(self) -> IO[bytes]:
        if self._input_file == "-":
            return sys.stdin.buffer
        try:
            path = cached_path(self._input_file)
        except FileNotFoundError:
            raise UserInputError(f"input file {self._input_file} not found") from None
        return open_compressed(path, "rb", encoding=None)

    def _parse(self, number: int, text: str) -> JsonDict:
        if isinstance(self._predictor, JsonLinePredictor):
            return self._predictor.parse_line(text, number)
        return self._predictor.load_line(text)  # another plugin's predictor: its own checks

    def _get_json_data(self) -> Iterator[JsonDict]:
        handle = self._open_input()
        try:
            for number, text in numbered_lines(handle):
                yield self._parse(number, text)
        except UserInputError as error:
            self._input_error = error  # raised by run() once the lines before are written
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()

    def run(self) -> None:
        try:
            super().run()
        finally:
            if self._output_file is not None and not self._output_file.closed:
                self._output_file.close()
        if self._input_error is not None:
            raise self._input_error


def install_checked_predict_input() -> None:
    """Make `allennlp predict` (and anything else using its manager) read input this way."""
    predict_command._PredictManager = CheckedPredictManager
