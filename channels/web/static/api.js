// The page's calls to the gateway's JSON API. Every failure becomes an
// ApiError the page can explain; nothing waits forever.

const REQUEST_TIMEOUT_MS = 30000;

export class ApiError extends Error {
  /** `status` 0 means the gateway could not be reached at all. */
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.code = body && typeof body.error === "string" ? body.error : null;
    this.serverMessage = body && body.message && typeof body.message === "object" ? body.message : null;
  }

  /** True when trying the same request again later may work. */
  get retryable() {
    return this.status === 0 || this.status >= 500;
  }

  /** The server's explanation in `language`, if it gave one. */
  messageIn(language) {
    const text = this.serverMessage && this.serverMessage[language];
    return typeof text === "string" ? text : null;
  }
}

async function request(path, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(new URL(path, document.baseURI), {
      credentials: "same-origin",
      signal: controller.signal,
      ...options,
    });
  } catch {
    throw new ApiError(0, null);
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok || !body || typeof body !== "object") throw new ApiError(response.status || 0, body);
  return body;
}

function postJson(path, payload) {
  return request(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
}

/** The current conversation's visible messages. */
export async function loadHistory() {
  const body = await request("api/history");
  return Array.isArray(body.messages) ? body.messages : [];
}

/** Send one message; resolves to {messages, resident_number_masked, echo}. */
export async function sendMessage(payload) {
  const body = await postJson("api/messages", payload);
  return {
    messages: Array.isArray(body.messages) ? body.messages : [],
    residentNumberMasked: body.resident_number_masked === true,
    echo: typeof body.echo === "string" ? body.echo : null,
  };
}

/** Start a new conversation (the gateway issues a new conversation id). */
export async function resetConversation() {
  await postJson("api/conversation/reset", {});
}
