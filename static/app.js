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
