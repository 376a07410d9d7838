"""The base of the tasks that read PubMed articles with a fixed question (title
generation, abstract continuation): one loop over any corpus format, articles with or
without MeSH headings, every skip counted."""

import logging
from collections.abc import Iterator

from multitask.data.read_stats import ReadStats
from multitask.qa.example import QAExample
from multitask.qa.reader import FixedQuestionReader
from tasks.pubmed.article import Article
from tasks.pubmed.corpus import read_articles

logger = logging.getLogger(__name__)


class ArticleTaskReader(FixedQuestionReader):
    """Subclasses say how an article becomes an example (:meth:`article_example`), or why
    it cannot (a skip reason and where, counted in the read's stats). Examples are split by
    PMID (``split_part``), so no article lands in both parts."""

    def split_key(self, example: QAExample) -> str:
        return str(example.metadata.get("pmid") or example.context)

    def article_example(self, article: Article, file_path: str) -> QAExample | tuple[str, str]:
        """The article's example, or (skip reason, where) when it has none."""
        raise NotImplementedError

    def examples(self, file_path: str) -> Iterator[QAExample]:
        stats = self.last_stats = ReadStats()
        # the data layer skips (and counts) records without an abstract or a title
        for article in read_articles(file_path, stats=stats, require_mesh=False):
            made = self.article_example(article, file_path)
            if isinstance(made, tuple):
                stats.kept -= 1
                stats.skip(*made)
                continue
            yield made
        logger.info("%s (%s):\n%s", file_path, self.task_name, stats.summary())
