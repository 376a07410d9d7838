"""The PubMed / BioASQ corpus layer that MeSH indexing, title generation and LM
pre-training share: the :class:`~tasks.pubmed.article.Article` record, streaming readers
for MEDLINE XML, BioASQ JSON, MEDLINE text and JSON lines, writers, and the PMID hash split.

Not a task itself: it registers nothing, and no module here imports another task.
"""
