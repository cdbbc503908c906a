// The console's one script (progressive enhancement; the form works without it): the reason-code list shows
// only the codes of the chosen outcome. Loaded from /static (the CSP allows no inline script).
(() => {
  const form = document.getElementById('decision');
  if (!form) return;
  const select = form.querySelector('select[name=reason_code]');
  const sync = () => {
    const chosen = form.querySelector('input[name=outcome]:checked');
    for (const group of select.querySelectorAll('optgroup')) {
      const show = !chosen || group.dataset.outcome === chosen.value;
      group.hidden = !show;
      group.disabled = !show;
    }
    const current = select.selectedOptions[0];
    if (current && current.parentElement.disabled) select.value = '';
  };
  form.addEventListener('change', (e) => {
    if (e.target.name === 'outcome') sync();
  });
  sync();
})();
