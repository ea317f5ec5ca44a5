/* GMV Backend: the page glue. No inline JS anywhere (CSP default-src 'self'), so behaviour hangs off
 * data attributes here:
 *   - every htmx request carries the CSRF token from <meta name="csrf-token"> as X-CSRFToken;
 *   - data-confirm="Question?" on a form, button or link asks before it submits/navigates/fires htmx;
 *   - data-copy="#selector" on a button copies that input's value to the clipboard.
 */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // Capture phase: runs before htmx's own listeners on the element, so a "Cancel" stops both.
  function guard(event, element) {
    var question = element && element.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  document.addEventListener("submit", function (event) {
    guard(event, event.target.closest("form[data-confirm]"));
  }, true);

  document.addEventListener("click", function (event) {
    var element = event.target.closest("a[data-confirm], button[data-confirm], [hx-post][data-confirm]");
    if (element && !(element.tagName === "BUTTON" && element.form && element.form.hasAttribute("data-confirm"))) {
      guard(event, element);
    }

    var copyButton = event.target.closest("[data-copy]");
    if (copyButton) {
      var source = document.querySelector(copyButton.getAttribute("data-copy"));
      if (!source) { return; }
      source.select();
      var done = function () {
        var label = copyButton.textContent;
        copyButton.textContent = "Copied";
        window.setTimeout(function () { copyButton.textContent = label; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  }, true);
})();
