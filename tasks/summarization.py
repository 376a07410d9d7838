"""CNN/DailyMail summarization as question answering (decaNLP's "What is the summary?").

Input: a directory of ``.story`` files, one ``.story`` file, or a ``.jsonl`` with
``{article, highlights}`` (Hugging Face's layout; ``highlights`` a newline-separated string
or a list). In a story file, the line after each ``@highlight`` is one summary sentence and
every other non-blank line is article text.

Sentence boundaries follow See et al.'s preprocessing (which decaNLP reuses): a line that
does not end in sentence-final punctuation gets " ." appended, and lines are joined with
single spaces, so the summary "A did x . B did y ." keeps a "." token between highlights
for the model to produce. The reference summary (gold) is that same string.
"""

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Optional

from allennlp.data import DatasetReader, Instance

from multitask.data.errors import CorpusFormatError
from multitask.data.read_stats import ReadStats
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from multitask.qa.reader import FixedQuestionReader
from tasks.generic import read_jsonl_objects, text_field

logger = logging.getLogger(__name__)

QUESTION = "What is the summary?"
HIGHLIGHT = "@highlight"
# See et al. (2017), make_datafiles.py: a line ending in one of these already ends a sentence
END_TOKENS = (".", "!", "?", "...", "'", "`", '"', "\u2019", "\u201d", ")")


def fix_missing_period(line: str) -> str:
    line = line.strip()
    return line if not line or line.endswith(END_TOKENS) else f"{line} ."


def join_sentences(lines: Iterable[str]) -> str:
    """Non-blank lines as one string with a sentence boundary after each."""
    return " ".join(fixed for fixed in map(fix_missing_period, lines) if fixed)


def parse_story(text: str) -> tuple[list[str], list[str]]:
    """(article lines, highlight lines) of one ``.story`` file's text."""
    article: list[str] = []
    highlights: list[str] = []
    next_is_highlight = False
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == HIGHLIGHT:
            next_is_highlight = True
        elif next_is_highlight:
            highlights.append(line)
            next_is_highlight = False
        else:
            article.append(line)
    return article, highlights


def story_files(file_path: str) -> list[Path]:
    path = Path(file_path)
    if path.is_dir():
        files = sorted(path.glob("*.story"))
        if not files:
            raise CorpusFormatError(file_path, "directory", "no .story files in it")
        return files
    if not path.exists():
        raise CorpusFormatError(file_path, "open", "no such file or directory")
    return [path]


@DatasetReader.register("decanlp_cnn_dailymail")
class CnnDailyMailReader(FixedQuestionReader):
    """Stories with an empty article or no highlights are skipped and counted."""

    def __init__(
        self,
        task_name: str = "cnn_dailymail",
        question: str = QUESTION,
        builder: Optional[QAInstanceBuilder] = None,
        **kwargs,
    ) -> None:
        super().__init__(task_name, question, builder, **kwargs)

    def make_example(
        self, article: list[str], highlights: Optional[list[str]], story_id: Optional[str]
    ) -> QAExample:
        summary = join_sentences(highlights) if highlights else None
        return self.example(join_sentences(article), summary, id=story_id)

    def _keep(self, article: list[str], highlights: list[str], stats: ReadStats, where: str):
        if not any(line.strip() for line in article):
            stats.skip("empty article", where)
            return False
        if not any(line.strip() for line in highlights):
            stats.skip("no highlights", where)
            return False
        stats.kept += 1
        return True

    def _stories(self, file_path: str, stats: ReadStats) -> Iterator[QAExample]:
        for path in story_files(file_path):
            stats.read += 1
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CorpusFormatError(
                    str(path), "file", f"cannot read ({type(exc).__name__}: {exc})"
                ) from exc
            article, highlights = parse_story(text)
            if self._keep(article, highlights, stats, str(path)):
                yield self.make_example(article, highlights, path.stem)

    def _jsonl(self, file_path: str, stats: ReadStats) -> Iterator[QAExample]:
        stem = Path(file_path).name.split(".")[0]
        for lineno, obj in read_jsonl_objects(file_path, stats):
            where = f"line {lineno}"
            article = text_field(obj, "article", file_path, where).splitlines()
            highlights = self._highlights(obj.get("highlights"), file_path, where)
            if self._keep(article, highlights, stats, f"{file_path}, {where}"):
                story_id = str(obj["id"]) if "id" in obj else f"{stem}:{lineno}"
                yield self.make_example(article, highlights, story_id)

    @staticmethod
    def _highlights(value: Any, path: str, where: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return value.splitlines()
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return value
        raise CorpusFormatError(
            path, where, "field 'highlights' must be a string or a list of strings"
        )

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = self.last_stats = ReadStats()
        name = os.fspath(file_path)
        is_jsonl = name.endswith((".jsonl", ".jsonl.gz", ".json"))
        yield from (self._jsonl if is_jsonl else self._stories)(name, stats)
        logger.info("%s (%s):\n%s", name, self.task_name, stats.summary())

    def text_to_instance(  # type: ignore[override]
        self, article: str, highlights: Any = None, id: Optional[str] = None
    ) -> Instance:
        """A prediction-time instance from an article's text (highlights optional)."""
        lines = self._highlights(highlights, "<input>", "record")
        return self.builder.build(self.make_example(article.splitlines(), lines or None, id))
