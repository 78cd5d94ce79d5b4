// The small "label value" lines in panel headers, built from text nodes (never from HTML strings).

/**
 * Replaces the content of `element` with `parts`, each `[before, value, after]`, the value in
 * bold, separated by middle dots.
 */
export const setFigures = (element, parts) => {
  const nodes = parts.flatMap(([before, value, after = ''], index) => {
    const strong = document.createElement('strong');
    strong.textContent = value;
    return [...(index > 0 ? [' · '] : []), before, strong, after];
  });
  element.replaceChildren(...nodes);
};

/** Shows the panel's "no data yet" note over its chart when `empty`. */
export const setEmpty = (canvas, empty) => {
  const note = canvas.parentElement?.querySelector('.empty');
  if (note) note.hidden = !empty;
  canvas.style.visibility = empty ? 'hidden' : 'visible';
};
