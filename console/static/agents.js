// The live-agent desk: refresh the queue, show the citizen's messages as they
// arrive, and send replies without reloading the page. Works without it too
// (plain forms and links); polling, because the console serves few agents.
(function () {
  "use strict";
  var POLL_MS = 1500;

  function get(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function showMessages(list, messages) {
    var items = [];
    messages.forEach(function (m) {
      var li = document.createElement("li");
      li.className = "msg msg--" + m.who;
      var who = document.createElement("strong");
      who.textContent = m.label + ":";
      var text = document.createElement("span");
      text.textContent = m.text;
      li.appendChild(who);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text);
      items.push(li);
    });
    if (list.children.length !== items.length) {
      list.replaceChildren.apply(list, items);
    }
  }

  var list = document.getElementById("messages");
  if (list) {
    var source = list.getAttribute("data-source");
    var poll = function () {
      get(source).then(function (data) {
        showMessages(list, data.messages);
        if (data.state !== "active") {
          var form = document.getElementById("reply-form");
          if (form) { form.querySelector("button[type=submit]").disabled = true; }
        }
      }).catch(function () {}).finally(function () { window.setTimeout(poll, POLL_MS); });
    };
    window.setTimeout(poll, POLL_MS);
  }

  var form = document.getElementById("reply-form");
  if (form) {
    var box = document.getElementById("reply");
    var status = document.getElementById("reply-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!box.value.trim()) { box.focus(); return; }
      var body = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                           headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (result) {
          if (result.ok) {
            box.value = "";
            status.textContent = "";
            return get(list.getAttribute("data-source")).then(function (data) { showMessages(list, data.messages); });
          }
          status.textContent = result.data.error || "";
        })
        .catch(function () { form.submit(); });
    });
    document.querySelectorAll(".canned-reply").forEach(function (button) {
      button.addEventListener("click", function () {
        box.value = button.getAttribute("data-text");
        box.focus();
      });
    });
  }

  var queue = document.querySelector("[data-live-queue]");
  if (queue) {
    // Reload the desk when the queue changes, so the lists and their forms stay
    // exactly as the server renders them (and the agent stays on duty).
    var known = null;
    var watch = function () {
      get(queue.getAttribute("data-live-queue")).then(function (data) {
        var key = JSON.stringify([data.waiting.map(function (c) { return c.id; }),
                                  data.held.map(function (c) { return c.id; })]);
        if (known !== null && key !== known && !document.activeElement.closest("form")) {
          window.location.reload();
        }
        known = key;
      }).catch(function () {}).finally(function () { window.setTimeout(watch, POLL_MS * 2); });
    };
    watch();
  }
})();
