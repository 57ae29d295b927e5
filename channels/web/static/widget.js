/*
 * Embeddable chat widget. On any page of an allowed site:
 *
 *   <script src="https://chat.example.go.kr/widget.js" defer></script>
 *
 * adds a launcher button that opens the assistant in a panel (an iframe of the
 * chat page). Escape or the launcher closes it and gives focus back to the
 * launcher. The host must be listed in WEB_ALLOWED_ORIGINS (frame-ancestors).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.src || window.__govchatWidget) return;
  window.__govchatWidget = true;

  var base = new URL("./", script.src);
  var hostLanguage = (document.documentElement.lang || "").toLowerCase();
  var language = hostLanguage.indexOf("en") === 0 ? "en" : "ko";
  var labels = {
    ko: { launcher: "챗봇 상담", frame: "정부 민원 안내 챗봇" },
    en: { launcher: "Chat with us", frame: "Government services assistant" },
  }[language];

  function init() {
    var stylesheet = document.createElement("link");
    stylesheet.rel = "stylesheet";
    stylesheet.href = new URL("static/widget.css", base).href;
    document.head.appendChild(stylesheet);

    var panel = document.createElement("div");
    panel.className = "govchat-panel";
    panel.id = "govchat-panel";
    panel.hidden = true;

    var launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "govchat-launcher";
    launcher.lang = language;
    launcher.textContent = labels.launcher;
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", panel.id);

    var frame = null;

    function open() {
      if (!frame) {
        frame = document.createElement("iframe");
        frame.className = "govchat-frame";
        frame.title = labels.frame;
        frame.src = new URL("?embed=1&lang=" + language, base).href;
        panel.appendChild(frame);
      }
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      frame.focus();
    }

    function close() {
      if (panel.hidden) return;
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (panel.hidden) open();
      else close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
    window.addEventListener("message", function (event) {
      // Only the chat page inside our own frame may ask to close the panel.
      if (!frame || event.source !== frame.contentWindow || event.origin !== base.origin) return;
      if (event.data && event.data.type === "govchat:close") close();
    });

    // The launcher comes first so Tab moves from it into the open panel.
    document.body.appendChild(launcher);
    document.body.appendChild(panel);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
