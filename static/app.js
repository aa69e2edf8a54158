// Our own small script, loaded with `defer` (CSP: script-src 'self'). Without it every
// control still works through plain links and forms, and htmx alone through its attributes.

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

// An edit form opened in place (inside a row or card) closes on Cancel or Escape and the
// view it covered shows again; nothing is sent. Opened as a page of its own, Cancel is a
// plain link back to the submission.
function closeEditForm(form) {
  const place = form.parentElement.closest(".editable");
  if (!place) return false;
  form.remove();
  place.querySelector("a.edit")?.focus();
  return true;
}

document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-cancel]");
  if (cancel && closeEditForm(cancel.closest("form"))) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);

document.addEventListener("keydown", (event) => {
  const form = event.target.closest?.(".edit-form");
  if (event.key === "Escape" && form && closeEditForm(form)) event.preventDefault();
});

// After a save from an in-place form, the form is gone: focus goes to its place's Edit
// link, where the visitor was. (A 422 or 409 keeps the form, whose field takes focus.)
let savingFrom = null;
document.addEventListener("submit", (event) => {
  const place = event.target.closest(".edit-form")?.parentElement.closest(".editable");
  if (place) savingFrom = place.id;
}, true);

document.addEventListener("htmx:after:swap", () => {
  if (!savingFrom || document.querySelector(`#${CSS.escape(savingFrom)} .edit-form`)) return;
  document.getElementById(savingFrom)?.querySelector("a.edit")?.focus();
  savingFrom = null;
});

// An Undo offer disappears when its time runs out (the server refuses it after that too).
function expireOffers(root) {
  for (const form of root.querySelectorAll("[data-expires-in]")) {
    const offer = form.closest(".undo") ?? form;
    setTimeout(() => offer.remove(), Number(form.dataset.expiresIn) * 1000);
    form.removeAttribute("data-expires-in");
  }
}
document.addEventListener("DOMContentLoaded", () => expireOffers(document));
document.addEventListener("htmx:after:swap", () => expireOffers(document));

// Live validation swaps only the messages, never the input (the caret stays where it is):
// the input's own state follows them here, so aria-invalid (and with it the error border)
// is true exactly while an error is shown. After an htmx 422 the re-rendered form has lost
// focus: the first invalid field takes it.
document.addEventListener("htmx:after:swap", () => {
  for (const feedback of document.querySelectorAll(".feedback")) {
    const input = document.getElementById(feedback.id.replace(/-feedback$/, ""));
    const error = feedback.querySelector(".field-error");
    if (!input || !error) continue;
    if (error.textContent.trim()) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  const active = document.activeElement;
  if (!active || active === document.body) {
    document.querySelector('form [aria-invalid="true"]')?.focus();
  }
});

// A control that the answer to its own request replaced (a toggle re-drawn in its new state,
// a row moved to its new place) keeps the focus: the new element with the same id takes it.
let focusedId = null;
document.addEventListener("htmx:before:request", () => {
  focusedId = document.activeElement?.id || null;
});
document.addEventListener("htmx:after:swap", () => {
  const active = document.activeElement;
  if (focusedId && (!active || active === document.body)) {
    document.getElementById(focusedId)?.focus();
  }
  focusedId = null;
});

// Times in the visitor's own clock. The server writes each <time> in UTC ("05 Dec 2026,
// 03:17 UTC", or "3 minutes ago" for those marked data-ago, with the date in their title);
// here they are shown in the browser's time zone and locale, and the "ago" ones kept
// current while the page is open (a timer, no request).
(() => {
  "use strict";

  const lang = document.documentElement.lang || undefined;
  const absolute = new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });
  const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: "always" });
  const UNITS = [
    ["day", 86400, 30],
    ["hour", 3600, 24],
    ["minute", 60, 60],
  ];

  // The server's rules (plumbing/humanize.py), in the browser's words and clock.
  function ago(moment) {
    const seconds = Math.floor((Date.now() - moment) / 1000);
    if (seconds < 60) return "just now";
    for (const [unit, size, limit] of UNITS) {
      const count = Math.floor(seconds / size);
      if (count >= 1 && count < limit) return relative.format(-count, unit);
    }
    return day.format(moment);
  }

  function showTimes(root) {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const moment = new Date(time.dateTime);
      if (Number.isNaN(moment.getTime())) continue;
      const text = time.hasAttribute("data-ago") ? ago(moment) : absolute.format(moment);
      if (time.textContent !== text) time.textContent = text;
      if (time.title) time.title = absolute.format(moment);
    }
  }

  document.addEventListener("DOMContentLoaded", () => showTimes(document));
  document.addEventListener("htmx:after:swap", () => showTimes(document));
  setInterval(() => showTimes(document), 30_000);
})();

// Other tabs of this browser stay in step. After a write succeeds here (any POST the app
// answered with a success: submit, edit, delete, undo, pin), the other open tabs are told
// on a BroadcastChannel, and each asks the server again for the regions it shows: the
// recent list, the log's results, a result card. A region holding an open edit form, or the
// focus, is left alone, so nothing the visitor is doing there is disturbed. No timer, no
// polling: a tab asks only when told.
(() => {
  "use strict";
  if (!("BroadcastChannel" in window) || !window.htmx) return;
  const channel = new BroadcastChannel("submissions");

  document.addEventListener("htmx:after:request", (event) => {
    const { request, response } = event.detail.ctx;
    const wrote = request?.method?.toUpperCase() === "POST";
    if (wrote && response?.status < 300 && response.headers.has("X-Answered-By")) {
      channel.postMessage("changed");
    }
  });

  function busy(region) {
    return region.querySelector(".edit-form") || region.contains(document.activeElement);
  }

  function refresh(path, region, swap) {
    if (region && !busy(region)) htmx.ajax("GET", path, { target: region, swap });
  }

  channel.addEventListener("message", () => {
    refresh("/", document.getElementById("recent"), "outerHTML");
    const here = new URLSearchParams(location.search);
    if (location.pathname.endsWith("/submissions") && !here.has("cursor")) {
      refresh(location.pathname + location.search, document.getElementById("results"), "innerHTML");
    }
    for (const card of document.querySelectorAll("article.result[id^='result-']")) {
      refresh(card.querySelector("a.edit").pathname.replace(/\/edit$/, ""), card, "outerHTML");
    }
  });
})();
