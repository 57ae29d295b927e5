// Building chat messages with DOM APIs only: every text from the bot or the
// citizen becomes text nodes (never HTML), and web addresses become safe links.

import { t } from "./i18n.js";

const HANGUL = /[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7A3]/;
const LATIN = /[A-Za-z\u00C0-\u024F]/;
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"”’」』>]+$/;

/** "ko" when `text` has Hangul, "en" when it has Latin letters only, else `fallback`. */
export function detectLanguage(text, fallback) {
  if (HANGUL.test(text)) return "ko";
  if (LATIN.test(text)) return "en";
  return fallback;
}

/** A safe http(s) URL object for `candidate`, or null. */
export function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "https:" || url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

function makeLink(url, label, uiLanguage) {
  const link = document.createElement("a");
  link.href = url.href;
  link.textContent = label;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  const hint = document.createElement("span");
  hint.className = "visually-hidden";
  hint.lang = uiLanguage;
  hint.textContent = ` ${t(uiLanguage, "opens_new_window")}`;
  link.append(hint);
  return link;
}

/** Append one line of `text` to `parent`, turning http(s) addresses into links. */
function appendLine(parent, line, uiLanguage, linkify) {
  if (!linkify) {
    parent.append(document.createTextNode(line));
    return;
  }
  let position = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const address = match[0].replace(TRAILING_PUNCTUATION, "");
    const url = safeUrl(address);
    if (!url) continue;
    parent.append(document.createTextNode(line.slice(position, match.index)));
    parent.append(makeLink(url, address, uiLanguage));
    position = match.index + address.length;
  }
  parent.append(document.createTextNode(line.slice(position)));
}

/** Fill `parent` with `text` as text nodes and <br>s (links only when `linkify`). */
export function appendText(parent, text, uiLanguage, linkify) {
  text.split("\n").forEach((line, index) => {
    if (index > 0) parent.append(document.createElement("br"));
    appendLine(parent, line, uiLanguage, linkify);
  });
}

/**
 * A message element for `message` ({sender: "bot"|"user", text, buttons, agent?}).
 * `onChoice(button)` is called when one of the bot's buttons is pressed.
 */
export function renderMessage(message, uiLanguage, onChoice) {
  const fromBot = message.sender === "bot";
  const text = typeof message.text === "string" ? message.text : "";
  const item = document.createElement("div");
  item.className = `message ${fromBot ? "message--bot" : "message--user"}`;
  item.lang = message.lang || detectLanguage(text, uiLanguage);

  const who = document.createElement("span");
  who.className = "visually-hidden";
  who.lang = uiLanguage;
  // A live agent's message (issue 18) comes from a person, not the assistant.
  const speaker = fromBot ? (message.agent ? "agent" : "bot") : "you";
  who.textContent = `${t(uiLanguage, speaker)}: `;
  item.append(who);

  if (text) {
    const bubble = document.createElement("p");
    bubble.className = "bubble";
    appendText(bubble, text, uiLanguage, fromBot);
    item.append(bubble);
  }

  const buttons = Array.isArray(message.buttons) ? message.buttons : [];
  if (fromBot && buttons.length) {
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", t(uiLanguage, "choices"));
    for (const choice of buttons) {
      if (!choice || typeof choice.title !== "string") continue;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice-button";
      button.textContent = choice.title;
      button.lang = detectLanguage(choice.title, item.lang);
      button.addEventListener("click", () => onChoice(choice));
      group.append(button);
    }
    item.append(group);
  }
  return item;
}

/** Replace the visible text of a user message (after the server masked it). */
export function replaceUserText(item, text, uiLanguage) {
  const bubble = item.querySelector(".bubble");
  if (!bubble) return;
  bubble.replaceChildren();
  appendText(bubble, text, uiLanguage, false);
}
