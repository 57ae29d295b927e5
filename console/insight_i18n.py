"""The words of the insight dashboard and the review inbox (issue 17), Korean and English.

Merged into :data:`console.i18n.MESSAGES`; kept apart so the console's main
word list stays readable.
"""

from __future__ import annotations

from typing import Dict

INSIGHT_MESSAGES: Dict[str, Dict[str, str]] = {
    "nav_insight": {"ko": "운영 지표", "en": "Figures"},
    "nav_review": {"ko": "학습 검토함", "en": "Training inbox"},
    "insight_title": {"ko": "운영 지표", "en": "How the assistant is doing"},
    "insight_filters": {"ko": "지표 조건", "en": "Figure filters"},
    "insight_overall": {"ko": "전체 지표", "en": "Overall"},
    "insight_over_time": {"ko": "기간별 추이", "en": "Over time"},
    "insight_breakdowns": {"ko": "채널·언어·서비스별 지표", "en": "By channel, language and service"},
    "insight_unanswered": {"ko": "답하지 못한 질문", "en": "Unanswered questions"},
    "insight_unanswered_hint": {
        "ko": "도우미가 이해하지 못했거나 ‘도움이 안 됐어요’를 받은 질문을 비슷한 것끼리 묶었습니다. "
        "큰 묶음부터 보여 드리며, 개인정보는 가려져 있습니다.",
        "en": "Questions the assistant did not understand or that were rated unhelpful, grouped by "
        "similarity, biggest group first. Personal data is masked.",
    },
    "insight_no_unanswered": {
        "ko": "이 기간에 답하지 못한 질문이 없습니다.",
        "en": "No unanswered questions in this period.",
    },
    "group_count": {"ko": "{count}건", "en": "{count} question(s)"},
    "group_keywords": {"ko": "주요 낱말", "en": "Key words"},
    "fig_all": {"ko": "전체", "en": "All"},
    "fig_channel": {"ko": "채널", "en": "Channel"},
    "fig_language": {"ko": "언어", "en": "Language"},
    "fig_service": {"ko": "서비스", "en": "Service"},
    "fig_period": {"ko": "기간", "en": "Period"},
    "fig_period_unit": {"ko": "기간 단위", "en": "Period unit"},
    "fig_month": {"ko": "월별", "en": "Monthly"},
    "fig_day": {"ko": "일별", "en": "Daily"},
    "lang_ko": {"ko": "한국어", "en": "Korean"},
    "lang_en": {"ko": "영어", "en": "English"},
    "fig_conversations": {"ko": "대화 수", "en": "Conversations"},
    "fig_messages": {"ko": "메시지 수", "en": "Messages"},
    "fig_handed_off": {"ko": "상담 연결 대화", "en": "Handed off"},
    "fig_containment_rate": {"ko": "자체 해결률", "en": "Containment rate"},
    "fig_fallback_rate": {"ko": "이해 못 한 비율", "en": "Fallback rate"},
    "fig_handoff_rate": {"ko": "상담 연결률", "en": "Handoff rate"},
    "fig_helpful_rate": {"ko": "도움 됨 비율", "en": "Helpful rate"},
    "fig_median_turns": {"ko": "대화당 메시지 중앙값", "en": "Median turns"},
    "fig_median_response": {"ko": "응답 시간 중앙값", "en": "Median response time"},
    "seconds_unit": {"ko": "초", "en": " s"},
    "fig_handoff_reasons": {"ko": "상담 연결 사유", "en": "Handoff reasons"},
    "fig_reason": {"ko": "사유", "en": "Reason"},
    "fig_count": {"ko": "건수", "en": "Count"},
    "fig_top_services": {"ko": "많이 찾은 서비스", "en": "Top services"},
    "fig_none": {"ko": "이 조건에 맞는 대화가 없습니다.", "en": "No conversations match."},
    "fig_by_channel": {"ko": "채널별", "en": "By channel"},
    "fig_by_language": {"ko": "언어별", "en": "By language"},
    "fig_by_service": {"ko": "서비스별", "en": "By service"},
    "reason_requested": {"ko": "시민 요청", "en": "Asked for a person"},
    "reason_repeated_fallback": {"ko": "거듭 이해 못 함", "en": "Not understood repeatedly"},
    "reason_thumbs_down": {"ko": "도움이 안 됨 평가", "en": "Rated unhelpful"},
    "chart_volume": {"ko": "기간별 대화 수와 상담 연결 수", "en": "Conversations and handoffs per period"},
    "chart_volume_alt": {
        "ko": "기간별 대화 수와 상담 연결 수 막대 그래프. 같은 값이 옆 표에 있습니다.",
        "en": "Bar chart of conversations and handoffs per period. The same numbers are in the table beside it.",
    },
    "chart_rates": {
        "ko": "기간별 자체 해결률·이해 못 한 비율·도움 됨 비율",
        "en": "Containment, fallback and helpful rates per period",
    },
    "chart_rates_alt": {
        "ko": "기간별 비율(%) 꺾은선 그래프. 같은 값이 옆 표에 있습니다.",
        "en": "Line chart of the rates (%) per period. The same numbers are in the table beside it.",
    },
    "chart_table_note": {"ko": "같은 값을 옆 표로도 제공합니다.", "en": "The table beside it has the same numbers."},
    "review_title": {"ko": "학습 검토함", "en": "Training inbox"},
    "review_hint": {
        "ko": "도우미가 이해하지 못한 질문, 확신이 낮았던 질문, ‘도움이 안 됐어요’를 받은 질문이 모입니다. "
        "알맞은 의도를 고르고 서비스 이름이 있으면 그 낱말을 적어 주세요. "
        "내보낸 파일은 개발자가 검토한 뒤 학습에 씁니다.",
        "en": "Questions the assistant did not understand, guessed with low confidence, or that were rated "
        "unhelpful. Pick the right intent and, if the message names a service, type those words. "
        "A developer reviews the export before training.",
    },
    "review_filters": {"ko": "검토함 조건", "en": "Inbox filters"},
    "review_state": {"ko": "상태", "en": "State"},
    "review_state_open": {"ko": "검토 전", "en": "To review"},
    "review_state_accepted": {"ko": "학습 예문으로 채택", "en": "Accepted"},
    "review_state_out_of_scope": {"ko": "안내 범위 밖", "en": "Out of scope"},
    "review_state_ignored": {"ko": "무시함", "en": "Ignored"},
    "review_state_all": {"ko": "전체", "en": "All"},
    "review_source": {"ko": "출처", "en": "Source"},
    "review_source_nlu_fallback": {"ko": "이해 못 함", "en": "Not understood"},
    "review_source_low_confidence": {"ko": "확신 낮음", "en": "Low confidence"},
    "review_source_thumbs_down": {"ko": "도움이 안 됨", "en": "Rated unhelpful"},
    "review_export": {"ko": "채택한 예문 내려받기 (Rasa NLU YAML)", "en": "Download accepted examples (Rasa NLU YAML)"},
    "review_export_hint": {
        "ko": "식별번호가 남은 예문은 빠집니다.", "en": "Examples that would carry an identifier are left out.",
    },
    "review_empty": {"ko": "검토할 질문이 없습니다.", "en": "Nothing to review."},
    "review_asked": {"ko": "질문 시각", "en": "Asked"},
    "review_guess": {"ko": "도우미 추측", "en": "Assistant's guess"},
    "review_label": {"ko": "정한 의도", "en": "Label"},
    "review_intent": {"ko": "알맞은 의도", "en": "Right intent"},
    "review_service": {"ko": "서비스 이름 부분 (선택)", "en": "Words naming the service (optional)"},
    "review_service_hint": {
        "ko": "질문에 나온 그대로 적어 주세요. 예: 여권 재발급", "en": "Exactly as in the message, e.g. passport",
    },
    "review_accept": {"ko": "이 의도로 채택", "en": "Accept with this intent"},
    "review_out_of_scope": {"ko": "안내 범위 밖", "en": "Out of scope"},
    "review_ignore": {"ko": "무시", "en": "Ignore"},
    "review_reopen": {"ko": "다시 검토", "en": "Reopen"},
    "review_done_accepted": {
        "ko": "#{number} 질문을 학습 예문으로 채택했습니다.",
        "en": "#{number} accepted as a training example.",
    },
    "review_done_out_of_scope": {
        "ko": "#{number} 질문을 안내 범위 밖으로 표시했습니다.",
        "en": "#{number} marked out of scope.",
    },
    "review_done_ignored": {"ko": "#{number} 질문을 무시했습니다.", "en": "#{number} ignored."},
    "review_done_open": {
        "ko": "#{number} 질문을 다시 검토 전으로 돌렸습니다.",
        "en": "#{number} is open for review again.",
    },
    "review_bad_label": {
        "ko": "라벨을 붙이지 못했습니다. 의도를 고르고, 서비스 이름은 질문에 나온 "
        "그대로 적어 주세요. 아무것도 바뀌지 않았습니다.",
        "en": "Could not label it: pick an intent and type the service words exactly as in the message. "
        "Nothing was changed.",
    },
}
