// Progressive enhancement of the help-center forms (see forms/src/render.rs).
// Without this script the forms post normally and the server answers with a page.
(() => {
  'use strict';

  const each = (root, selector, action) => root.querySelectorAll(selector).forEach(action);

  // Local date as YYYY-MM-DD (the Swedish locale writes dates in ISO order).
  const isoDate = date => date.toLocaleDateString('sv-SE');

  const fullMatch = (pattern, value) => {
    let re;
    try { re = new RegExp(`^(?:${pattern})$`, 'v'); } catch { re = new RegExp(`^(?:${pattern})$`, 'u'); }
    return re.test(value);
  };

  // "1.234,56", "1234,56" and "1234.56" are the same amount (see forms/src/amount.rs).
  const parseAmount = text => Number(
    (/^[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]{1,2})?$/.test(text) ? text.replace(/\./g, '') : text).replace(',', '.'));

  const showError = (control, message) => {
    const box = document.getElementById(`${control.id}-error`);
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  };

  // The same rules the HTML attributes state, with the field's own Spanish messages.
  const problem = control => {
    const { falta: missing = '', invalido: invalid, bytesMaximos, patron, montoMaximo } = control.dataset;
    if (control.disabled) return '';
    if (control.type === 'file') {
      const file = control.files?.[0];
      if (!file) return control.required ? missing : '';
      if (!file.size) return 'El archivo está vacío. Adjunte el comprobante de nuevo.';
      // The type is checked by the server, from the file's first bytes.
      return file.size > bytesMaximos
        ? `El archivo pesa más de ${Math.floor(bytesMaximos / 1048576)} MB. Adjunte una imagen o un PDF más liviano.`
        : '';
    }
    if (control.type === 'checkbox') return control.required && !control.checked ? missing : '';
    const value = control.value.trim();
    if (!value) return control.required || control.validity.valueMissing ? missing : '';
    const pattern = patron || control.getAttribute('pattern');
    if (control.validity.badInput || control.validity.typeMismatch ||
      (control.maxLength > 0 && value.length > control.maxLength) ||
      value.length < control.minLength ||
      (pattern && !fullMatch(pattern, value.replace(/\r\n/g, '\n'))) ||
      (control.max && value > control.max) || (control.min && value < control.min)) return invalid;
    if (montoMaximo && parseAmount(value) > montoMaximo) {
      return `El monto no puede superar ${Number(montoMaximo).toLocaleString('es-ES', { minimumFractionDigits: 2 })}.`;
    }
    return '';
  };

  // The visible fields; not the honeypot, the hidden inputs or the button.
  const validated = control => control.closest('.campo') !== null;
  const controls = form => [...form.elements].filter(validated);

  const updateConditions = form => each(form, '[data-si-campo]', box => {
    const trigger = form.elements[box.dataset.siCampo];
    const current = trigger.type === 'checkbox' ? (trigger.checked ? trigger.value : '') : trigger.value;
    const applies = box.dataset.siValores.split(' ').includes(current);
    box.hidden = !applies;
    each(box, 'input,select,textarea', c => {
      c.disabled = !applies;
      c.required = applies;
      if (!applies) showError(c, '');
    });
  });

  const setDateLimits = form => each(form, 'input[data-dias-maximos]', c => {
    const today = new Date();
    c.max = isoDate(today);
    c.min = isoDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - c.dataset.diasMaximos));
  });

  // Shows each message beside its field, then the count, and moves the focus to the first one.
  const showErrors = (form, messages) => {
    const wrong = messages.filter(([control, text]) => (showError(control, text), text));
    if (!wrong.length) return false;
    const summary = form.querySelector('.formulario-resumen');
    summary.textContent = wrong.length === 1
      ? 'Hay 1 campo por corregir. Revise el mensaje junto al campo.'
      : `Hay ${wrong.length} campos por corregir. Revise los mensajes junto a cada campo.`;
    summary.hidden = false;
    wrong[0][0].focus();
    return true;
  };

  const paragraph = (...children) => {
    const p = document.createElement('p');
    p.append(...children);
    return p;
  };

  const showResult = (form, ...paragraphs) => {
    const result = form.querySelector('.formulario-resultado');
    result.replaceChildren(...paragraphs);
    result.hidden = false;
    return result;
  };

  const received = (form, answer) => {
    const number = document.createElement('strong');
    number.className = 'numero-ticket';
    number.textContent = answer.numero;
    const title = paragraph(`${answer.mensaje} Su número de ticket es `, number, '.');
    title.className = 'resultado-titulo';
    const link = document.createElement('a');
    link.href = answer.enlace;
    link.className = 'enlace-estado';
    link.textContent = `Consultar el estado del ticket ${answer.numero}`;
    each(form, '.campo,.formulario-acciones,.formulario-nota', e => { e.hidden = true; });
    showResult(form, title,
      paragraph('Guarde este número y el enlace: los necesitará para consultar el estado.'),
      paragraph(link)).focus();
  };

  // The box for a field's message, described by its control. Without this
  // script there are no inline messages, so the HTML has no empty boxes.
  const addErrorBox = control => {
    const box = paragraph();
    box.className = 'error-campo';
    box.id = `${control.id}-error`;
    box.hidden = true;
    control.closest('.campo').append(box);
    const described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? `${described} ${box.id}` : box.id);
  };

  const enhance = form => {
    const button = form.querySelector('[type=submit]');
    const busy = on => {
      button.disabled = on;
      button.toggleAttribute('aria-busy', on);
    };
    form.noValidate = true;
    controls(form).forEach(addErrorBox);
    // crypto.randomUUID exists on secure origins only; without a key the
    // server recognises a resubmission by the hash of its content.
    form.elements.idempotencia.value = crypto.randomUUID?.() ?? '';
    setDateLimits(form);
    updateConditions(form);
    form.addEventListener('change', ({ target: control }) => {
      updateConditions(form);
      if (validated(control)) showError(control, problem(control));
    });

    const submit = () => {
      setDateLimits(form);
      form.querySelector('.formulario-resumen').hidden = true;
      if (showErrors(form, controls(form).map(c => [c, problem(c)]))) return;
      // Time since the page began loading, not since this script ran: on a
      // slow phone people start typing before deferred scripts execute.
      form.elements.tiempo_de_llenado.value = Math.round(performance.now());
      busy(true);
      fetch(form.action, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' } })
        .then(response => response.json().catch(() => ({})).then(body => {
          if (response.status === 201 || response.status === 200) return received(form, body);
          busy(false);
          if (response.status !== 422 || !body.campos ||
            !showErrors(form, Object.entries(body.campos).map(([name, text]) => [form.elements[name], text])
              .filter(([control]) => control?.id))) {
            showResult(form, paragraph(body.error || 'No pudimos recibir el formulario. Inténtelo de nuevo en unos minutos.'));
          }
        }))
        .catch(() => {
          busy(false);
          showResult(form, paragraph('No hay conexión con el servidor. Revise su conexión e inténtelo de nuevo; ' +
            'si lo reenvía, no se creará un ticket duplicado.'));
        });
    };

    form.addEventListener('submit', event => {
      event.preventDefault();
      if (!button.disabled) submit(); // else a second click while the first is on its way
    });
  };

  each(document, 'form[data-formulario]', enhance);
})();
