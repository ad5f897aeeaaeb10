/**
 * The checkout window's script and style, served as files (the window's CSP allows no inline
 * code). The script sends the person's choice to the sandbox and hands the answer back the way
 * the window was opened: postMessage to the iframe's parent or the popup's opener, or a
 * redirect to `redirectUrl`.
 */
export const WINDOW_SCRIPT = `(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("portone-sandbox-session").textContent);
  var status = document.getElementById("status");
  var busy = false;

  function value(name) {
    var field = document.querySelector('[name="' + name + '"]');
    return field && field.value ? field.value : undefined;
  }

  function choiceBody(choice) {
    var body = { choice: choice };
    if (choice === "decline") {
      var select = document.getElementById("pgCode");
      body.pgCode = select.value;
      body.pgMessage = select.options[select.selectedIndex].text.replace(/^[^:]+: /, "");
    }
    if (choice === "issue" || choice === "pay") {
      if (value("cardNumber")) body.cardNumber = value("cardNumber");
    }
    if (choice === "verify") {
      body.person = { name: value("name") || "" };
      ["phoneNumber", "birthDate", "gender", "operator"].forEach(function (field) {
        if (value(field)) body.person[field] = value(field);
      });
    }
    return body;
  }

  function deliver(result) {
    if (config.windowType === "REDIRECTION") {
      location.replace(result.redirectTo);
      return;
    }
    var message = { type: "portone-sandbox:result", sessionId: config.sessionId, response: result.response };
    if (result.redirectTo) message.redirectTo = result.redirectTo;
    var target = config.windowType === "POPUP" ? window.opener : window.parent;
    if (target && target !== window) {
      target.postMessage(message, config.openerOrigin);
      if (config.windowType === "POPUP") window.close();
    } else {
      status.textContent = JSON.stringify(result.response, null, 2);
    }
  }

  function describe(response) {
    if (response.code) return "Failed: " + response.message;
    if (response.billingKey) return "Card registered.";
    if (response.identityVerificationId) return "Identity verified.";
    return "Done.";
  }

  function complete(choice) {
    if (busy) return;
    busy = true;
    document.body.classList.add("busy");
    status.textContent = "Working...";
    fetch("/sandbox/browser/sessions/" + config.sessionId + "/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(choiceBody(choice)),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error(data.message || "The sandbox refused the choice.");
          return data;
        });
      })
      .then(function (result) {
        status.textContent = describe(result.response);
        document.body.classList.add("done");
        deliver(result);
      })
      .catch(function (error) {
        busy = false;
        document.body.classList.remove("busy");
        status.textContent = error.message;
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-choice]");
    if (button) complete(button.getAttribute("data-choice"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") complete("close");
  });
  // Reopened after the choice was made (a reload): hand the same answer back again.
  if (config.completed) complete("close");
})();
`;

export const WINDOW_STYLE = `:root {
  color-scheme: light;
  --ink: #0f172a;
  --muted: #64748b;
  --line: #e2e8f0;
  --primary: #4f46e5;
  --primary-ink: #ffffff;
  --danger: #dc2626;
  font-family: system-ui, -apple-system, "Segoe UI", "Apple SD Gothic Neo", "Noto Sans KR", sans-serif;
  color: var(--ink);
}
* { box-sizing: border-box; }
html, body { margin: 0; min-height: 100%; background: #f8fafc; }
.window {
  max-width: 440px; min-height: 100vh; margin: 0 auto; padding: 16px 20px 24px;
  background: #ffffff; display: flex; flex-direction: column; gap: 12px;
}
header { display: flex; align-items: center; justify-content: space-between; }
.badge {
  font-size: 12px; font-weight: 600; letter-spacing: .02em; color: #92400e;
  background: #fef3c7; border-radius: 999px; padding: 4px 10px;
}
.close {
  width: 44px; height: 44px; border: 0; border-radius: 50%; background: transparent;
  font-size: 28px; line-height: 1; color: var(--muted); cursor: pointer;
}
.close:hover, .close:focus-visible { background: var(--line); color: var(--ink); }
h1 { font-size: 22px; margin: 4px 0 0; }
.summary { display: grid; grid-template-columns: auto 1fr; gap: 6px 16px; margin: 0; font-size: 15px; }
.summary dt { color: var(--muted); }
.summary dd { margin: 0; overflow-wrap: anywhere; }
.amount { font-size: 32px; font-weight: 700; margin: 8px 0; }
.choices { display: flex; flex-direction: column; gap: 12px; }
label { font-size: 14px; font-weight: 600; margin-top: 4px; }
input, select {
  font: inherit; width: 100%; min-height: 44px; padding: 8px 12px;
  border: 1px solid var(--line); border-radius: 10px; background: #fff; color: var(--ink);
}
fieldset.person { border: 1px solid var(--line); border-radius: 12px; padding: 12px; display: flex; flex-direction: column; gap: 6px; margin: 0; }
legend { font-weight: 600; padding: 0 4px; }
.button {
  font: inherit; font-weight: 600; min-height: 48px; width: 100%; border-radius: 12px;
  border: 1px solid transparent; cursor: pointer; padding: 10px 16px;
}
.button.primary { background: var(--primary); color: var(--primary-ink); }
.button.primary:hover { filter: brightness(1.08); }
.button.secondary { background: #eef2ff; color: var(--primary); }
.button.danger { background: #fff; color: var(--danger); border-color: #fecaca; margin-top: 8px; }
.button:focus-visible, .close:focus-visible, summary:focus-visible { outline: 3px solid #a5b4fc; outline-offset: 2px; }
details.decline { border: 1px solid var(--line); border-radius: 12px; padding: 10px 12px; }
details.decline summary { cursor: pointer; font-weight: 600; color: var(--danger); min-height: 28px; }
details.decline[open] { display: flex; flex-direction: column; gap: 6px; }
.hint { font-size: 13px; color: var(--muted); margin: 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92em; overflow-wrap: anywhere; }
.status { min-height: 1.5em; font-weight: 600; white-space: pre-wrap; margin: 0; }
body.busy .choices { opacity: .6; pointer-events: none; }
footer { margin-top: auto; font-size: 12px; color: var(--muted); }
@media (min-width: 480px) { .window { min-height: auto; margin-top: 0; } }
`;
