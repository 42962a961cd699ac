// Mejoras progresivas: todo funciona sin este archivo.
(() => {
  'use strict';

  const cada = (selector, accion, raiz = document) => raiz.querySelectorAll(selector).forEach(accion);

  // «Imprimir este artículo»: el botón solo aparece si hay JavaScript.
  cada('[data-imprimir]', boton => {
    boton.hidden = false;
    boton.onclick = () => print();
  });

  // «¿Fue útil la respuesta?»: envía el voto sin salir de la página.
  cada('form[data-voto]', form => {
    const estado = form.parentNode.querySelector('.estado-voto');
    const botones = apagados => cada('button', b => { b.disabled = apagados; }, form);
    form.onsubmit = evento => {
      evento.preventDefault();
      // The button pressed is the vote; read it before disabling the buttons.
      const body = new URLSearchParams(new FormData(form, evento.submitter));
      botones(true);
      fetch(form.action, { method: 'POST', body, headers: { Accept: 'application/json' } })
        .then(respuesta => {
          if (!respuesta.ok) throw new Error(respuesta.status);
          form.remove();
          estado.textContent = '¡Gracias por su opinión!';
          estado.focus();
        })
        .catch(() => {
          botones(false);
          estado.textContent = 'No pudimos registrar su opinión. Intente de nuevo en unos minutos.';
        });
    };
  });

  // Buscador: oculto sin JavaScript. Su código (busqueda.js, que pide sus
  // estilos y el índice) se carga al empezar a usarlo, no con la página.
  let busquedaPedida = false;
  cada('form[data-busqueda]', form => {
    const entrada = form.querySelector('input[type=search]');
    const zona = form.querySelector('.resultados-busqueda');
    const estado = form.querySelector('.estado-busqueda');
    const cargar = () => {
      if (busquedaPedida) return;
      busquedaPedida = true;
      const codigo = document.createElement('script');
      codigo.src = form.dataset.codigo;
      codigo.onerror = () => {
        // Se reintenta al volver a enfocar la caja o escribir.
        busquedaPedida = false;
        codigo.remove();
        zona.classList.remove('cerrada');
        estado.textContent = 'No se pudo cargar la búsqueda. Elija una sección del menú o inténtelo de nuevo.';
      };
      document.head.append(codigo);
    };
    entrada.onfocus = entrada.oninput = cargar;
    // Intro antes de que llegue busqueda.js no recarga la página.
    form.onsubmit = evento => {
      evento.preventDefault();
      cargar();
    };
    form.hidden = false;
  });
})();
