"""Finding services from what people type, in any of the four forms, typos included.

An in-process index over the current definitions. Every text is folded by
``search_key`` (case, script, apostrophes), so ``bog'cha``, ``bogcha`` and ``боғча`` are
one word. A query word matches an indexed word exactly, as the start of a longer word
(typing in progress), with an Uzbek or Russian ending the index does not have
(``bog‘chaga`` → ``bogcha``), or with one or two typos. Each match is worth its quality ×
the field's weight × how rare the word is; whole-phrase matches on a title or keyword
add a bonus, and popularity breaks ties. Each process keeps its own index and rebuilds
it when the catalog revision in the database moves on.
"""

import math
import threading
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from darcha.platform.text import search_key

FIELD_WEIGHTS = {"title": 1.0, "keyword": 1.0, "summary": 0.45, "description": 0.25}
PHRASE_FIELDS = ("title", "keyword")
EXACT = 1.0
COMPLETION = 0.8  # the query word starts an indexed word
STEM = 0.8  # an indexed word starts the query word: an ending was added
TYPO = 0.75  # scaled down by the share of the word that differs
PHRASE_EXACT_BONUS = 0.6
PHRASE_PREFIX_BONUS = 0.3
POPULARITY_WEIGHT = 0.12
MIN_COVERAGE = 0.5  # a service matching less than this share of the query's words is noise
MAX_QUERY_WORDS = 12
MAX_QUERY_LENGTH = 200
PREFIX_CAP = 60


# Folding is the costly part of indexing; the loader folds each version once and stores
# the result, and repeated loads in one process reuse the folded forms of unchanged texts.
fold = lru_cache(maxsize=100_000)(search_key)


def folded_texts(definition: dict[str, Any]) -> dict[str, list[str]]:
    """The searchable texts of a definition, by field, in the folded form the index compares."""
    return {
        "title": [fold(text) for text in definition["title"].values()],
        "keyword": [fold(word) for words in definition["keywords"].values() for word in words],
        "summary": [fold(text) for text in definition["summary"].values()],
        "description": [fold(text) for text in definition["description"].values()],
    }


@dataclass(frozen=True)
class Entry:
    """One active service as the index holds it: what lists show, filter on and match."""

    code: str
    version: int
    title: dict[str, str]
    summary: dict[str, str]
    agency: str
    category: str
    subcategory: str
    level: str
    audience: tuple[str, ...]
    life_situations: tuple[str, ...]
    popularity: int
    url: str
    folded: dict[str, list[str]] = field(repr=False)

    @classmethod
    def from_definition(
        cls,
        definition: dict[str, Any],
        *,
        version: int = 0,
        url: str = "",
        folded: dict[str, list[str]] | None = None,
    ) -> "Entry":
        return cls(
            code=definition["code"],
            version=version,
            title=definition["title"],
            summary=definition["summary"],
            agency=definition["agency"],
            category=definition["category"],
            subcategory=definition["subcategory"],
            level=definition["level"],
            audience=tuple(definition["audience"]),
            life_situations=tuple(definition["life_situations"]),
            popularity=definition["popularity"],
            url=url,
            folded=folded or folded_texts(definition),
        )

    def matches(
        self,
        *,
        category: str | None = None,
        agency: str | None = None,
        level: str | None = None,
        audience: str | None = None,
        life_situation: str | None = None,
    ) -> bool:
        return (
            category in (None, self.category)
            and agency in (None, self.agency)
            and level in (None, self.level)
            and (audience is None or audience in self.audience)
            and (life_situation is None or life_situation in self.life_situations)
        )


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


class SearchIndex:
    def __init__(self, entries: Iterable[Entry]):
        self.entries: list[Entry] = list(entries)
        self.most_used = sorted(self.entries, key=lambda e: (-e.popularity, e.code))
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        phrases: dict[str, dict[int, float]] = defaultdict(dict)
        typo_words: set[str] = set()
        for index, entry in enumerate(self.entries):
            for name, keys in entry.folded.items():
                weight = FIELD_WEIGHTS[name]
                for key in keys:
                    if name in PHRASE_FIELDS and key:
                        phrases[key][index] = 1.0
                    for word in key.split():
                        if postings[word].get(index, 0) < weight:
                            postings[word][index] = weight
                        if name in PHRASE_FIELDS and len(word) >= 3:
                            typo_words.add(word)
        count = max(len(self.entries), 1)
        self.postings = {word: tuple(p.items()) for word, p in postings.items()}
        self.idf = {word: math.log(1 + count / len(p)) for word, p in postings.items()}
        self.words = sorted(self.postings)
        self.phrases = {key: tuple(p) for key, p in phrases.items()}
        self.phrase_keys = sorted(self.phrases)
        self.typo_words = frozenset(typo_words)
        # Two edits change a word's length by two at most, so only words that close in
        # length are compared.
        by_length: dict[int, list[str]] = defaultdict(list)
        for word in typo_words:
            by_length[len(word)].append(word)
        self.typo_words_by_length = {
            length: [w for near in range(length - 2, length + 3) for w in by_length.get(near, ())]
            for length in range(4, max(by_length, default=0) + 3)
        }

    def _starting_with(self, keys: list[str], prefix: str) -> Iterable[str]:
        start = bisect_left(keys, prefix)
        for key in keys[start : start + PREFIX_CAP]:
            if not key.startswith(prefix):
                break
            yield key

    def word_matches(self, word: str) -> dict[str, float]:
        """Indexed words this query word may stand for, each with a match quality 0-1."""
        found: dict[str, float] = {}

        def offer(candidate: str, quality: float) -> None:
            if quality > found.get(candidate, 0):
                found[candidate] = quality

        if word in self.postings:
            offer(word, EXACT)
        if len(word) >= 3:
            for candidate in self._starting_with(self.words, word):
                offer(candidate, COMPLETION * (0.6 + 0.4 * len(word) / len(candidate)))
        for cut in range(len(word) - 1, 3, -1):
            if word[:cut] in self.postings:
                offer(word[:cut], STEM * (0.5 + 0.5 * cut / len(word)))
                break
        # A word found as typed in a title or keyword is taken as meant: looking for
        # typos costs the most and would only add noise.
        if len(word) >= 4 and word not in self.typo_words:
            limit = 1 if len(word) < 7 else 2
            nearby = self.typo_words_by_length.get(len(word), ())
            for candidate, distance, _index in process.extract(
                word, nearby, scorer=OSA.distance, score_cutoff=limit, limit=20
            ):
                if distance:
                    offer(candidate, TYPO * (1 - distance / len(word)))
        return found

    def search(self, query: str, limit: int | None = 10) -> list[Match]:
        key = search_key(query[:MAX_QUERY_LENGTH])
        words = list(dict.fromkeys(key.split()))[:MAX_QUERY_WORDS]
        if not words:
            return []
        totals: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        best_possible = importance = 0.0
        for word in words:
            scores: dict[int, float] = {}
            candidates = self.word_matches(word)
            if not candidates:
                continue
            # A rare word says more about what is wanted than a common one. The typed
            # word's own rarity counts, so that a rare longer word it happens to start
            # does not outrank the word itself.
            word_importance = self.idf.get(word) or max(self.idf[c] for c in candidates)
            for candidate, quality in candidates.items():
                value = quality * word_importance
                for index, weight in self.postings[candidate]:
                    if value * weight > scores.get(index, 0):
                        scores[index] = value * weight
            if scores:
                importance += word_importance
                best_possible += max(scores.values())
                for index, value in scores.items():
                    totals[index] += value
                    covered[index] += word_importance
        if not totals:
            return []
        key = " ".join(words)
        bonus: dict[int, float] = defaultdict(float)
        for index in self.phrases.get(key, ()):
            bonus[index] = PHRASE_EXACT_BONUS
        if len(key) >= 3:
            for phrase in self._starting_with(self.phrase_keys, key):
                for index in self.phrases[phrase]:
                    bonus[index] = max(bonus[index], PHRASE_PREFIX_BONUS)
        matches = []
        for index, total in totals.items():
            if covered[index] / importance < MIN_COVERAGE and not bonus.get(index):
                continue
            relevance = total / best_possible
            entry = self.entries[index]
            score = relevance + bonus.get(index, 0) + POPULARITY_WEIGHT * entry.popularity / 100
            matches.append(Match(entry, round(score, 4)))
        matches.sort(key=lambda m: (-m.score, -m.entry.popularity, m.entry.code))
        return matches[:limit]


class IndexCache:
    """One index per process, rebuilt when the catalog revision changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: str | None = None
        self._index: SearchIndex | None = None

    def get(self, revision: str, entries: Callable[[], Iterable[Entry]]) -> SearchIndex:
        if self._index is None or self._revision != revision:
            with self._lock:
                if self._index is None or self._revision != revision:
                    self._index = SearchIndex(entries())
                    self._revision = revision
        return self._index


index_cache = IndexCache()
