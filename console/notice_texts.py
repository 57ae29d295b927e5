"""The words of the notices page (issue 20), Korean and English; merged into
:data:`console.i18n.MESSAGES`."""

from __future__ import annotations

from typing import Dict

NOTICE_MESSAGES: Dict[str, Dict[str, str]] = {
    "nav_notices": {"ko": "알림 발송", "en": "Notices"},
    "notices_title": {"ko": "알림 발송 현황", "en": "Proactive notices"},
    "notices_hint": {
        "ko": "상태 변경 알림과 기한 안내의 발송 상태입니다. 접수번호와 받는 사람은 표시하지 않습니다.",
        "en": "Status-change notices and deadline reminders. Application numbers and recipients are not shown.",
    },
    "notices_counts": {"ko": "상태별 건수", "en": "Notices by state"},
    "notices_subscriptions": {"ko": "알림 신청(채널별)", "en": "Subscriptions by channel"},
    "notices_filter": {"ko": "상태", "en": "State"},
    "notices_all": {"ko": "전체", "en": "All"},
    "notices_none": {"ko": "표시할 알림이 없습니다.", "en": "No notices to show."},
    "notice_kind": {"ko": "종류", "en": "Kind"},
    "notice_status": {"ko": "신청 상태", "en": "Application status"},
    "notice_channel": {"ko": "채널", "en": "Channel"},
    "notice_language": {"ko": "언어", "en": "Language"},
    "notice_state": {"ko": "발송 상태", "en": "State"},
    "notice_created": {"ko": "생성", "en": "Created"},
    "notice_due": {"ko": "발송 예정", "en": "Due"},
    "notice_sent": {"ko": "발송", "en": "Sent"},
    "notice_attempts": {"ko": "시도", "en": "Attempts"},
    "notice_error": {"ko": "마지막 오류", "en": "Last error"},
    "notice_requeue": {"ko": "다시 보내기", "en": "Send again"},
    "notice_requeued": {"ko": "알림 {id}번을 다시 발송 대기열에 넣었습니다.", "en": "Notice {id} is queued again."},
    "notice_not_requeued": {
        "ko": "알림 {id}번은 실패했거나 확인되지 않은 알림이 아니어서 다시 보낼 수 없습니다.",
        "en": "Notice {id} is not failed or unconfirmed, so it cannot be sent again.",
    },
    "state_pending": {"ko": "대기", "en": "Pending"},
    "state_claimed": {"ko": "처리 중", "en": "Claimed"},
    "state_sending": {"ko": "발송 중", "en": "Sending"},
    "state_sent": {"ko": "발송 완료", "en": "Sent"},
    "state_failed": {"ko": "실패", "en": "Failed"},
    "state_unconfirmed": {"ko": "확인 안 됨", "en": "Unconfirmed"},
    "state_cancelled": {"ko": "취소", "en": "Cancelled"},
    "subscriptions_ended": {"ko": "종료", "en": "Ended"},
}
