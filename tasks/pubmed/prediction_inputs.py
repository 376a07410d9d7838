"""Articles as predictor input: the BioASQ fields a predictor takes, and held-out questions.

Tasks that read PubMed articles (MeSH indexing, title generation, abstract continuation)
build their question from an article's raw fields, so their held-out questions for
`allennlp held-out-questions` are those fields and a gold answer. This base reads the
articles; each task registers a subclass under its reader's name that says what the gold is.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from allennlp.data import DatasetReader

from multitask.data.read_stats import ReadStats
from multitask.held_out_questions import PredictionInputs
from tasks.pubmed.article import Article
from tasks.pubmed.corpus import read_articles


def article_fields(article: Article) -> dict[str, str]:
    """The fields of a BioASQ test-set record, which the article tasks' predictors take."""
    return {"pmid": article.pmid, "title": article.title, "abstractText": article.abstract}


def first_article_fields(path: str, count: int) -> list[dict[str, str]]:
    """:func:`article_fields` of the first ``count`` articles of ``path`` (MeSH optional)."""
    articles = read_articles(path, stats=ReadStats(), require_mesh=False)
    return [article_fields(article) for article in islice(articles, count)]


class ArticleInputs(PredictionInputs):
    """The reader's ``prediction_fields`` of every article of a file with a gold answer.

    The whole file is read (an article task's ``split_part`` is not applied here)."""

    def gold(self, reader: DatasetReader, article: Article) -> Any:
        """What the task's predictor should answer for ``article``; ``None`` leaves it out."""
        raise NotImplementedError

    def inputs(self, task: str, reader: DatasetReader, file_path: str) -> Iterator[dict[str, Any]]:
        fields = reader.prediction_fields  # type: ignore[attr-defined]
        for article in read_articles(file_path, stats=ReadStats(), require_mesh=False):
            gold = self.gold(reader, article)
            if gold is None:
                continue
            raw = article_fields(article)
            yield {"task": task, **{name: raw[name] for name in fields}, "gold": gold}
