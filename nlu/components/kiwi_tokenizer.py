"""A Rasa tokenizer for Korean and English built on kiwipiepy.

Korean is split into morphemes rather than at spaces, so "여권을" yields the
tokens "여권" and "을" and an entity annotated on "여권" stays aligned. Latin
script and numbers are split into words with a regular expression. Morphemes
that Kiwi reports on overlapping character ranges (a contraction such as
"했어요" = 하 + 었 + 어요) are merged into one token covering the surface text,
so token offsets never overlap and always index the original message.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from core.kiwi import tokenize as kiwi_tokenize

# Latin words (with inner apostrophes: "I'm", "passport's") and digit runs
# (2026-0012345, 1985.03.12) are tokenized here, the rest of the text by Kiwi.
_LATIN_OR_NUMBER = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[-./]\d+)*")

Span = Tuple[int, int, str, str]  # start, end, lemma, pos
UNKNOWN_POS = "UN"  # Kiwi's tag for an unanalysable piece


def _merge_overlapping(spans: List[Span]) -> List[Span]:
    """Merge spans whose character ranges overlap, joining their lemmas with '+'."""
    merged: List[Span] = []
    for start, end, lemma, pos in spans:
        if merged and start < merged[-1][1]:
            prev_start, prev_end, prev_lemma, prev_pos = merged[-1]
            merged[-1] = (prev_start, max(prev_end, end), f"{prev_lemma}+{lemma}", prev_pos)
        else:
            merged.append((start, end, lemma, pos))
    return merged


def korean_aware_spans(text: str) -> List[Span]:
    """Tokenize ``text`` into non-overlapping (start, end, lemma, pos) spans.

    Every span indexes ``text`` exactly; whitespace is never part of a span.
    """
    if not text.strip():
        return []
    spans: List[Span] = [
        (m.start(), m.end(), m.group().lower(), "SN" if m.group()[0].isdigit() else "SL")
        for m in _LATIN_OR_NUMBER.finditer(text)
    ]
    covered = [False] * len(text)
    for start, end, _, _ in spans:
        covered[start:end] = [True] * (end - start)
    for token in kiwi_tokenize(text):
        start, end = token.start, token.start + token.len
        if end <= start or any(covered[start:end]):
            continue
        spans.append((start, end, token.form, token.tag))
    spans.sort(key=lambda span: (span[0], span[1]))
    return [span for span in _merge_overlapping(spans) if text[span[0]:span[1]].strip()]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class KiwiTokenizer(Tokenizer):
    """Morpheme tokenizer for Korean, word tokenizer for everything else."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Returns the component's default config."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        """Any: the pipeline serves Korean and English with one model."""
        return None

    @staticmethod
    def required_packages() -> List[Text]:
        """kiwipiepy and its bundled model."""
        return ["kiwipiepy"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KiwiTokenizer":
        """Creates the tokenizer; Kiwi itself is loaded on first use."""
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokens with offsets into the original text, lemma = morpheme form,
        and the Kiwi part-of-speech tag in ``token.data["pos"]``."""
        text = message.get(attribute) or ""
        tokens = [
            Token(text[start:end], start, end, data={"pos": pos}, lemma=lemma)
            for start, end, lemma, pos in korean_aware_spans(text)
        ]
        if not tokens:
            # Rasa's featurizers need at least one token, as the whitespace tokenizer ensures.
            # Every token carries a part of speech: the CRF's "pos" feature needs one.
            tokens = [Token(text, 0, len(text), data={"pos": UNKNOWN_POS}, lemma=text)]
        return self._apply_token_pattern(tokens)
