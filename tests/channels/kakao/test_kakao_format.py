"""Rendering the assistant's replies as a Kakao skill response, and the checks
of the documented shape and limits."""

from __future__ import annotations

import pytest

from channels.kakao import validate
from channels.kakao.format import (
    callback_response,
    find_links,
    find_phone_numbers,
    link_label,
    quick_replies,
    render_messages,
    skill_response,
    text_response,
)
from channels.shared.buttons import ButtonChoice
from channels.shared.text import shorten, split_text
from tests.channels.kakao.conftest import assert_valid


def first_page(messages, language="ko"):
    rendering = render_messages(messages, language)
    replies = quick_replies(rendering.choices, language, "more" if len(rendering.outputs) > 3 else None)
    return rendering, skill_response(rendering.outputs[:3], replies)


def test_a_short_reply_is_one_simple_text():
    _, response = first_page([{"text": "안녕하세요! 정부 민원 안내 도우미입니다."}])

    assert response == {
        "version": "2.0",
        "template": {"outputs": [{"simpleText": {"text": "안녕하세요! 정부 민원 안내 도우미입니다."}}]},
    }


def test_paragraphs_stay_in_one_bubble():
    # Rasa's own collector would split at blank lines; the channel keeps a message whole.
    rendering, _ = first_page([{"text": "첫 문단이에요.\n\n둘째 문단이에요."}])

    assert rendering.outputs == ({"simpleText": {"text": "첫 문단이에요.\n\n둘째 문단이에요."}},)


def test_a_long_text_is_split_under_1000_characters_without_cutting_words_or_links():
    url = "https://www.gov.kr/mw/AA020InfoCappView.do?HighCtgCD=A01010001&CappBizCD=13100000015"
    text = " ".join(f"안내문 {n}번째 문장입니다." if n % 37 else url for n in range(1, 400))

    rendering, response = first_page([{"text": text}])

    link_cards = "아래 버튼으로 바로 연결할 수 있어요."
    texts = [o["simpleText"]["text"] if "simpleText" in o else o["textCard"]["description"] for o in rendering.outputs]
    texts = [part for part in texts if part != link_cards]
    assert all(len(part) <= 1000 for part in texts)
    assert " ".join(texts).split() == text.split(), "no word or link is cut or lost"
    assert_valid(response)
    assert response["template"]["quickReplies"][0]["label"] == "더 보기"


def test_a_link_becomes_a_web_link_button_on_a_text_card():
    rendering, response = first_page([{"text": "정부24(https://www.gov.kr)에서 신청할 수 있어요."}])

    (card,) = rendering.outputs
    assert card == {
        "textCard": {
            "description": "정부24(https://www.gov.kr)에서 신청할 수 있어요.",
            "buttons": [{"label": "gov.kr", "action": "webLink", "webLinkUrl": "https://www.gov.kr"}],
        }
    }
    assert_valid(response)


def test_phone_numbers_become_phone_buttons_and_other_numbers_do_not():
    text = (
        "문의: 정부민원안내콜센터 110(평일 09:00~18:00), 외교부 02-2100-2114, 정부24 1588-2188. "
        "신청은 180일 안에 하시고, 만 9세 미만 자녀가 대상이에요. 접수번호 2026-0001019, 수수료 50,000원."
    )

    assert find_phone_numbers(text) == ["110", "02-2100-2114", "1588-2188"]
    rendering, response = first_page([{"text": text}])
    buttons = rendering.outputs[-1]["textCard"]["buttons"]
    assert [button["phoneNumber"] for button in buttons] == ["110", "02-2100-2114", "1588-2188"]
    assert [button["label"] for button in buttons] == ["☎ 110", "☎ 02-2100-2114", "☎ 1588-2188"]
    assert_valid(response)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("For anything else, the Government Call Centre on 110 can help.", ["110"]),
        ("Call the Government Call Centre (110) or 1577-1000.", ["110", "1577-1000"]),
        ("긴급한 경우 전화 112·119로 먼저 신고하세요.", ["112", "119"]),
        ("민원실(국번 없이 110)로 문의해 주세요.", ["110"]),
        ("전화: 126", ["126"]),
        ("You need 180 insured days and a child under 108 months.", []),
        ("2026-11-05까지 보완해 주세요.", []),
    ],
)
def test_phone_numbers_in_both_languages(text, numbers):
    assert find_phone_numbers(text) == numbers


def test_links_lose_trailing_punctuation_and_korean_particles():
    text = ("https://www.gov.kr에서, (https://www.bokjiro.go.kr) 또는 https://www.gov.kr. https://x.kr/a_(b). "
            "국민신문고(www.epeople.go.kr)에 남기세요. help@www.example.kr")

    assert find_links(text) == [
        "https://www.gov.kr", "https://www.bokjiro.go.kr", "https://x.kr/a_(b)", "https://www.epeople.go.kr"
    ]


def test_link_labels_fit_and_stay_distinct():
    first = link_label("https://www.passport.go.kr/new/index.php")
    second = link_label("https://www.passport.go.kr/other", [first])

    assert first == "passport.go.kr"
    assert second != first and len(second) <= 14


def test_more_than_three_buttons_make_more_cards():
    text = " ".join(f"https://site{n}.go.kr" for n in range(5))

    rendering, _ = first_page([{"text": text}])

    cards = [o["textCard"] for o in rendering.outputs if "textCard" in o]
    assert [len(card["buttons"]) for card in cards] == [3, 2]
    assert cards[1]["description"] == "아래 버튼으로 바로 연결할 수 있어요."


def test_rasa_buttons_become_quick_replies_with_short_labels_and_their_payload():
    messages = [
        {
            "text": "다음과 같은 일을 도와드릴 수 있어요.",
            "buttons": [
                {"title": "민원 서비스 안내", "payload": "/ask_service_overview"},
                {"title": "내 상황에 맞는 서비스 찾기", "payload": "/find_benefits"},
                {"title": "Check my application status", "payload": "/check_application_status"},
                {"title": "네", "payload": "네"},
            ],
        }
    ]

    rendering, response = first_page(messages)

    replies = response["template"]["quickReplies"]
    assert [reply["label"] for reply in replies] == ["민원 서비스 안내", "내 상황에 맞는 서비스…", "Check my…", "네"]
    assert replies[1] == {
        "label": "내 상황에 맞는 서비스…",
        "action": "message",
        "messageText": "내 상황에 맞는 서비스 찾기",
        "extra": {"payload": "/find_benefits"},
    }
    assert "extra" not in replies[3]
    assert_valid(response)


def test_at_most_ten_quick_replies_with_more_first():
    choices = [ButtonChoice(f"선택 {n}", f"/inform{{\"n\": {n}}}") for n in range(15)]

    replies = quick_replies(choices, "en", "more")

    assert len(replies) == 10
    assert replies[0] == {"label": "More", "action": "message", "messageText": "More", "extra": {"kakao_more": True}}


def test_buttons_without_text_get_a_prompt_and_no_reply_gets_an_acknowledgement():
    buttons_only, _ = first_page([{"buttons": [{"title": "Help", "payload": "/help"}]}], "en")
    nothing, response = first_page([], "ko")

    assert buttons_only.outputs == ({"simpleText": {"text": "Please choose below."}},)
    assert len(nothing.outputs) == 1 and "simpleText" in nothing.outputs[0]
    assert_valid(response)


def test_images_custom_texts_and_attachments_are_shown():
    rendering, response = first_page(
        [{"image": "https://www.gov.kr/logo.png"}, {"custom": {"text": "사용자 정의 안내"}}, {"custom": {"kind": "web"}}]
    )

    assert rendering.outputs == (
        {"simpleImage": {"imageUrl": "https://www.gov.kr/logo.png"}},
        {"simpleText": {"text": "사용자 정의 안내"}},
    )
    assert_valid(response)


def test_many_short_messages_are_joined_so_fewer_pages_are_needed():
    rendering, _ = first_page([{"text": f"짧은 안내 {n}"} for n in range(6)])

    assert rendering.outputs == ({"simpleText": {"text": "\n\n".join(f"짧은 안내 {n}" for n in range(6))}},)


def test_the_channel_own_responses_are_valid():
    assert_valid(callback_response("잠시만요, 답변을 준비하고 있어요…"))
    assert_valid(text_response("가" * 2500))
    with pytest.raises(ValueError):
        skill_response([])


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        ({"template": {"outputs": [{"simpleText": {"text": "x"}}]}}, "version"),
        ({"version": "2.0", "template": {"outputs": []}}, "1 to 3"),
        ({"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "x"}}] * 4}}, "1 to 3"),
        ({"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "가" * 1001}}]}}, "1001 characters"),
        ({"version": "2.0", "template": {"outputs": [{"simpleText": {"text": " "}}]}}, "non-empty"),
        ({"version": "2.0", "template": {"outputs": [{"carouselle": {}}]}}, "unknown component"),
        (
            {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "x"}}],
                                            "quickReplies": [{"label": "가" * 15, "action": "message",
                                                              "messageText": "x"}]}},
            "15 characters",
        ),
        (
            {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "x"}}],
                                            "quickReplies": [{"label": "x", "action": "message"}] * 11}},
            "at most 10",
        ),
        (
            {"version": "2.0", "template": {"outputs": [{"textCard": {"description": "가" * 401}}]}},
            "at most 400",
        ),
        (
            {"version": "2.0", "template": {"outputs": [{"textCard": {"description": "x", "buttons": [
                {"label": "a", "action": "webLink", "webLinkUrl": "https://a.kr"}] * 4}}]}},
            "at most 3",
        ),
        (
            {"version": "2.0", "template": {"outputs": [{"textCard": {"description": "x", "buttons": [
                {"label": "a", "action": "phone", "phoneNumber": "call me"}]}}]}},
            "phone number",
        ),
        (
            {"version": "2.0", "template": {"outputs": [{"textCard": {"description": "x", "buttons": [
                {"label": "a", "action": "webLink", "webLinkUrl": "javascript:alert(1)"}]}}]}},
            "http(s) URL",
        ),
        ({"version": "2.0", "template": {"outputs": [{"basicCard": {"title": "x"}}]}}, "thumbnail"),
        ({"version": "2.0", "useCallback": "yes"}, "useCallback"),
    ],
)
def test_the_validator_finds_each_broken_limit(response, problem):
    found = validate.problems(response)

    assert any(problem in item for item in found), found
    with pytest.raises(validate.InvalidSkillResponse):
        validate.check(response)


def test_shared_splitting_and_shortening():
    assert split_text("가나다 라마바 사아자", 7) == ["가나다 라마바", "사아자"]
    assert split_text("  ", 10) == []
    assert shorten("짧은 제목", 14) == "짧은 제목"
    assert shorten("Check my application status", 14) == "Check my…"
    assert len(shorten("가" * 30, 14)) == 14
