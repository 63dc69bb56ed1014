// The practice chat: sends each message as JSON (with the page's CSRF token) to the web app,
// which forwards it to the bot, and shows the replies, the turn's feedback and the report link.
(function () {
  "use strict";
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const messages = document.getElementById("messages");
  const text = document.getElementById("text");
  const send = document.getElementById("send");
  const live = document.getElementById("live-feedback");
  const reportLink = document.getElementById("report-link");
  let busy = false;

  function bubble(kind, content) {
    const item = document.createElement("div");
    item.className = "bubble " + kind;
    item.textContent = content;
    messages.appendChild(item);
    messages.scrollTop = messages.scrollHeight;
    return item;
  }

  function showFeedback(feedback) {
    const box = document.createElement("div");
    box.className = "bubble feedback";
    const head = document.createElement("strong");
    head.textContent = "点评 · " + feedback.move + " · " + feedback.step;
    box.appendChild(head);
    const changes = document.createElement("div");
    changes.className = "changes";
    if (feedback.changes.length === 0) {
      changes.textContent = "得分变化:无";
    }
    feedback.changes.forEach(function (change) {
      const tag = document.createElement("span");
      tag.className = change.delta > 0 ? "up" : "down";
      tag.textContent = change.name + (change.delta > 0 ? " +" : " ") + change.delta;
      changes.appendChild(tag);
    });
    box.appendChild(changes);
    const note = document.createElement("p");
    note.textContent = feedback.feedback;
    box.appendChild(note);
    messages.appendChild(box);
    messages.scrollTop = messages.scrollHeight;
  }

  function showReplies(replies) {
    replies.forEach(function (reply) {
      if (reply.text) {
        bubble("bot", reply.text);
      }
      if (reply.buttons && reply.buttons.length) {
        const row = document.createElement("div");
        row.className = "buttons";
        reply.buttons.forEach(function (button) {
          const element = document.createElement("button");
          element.type = "button";
          element.textContent = button.title;
          element.addEventListener("click", function () {
            post({message: button.payload}, button.title);
          });
          row.appendChild(element);
        });
        messages.appendChild(row);
      }
    });
  }

  function setBusy(value) {
    busy = value;
    send.disabled = value;
    text.disabled = value;
    send.textContent = value ? "等待回复…" : "发送";
  }

  async function post(body, shown) {
    if (busy) {
      return;
    }
    if (shown) {
      bubble("me", shown);
    }
    body.feedback = live.checked;
    setBusy(true);
    const typing = bubble("bot typing", "客户正在回复…");
    try {
      const response = await fetch(document.getElementById("composer").dataset.sendUrl, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-CSRFToken": token},
        credentials: "same-origin",
        body: JSON.stringify(body),
      });
      const data = await response.json().catch(function () { return {}; });
      typing.remove();
      if (response.status === 401) {
        bubble("error", "登录已过期,请刷新页面重新登录。");
        return;
      }
      if (!response.ok) {
        bubble("error", data.error || "发送失败,请重试。");
        return;
      }
      showReplies(data.replies || []);
      if (data.feedback) {
        showFeedback(data.feedback);
      }
      if (data.report_url) {
        reportLink.hidden = false;
        reportLink.textContent = "";
        const link = document.createElement("a");
        link.href = data.report_url;
        link.id = "open-report";
        link.textContent = "查看本场完整报告 →";
        reportLink.appendChild(link);
      }
    } catch (error) {
      typing.remove();
      bubble("error", "网络连接出错,请检查网络后重试。");
    } finally {
      setBusy(false);
      text.focus();
    }
  }

  document.getElementById("start").addEventListener("click", function () {
    const scenario = document.getElementById("scenario");
    const persona = document.getElementById("persona");
    messages.textContent = "";
    reportLink.hidden = true;
    const label = scenario.options[scenario.selectedIndex].text + " · " +
      persona.options[persona.selectedIndex].text;
    bubble("system", "开始对练:" + label);
    post({start: {scenario: scenario.value, persona: persona.value}});
  });

  document.querySelectorAll("[data-say]").forEach(function (button) {
    button.addEventListener("click", function () {
      post({message: button.dataset.say}, button.dataset.say);
    });
  });

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    const value = text.value.trim();
    if (!value) {
      return;
    }
    text.value = "";
    post({message: value}, value);
  });

  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      document.getElementById("composer").requestSubmit();
    }
  });
})();
