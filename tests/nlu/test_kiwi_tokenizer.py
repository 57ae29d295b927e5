"""The Korean-aware tokenizer: morphemes for Korean, words for English, aligned offsets."""

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.components.kiwi_tokenizer import KiwiTokenizer, korean_aware_spans


def tokens_of(text: str) -> list:
    tokenizer = KiwiTokenizer(KiwiTokenizer.get_default_config())
    return tokenizer.tokenize(Message(data={TEXT: text}), TEXT)


def test_particles_are_split_from_nouns() -> None:
    words = [token.text for token in tokens_of("여권을 재발급하려면 뭐가 필요해요?")]
    assert words[:2] == ["여권", "을"]
    assert "발급" in words


def test_no_space_compounds_are_split() -> None:
    words = [token.text for token in tokens_of("여권재발급했어요")]
    assert words[0] == "여권" and "발급" in words


def test_offsets_index_the_original_text_and_never_overlap() -> None:
    text = "부산으로 이사했는데 전입신고는 어떻게 해요? I'm new here."
    tokens = tokens_of(text)
    previous_end = 0
    for token in tokens:
        assert text[token.start:token.end] == token.text
        assert token.start >= previous_end
        previous_end = token.end


def test_contractions_keep_surface_text_and_morpheme_lemma() -> None:
    token = [t for t in tokens_of("필요해요") if t.text == "해요"][0]
    assert token.lemma == "하+어요"


def test_english_words_and_numbers() -> None:
    words = [token.text for token in tokens_of("What's the passport fee? 2026-0012345")]
    assert words == ["What's", "the", "passport", "fee", "?", "2026-0012345"]


@pytest.mark.parametrize("text", ["", "   ", "😀", "\x00\x01\x02"])
def test_degenerate_input_still_gives_a_token(text: str) -> None:
    assert len(tokens_of(text)) >= 1


def test_entity_span_stays_aligned() -> None:
    text = "여권재발급 수수료 얼마예요"
    spans = [(start, end) for start, end, _, _ in korean_aware_spans(text)]
    starts = {start for start, _ in spans}
    ends = {end for _, end in spans}
    assert 0 in starts and 5 in ends  # "여권재발급" is a whole number of tokens


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "\x00\x01", "여권 재발급", "hello 2026-0001019"])
def test_every_token_has_a_part_of_speech(text: str) -> None:
    """The CRF entity extractor reads the tag of every token, even for an empty message."""
    message = Message(data={TEXT: text})
    tokens = KiwiTokenizer(KiwiTokenizer.get_default_config()).tokenize(message, TEXT)
    assert tokens and all(isinstance(token.get("pos"), str) for token in tokens)
