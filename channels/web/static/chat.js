// The chat page: conversation log, composer, language switch, errors and retry.

import { ApiError, loadHistory, resetConversation, sendMessage } from "./api.js";
import { LANGUAGES, t } from "./i18n.js";
import { renderMessage, replaceUserText } from "./render.js";

const MAX_CHARS = 2000;
const LANGUAGE_STORAGE_KEY = "govchat-language";

const elements = {
  log: document.getElementById("log"),
  form: document.getElementById("composer"),
  input: document.getElementById("message-input"),
  send: document.getElementById("send-button"),
  typing: document.getElementById("typing"),
  status: document.getElementById("status-region"),
  errorBox: document.getElementById("error-box"),
  errorText: document.getElementById("error-text"),
  retry: document.getElementById("retry-button"),
  charCount: document.getElementById("char-count"),
  newConversation: document.getElementById("new-conversation"),
  languageButtons: Array.from(document.querySelectorAll(".lang-button")),
};

const state = {
  language: "ko",
  busy: false,
  retryAction: null,
  welcomeItem: null,
  // Settles once the stored conversation is on screen; a message sent before
  // then waits for it, so the history never shows that message a second time.
  historyShown: Promise.resolve(),
  // The live-agent chat's state from api/live/events: "active" while a person
  // holds the conversation (the assistant stays quiet then).
  liveAgent: "none",
  liveEvents: null,
};

// ---- language -------------------------------------------------------------

function storedLanguage() {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null; // storage blocked (private mode, third-party iframe)
  }
}

function storeLanguage(language) {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // The choice then lasts for this page view only.
  }
}

function initialLanguage() {
  const requested = new URLSearchParams(window.location.search).get("lang");
  for (const candidate of [storedLanguage(), requested]) {
    if (LANGUAGES.includes(candidate)) return candidate;
  }
  return "ko";
}

function updateCharCount() {
  elements.charCount.textContent = t(state.language, "char_count", {
    count: elements.input.value.length,
    max: MAX_CHARS,
  });
}

/** Show the interface in `language` (the bot's language is switched separately). */
function applyLanguage(language) {
  state.language = language;
  document.documentElement.lang = language;
  document.title = t(language, "page_title");
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(language, node.dataset.i18n);
  }
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(language, node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(language, node.dataset.i18nAriaLabel));
  }
  for (const button of elements.languageButtons) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language));
  }
  updateCharCount();
}

// ---- log ------------------------------------------------------------------

function scrollToLatest(item) {
  // Scroll the log (or, where it does not scroll, the page) rather than call
  // item.scrollIntoView(): Chromium also moves the keyboard's starting point
  // there, and the first Tab would skip the skip link.
  const log = elements.log;
  if (log.scrollHeight > log.clientHeight) {
    log.scrollTop = log.scrollHeight;
  } else if (item.getBoundingClientRect().bottom > window.innerHeight) {
    window.scrollTo({ top: document.documentElement.scrollHeight });
  }
}

function appendMessage(message) {
  const item = renderMessage(message, state.language, onChoice);
  elements.log.append(item);
  scrollToLatest(item);
  return item;
}

function appendNotice(text) {
  return appendMessage({ sender: "bot", text, buttons: [], lang: state.language });
}

function renderWelcome() {
  const suggestions = t(state.language, "suggestions").map((text) => ({ title: text, payload: text }));
  const text = t(state.language, "welcome");
  const welcome = { sender: "bot", text, buttons: suggestions, lang: state.language };
  state.welcomeItem = renderMessage(welcome, state.language, onChoice);
  return state.welcomeItem;
}

function showWelcome() {
  elements.log.append(renderWelcome());
  scrollToLatest(state.welcomeItem);
}

/** Show the welcome in the new language while nothing else has been said. */
function translateLoneWelcome() {
  const log = elements.log;
  if (state.welcomeItem && log.children.length === 1 && log.firstElementChild === state.welcomeItem) {
    state.welcomeItem.remove();
    showWelcome();
  }
}

function announce(text) {
  // Re-setting the same text would not be announced again.
  elements.status.textContent = "";
  window.setTimeout(() => {
    elements.status.textContent = text;
  }, 50);
}

// ---- errors ---------------------------------------------------------------

function hideError() {
  elements.errorBox.hidden = true;
  elements.retry.hidden = true;
  state.retryAction = null;
}

function showError(text, retryAction = null) {
  elements.errorText.textContent = text;
  state.retryAction = retryAction;
  elements.retry.hidden = retryAction === null;
  elements.errorBox.hidden = false;
}

function errorText(error, fallbackKey) {
  if (error instanceof ApiError) {
    const fromServer = error.messageIn(state.language);
    if (fromServer) return fromServer;
    if (error.status === 0) return t(state.language, "network_error");
  }
  return t(state.language, fallbackKey);
}

// ---- sending --------------------------------------------------------------

function setBusy(busy) {
  state.busy = busy;
  elements.typing.hidden = !busy;
  elements.log.setAttribute("aria-busy", String(busy));
  if (busy) announce(t(state.language, "typing"));
}

/**
 * Send `payload` and show the replies. `userItem` is the citizen's message in
 * the log (null for hidden messages such as a language switch).
 */
async function exchange(payload, userItem, draft) {
  hideError();
  setBusy(true);
  try {
    await state.historyShown;
    const result = await sendMessage(payload);
    if (result.residentNumberMasked && userItem && result.echo) {
      replaceUserText(userItem, result.echo, state.language);
      appendNotice(t(state.language, "resident_number_masked"));
    }
    const agentHolds = state.liveAgent === "active" || state.liveAgent === "waiting";
    if (result.messages.length === 0 && !agentHolds) appendNotice(t(state.language, "no_reply"));
    for (const message of result.messages) appendMessage(message);
  } catch (error) {
    if (error instanceof ApiError && error.retryable) {
      showError(errorText(error, "unexpected_error"), () => exchange(payload, userItem, draft));
    } else {
      // Refused (too long, too fast, empty): take the message back so it can be edited.
      if (userItem) userItem.remove();
      if (draft && !elements.input.value) {
        elements.input.value = draft;
        updateCharCount();
      }
      showError(errorText(error, "unexpected_error"));
    }
  } finally {
    setBusy(false);
  }
}

/** Show the citizen's message (unless hidden) and send it. */
function submit({ message, displayText = null, hidden = false, draft = null }) {
  if (state.busy) return false;
  const payload = { message, language: state.language };
  if (displayText) payload.display_text = displayText;
  if (hidden) payload.hidden = true;
  const userItem = hidden ? null : appendMessage({ sender: "user", text: displayText || message, buttons: [] });
  exchange(payload, userItem, draft);
  return true;
}

function onChoice(choice) {
  const payload = typeof choice.payload === "string" && choice.payload ? choice.payload : choice.title;
  if (submit({ message: payload, displayText: choice.title })) elements.input.focus();
}

function onSubmit(event) {
  event.preventDefault();
  const text = elements.input.value.trim();
  if (!text) {
    showError(t(state.language, "empty_message"));
    elements.input.focus();
    return;
  }
  if (text.length > MAX_CHARS) {
    showError(t(state.language, "too_long", { max: MAX_CHARS }));
    return;
  }
  if (submit({ message: text, draft: text })) {
    elements.input.value = "";
    updateCharCount();
  }
}

function onInputKeydown(event) {
  // Enter sends; Shift+Enter is a new line; Enter that ends a Hangul IME
  // composition must not send a half-typed syllable.
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  elements.form.requestSubmit();
}

function onLanguageButton(event) {
  const language = event.currentTarget.dataset.lang;
  if (state.busy || !LANGUAGES.includes(language) || language === state.language) return;
  applyLanguage(language);
  storeLanguage(language);
  translateLoneWelcome();
  announce(t(language, "language_switched"));
  submit({ message: `/set_language{"language": "${language}"}`, hidden: true });
}

// ---- history and new conversation -----------------------------------------

/** Load the stored conversation and show it; resolves (never rejects) once it is on screen. */
function restoreConversation() {
  state.historyShown = showHistory();
  return state.historyShown;
}

/**
 * Show the stored conversation (or the welcome when there is none) above any
 * message the citizen sent while it loaded; such a message is held back until
 * then, so the history cannot contain it.
 */
async function showHistory() {
  elements.log.replaceChildren();
  state.welcomeItem = null;
  elements.log.setAttribute("aria-busy", "true");
  let items = [];
  try {
    const messages = await loadHistory();
    items = messages.map((message) => renderMessage(message, state.language, onChoice));
  } catch (error) {
    showError(`${t(state.language, "history_error")} ${errorText(error, "unexpected_error")}`, restoreConversation);
  } finally {
    elements.log.setAttribute("aria-busy", String(state.busy));
  }
  if (items.length === 0) items.push(renderWelcome());
  elements.log.prepend(...items);
  scrollToLatest(elements.log.lastElementChild);
}

async function startNewConversation() {
  if (state.busy) return;
  hideError();
  try {
    await resetConversation();
  } catch (error) {
    showError(errorText(error, "unexpected_error"), startNewConversation);
    return;
  }
  elements.log.replaceChildren();
  state.welcomeItem = null;
  showWelcome();
  announce(t(state.language, "conversation_reset"));
  listenForAgents(); // the new conversation's cookie
  elements.input.focus();
}

// ---- embedding ------------------------------------------------------------

function setUpEmbedding() {
  if (new URLSearchParams(window.location.search).get("embed") !== "1") return;
  document.body.classList.add("embedded");
  if (window.parent === window) return;
  document.addEventListener("keydown", (event) => {
    // The widget on the host page closes the panel and returns focus to its launcher.
    if (event.key === "Escape") window.parent.postMessage({ type: "govchat:close" }, "*");
  });
}

// ---- live agents (issue 18) ------------------------------------------------

/** Follow the conversation's live-agent chat: its state, and the agent's messages as they come. */
function listenForAgents() {
  if (!("EventSource" in window)) return;
  if (state.liveEvents) state.liveEvents.close();
  const source = new EventSource(new URL("api/live/events", document.baseURI));
  source.addEventListener("state", (event) => {
    state.liveAgent = JSON.parse(event.data).state;
  });
  source.addEventListener("message", (event) => {
    appendMessage(JSON.parse(event.data));
  });
  state.liveEvents = source;
}

// ---- start ----------------------------------------------------------------

function start() {
  applyLanguage(initialLanguage());
  setUpEmbedding();
  elements.form.addEventListener("submit", onSubmit);
  elements.input.addEventListener("keydown", onInputKeydown);
  elements.input.addEventListener("input", updateCharCount);
  elements.retry.addEventListener("click", () => {
    const action = state.retryAction;
    hideError();
    elements.input.focus();
    if (action) action();
  });
  elements.newConversation.addEventListener("click", startNewConversation);
  for (const button of elements.languageButtons) button.addEventListener("click", onLanguageButton);
  // The composer is disabled in the HTML until the handlers above are in place.
  elements.input.disabled = false;
  elements.send.disabled = false;
  // The event stream follows the conversation cookie, which the history request sets.
  restoreConversation().then(listenForAgents);
}

start();
