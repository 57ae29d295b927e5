"""The live-agent pages' words (issue 18) in Korean (first) and English.

Merged into :data:`console.i18n.MESSAGES`; kept apart so the agent desk's
wording can change without touching the rest of the console's.
"""

from __future__ import annotations

from typing import Dict, Tuple

AGENT_MESSAGES: Dict[str, Dict[str, str]] = {
    "nav_agents": {"ko": "실시간 상담", "en": "Live chat"},
    "agents_title": {"ko": "실시간 상담", "en": "Live chat"},
    "agents_on_duty": {"ko": "지금 상담을 받고 있습니다.", "en": "You are on duty and taking chats."},
    "agents_off_duty": {"ko": "지금은 상담을 받지 않고 있습니다.", "en": "You are off duty."},
    "agents_go_on": {"ko": "상담 시작", "en": "Go on duty"},
    "agents_go_off": {"ko": "상담 종료(퇴근)", "en": "Go off duty"},
    "agents_queue": {"ko": "대기 중인 상담", "en": "Waiting chats"},
    "agents_queue_empty": {"ko": "기다리는 민원인이 없습니다.", "en": "Nobody is waiting."},
    "agents_held": {"ko": "내가 맡은 상담", "en": "Your chats"},
    "agents_held_empty": {"ko": "맡은 상담이 없습니다.", "en": "You hold no chats."},
    "agents_wait": {"ko": "대기 시간", "en": "Waiting"},
    "agents_channel": {"ko": "채널", "en": "Channel"},
    "agents_language": {"ko": "언어", "en": "Language"},
    "agents_reason": {"ko": "연결 사유", "en": "Reason"},
    "agents_queue_name": {"ko": "대기열", "en": "Queue"},
    "agents_general": {"ko": "일반 상담", "en": "General pool"},
    "agents_transcript": {"ko": "이전 대화(가림 처리)", "en": "Conversation so far (masked)"},
    "agents_take": {"ko": "상담 맡기", "en": "Take"},
    "agents_open": {"ko": "대화 열기", "en": "Open"},
    "agents_minutes": {"ko": "{minutes}분 {seconds}초", "en": "{minutes} min {seconds} s"},
    "agents_reason_requested": {"ko": "상담원 요청", "en": "Asked for a person"},
    "agents_reason_repeated_fallback": {"ko": "이해 실패 반복", "en": "Not understood twice"},
    "agents_reason_thumbs_down": {"ko": "답변 불만족", "en": "Unhelpful answer"},
    "agents_taken": {"ko": "상담을 맡았습니다.", "en": "You took the chat."},
    "agents_taken_by_other": {
        "ko": "다른 상담사가 먼저 맡았거나 더 이상 대기 중이 아닙니다.",
        "en": "Another agent took this chat first, or it is no longer waiting.",
    },
    "agents_bot_not_paused": {
        "ko": "챗봇을 멈추지 못했습니다. 챗봇이 함께 답할 수 있으니 확인해 주세요.",
        "en": "The assistant could not be paused and may answer too; please check.",
    },
    "agents_chat_title": {"ko": "상담 대화 #{id}", "en": "Chat #{id}"},
    "agents_messages": {"ko": "대화", "en": "Messages"},
    "agents_who_citizen": {"ko": "민원인", "en": "Citizen"},
    "agents_who_agent": {"ko": "상담사", "en": "Agent"},
    "agents_who_system": {"ko": "안내", "en": "Notice"},
    "agents_who_user": {"ko": "민원인", "en": "Citizen"},
    "agents_who_bot": {"ko": "챗봇", "en": "Assistant"},
    "agents_reply": {"ko": "답장", "en": "Reply"},
    "agents_send": {"ko": "보내기", "en": "Send"},
    "agents_canned": {"ko": "자주 쓰는 답변", "en": "Canned replies"},
    "agents_transfer": {"ko": "다른 기관으로 넘기기", "en": "Transfer to another agency"},
    "agents_transfer_to": {"ko": "넘길 대기열", "en": "Queue to transfer to"},
    "agents_transfer_button": {"ko": "넘기기", "en": "Transfer"},
    "agents_transferred": {"ko": "상담을 다른 대기열로 넘겼습니다.", "en": "The chat was transferred."},
    "agents_end": {"ko": "상담 끝내기", "en": "End chat"},
    "agents_ended": {
        "ko": "상담을 끝냈습니다. 챗봇이 다시 답하고 만족도를 여쭙니다.",
        "en": "The chat has ended. The assistant answers again and asks for feedback.",
    },
    "agents_not_yours": {"ko": "내가 맡은 상담이 아닙니다.", "en": "This chat is not yours."},
    "agents_empty_message": {"ko": "보낼 내용을 입력해 주세요.", "en": "Type a message to send."},
    "agents_sent": {"ko": "보냈습니다.", "en": "Sent."},
    "agents_state_waiting": {"ko": "대기 중", "en": "Waiting"},
    "agents_state_active": {"ko": "상담 중", "en": "In progress"},
    "agents_state_ended": {"ko": "종료", "en": "Ended"},
    "agents_state_cancelled": {"ko": "민원인 취소", "en": "Cancelled by the citizen"},
    "agents_state_timed_out": {"ko": "대기 시간 초과", "en": "Timed out"},
}

#: Canned replies the agent can insert: (Korean, English).
CANNED_REPLIES: Tuple[Tuple[str, str], ...] = (
    ("안녕하세요, 상담사입니다. 무엇을 도와드릴까요?", "Hello, this is a counsellor. How can I help you?"),
    ("확인해 드릴게요. 잠시만 기다려 주세요.", "Let me check that for you. One moment, please."),
    ("개인정보(주민등록번호 등)는 대화창에 적지 말아 주세요.",
     "Please do not type personal details such as your resident registration number here."),
    ("담당 기관에 확인이 필요해 다른 상담사에게 연결해 드릴게요.",
     "This needs the agency in charge; I will pass you to a colleague there."),
    ("더 도와드릴 일이 있으신가요?", "Is there anything else I can help you with?"),
    ("이용해 주셔서 감사합니다. 좋은 하루 보내세요.", "Thank you for contacting us. Have a good day."),
)
