// Every string of the page's own interface, in Korean and English.
// Bot messages come from the assistant already in the conversation's language.

export const LANGUAGES = ["ko", "en"];

export const STRINGS = {
  ko: {
    page_title: "정부 민원 안내 챗봇",
    title: "민원 안내 챗봇",
    skip_to_input: "메시지 입력으로 건너뛰기",
    new_conversation: "새 대화",
    log_label: "대화 내용",
    typing: "답변을 준비하고 있어요…",
    retry: "다시 시도",
    input_label: "메시지",
    input_placeholder: "예: 여권 재발급 서류 뭐가 필요해요?",
    input_hint: "Enter 키로 보내고, Shift+Enter로 줄을 바꿔요.",
    send: "보내기",
    char_count: "{count} / {max}자",
    you: "나",
    bot: "상담봇",
    agent: "상담사",
    choices: "선택지",
    opens_new_window: "(새 창에서 열림)",
    welcome:
      "안녕하세요. 정부 민원 안내 챗봇입니다. 여권, 주민등록, 복지 서비스 같은 정부 민원을 안내해 드려요. " +
      "주민등록번호는 입력하지 마세요.",
    suggestions: [
      "여권 재발급 서류 뭐가 필요해요?",
      "신청한 민원 처리 상태를 알고 싶어요",
      "상담원과 이야기하고 싶어요",
    ],
    language_switched: "안내 언어를 한국어로 바꿨어요.",
    conversation_reset: "새 대화를 시작했어요.",
    resident_number_masked: "주민등록번호는 입력하지 마세요. 입력하신 번호는 가려서 처리했어요.",
    no_reply: "답변을 받지 못했어요. 질문을 조금 바꿔서 다시 물어봐 주세요.",
    empty_message: "메시지를 입력해 주세요.",
    too_long: "메시지가 너무 깁니다. {max}자 이내로 줄여 주세요.",
    network_error: "상담봇에 연결할 수 없어요. 인터넷 연결을 확인한 뒤 다시 시도해 주세요.",
    history_error: "이전 대화를 불러오지 못했어요.",
    unexpected_error: "처리 중에 문제가 생겼어요. 잠시 뒤에 다시 시도해 주세요.",
  },
  en: {
    page_title: "Government Services Assistant",
    title: "Government Services Assistant",
    skip_to_input: "Skip to message input",
    new_conversation: "New chat",
    log_label: "Conversation",
    typing: "The assistant is writing a reply…",
    retry: "Try again",
    input_label: "Message",
    input_placeholder: "e.g. What documents do I need to reissue a passport?",
    input_hint: "Press Enter to send, Shift+Enter for a new line.",
    send: "Send",
    char_count: "{count} / {max} characters",
    you: "You",
    bot: "Assistant",
    agent: "Agent",
    choices: "Choices",
    opens_new_window: "(opens in a new window)",
    welcome:
      "Hello. I am the government services assistant. Ask me about public services such as passports, " +
      "resident registration and welfare. Never enter your resident registration number.",
    suggestions: [
      "What documents do I need to reissue a passport?",
      "I want to check the status of my application",
      "I want to talk to a person",
    ],
    language_switched: "The assistant now answers in English.",
    conversation_reset: "A new conversation has started.",
    resident_number_masked: "Please do not enter your resident registration number. We hid the number you typed.",
    no_reply: "No answer came back. Please try asking in a different way.",
    empty_message: "Please type a message.",
    too_long: "Your message is too long. Please keep it within {max} characters.",
    network_error: "The assistant cannot be reached. Please check your connection and try again.",
    history_error: "The earlier conversation could not be loaded.",
    unexpected_error: "Something went wrong. Please try again in a moment.",
  },
};

/** The interface string `key` in `language`, with `{name}` placeholders filled. */
export function t(language, key, values = {}) {
  const table = STRINGS[language] || STRINGS.ko;
  const text = key in table ? table[key] : STRINGS.ko[key];
  if (typeof text !== "string") return text;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in values ? String(values[name]) : match));
}
