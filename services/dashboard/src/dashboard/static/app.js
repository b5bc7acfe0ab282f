// Behaviour every page shares, from a file because the pages' CSP forbids inline handlers:
// <form data-confirm="question"> asks before it is sent; <button data-close-panel="id">
// empties the element with that id (an action panel).
"use strict";
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-close-panel]");
  if (button) document.getElementById(button.dataset.closePanel)?.replaceChildren();
});
