"""Title generation: biomedical summarization from the default corpus.

"What is the title of this article?", the abstract as context, the title as answer. The
title is the author's one-line summary of the abstract, so this is decaNLP's summarization
task in the MeSH task's own domain, with three times as many articles: it reads every
corpus format of the data layer (MEDLINE XML, BioASQ JSON, MEDLINE text, JSON lines) and
keeps articles without MeSH headings. Train on ``data/corpus/all/train.json``: it is split
by the same PMID buckets as the MeSH splits, so no task trains on a MeSH test article.
"""

import logging
import re
from collections.abc import Iterator
from typing import Optional

from allennlp.data import DatasetReader, Instance

from multitask.data.corpus import ReadStats, read_articles
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from multitask.qa.reader import QADatasetReader

logger = logging.getLogger(__name__)

QUESTION = "What is the title of this article?"
# MEDLINE puts titles translated into English in brackets: "[Title in English]."
_TRANSLATED = re.compile(r"^\[(?P<title>.*)\](?P<end>\.?)$")


def clean_title(title: str) -> str:
    """One-line title without MEDLINE's brackets around translated titles."""
    title = " ".join(title.split())
    match = _TRANSLATED.match(title)
    return f"{match['title'].strip()}{match['end']}" if match else title


@DatasetReader.register("title_generation")
class TitleGenerationReader(QADatasetReader):
    """Articles without a title or an abstract are skipped and counted.

    # Parameters

    task_name : `str`, optional (default = `"title_generation"`)
    question : `str`, optional
    builder : `QAInstanceBuilder`, optional
    """

    prediction_fields = ("abstractText",)

    def __init__(
        self,
        task_name: str = "title_generation",
        question: str = QUESTION,
        builder: Optional[QAInstanceBuilder] = None,
        **kwargs,
    ) -> None:
        super().__init__(builder=builder, **kwargs)
        self.task_name = task_name
        self.question = question
        self.last_stats: Optional[ReadStats] = None  # counts of the latest read, for callers

    def split_key(self, example: QAExample) -> str:
        return str(example.metadata.get("pmid") or example.context)

    def make_example(self, abstract: str, title: Optional[str], pmid: Optional[str]) -> QAExample:
        return QAExample(
            task=self.task_name,
            question=self.question,
            context=abstract,
            answer=title,
            gold=title,
            metadata={"pmid": pmid},
        )

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = self.last_stats = ReadStats()
        # the data layer skips (and counts) records without an abstract or a title
        for article in read_articles(file_path, stats=stats, require_mesh=False):
            title = clean_title(article.title)
            if not title:  # "[]." and the like: nothing left once cleaned
                stats.kept -= 1
                stats.skip("no_title", f"{file_path}, PMID {article.pmid}")
                continue
            yield self.make_example(" ".join(article.abstract.split()), title, article.pmid)
        logger.info("%s (%s):\n%s", file_path, self.task_name, stats.summary())

    def text_to_instance(  # type: ignore[override]
        self,
        abstractText: str,  # noqa: N803 - BioASQ's field name
        title: Optional[str] = None,
        pmid: Optional[str] = None,
    ) -> Instance:
        """A prediction-time instance from an abstract (the title optional, for scoring)."""
        gold = clean_title(title) if title else None
        return self.builder.build(self.make_example(" ".join(abstractText.split()), gold, pmid))
