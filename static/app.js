// Requests that fail, told in the status region; nothing else on the page changes.
//
// When an htmx request fails, htmx 4 leaves the page as it was: the text stays in its field,
// and the button it disabled (hx-disable) is enabled again once the request ends. A repeated
// submit sends the same form, so the same request_id, and is stored once. What htmx does not
// do is say what happened, and it would swap any answer into the page, a proxy's error page
// included. This script does both.
//
// Ours or foreign: every response of the app carries `X-Answered-By: app`
// (support/transport.py). An error status (4xx or 5xx) without it was made by something
// between the browser and the app, such as a proxy's 502 or 504 page: it is never swapped
// in. Our own errors (422, 404, 503, ...) carry the header and are swapped as the server
// says. A success without the header is swapped too: proxies pass successes through.
(() => {
  "use strict";

  const OURS = "X-Answered-By";
  let failed = null; // the element whose request failed last, and the message about it

  function tell(ctx, text) {
    const region = document.getElementById("status");
    if (!region) return;
    const message = document.createElement("p");
    message.className = "flash failure";
    message.textContent = text;
    region.replaceChildren(message);
    failed = { source: ctx.sourceElement, message };
  }

  // An answer arrived but not from the app: cancelling this event makes htmx swap nothing
  // and end the request (indicators hidden, buttons enabled).
  document.addEventListener("htmx:before:response", (event) => {
    const { status, headers } = event.detail.ctx.response;
    if (status >= 400 && !headers.has(OURS)) {
      event.preventDefault();
      const text = `The site could not answer just now (error ${status}).`;
      tell(event.detail.ctx, `${text} Please try again in a moment.`);
    }
  });

  // No answer at all: the network is down, or the request timed out (htmx aborts it after
  // htmx.config.defaultTimeout with the reason "timeout").
  document.addEventListener("htmx:error", (event) => {
    const ctx = event.detail.ctx;
    if (!ctx || ctx.text !== undefined) return; // not a request whose answer went missing
    tell(
      ctx,
      ctx.request.signal?.reason === "timeout"
        ? "The site took too long to answer. Please try again."
        : "Could not reach the site. Check your connection, then try again.",
    );
  });

  // Once what failed works again, its failure is no longer news. (Only that: a live
  // validation answering while a submit failed says nothing about the submit.)
  document.addEventListener("htmx:after:request", (event) => {
    const { sourceElement, response } = event.detail.ctx;
    if (failed?.source === sourceElement && response?.headers.has(OURS)) {
      failed.message.remove();
      failed = null;
    }
  });
})();
