// Behaviour every page shares, from a file because the pages' CSP forbids inline handlers:
// <form data-confirm="question"> asks before it is sent; <button data-close-panel="id">
// empties the element with that id (an action panel); <button data-copy="id"> copies the
// text of the input with that id, and says so in its [data-copy-status="id"] element.
"use strict";
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-close-panel]");
  if (button) document.getElementById(button.dataset.closePanel)?.replaceChildren();
});
document.addEventListener("click", async (event) => {
  const button = event.target.closest && event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
  if (!input) return;
  input.focus();
  input.select();
  let said = button.dataset.selected;  // no clipboard (a page not served over https): selected
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(input.value);
      said = button.dataset.copied;
    }
  } catch (_refused) { /* the browser refused: the text stays selected to copy by hand */ }
  if (status) status.textContent = said || "";
});
