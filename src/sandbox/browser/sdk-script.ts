/**
 * The stand-in for PortOne's browser SDK script (https://cdn.portone.io/v2/browser-sdk.js),
 * served at the same path. It defines `window.PortOne` with the functions the real script has;
 * `@portone/browser-sdk` from npm uses an existing `window.PortOne`, or loads this script when
 * pointed at it. Each request* call asks the sandbox to check the request, opens the sandbox's
 * checkout window (IFRAME, POPUP or REDIRECTION, per device, as `windowType` asks) and resolves
 * with what the person chose there.
 *
 * Plain ES2020 for any browser; it talks to the origin it was loaded from.
 */
export const BROWSER_SDK_SCRIPT = `/* PortOne browser SDK stand-in, served by the PortOne sandbox. Not PortOne's code. */
(function () {
  "use strict";
  var script = document.currentScript;
  var sandbox = new URL(script && script.src ? script.src : location.href).origin;
  var isMobile = /Android|iPhone|iPad|iPod|Mobile/i.test(navigator.userAgent);
  var errorTypes = {
    PAYMENT: "PaymentError",
    ISSUE_BILLING_KEY: "IssueBillingKeyError",
    IDENTITY_VERIFICATION: "IdentityVerificationError",
    ISSUE_BILLING_KEY_AND_PAY: "IssueBillingKeyAndPayError",
  };

  // The npm package recognises PortOne's errors by __portOneErrorType (its classes'
  // Symbol.hasInstance), so "error instanceof PaymentError" holds for these.
  function sdkError(errorType, transactionType, code, message, ids) {
    var error = new Error(message);
    error.__portOneErrorType = errorType;
    if (transactionType) error.transactionType = transactionType;
    error.code = code;
    for (var key in ids) if (ids[key] !== undefined) error[key] = ids[key];
    return error;
  }

  function idsOf(transactionType, request) {
    if (transactionType === "IDENTITY_VERIFICATION") {
      return { identityVerificationId: request.identityVerificationId };
    }
    if (transactionType === "ISSUE_BILLING_KEY") return {};
    return { paymentId: request.paymentId };
  }

  // PortOne picks the window per device; without windowType, mobile browsers redirect when
  // they can and everything else gets an iframe.
  function chooseWindowType(request) {
    var types = request.windowType && typeof request.windowType === "object" ? request.windowType : {};
    var chosen = isMobile ? types.mobile : types.pc;
    if (chosen) return chosen;
    return isMobile && request.redirectUrl ? "REDIRECTION" : "IFRAME";
  }

  function post(path, body) {
    // A text/plain body keeps this a simple cross-origin request: no preflight.
    return fetch(sandbox + path, { method: "POST", body: JSON.stringify(body), credentials: "omit" })
      .then(function (response) {
        return response.json().then(
          function (data) { return { ok: response.ok, data: data }; },
          function () { return { ok: false, data: undefined }; },
        );
      });
  }

  function openFrame(url, request) {
    var overlay = document.createElement("div");
    overlay.setAttribute("data-portone-sandbox", "checkout");
    var dim = !(request.iframe && request.iframe.dim === false);
    Object.assign(overlay.style, {
      position: "fixed", inset: "0", zIndex: "2147483647", display: "flex",
      alignItems: "center", justifyContent: "center",
      background: dim ? "rgba(15, 23, 42, 0.55)" : "transparent",
    });
    var frame = document.createElement("iframe");
    frame.src = url;
    frame.title = "PortOne sandbox checkout";
    frame.name = "portone-sandbox-checkout";
    Object.assign(frame.style, {
      width: isMobile ? "100vw" : "min(440px, 100vw)",
      height: isMobile ? "100vh" : "min(720px, 100vh)",
      border: "0", borderRadius: isMobile ? "0" : "16px", background: "#fff",
      boxShadow: "0 24px 64px rgba(15, 23, 42, 0.35)",
    });
    overlay.appendChild(frame);
    (document.body || document.documentElement).appendChild(overlay);
    return overlay;
  }

  function popupFeatures(request) {
    var width = 440, height = 720;
    var features = "popup=yes,width=" + width + ",height=" + height;
    if (request.popup && request.popup.center) {
      var left = Math.max(0, (screen.width - width) / 2);
      var top = Math.max(0, (screen.height - height) / 2);
      features += ",left=" + left + ",top=" + top;
    }
    return features;
  }

  function waitForResult(session, popup, overlay) {
    return new Promise(function (resolve) {
      var done = false;
      var timer;
      function finish(result) {
        if (done) return;
        done = true;
        window.removeEventListener("message", onMessage);
        clearInterval(timer);
        if (overlay) overlay.remove();
        if (session.forceRedirect && result.redirectTo) {
          location.href = result.redirectTo;
          return;
        }
        resolve(result.response);
      }
      function onMessage(event) {
        var data = event.data;
        if (event.origin !== sandbox || !data || data.type !== "portone-sandbox:result") return;
        if (data.sessionId !== session.sessionId) return;
        finish(data);
      }
      window.addEventListener("message", onMessage);
      if (!popup) return;
      timer = setInterval(function () {
        if (!popup.closed || done) return;
        clearInterval(timer);
        // Closed without a choice: the person cancelled; the sandbox records it as such
        // (or answers the choice made just before closing).
        post("/sandbox/browser/sessions/" + session.sessionId + "/complete", { choice: "close" })
          .then(function (reply) { if (reply.ok) finish(reply.data); });
      }, 200);
    });
  }

  function request(transactionType, input) {
    var errorType = errorTypes[transactionType];
    if (!input || typeof input !== "object") {
      return Promise.reject(sdkError(errorType, transactionType, "BadRequest", "The request must be an object.", {}));
    }
    var ids = idsOf(transactionType, input);
    var windowType = chooseWindowType(input);
    // A popup must open within the click's task, before anything is awaited, or the browser
    // blocks it; it shows the sandbox's window once the request is accepted.
    var popup = windowType === "POPUP" ? window.open("", "portone-sandbox-" + Date.now(), popupFeatures(input)) : null;
    var body = { transactionType: transactionType, request: input, windowType: windowType, openerOrigin: location.origin };
    return post("/sandbox/browser/sessions", body).then(
      function (reply) {
        if (!reply.ok || reply.data.refused) {
          if (popup) popup.close();
          var refused = (reply.data && reply.data.refused) || {};
          throw sdkError(errorType, transactionType, refused.code || "Unknown", refused.message || "The PortOne sandbox could not open a checkout window.", ids);
        }
        var session = reply.data;
        var url = sandbox + session.windowPath;
        if (windowType === "REDIRECTION") {
          location.href = url;
          return new Promise(function () {});
        }
        if (windowType === "POPUP") {
          if (!popup) {
            throw sdkError(errorType, transactionType, "BadRequest", "The browser blocked the popup window; call request* from a click handler.", ids);
          }
          popup.location.href = url;
          return waitForResult(session, popup, null);
        }
        return waitForResult(session, null, openFrame(url, input));
      },
      function (error) {
        if (popup) popup.close();
        throw sdkError(errorType, transactionType, "Unavailable", "The PortOne sandbox at " + sandbox + " did not answer: " + error.message, ids);
      },
    );
  }

  function notEmulated(errorType, transactionType, name) {
    return function () {
      return Promise.reject(sdkError(errorType, transactionType, "Unimplemented",
        "The PortOne sandbox does not emulate " + name + " (PayPal's own buttons); test it against PortOne's test mode.", {}));
    };
  }

  window.PortOne = {
    requestPayment: function (input) { return request("PAYMENT", input); },
    requestIssueBillingKey: function (input) { return request("ISSUE_BILLING_KEY", input); },
    requestIssueBillingKeyAndPay: function (input) { return request("ISSUE_BILLING_KEY_AND_PAY", input); },
    requestIdentityVerification: function (input) { return request("IDENTITY_VERIFICATION", input); },
    loadPaymentUI: notEmulated("LoadPaymentUIError", "PAYMENT", "loadPaymentUI"),
    updateLoadPaymentUIRequest: notEmulated("LoadPaymentUIError", "PAYMENT", "updateLoadPaymentUIRequest"),
    loadIssueBillingKeyUI: notEmulated("LoadIssueBillingKeyUIError", "ISSUE_BILLING_KEY", "loadIssueBillingKeyUI"),
    updateLoadIssueBillingKeyUIRequest: notEmulated("LoadIssueBillingKeyUIError", "ISSUE_BILLING_KEY", "updateLoadIssueBillingKeyUIRequest"),
  };
})();
`;
