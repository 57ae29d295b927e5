"""One entity per span, and canonical values for `life_event` and `helpful`.

Placed after every entity extractor (and the resident-number guard), this
component tidies what the parse result reports:

- **One entity per span.** Entities of the same type whose spans overlap
  (directly or through a chain of overlaps) become one: the kept entity is
  the one that is preferred (its value is a canonical value learned from the
  training data, or it came from a trusted extractor: the pattern extractor or
  the gazetteer), then the longer span, then the higher confidence, then the
  earlier extractor. The kept entity is returned unchanged, with its own
  ``extractor``, so Rasa's per-extractor evaluation still works.
- **Canonical values.** The CRF reports a `life_event` or `helpful` phrase
  with the phrase as its value ("애기가 태어났어요") unless EntitySynonymMapper
  saw that exact phrase in training. At training time this component keeps
  every annotated (phrase, value) pair of those types; at run time a value that
  is not canonical becomes the value of the most similar known phrase
  (:class:`PhraseMatcher`: TF-IDF cosine over character n-grams and Kiwi
  lemmas that tells "도움이 안 됐어요" from "도움이 됐어요"). When nothing
  known is similar enough, or two values are about as similar, the entity
  is dropped (``drop_unmapped``) and the actions fall back to reading the
  message text, as they do when no entity was found.
- Every other type (application_number, birth_date, service, region, language)
  keeps its value: it is only deduplicated.

The learned pairs are stored in the model as JSON and the matcher is rebuilt
from them when the model is loaded.
"""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Dict, Iterable, List, Optional, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.kiwi_tokenizer import korean_aware_spans

logger = logging.getLogger(__name__)

_PAIRS_FILE = "entity_cleanup.json"
_FORMAT_VERSION = 1
_APOSTROPHES = re.compile(r"['’`]")
_NOT_A_WORD = re.compile(r"[^\w]+")

Entity = Dict[str, Any]
Pair = Tuple[str, str]  # (phrase as annotated, canonical value)


def normalised_text(text: str) -> str:
    """``text`` compared loosely: NFKC, lower case, no apostrophes ("didn't" =
    "didnt"), every run of punctuation or spaces one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _NOT_A_WORD.sub(" ", _APOSTROPHES.sub("", text)).strip()


# Words and morphemes that negate what they attach to. A phrase with an odd
# number of them says the opposite of the same words without ("도움이 안
# 됐어요" / "도움이 됐어요", "not helpful" / "helpful"), which character and
# lemma overlap cannot see.
_KOREAN_NEGATORS = {("안", "MAG"), ("못", "MAG"), ("않", "VX"), ("아니", "VCN"), ("말", "VX")}
_KOREAN_NEGATING_PREFIXES = {"불", "부", "비", "무", "미"}  # 불만족, 부정확 (tagged XPN)
_ENGLISH_NEGATORS = frozenset(
    [
        "not", "no", "never", "nothing", "none", "nobody", "nor", "neither", "cannot", "aint",
        # contractions, as compared: without the apostrophe
        "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "cant", "couldnt",
        "wont", "wouldnt", "shouldnt", "havent", "hasnt", "hadnt",
    ]
)


def _negates(lemma: str, pos: str) -> bool:
    if pos == "SL":
        return lemma in _ENGLISH_NEGATORS or (lemma.endswith("less") and lemma not in {"less", "unless"})
    return (
        (lemma, pos) in _KOREAN_NEGATORS
        or (pos == "VA" and lemma.endswith("없"))  # 없다, 쓸모없다, 상관없다
        or (pos == "XPN" and lemma in _KOREAN_NEGATING_PREFIXES)
    )


@dataclass(frozen=True)
class PhraseFeatures:
    """What a phrase is compared by: character n-grams (within words, padded
    with a space at both ends), Kiwi lemmas (Korean morphemes such as 되/었/어요,
    English words lower-cased), both as counts, the number of negating words
    and morphemes, and its English words."""

    chars: Counter
    lemmas: Counter
    negators: int
    english_words: Tuple[str, ...]

    def negated(self, vocabulary: Collection[str] = ()) -> bool:
        """True when the phrase holds an odd number of negations, counting an
        English "un-" word whose stem is in ``vocabulary`` as one
        ("unemployed" when "employed" is known; never "understand")."""
        prefixed = sum(
            1 for word in self.english_words if word.startswith("un") and len(word) > 5 and word[2:] in vocabulary
        )
        return (self.negators + prefixed) % 2 == 1


def phrase_features(phrase: str, char_ngrams: Sequence[int] = (2, 3)) -> PhraseFeatures:
    """The features of ``phrase`` (see :class:`PhraseFeatures`)."""
    text = normalised_text(phrase)
    chars: Counter = Counter()
    for word in text.split():
        padded = f" {word} "
        for size in char_ngrams:
            chars.update(padded[i : i + size] for i in range(len(padded) - size + 1))
    lemmas: Counter = Counter()
    negators = 0
    english: List[str] = []
    for _, _, lemma, pos in korean_aware_spans(text):
        parts = [part for part in normalised_text(lemma).split() if part]
        lemmas.update(parts)
        # Kiwi's tag belongs to the first morpheme of a merged token ("되+었").
        negators += int(bool(parts) and _negates(parts[0], pos))
        if pos == "SL":
            english.extend(parts)
    return PhraseFeatures(chars, lemmas, negators, tuple(english))


class _TfIdfIndex:
    """Cosine similarity of one feature kind between a query and every known phrase."""

    def __init__(self, documents: Sequence[Counter], labels: Sequence[str]) -> None:
        frequency: Counter = Counter()
        labels_of: Dict[str, set] = defaultdict(set)
        for document, label in zip(documents, labels, strict=True):
            frequency.update(document.keys())
            for feature in document:
                labels_of[feature].add(label)
        count, label_count = len(documents), len(set(labels))
        # Inverse document frequency times inverse value frequency: a feature
        # found with many values ("my", "became", 어요) says little about which
        # value a phrase has, however rare it is among the phrases.
        self._idf = {
            feature: (math.log((1 + count) / (1 + df)) + 1.0)
            * (math.log((1 + label_count) / (1 + len(labels_of[feature]))) + 1.0)
            for feature, df in frequency.items()
        }
        # A feature no known phrase has gets the largest weight: it counts
        # against the similarity (through the norm) without matching anything.
        self._unseen_idf = (math.log(1 + count) + 1.0) * (math.log((1 + label_count) / 2) + 1.0)
        self._postings: Dict[str, List[Tuple[int, float]]] = defaultdict(list)
        for index, document in enumerate(documents):
            for feature, weight in self._unit(document).items():
                self._postings[feature].append((index, weight))

    def _unit(self, counts: Counter) -> Dict[str, float]:
        weights = {f: (1.0 + math.log(n)) * self._idf.get(f, self._unseen_idf) for f, n in counts.items() if n > 0}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {f: w / norm for f, w in weights.items()} if norm else {}

    def similarities(self, counts: Counter) -> Dict[int, float]:
        """Cosine similarity to every known phrase sharing a feature with ``counts``."""
        scores: Dict[int, float] = defaultdict(float)
        for feature, weight in self._unit(counts).items():
            for index, known in self._postings.get(feature, ()):
                scores[index] += weight * known
        return scores


@dataclass(frozen=True)
class PhraseMatch:
    """The value of the most similar known phrase, how similar it is, and how
    similar the best phrase of any other value is."""

    value: str
    similarity: float
    runner_up: float
    phrase: str


class PhraseMatcher:
    """Nearest known phrase by TF-IDF cosine similarity.

    The similarity of two phrases is the weighted mean of the cosine over
    character 2-3-grams (typos, spacing, unseen inflections) and over Kiwi
    lemmas (Korean endings and particles become their own morphemes, so
    "해고됐어요" shares 해고 and 되 with "해고당했어요"). Features are weighted
    by how rare they are among the phrases and among the values. When exactly
    one of the two phrases is negated (:meth:`PhraseFeatures.negated`), the
    similarity is multiplied by ``negation_mismatch``. A value's score is that
    of its most similar phrase.
    """

    def __init__(self, pairs: Iterable[Pair], lemma_weight: float = 0.5, negation_mismatch: float = 0.3) -> None:
        self.pairs: List[Pair] = []
        seen = set()
        for phrase, value in pairs:
            key = (normalised_text(phrase), value)
            if key[0] and key not in seen:
                seen.add(key)
                self.pairs.append((phrase, value))
        self.values = frozenset(value for _, value in self.pairs)
        self._lemma_weight = float(lemma_weight)
        self._negation_mismatch = float(negation_mismatch)
        features = [phrase_features(phrase) for phrase, _ in self.pairs]
        self._english_vocabulary = frozenset(word for feature in features for word in feature.english_words)
        self._negated = [feature.negated(self._english_vocabulary) for feature in features]
        values = [value for _, value in self.pairs]
        self._chars = _TfIdfIndex([feature.chars for feature in features], values)
        self._lemmas = _TfIdfIndex([feature.lemmas for feature in features], values)
        self._exact: Dict[str, set] = defaultdict(set)
        for phrase, value in self.pairs:
            self._exact[normalised_text(phrase)].add(value)

    def nearest(self, phrase: str) -> Optional[PhraseMatch]:
        """The best match for ``phrase``, or None when it shares nothing with any
        known phrase. A phrase known verbatim (up to case, spacing and
        punctuation) with one value matches it with similarity 1."""
        key = normalised_text(phrase)
        exact = self._exact.get(key, set())
        if len(exact) == 1:
            return PhraseMatch(next(iter(exact)), 1.0, 0.0, phrase)
        features = phrase_features(phrase)
        char_scores = self._chars.similarities(features.chars)
        lemma_scores = self._lemmas.similarities(features.lemmas)
        negated = features.negated(self._english_vocabulary)
        best_by_value: Dict[str, Tuple[float, int]] = {}
        for index in set(char_scores) | set(lemma_scores):
            score = (1 - self._lemma_weight) * char_scores.get(index, 0.0) + self._lemma_weight * lemma_scores.get(
                index, 0.0
            )
            if self._negated[index] != negated:
                score *= self._negation_mismatch
            value = self.pairs[index][1]
            if score > best_by_value.get(value, (-1.0, -1))[0]:
                best_by_value[value] = (score, index)
        if not best_by_value:
            return None
        ranked = sorted(best_by_value.items(), key=lambda item: -item[1][0])
        value, (score, index) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        return PhraseMatch(value, score, runner_up, self.pairs[index][0])


def _span(entity: Entity) -> Optional[Tuple[int, int]]:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int):
        return start, end
    return None


def one_per_span(entities: Sequence[Entity], preferred: Callable[[Entity], bool]) -> List[Entity]:
    """``entities`` with every group of same-type entities whose spans overlap
    (directly or through a chain) replaced by one of them.

    The kept one is ``preferred``, then the longest, then the most confident,
    then the first given. Entities without a span are kept as they are. The
    result is ordered by start (then end), entities without a span last.
    """
    kept: List[Entity] = []
    by_type: Dict[str, List[Tuple[int, Entity]]] = defaultdict(list)
    without_span: List[Entity] = []
    for order, entity in enumerate(entities):
        if _span(entity) is None:
            without_span.append(entity)
        else:
            by_type[str(entity.get("entity"))].append((order, entity))
    for items in by_type.values():
        items.sort(key=lambda item: (_span(item[1]), item[0]))
        group: List[Tuple[int, Entity]] = []
        group_end = -1
        for order, entity in items:
            start, end = _span(entity)  # type: ignore[misc]
            if group and start >= group_end:
                kept.append(_best(group, preferred))
                group = []
            group.append((order, entity))
            group_end = max(group_end, end) if len(group) > 1 else end
        if group:
            kept.append(_best(group, preferred))
    kept.sort(key=lambda entity: _span(entity))  # type: ignore[arg-type, return-value]
    return kept + without_span


def _best(group: List[Tuple[int, Entity]], preferred: Callable[[Entity], bool]) -> Entity:
    def rank(item: Tuple[int, Entity]) -> Tuple[bool, int, float, int]:
        order, entity = item
        start, end = _span(entity)  # type: ignore[misc]
        confidence = entity.get("confidence_entity")
        return preferred(entity), end - start, float(confidence) if confidence is not None else 0.0, -order

    return max(group, key=rank)[1]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class EntityCleanup(GraphComponent):
    """Deduplicates overlapping entities and maps `life_event`/`helpful` to canonical values."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """``normalised_entities``: types whose values become canonical;
        ``trusted_extractors``: extractors whose entity wins an overlap;
        ``minimum_similarity``: below it an unseen phrase gets no value;
        ``minimum_margin``: the best value must be this much more similar than
        the best other value; ``lemma_weight``: share of the lemma cosine in the
        similarity (the rest is the character n-gram cosine);
        ``negation_mismatch``: factor on the similarity of two phrases of which
        exactly one is negated;
        ``drop_unmapped``: drop an entity that gets no canonical value (else it
        keeps the value it had).

        The thresholds were chosen by leave-one-out over the training data's
        own pairs: each phrase matched against all the others (nlu/README.md).
        """
        return {
            "normalised_entities": ["life_event", "helpful"],
            "trusted_extractors": ["IdentifierExtractor", "SpacyGazetteerExtractor"],
            "minimum_similarity": 0.3,
            "minimum_margin": 0.05,
            "lemma_weight": 0.5,
            "negation_mismatch": 0.3,
            "drop_unmapped": True,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pairs: Optional[Dict[str, List[Pair]]] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pairs: Dict[str, List[Pair]] = {}
        self._matchers: Dict[str, PhraseMatcher] = {}
        self._use_pairs(pairs or {})

    def _use_pairs(self, pairs: Dict[str, List[Pair]]) -> None:
        self._pairs = {entity: [(str(p), str(v)) for p, v in items] for entity, items in pairs.items()}
        self._matchers = {
            entity: PhraseMatcher(
                items, float(self._config["lemma_weight"]), float(self._config["negation_mismatch"])
            )
            for entity, items in self._pairs.items()
            if items
        }

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityCleanup":
        """A component that has learned no values yet (it only deduplicates)."""
        return cls(config, model_storage, resource)

    @property
    def canonical_values(self) -> Dict[str, frozenset]:
        """The canonical values learned per normalised entity type."""
        return {entity: matcher.values for entity, matcher in self._matchers.items()}

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the annotated (phrase, value) pairs of the normalised types and
        store them in the model.

        Only annotations that name a value other than their text count: such a
        value is a canonical one (``[도움이 됐어요]{"entity": "helpful", "value": "yes"}``).
        """
        wanted = set(self._config["normalised_entities"])
        pairs: Dict[str, List[Pair]] = {entity: [] for entity in wanted}
        for message in training_data.entity_examples:
            text = message.get(TEXT) or ""
            for entity in message.get(ENTITIES) or []:
                span = _span(entity)
                if entity.get("entity") not in wanted or span is None:
                    continue
                phrase, value = text[span[0] : span[1]], str(entity.get("value"))
                if phrase.strip() and value != phrase:
                    pairs[entity["entity"]].append((phrase, value))
        self._use_pairs(pairs)
        with self._model_storage.write_to(self._resource) as model_dir:
            document = {"version": _FORMAT_VERSION, "pairs": {e: [list(p) for p in ps] for e, ps in pairs.items()}}
            (Path(model_dir) / _PAIRS_FILE).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "EntityCleanup":
        """The component with the pairs stored in the model; without them it
        only deduplicates."""
        try:
            with model_storage.read_from(resource) as model_dir:
                document = json.loads((Path(model_dir) / _PAIRS_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("no trained EntityCleanup in the model; entity values will not be normalised")
            document = {"pairs": {}}
        pairs = {entity: [(p, v) for p, v in items] for entity, items in document.get("pairs", {}).items()}
        return cls(config, model_storage, resource, pairs)

    def canonical(self, entity_type: str, phrase: str, value: Any) -> Optional[str]:
        """The canonical value for an entity of ``entity_type`` covering
        ``phrase`` with ``value``: ``value`` itself when it is canonical, else
        the value of the most similar known phrase when it is similar enough
        and clearly ahead of the other values, else None."""
        matcher = self._matchers.get(entity_type)
        if matcher is None:
            return None
        if str(value) in matcher.values:
            return str(value)
        match = matcher.nearest(phrase or str(value))
        if match is None or match.similarity < float(self._config["minimum_similarity"]):
            return None
        if match.similarity - match.runner_up < float(self._config["minimum_margin"]):
            return None
        return match.value

    def _normalised(self, text: str, entity: Entity) -> Optional[Entity]:
        """``entity`` with a canonical value, the entity unchanged if its type is
        not normalised (or nothing was learned for it), or None to drop it."""
        entity_type = entity.get("entity")
        if entity_type not in self._config["normalised_entities"] or entity_type not in self._matchers:
            return entity
        span = _span(entity)
        phrase = text[span[0] : span[1]] if span else str(entity.get("value"))
        value = self.canonical(str(entity_type), phrase, entity.get("value"))
        if value is None:
            return None if self._config["drop_unmapped"] else entity
        if value == entity.get("value"):
            return entity
        return {**entity, "value": value, "processors": [*entity.get("processors", []), self.__class__.__name__]}

    def _preferred(self, entity: Entity) -> bool:
        values = self.canonical_values.get(str(entity.get("entity")))
        return entity.get("extractor") in self._config["trusted_extractors"] or (
            values is not None and str(entity.get("value")) in values
        )

    def clean(self, text: str, entities: Sequence[Entity]) -> List[Entity]:
        """``entities`` with canonical values for the normalised types (or
        dropped, see ``drop_unmapped``) and one entity per span and type."""
        normalised = [e for e in (self._normalised(text, entity) for entity in entities) if e is not None]
        return one_per_span(normalised, self._preferred)

    def process(self, messages: List[Message]) -> List[Message]:
        """Clean the entities of every message (see ``clean``)."""
        for message in messages:
            entities = message.get(ENTITIES) or []
            if entities:
                message.set(ENTITIES, self.clean(message.get(TEXT) or "", entities), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data is left as annotated."""
        return training_data
