"""The console's words for call-back requests (issue 18, item 1), both languages."""

from __future__ import annotations

from typing import Dict

CALLBACK_MESSAGES: Dict[str, Dict[str, str]] = {
    "callbacks_title": {"ko": "전화 상담 예약", "en": "Call-back requests"},
    "callbacks_hint": {
        "ko": ("시민이 동의하고 남긴 전화 상담 요청입니다. "
               "전화번호는 상담 목적으로만 사용하고, 통화를 마치면 완료로 표시해 주세요."),
        "en": "Requests citizens left with their consent. Use the number only to call them back, "
              "and mark the request done once you have called.",
    },
    "callbacks_none": {"ko": "대기 중인 전화 상담 요청이 없습니다.", "en": "No open call-back requests."},
    "callback_phone": {"ko": "전화번호", "en": "Phone"},
    "callback_message": {"ko": "남긴 말", "en": "Message"},
    "callback_reason": {"ko": "사유", "en": "Reason"},
    "callback_agency": {"ko": "기관", "en": "Agency"},
    "callback_channel": {"ko": "채널", "en": "Channel"},
    "callback_language": {"ko": "언어", "en": "Language"},
    "callback_created": {"ko": "접수 시각", "en": "Received"},
    "callback_done": {"ko": "완료", "en": "Done"},
    "callback_general_pool": {"ko": "공통", "en": "General"},
    "callback_marked_done": {"ko": "요청 {id}번을 완료로 표시했습니다.", "en": "Request {id} marked done."},
    "callback_not_done": {"ko": "요청 {id}번은 완료로 표시할 수 없습니다.",
                          "en": "Request {id} could not be marked done."},
    "callback_reason_out_of_hours": {"ko": "상담 시간 외", "en": "Out of hours"},
    "callback_reason_no_agent": {"ko": "상담원 없음", "en": "No agent on duty"},
    "callback_reason_timed_out": {"ko": "대기 시간 초과", "en": "Queue timed out"},
}
