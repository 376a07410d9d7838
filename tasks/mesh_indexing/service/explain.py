"""Why a heading was suggested, for the web page: the words of the text that support it, and
the heading's places in the MeSH tree.

Support is measured by occlusion ("leave one word out"): the text is scored again once
without each of its content words (every occurrence removed), and a word supports a heading
by how much the heading's score falls without it. It only calls ``suggest``, so it says the
same kind of thing for every backend — an MQAN archive (the whole system: the retriever's
candidates, the encoder, the label head), omikuji, the SVMs or an ensemble — and it reports
what the model did, not what a separate heuristic guesses. The cost is one batch of at most
``max_words + 1`` texts, which goes through the project's batcher like any request.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from tasks.mesh_indexing.mesh import CATEGORY_NAMES, MeshVocabulary
from tasks.mesh_indexing.suggesters import Suggestion

#: words as the page highlights them: letters, digits, inner hyphens and apostrophes
WORD = re.compile(r"[A-Za-z0-9]+(?:['\-][A-Za-z0-9]+)*")
#: words that carry no topic; removing them would cost a model call and say nothing
STOP_WORDS = frozenset(
    """a about above after again against all also an and any are as at be because been
    before being below between both but by can could did do does doing during each few for
    from further had has have having here how however i if in into is it its itself may
    might more most much must no nor not of off on once only or other our out over own same
    should so some such than that the their them then there these they this those through
    thus to too under until up upon very was we were what when where whether which while
    who whom why will with within without would""".split()
)
DEFAULT_MAX_WORDS = 48
DEFAULT_WORDS_PER_HEADING = 5
#: a fall smaller than this share of the heading's own score is noise, not support
MIN_RELATIVE_DROP = 0.02


@dataclass(frozen=True)
class Support:
    word: str
    #: how much the heading's score falls when the word is removed from the text
    drop: float


def content_words(text: str, max_words: int = DEFAULT_MAX_WORDS) -> list[str]:
    """The text's distinct content words (lower case), most frequent first, then in reading
    order; at most ``max_words``. Numbers and one-letter words are left out."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for position, match in enumerate(WORD.finditer(text)):
        word = match.group().lower()
        if len(word) < 2 or word in STOP_WORDS or not any(c.isalpha() for c in word):
            continue
        counts[word] += 1
        first.setdefault(word, position)
    ranked = sorted(counts, key=lambda w: (-counts[w], first[w]))
    return ranked[:max_words]


def without_word(text: str, word: str) -> str:
    """``text`` with every whole-word occurrence of ``word`` (any case) removed; the first
    newline, which separates the title from the abstract, stays."""
    # the same word boundaries as WORD: "cancer" is not removed from "breast-cancer"
    before, after = r"(?<![A-Za-z0-9'\-])", r"(?![A-Za-z0-9]|['\-][A-Za-z0-9])"
    pattern = re.compile(before + re.escape(word) + after, re.IGNORECASE)
    title, newline, abstract = text.partition("\n")

    def strip(part: str) -> str:
        return re.sub(r"[ \t]{2,}", " ", pattern.sub("", part)).strip()

    return strip(title) + newline + strip(abstract)


def supporting_words(
    suggested: Sequence[Suggestion],
    words: Sequence[str],
    without: Sequence[Sequence[Suggestion]],
    per_heading: int = DEFAULT_WORDS_PER_HEADING,
) -> dict[str, list[Support]]:
    """For each suggested heading, the words whose removal lowered its score most, largest
    fall first. ``without[i]`` is what the suggester said for the text without ``words[i]``;
    a heading missing there scored nothing (it fell out of the suggestions)."""
    if len(words) != len(without):
        raise ValueError(f"{len(words)} words but {len(without)} occluded texts")
    scores_without = [{s.label: s.score for s in suggestions} for suggestions in without]
    support: dict[str, list[Support]] = {}
    for heading in suggested:
        floor = max(abs(heading.score) * MIN_RELATIVE_DROP, 1e-6)
        falls = []
        for word, scores in zip(words, scores_without):
            drop = heading.score - scores.get(heading.label, min(0.0, heading.score))
            if drop > floor:
                falls.append(Support(word, round(float(drop), 4)))
        falls.sort(key=lambda s: -s.drop)
        support[heading.label] = falls[:per_heading]
    return support


def tree_places(vocabulary: Optional[MeshVocabulary], ui: str) -> list[list[dict[str, Any]]]:
    """Each of the heading's places in the MeSH tree as the path from its category down to
    it: ``[{"tree_number", "name", "ui"}, ...]``; the first step is the category
    (``C`` "Diseases"). Headings without tree numbers (Female, Male) have no place."""
    descriptor = vocabulary.get_by_ui(ui) if vocabulary is not None else None
    if descriptor is None:
        return []
    places = []
    for tree_number in descriptor.tree_numbers:
        letter = tree_number[0]
        path: list[dict[str, Any]] = [
            {"tree_number": letter, "name": CATEGORY_NAMES.get(letter, letter), "ui": None}
        ]
        parts = tree_number.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            node = vocabulary.by_tree_number(prefix) if vocabulary is not None else None
            path.append(
                {
                    "tree_number": prefix,
                    "name": node.name if node is not None else prefix,
                    "ui": node.ui if node is not None else None,
                }
            )
        places.append(path)
    return places
