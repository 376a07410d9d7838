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
from typing import Optional

from allennlp.data import DatasetReader, Instance

from multitask.held_out_questions import PredictionInputs
from multitask.qa.example import QAExample
from multitask.qa.instance_builder import QAInstanceBuilder
from tasks.pubmed.article import Article
from tasks.pubmed.article_reader import ArticleTaskReader
from tasks.pubmed.prediction_inputs import ArticleInputs

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
class TitleGenerationReader(ArticleTaskReader):
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
        super().__init__(task_name, question, builder, **kwargs)

    def make_example(self, abstract: str, title: Optional[str], pmid: Optional[str]) -> QAExample:
        return self.example(" ".join(abstract.split()), title, pmid=pmid)

    def article_example(self, article: Article, file_path: str) -> QAExample | tuple[str, str]:
        title = clean_title(article.title)
        if not title:  # "[]." and the like: nothing left once cleaned
            return "no_title", f"{file_path}, PMID {article.pmid}"
        return self.make_example(article.abstract, title, article.pmid)

    def text_to_instance(  # type: ignore[override]
        self,
        abstractText: str,  # noqa: N803 - BioASQ's field name
        title: Optional[str] = None,
        pmid: Optional[str] = None,
    ) -> Instance:
        """A prediction-time instance from an abstract (the title optional, for scoring)."""
        gold = clean_title(title) if title else None
        return self.builder.build(self.make_example(abstractText, gold, pmid))


@PredictionInputs.register("title_generation")
class TitleInputs(ArticleInputs):
    """Held-out questions: an abstract, and its title as gold (none: left out)."""

    def gold(self, reader: DatasetReader, article: Article) -> Optional[str]:
        return clean_title(article.title) or None
