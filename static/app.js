// Our own small script, loaded with `defer` (CSP: script-src 'self'). Without it every
// control still works through plain links and forms.

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
