"""A fast, download-free word tokenizer shared by questions, contexts and answers.

Copying from the context needs answer tokens and context tokens to be spelled the same
way, so one tokenizer (lower-cased by default) serves all three.
"""

import re

from allennlp.data.tokenizers import Token, Tokenizer


@Tokenizer.register("qa_words")
class QAWordTokenizer(Tokenizer):
    """Runs of letters, runs of digits, and single punctuation marks (spaCy-free, no model)."""

    def __init__(self, lowercase: bool = True, pattern: str = r"[^\W\d_]+|\d+|[^\w\s]|_") -> None:
        self.lowercase = lowercase
        self.pattern = pattern
        self._regex = re.compile(pattern)

    def tokenize(self, text: str) -> list[Token]:
        if self.lowercase:
            text = text.lower()
        return [Token(m.group(), idx=m.start()) for m in self._regex.finditer(text)]

    def split_words(self, text: str) -> list[str]:
        """Plain strings, for building tries and lookup tables without Token objects."""
        if self.lowercase:
            text = text.lower()
        return self._regex.findall(text)

    def _to_params(self) -> dict:
        return {"type": "qa_words", "lowercase": self.lowercase, "pattern": self.pattern}
