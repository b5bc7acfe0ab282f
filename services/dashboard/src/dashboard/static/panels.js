// An action panel's Close button (data-close-panel="<panel id>") empties its panel: a listener
// here, not an onclick attribute, which the pages' Content-Security-Policy refuses to run.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-close-panel]");
  if (button) document.getElementById(button.dataset.closePanel)?.replaceChildren();
});
