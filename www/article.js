// The article's captions name the variant their figure shows, in a `data-variant` span: when a
// reader switches the figure's variant, the caption follows it instead of going stale.
for (const figure of document.querySelectorAll('figure')) {
  const widget = figure.querySelector('gan-playground');
  const names = figure.querySelectorAll('figcaption [data-variant]');
  if (!widget || !names.length) continue;
  widget.addEventListener('gan-config', () => {
    const title = /** @type {HTMLSelectElement} */ (widget.shadowRoot?.querySelector('[data-role="variant"]'))?.selectedOptions[0]?.text;
    if (title) for (const name of names) name.textContent = title;
  });
}
