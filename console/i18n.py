"""The console's words in Korean (first) and English.

Templates call ``t("key")``; a missing key fails loudly in tests rather than
showing a raw key to a clerk.
"""

from __future__ import annotations

import re
from typing import Dict

from console.insight_i18n import INSIGHT_MESSAGES
from console.notice_texts import NOTICE_MESSAGES

LANGUAGES = ("ko", "en")
DEFAULT_LANGUAGE = "ko"
LANGUAGE_COOKIE = "console_lang"

MESSAGES: Dict[str, Dict[str, str]] = {
    "app_title": {"ko": "민원 안내 도우미 관리 콘솔", "en": "Citizen assistant staff console"},
    "skip": {"ko": "본문으로 건너뛰기", "en": "Skip to main content"},
    "nav": {"ko": "주 메뉴", "en": "Main menu"},
    "nav_services": {"ko": "서비스", "en": "Services"},
    "nav_changes": {"ko": "검토 대기", "en": "Review queue"},
    "nav_applications": {"ko": "신청 건", "en": "Applications"},
    "nav_audit": {"ko": "감사 기록", "en": "Audit log"},
    "nav_catalogue": {"ko": "YAML 가져오기·내보내기", "en": "YAML import and export"},
    "language": {"ko": "언어", "en": "Language"},
    "signed_in_as": {"ko": "로그인 사용자", "en": "Signed in as"},
    "logout": {"ko": "로그아웃", "en": "Sign out"},
    "login_title": {"ko": "로그인", "en": "Sign in"},
    "login": {"ko": "아이디", "en": "Login"},
    "password": {"ko": "비밀번호", "en": "Password"},
    "login_button": {"ko": "로그인", "en": "Sign in"},
    "login_invalid": {
        "ko": "아이디 또는 비밀번호가 맞지 않습니다.",
        "en": "The login or password is not correct.",
    },
    "login_locked": {
        "ko": "로그인 실패가 반복되어 계정이 잠겼습니다. 잠시 후 다시 시도하시거나 관리자에게 문의해 주세요.",
        "en": "This account is locked after repeated failed sign-ins. Try again later or ask an administrator.",
    },
    "login_throttled": {
        "ko": "로그인 시도가 너무 많습니다. 1분 뒤에 다시 시도해 주세요.",
        "en": "Too many sign-in attempts. Please try again in a minute.",
    },
    "forbidden_title": {"ko": "권한이 없습니다", "en": "Not allowed"},
    "forbidden": {
        "ko": "이 작업을 할 권한이 없습니다. 아무것도 바뀌지 않았습니다.",
        "en": "You are not allowed to do this. Nothing was changed.",
    },
    "csrf": {
        "ko": "보안 확인(CSRF 토큰)에 실패했습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요. "
        "아무것도 바뀌지 않았습니다.",
        "en": "The security check (CSRF token) failed. Reload the page and try again. Nothing was changed.",
    },
    "not_found_title": {"ko": "찾을 수 없습니다", "en": "Not found"},
    "not_found": {"ko": "요청하신 페이지나 항목이 없습니다.", "en": "The page or item does not exist."},
    "error_title": {"ko": "오류", "en": "Error"},
    "server_error": {
        "ko": "처리 중 문제가 생겼습니다. 아무것도 바뀌지 않았습니다. 다시 시도해 주세요.",
        "en": "Something went wrong. Nothing was changed. Please try again.",
    },
    "too_large": {
        "ko": "보낸 내용이 너무 큽니다. 아무것도 바뀌지 않았습니다.",
        "en": "What you sent is too large. Nothing was changed.",
    },
    "home_title": {"ko": "환영합니다", "en": "Welcome"},
    "home_agent": {
        "ko": "상담원 화면은 준비 중입니다.",
        "en": "The live-agent view is not available yet.",
    },
    # services list
    "services_title": {"ko": "서비스 목록", "en": "Services"},
    "search": {"ko": "검색어", "en": "Search"},
    "agency": {"ko": "기관", "en": "Agency"},
    "life_event": {"ko": "생애 사건", "en": "Life event"},
    "all": {"ko": "전체", "en": "All"},
    "reviewed_before": {"ko": "검토일이 이 날짜 이전", "en": "Reviewed before"},
    "stale_only": {"ko": "검토 기한이 지난 것만", "en": "Only overdue for review"},
    "filter": {"ko": "찾기", "en": "Filter"},
    "col_id": {"ko": "ID", "en": "ID"},
    "col_name": {"ko": "이름", "en": "Name"},
    "col_reviewed": {"ko": "최종 검토일", "en": "Last reviewed"},
    "col_status": {"ko": "상태", "en": "Status"},
    "stale": {"ko": "검토 필요", "en": "Review due"},
    "current": {"ko": "최신", "en": "Current"},
    "pending_badge": {"ko": "검토 대기 중인 변경 있음", "en": "Change awaiting review"},
    "results": {"ko": "{count}건", "en": "{count} services"},
    "stale_note": {
        "ko": "최종 검토일이 {days}일보다 오래된 서비스는 '검토 필요'로 표시됩니다.",
        "en": "Services last reviewed more than {days} days ago are marked 'Review due'.",
    },
    "bad_date": {"ko": "날짜는 2026-11-27처럼 입력해 주세요.", "en": "Enter a date like 2026-11-27."},
    # editor
    "edit_title": {"ko": "서비스 편집: {name}", "en": "Edit service: {name}"},
    "view_title": {"ko": "서비스: {name}", "en": "Service: {name}"},
    "korean": {"ko": "한국어", "en": "Korean"},
    "english": {"ko": "영어", "en": "English"},
    "revision_note": {
        "ko": "게시된 버전 {revision} · 마지막 변경 {when} ({who})",
        "en": "Published revision {revision} · last changed {when} by {who}",
    },
    "errors_summary": {
        "ko": "입력 내용에 문제가 {count}건 있습니다. 아무것도 저장되지 않았습니다. 표시된 항목을 고쳐 주세요.",
        "en": "There are {count} problems. Nothing was saved. Please correct the marked fields.",
    },
    "stale_edit": {
        "ko": "다른 사람이 먼저 이 서비스를 저장했습니다(현재 버전 {current}). 입력하신 내용은 그대로 남아 있습니다. "
        "아래에서 바뀐 항목을 확인하고 다시 저장해 주세요.",
        "en": "Someone else saved this service first (now revision {current}). Your input is kept below. "
        "Check the fields they changed and save again.",
    },
    "their_changes": {"ko": "다른 사람이 바꾼 항목", "en": "What the other person changed"},
    "preview_button": {"ko": "미리 보기", "en": "Preview"},
    "draft_button": {"ko": "임시 저장", "en": "Save draft"},
    "submit_button": {"ko": "검토 요청", "en": "Submit for review"},
    "publish_button": {"ko": "게시", "en": "Publish"},
    "history_link": {"ko": "변경 이력", "en": "History"},
    "preview_title": {"ko": "도우미 답변 미리 보기", "en": "Preview of the assistant's answers"},
    "preview_note": {
        "ko": "저장 전 내용으로 도우미가 실제로 보낼 답변입니다. 아직 저장되지 않았습니다.",
        "en": "What the assistant will answer with these values. Nothing is saved yet.",
    },
    "topic": {"ko": "주제", "en": "Topic"},
    "saved_draft": {"ko": "임시 저장했습니다(변경 #{id}).", "en": "Draft saved (change #{id})."},
    "submitted": {
        "ko": "검토를 요청했습니다(변경 #{id}). 검토자가 게시하면 도우미에 반영됩니다.",
        "en": "Submitted for review (change #{id}). The assistant uses it once a reviewer publishes it.",
    },
    "published": {
        "ko": "게시했습니다. 도우미가 지금부터 새 내용으로 답합니다(버전 {revision}).",
        "en": "Published. The assistant answers with it now (revision {revision}).",
    },
    "unchanged": {"ko": "바뀐 내용이 없습니다.", "en": "Nothing changed."},
    "fee_amount": {"ko": "수수료 금액(원, 숫자만)", "en": "Fee amount (won, digits only)"},
    "fee_amount_hint": {
        "ko": "금액을 넣으면 아래 수수료 문구 대신 쓰입니다. 문구로 적으려면 비워 두세요.",
        "en": "An amount replaces the fee texts below; leave it empty to write the fee as text.",
    },
    "list_hint": {"ko": "한 줄에 하나씩", "en": "One per line"},
    "rules_hint": {"ko": "YAML 형식(비워 두면 규칙 없음)", "en": "YAML (empty for no rules)"},
    "date_hint": {"ko": "예: 2026-11-27", "en": "e.g. 2026-11-27"},
    "illustrative": {"ko": "예시 항목", "en": "Illustrative entry"},
    "markup": {
        "ko": "HTML 태그는 쓸 수 없습니다.",
        "en": "HTML tags are not allowed.",
    },
    "too_long": {"ko": "{limit}자 이하로 입력해 주세요.", "en": "Use at most {limit} characters."},
    "not_number": {"ko": "숫자(원)만 입력해 주세요.", "en": "Enter a whole number of won."},
    "bad_yaml": {"ko": "YAML로 읽을 수 없습니다: {error}", "en": "Not valid YAML: {error}"},
    "agency_forbidden": {
        "ko": "자신의 기관 서비스만 다룰 수 있습니다.",
        "en": "You may only work on your own agency's services.",
    },
    # field labels
    "f_name": {"ko": "서비스 이름", "en": "Service name"},
    "f_aliases": {"ko": "다른 이름(별칭)", "en": "Other names (aliases)"},
    "f_overview": {"ko": "서비스 내용", "en": "Overview"},
    "f_documents": {"ko": "필요한 서류", "en": "Documents"},
    "f_fee": {"ko": "수수료 문구", "en": "Fee text"},
    "f_processing_time": {"ko": "처리 기간", "en": "Processing time"},
    "f_deadline": {"ko": "신고·신청 기한", "en": "Deadline"},
    "f_eligibility_text": {"ko": "신청 대상", "en": "Who can apply"},
    "f_eligibility_rules": {"ko": "자격 규칙", "en": "Eligibility rules"},
    "f_apply_online": {"ko": "온라인 신청 안내", "en": "Applying online"},
    "f_apply_online_url": {"ko": "온라인 신청 주소", "en": "Online application address"},
    "f_apply_in_person": {"ko": "방문 신청 안내", "en": "Applying in person"},
    "f_where_office": {"ko": "신청 장소(기관 종류)", "en": "Where (type of office)"},
    "f_where_phone": {"ko": "문의 전화", "en": "Phone"},
    "f_where_website": {"ko": "안내 웹사이트", "en": "Website"},
    "f_agency": {"ko": "담당 기관", "en": "Agency"},
    "f_life_events": {"ko": "관련 생애 사건", "en": "Life events"},
    "f_source": {"ko": "출처 주소", "en": "Source address"},
    "f_last_reviewed": {"ko": "최종 검토일", "en": "Last reviewed"},
    "section_basic": {"ko": "기본 정보", "en": "Basics"},
    "section_answers": {"ko": "답변 내용", "en": "Answers"},
    "section_apply": {"ko": "신청 방법과 장소", "en": "How and where to apply"},
    "section_meta": {"ko": "관리 정보", "en": "Management"},
    # history
    "history_title": {"ko": "변경 이력: {name}", "en": "History: {name}"},
    "revision": {"ko": "버전", "en": "Revision"},
    "when": {"ko": "일시", "en": "When"},
    "who": {"ko": "작업자", "en": "Who"},
    "source": {"ko": "경로", "en": "Source"},
    "field": {"ko": "항목", "en": "Field"},
    "before": {"ko": "이전", "en": "Before"},
    "after": {"ko": "이후", "en": "After"},
    "revert_button": {"ko": "이 버전으로 되돌리기", "en": "Revert to this revision"},
    "no_history": {"ko": "기록된 버전이 없습니다.", "en": "No revisions recorded."},
    "reverted": {
        "ko": "버전 {target}(으)로 되돌렸습니다(새 버전 {revision}).",
        "en": "Reverted to revision {target} (now revision {revision}).",
    },
    "first_version": {"ko": "처음 등록", "en": "First version"},
    # changes
    "changes_title": {"ko": "검토 대기 중인 변경", "en": "Changes awaiting review"},
    "change_title": {"ko": "변경 #{id}: {service}", "en": "Change #{id}: {service}"},
    "author": {"ko": "작성자", "en": "Author"},
    "status": {"ko": "상태", "en": "Status"},
    "no_changes": {"ko": "검토할 변경이 없습니다.", "en": "No changes are waiting."},
    "approve_button": {"ko": "승인하고 게시", "en": "Approve and publish"},
    "reject_button": {"ko": "반려", "en": "Reject"},
    "review_note": {"ko": "검토 의견", "en": "Review note"},
    "rejected": {"ko": "변경 #{id}을(를) 반려했습니다.", "en": "Change #{id} was rejected."},
    "open_button": {"ko": "열기", "en": "Open"},
    "status_draft": {"ko": "임시 저장", "en": "Draft"},
    "status_pending": {"ko": "검토 대기", "en": "Awaiting review"},
    "status_published": {"ko": "게시됨", "en": "Published"},
    "status_rejected": {"ko": "반려됨", "en": "Rejected"},
    "my_changes": {"ko": "이 서비스의 진행 중인 변경", "en": "Open changes to this service"},
    "change_stale": {
        "ko": "이 변경을 만든 뒤 서비스가 다시 바뀌었습니다(버전 {base} → {current}). "
        "편집 화면에서 다시 저장해 주세요. 변경 내용은 그대로 남아 있습니다.",
        "en": "The service changed after this change was made (revision {base} → {current}). "
        "Open it in the editor and save again; the change is kept.",
    },
    "edit_change": {"ko": "편집 화면에서 열기", "en": "Open in the editor"},
    # applications
    "applications_title": {"ko": "신청 건 조회", "en": "Find an application"},
    "app_number": {"ko": "신청 번호", "en": "Application number"},
    "app_number_hint": {"ko": "예: 2026-0012347", "en": "e.g. 2026-0012347"},
    "find": {"ko": "조회", "en": "Find"},
    "app_not_found": {"ko": "그 번호의 신청 건이 없습니다.", "en": "There is no application with that number."},
    "app_bad_number": {
        "ko": "신청 번호 형식이 맞지 않습니다(예: 2026-0012347).",
        "en": "That is not an application number (e.g. 2026-0012347).",
    },
    "app_service": {"ko": "서비스", "en": "Service"},
    "app_submitted": {"ko": "접수일", "en": "Submitted"},
    "app_expected": {"ko": "처리 예정일", "en": "Expected completion"},
    "app_office": {"ko": "처리 기관", "en": "Office"},
    "app_history": {"ko": "처리 이력", "en": "History"},
    "app_birth_note": {
        "ko": "생년월일은 암호화(해시)되어 저장되며 화면에 표시되지 않습니다.",
        "en": "The birth date is stored only as a hash and is never shown.",
    },
    "move_title": {"ko": "상태 변경", "en": "Change the status"},
    "new_status": {"ko": "새 상태", "en": "New status"},
    "supp_docs_ko": {"ko": "보완 서류(한국어, 한 줄에 하나)", "en": "Documents to supplement (Korean, one per line)"},
    "supp_docs_en": {"ko": "보완 서류(영어, 한 줄에 하나)", "en": "Documents to supplement (English, one per line)"},
    "supp_deadline": {"ko": "보완 기한", "en": "Supplement deadline"},
    "reason_ko": {"ko": "반려 사유(한국어)", "en": "Rejection reason (Korean)"},
    "reason_en": {"ko": "반려 사유(영어)", "en": "Rejection reason (English)"},
    "expected_new": {"ko": "새 처리 예정일(선택)", "en": "New expected completion (optional)"},
    "note": {"ko": "내부 메모(선택)", "en": "Internal note (optional)"},
    "force": {"ko": "예외적인 변경 허용(실수 바로잡기)", "en": "Allow an unusual move (to correct a mistake)"},
    "move_button": {"ko": "상태 변경", "en": "Change status"},
    "moved": {"ko": "{number}의 상태를 '{status}'(으)로 바꿨습니다.", "en": "{number} is now '{status}'."},
    "unlock_title": {"ko": "조회 잠금 해제", "en": "Lift a lockout"},
    "unlock_hint": {
        "ko": "본인 확인에 여러 번 실패해 잠긴 이 번호의 조회를 다시 허용하고, 실패 기록을 지웁니다.",
        "en": "Allows lookups of this number again after repeated failed checks, and forgets the failures.",
    },
    "unlock_button": {"ko": "잠금 해제", "en": "Lift lockout"},
    "unlocked": {"ko": "잠금 {count}건을 해제했습니다.", "en": "{count} lockout(s) lifted."},
    # audit
    "audit_title": {"ko": "감사 기록", "en": "Audit log"},
    "actor": {"ko": "작업자", "en": "Actor"},
    "action": {"ko": "작업", "en": "Action"},
    "entity_type": {"ko": "대상 종류", "en": "Entity type"},
    "entity_id": {"ko": "대상 ID", "en": "Entity"},
    "date_from": {"ko": "시작일", "en": "From"},
    "date_to": {"ko": "종료일", "en": "To"},
    "csv": {"ko": "CSV로 내려받기", "en": "Download CSV"},
    "no_audit": {"ko": "조건에 맞는 기록이 없습니다.", "en": "No records match."},
    "audit_limit": {"ko": "최근 {count}건까지 표시합니다.", "en": "Showing up to {count} most recent rows."},
    # catalogue
    "catalogue_title": {"ko": "YAML 가져오기·내보내기", "en": "YAML import and export"},
    "export_button": {"ko": "전체 카탈로그 YAML 내려받기", "en": "Download the whole catalogue as YAML"},
    "import_title": {"ko": "YAML 가져오기", "en": "Import YAML"},
    "import_file": {"ko": "YAML 파일", "en": "YAML file"},
    "import_button": {"ko": "검증 후 가져오기", "en": "Validate and import"},
    "import_done": {
        "ko": "가져왔습니다: 새 항목 {created}건, 변경 {updated}건, 그대로 {unchanged}건.",
        "en": "Imported: {created} new, {updated} changed, {unchanged} unchanged.",
    },
    "import_failed": {
        "ko": "문제가 {count}건 있어 아무것도 가져오지 않았습니다.",
        "en": "{count} problems found; nothing was imported.",
    },
    "import_no_file": {"ko": "YAML 파일을 골라 주세요.", "en": "Choose a YAML file."},
    "save": {"ko": "저장", "en": "Save"},
    "nav_users": {"ko": "계정 관리", "en": "Accounts"},
    "users_title": {"ko": "직원 계정", "en": "Staff accounts"},
    "role": {"ko": "역할", "en": "Role"},
    "user_actions": {"ko": "관리", "en": "Manage"},
    "user_state_active": {"ko": "사용 중", "en": "Active"},
    "user_state_disabled": {"ko": "사용 중지", "en": "Disabled"},
    "user_locked_until": {"ko": "{when}(UTC)까지 잠김", "en": "locked until {when} UTC"},
    "user_enable": {"ko": "다시 사용", "en": "Enable"},
    "user_disable": {"ko": "사용 중지", "en": "Disable"},
    "user_unlock": {"ko": "잠금 해제", "en": "Unlock"},
    "new_password": {"ko": "새 비밀번호", "en": "New password"},
    "user_reset_button": {"ko": "비밀번호 재설정", "en": "Reset password"},
    "user_add_title": {"ko": "계정 추가", "en": "Add an account"},
    "user_add_button": {"ko": "계정 만들기", "en": "Create account"},
    "user_agency_hint": {
        "ko": "편집자(editor)와 민원 담당자(clerk)만 기관을 고릅니다.",
        "en": "Only editors and clerks work for one agency.",
    },
    "user_added": {"ko": "계정 {login}을(를) 만들었습니다.", "en": "Account {login} created."},
    "user_disabled": {"ko": "계정 {login}의 사용을 중지했습니다.", "en": "Account {login} disabled."},
    "user_enabled": {"ko": "계정 {login}을(를) 다시 사용할 수 있습니다.", "en": "Account {login} enabled."},
    "user_unlocked": {"ko": "계정 {login}의 잠금을 해제했습니다.", "en": "Account {login} unlocked."},
    "user_reset": {
        "ko": "계정 {login}의 비밀번호를 바꿨습니다. 열려 있던 로그인은 모두 끝났습니다.",
        "en": "The password of {login} was reset; its open sessions have ended.",
    },
    "topic_overview": {"ko": "서비스 내용", "en": "Overview"},
    "topic_documents": {"ko": "필요한 서류", "en": "Documents"},
    "topic_fee": {"ko": "수수료", "en": "Fee"},
    "topic_processing_time": {"ko": "처리 기간", "en": "Processing time"},
    "topic_eligibility": {"ko": "신청 대상", "en": "Eligibility"},
    "topic_how_to_apply": {"ko": "신청 방법", "en": "How to apply"},
    "topic_where": {"ko": "신청 장소", "en": "Where"},
    "topic_deadline": {"ko": "신고·신청 기한", "en": "Deadline"},
    **INSIGHT_MESSAGES,  # the dashboard and review inbox (console/insight_i18n.py)
    **NOTICE_MESSAGES,  # the notices page (console/notice_texts.py)
}

# The YAML validation's messages (knowledge/schema.py, English) as a Korean clerk reads them;
# a message not listed is shown as it is.
_ISSUE_PATTERNS_KO = (
    (re.compile(r"^is missing$"), "필수 항목입니다. 입력해 주세요."),
    (re.compile(r"^must be non-empty text$"), "비어 있으면 안 됩니다. 내용을 입력해 주세요."),
    (re.compile(r"^must be a web address starting with http:// or https:// \(got (.*)\)$"),
     "http:// 또는 https://로 시작하는 웹 주소여야 합니다(입력값: {0})."),
    (re.compile(r"^must be a date like 2026-11-27 \(got (.*)\)$"),
     "2026-11-27 같은 올바른 날짜여야 합니다(입력값: {0})."),
    (re.compile(r"^refers to an unknown agency '(.*)'$"), "없는 기관입니다: {0}"),
    (re.compile(r"^refers to an unknown life event '(.*)'$"), "없는 생애 사건입니다: {0}"),
    (re.compile(r"^item (\d+) must be non-empty text$"), "{0}번째 항목이 비어 있습니다."),
    (re.compile(r"^needs at least one of 'online' or 'in_person'$"),
     "온라인 신청이나 방문 신청 중 하나는 있어야 합니다."),
)


from console.agent_texts import AGENT_MESSAGES  # noqa: E402 - the live-agent desk's words (issue 18)

MESSAGES.update(AGENT_MESSAGES)


def localise_issue(language: str, message: str) -> str:
    """A validation message of the YAML import in ``language`` (Korean when a pattern is known)."""
    if normalise_language(language) != "ko":
        return message
    for pattern, korean in _ISSUE_PATTERNS_KO:
        match = pattern.match(message)
        if match:
            return korean.format(*match.groups())
    return message


def normalise_language(value: str | None) -> str:
    """``ko`` or ``en``; anything else is Korean."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def translate(language: str, key: str, **values: object) -> str:
    """The text ``key`` in ``language``, formatted with ``values``."""
    text = MESSAGES[key][normalise_language(language)]
    return text.format(**values) if values else text

from console.callback_texts import CALLBACK_MESSAGES  # noqa: E402 - call-back requests (issue 18)

MESSAGES.update(CALLBACK_MESSAGES)
