// Progressive enhancement of the help-center forms (see forms/src/render.rs).
// Without this script the forms post normally and the server answers with a page.
(function () {
  'use strict';

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function isoDate(d) {
    var m = String(d.getMonth() + 1).padStart(2, '0');
    return d.getFullYear() + '-' + m + '-' + String(d.getDate()).padStart(2, '0');
  }

  function fullMatch(pattern, value) {
    var re;
    try { re = new RegExp('^(?:' + pattern + ')$', 'v'); } catch (e) { re = new RegExp('^(?:' + pattern + ')$', 'u'); }
    return re.test(value);
  }

  // "1.234,56", "1234,56" and "1234.56" are the same amount (see forms/src/amount.rs).
  function parseAmount(text) {
    var grouped = /^[1-9][0-9]{0,2}(\.[0-9]{3})+(,[0-9]{1,2})?$/.test(text);
    return Number(grouped ? text.replace(/\./g, '').replace(',', '.') : text.replace(',', '.'));
  }

  // Recognises receipts by their first bytes, like the server (forms/src/receipt.rs).
  function sniff(bytes) {
    function at(offset, text) {
      for (var i = 0; i < text.length; i++) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
      return true;
    }
    if (at(0, '\x89PNG\r\n\x1a\n')) return 'png';
    if (at(0, '\xff\xd8\xff')) return 'jpeg';
    if (at(0, 'RIFF') && at(8, 'WEBP')) return 'webp';
    if (at(0, '%PDF-')) return 'pdf';
    return '';
  }

  function checkFileType(control) {
    var file = control.files && control.files[0];
    delete control.dataset.tipo;
    if (!file || !file.slice) return Promise.resolve();
    control.pendingType = file.slice(0, 12).arrayBuffer().then(function (buffer) {
      control.dataset.tipo = sniff(new Uint8Array(buffer));
    });
    return control.pendingType;
  }

  function showError(control, message) {
    var box = document.getElementById(control.id + '-error');
    if (!box) return;
    box.textContent = message || '';
    box.hidden = !message;
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }

  // The same rules the HTML attributes state, with the field's own Spanish messages.
  function problem(control) {
    if (control.disabled || control.type === 'hidden') return '';
    var missing = control.dataset.mensajeFalta, invalid = control.dataset.mensajeInvalido;
    if (control.type === 'file') {
      var file = control.files && control.files[0];
      if (!file) return control.required ? missing : '';
      if (file.size === 0) return 'El archivo está vacío. Adjunte el comprobante de nuevo.';
      if (file.size > Number(control.dataset.bytesMaximos)) {
        return 'El archivo pesa más de ' + Math.floor(Number(control.dataset.bytesMaximos) / 1048576) +
          ' MB. Adjunte una imagen o un PDF más liviano.';
      }
      if (control.dataset.tipo === '') return 'El archivo no es una imagen PNG, JPEG o WebP ni un PDF.';
      return '';
    }
    if (control.type === 'checkbox') return control.required && !control.checked ? missing : '';
    var value = control.value.trim();
    if (!value) return control.required || control.validity.valueMissing ? missing : '';
    if (control.validity.badInput) return invalid;
    var len = value.length;
    if (control.maxLength > 0 && len > control.maxLength) return invalid;
    if (control.minLength > 0 && len < control.minLength) return invalid;
    var pattern = control.dataset.patron || control.getAttribute('pattern');
    if (pattern && !fullMatch(pattern, control.tagName === 'TEXTAREA' ? value.replace(/\r\n/g, '\n') : value)) return invalid;
    if (control.type === 'date' && ((control.max && value > control.max) || (control.min && value < control.min))) return invalid;
    if (control.type === 'email' && control.validity.typeMismatch) return invalid;
    if (control.dataset.montoMaximo && parseAmount(value) > Number(control.dataset.montoMaximo)) {
      return 'El monto no puede superar ' + Number(control.dataset.montoMaximo).toLocaleString('es-ES', { minimumFractionDigits: 2 }) + '.';
    }
    return '';
  }

  function controls(form) {
    return Array.prototype.filter.call(form.elements, function (c) {
      return c.name && c.id && c.dataset.mensajeFalta !== undefined;
    });
  }

  function updateConditions(form) {
    form.querySelectorAll('.campo[data-si-campo]').forEach(function (box) {
      var trigger = form.elements[box.dataset.siCampo];
      var wanted = box.dataset.siValores.split(' ');
      var current = trigger.type === 'checkbox' ? (trigger.checked ? trigger.value : '') : trigger.value;
      var applies = wanted.indexOf(current) !== -1;
      box.hidden = !applies;
      box.querySelectorAll('input, select, textarea').forEach(function (c) {
        c.disabled = !applies;
        c.required = applies;
        if (!applies) showError(c, '');
      });
    });
  }

  function setDateLimits(form) {
    form.querySelectorAll('input[type=date][data-dias-maximos]').forEach(function (c) {
      var today = new Date();
      var oldest = new Date(today.getFullYear(), today.getMonth(), today.getDate() - Number(c.dataset.diasMaximos));
      c.max = isoDate(today);
      c.min = isoDate(oldest);
    });
  }

  function showSummary(form, count) {
    var summary = form.querySelector('.formulario-resumen');
    summary.textContent = count === 1
      ? 'Hay 1 campo por corregir. Revise el mensaje junto al campo.'
      : 'Hay ' + count + ' campos por corregir. Revise los mensajes junto a cada campo.';
    summary.hidden = false;
  }

  function showServerErrors(form, fields) {
    var first = null, count = 0;
    Object.keys(fields).forEach(function (name) {
      var control = form.elements[name];
      if (control && control.id) {
        showError(control, fields[name]);
        count++;
        if (!first) first = control;
      }
    });
    if (count) showSummary(form, count);
    if (first) first.focus();
  }

  function showResult(form, html) {
    var result = form.querySelector('.formulario-resultado');
    result.innerHTML = '';
    result.appendChild(html);
    result.hidden = false;
  }

  function message(text) {
    var p = document.createElement('p');
    p.textContent = text;
    return p;
  }

  function received(form, answer) {
    var box = document.createDocumentFragment();
    var title = document.createElement('p');
    title.className = 'resultado-titulo';
    title.textContent = answer.mensaje + ' Su número de ticket es ';
    var number = document.createElement('strong');
    number.className = 'numero-ticket';
    number.textContent = answer.numero;
    title.appendChild(number);
    title.appendChild(document.createTextNode('.'));
    box.appendChild(title);
    box.appendChild(message('Guarde este número y el enlace: los necesitará para consultar el estado.'));
    var link = document.createElement('a');
    link.href = answer.enlace;
    link.className = 'enlace-estado';
    link.textContent = 'Consultar el estado del ticket ' + answer.numero;
    var p = document.createElement('p');
    p.appendChild(link);
    box.appendChild(p);
    form.querySelectorAll('.campo, .formulario-acciones, .formulario-nota').forEach(function (e) { e.hidden = true; });
    showResult(form, box);
    form.querySelector('.formulario-resultado').focus();
  }

  // The box for a field's message, described by its control. Without this
  // script there are no inline messages, so the HTML has no empty boxes.
  function addErrorBox(control) {
    var box = document.createElement('p');
    box.className = 'error-campo';
    box.id = control.id + '-error';
    box.hidden = true;
    control.closest('.campo').appendChild(box);
    var described = control.getAttribute('aria-describedby');
    control.setAttribute('aria-describedby', described ? described + ' ' + box.id : box.id);
  }

  function enhance(form) {
    form.noValidate = true;
    controls(form).forEach(addErrorBox);
    form.elements.idempotencia.value = newKey();
    var button = form.querySelector('button[type=submit]');
    setDateLimits(form);
    updateConditions(form);
    form.addEventListener('change', function (event) {
      var control = event.target;
      updateConditions(form);
      var checked = control.type === 'file' ? checkFileType(control) : Promise.resolve();
      checked.then(function () { if (control.id) showError(control, problem(control)); });
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (button.disabled) return; // a second click while the first is on its way
      button.disabled = true;
      var pending = Array.prototype.map.call(form.querySelectorAll('input[type=file]'), function (c) {
        return c.pendingType || Promise.resolve();
      });
      Promise.all(pending).then(function () { button.disabled = false; submit(); });
    });

    function submit() {
      setDateLimits(form);
      form.querySelector('.formulario-resumen').hidden = true;
      var first = null, count = 0;
      controls(form).forEach(function (c) {
        var text = problem(c);
        showError(c, text);
        if (text) { count++; if (!first) first = c; }
      });
      if (first) { showSummary(form, count); first.focus(); return; }
      // Time since the page began loading, not since this script ran: on a
      // slow phone people start typing before deferred scripts execute.
      form.elements.tiempo_de_llenado.value = String(Math.round(performance.now()));
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      var data = new FormData(form);
      fetch(form.action, { method: 'POST', body: data, headers: { Accept: 'application/json' } })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            return { status: response.status, body: body };
          });
        })
        .then(function (answer) {
          if (answer.status === 201 || answer.status === 200) {
            received(form, answer.body);
            return;
          }
          button.disabled = false;
          button.removeAttribute('aria-busy');
          if (answer.status === 422 && answer.body.campos) {
            showServerErrors(form, answer.body.campos);
          } else {
            showResult(form, message(answer.body.error ||
              'No pudimos recibir el formulario. Inténtelo de nuevo en unos minutos.'));
          }
        })
        .catch(function () {
          button.disabled = false;
          button.removeAttribute('aria-busy');
          showResult(form, message('No hay conexión con el servidor. Revise su conexión e inténtelo de nuevo; ' +
            'si lo reenvía, no se creará un ticket duplicado.'));
        });
    }
  }

  document.querySelectorAll('form[data-formulario]').forEach(enhance);
})();
