// Mejoras progresivas: todo funciona sin este archivo.
(function () {
  'use strict';

  // «Imprimir este artículo»: el botón solo aparece si hay JavaScript.
  document.querySelectorAll('[data-imprimir]').forEach(function (boton) {
    boton.hidden = false;
    boton.addEventListener('click', function () {
      window.print();
    });
  });

  // «¿Fue útil la respuesta?»: envía el voto sin salir de la página.
  document.querySelectorAll('form[data-voto]').forEach(function (form) {
    var estado = form.parentNode.querySelector('.estado-voto');
    form.addEventListener('submit', function (evento) {
      evento.preventDefault();
      var datos = new URLSearchParams(new FormData(form));
      if (evento.submitter && evento.submitter.name) {
        datos.set(evento.submitter.name, evento.submitter.value);
      }
      form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
      fetch(form.action, { method: 'POST', body: datos, headers: { Accept: 'application/json' } })
        .then(function (respuesta) {
          if (!respuesta.ok) { throw new Error(String(respuesta.status)); }
          form.remove();
          estado.textContent = '¡Gracias por su opinión!';
          estado.focus();
        })
        .catch(function () {
          form.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
          estado.textContent = 'No pudimos registrar su opinión. Intente de nuevo en unos minutos.';
        });
    });
  });

  // Buscador: oculto sin JavaScript. Su código (busqueda.js, que pide sus
  // estilos y el índice) se carga al empezar a usarlo, no con la página.
  var busquedaPedida = false;
  document.querySelectorAll('form[data-busqueda]').forEach(function (form) {
    var entrada = form.querySelector('input[type="search"]');
    var zona = form.querySelector('.resultados-busqueda');
    var estado = form.querySelector('.estado-busqueda');
    if (!entrada || !zona || !estado) { return; }
    function cargar() {
      if (busquedaPedida) { return; }
      busquedaPedida = true;
      var codigo = document.createElement('script');
      codigo.src = form.getAttribute('data-codigo');
      codigo.addEventListener('error', function () {
        // Se reintenta al volver a enfocar la caja o escribir.
        busquedaPedida = false;
        codigo.remove();
        zona.classList.remove('cerrada');
        estado.textContent = 'No se pudo cargar la búsqueda. Elija una sección del menú o inténtelo de nuevo.';
      });
      document.head.append(codigo);
    }
    entrada.addEventListener('focus', cargar);
    entrada.addEventListener('input', cargar);
    // Intro antes de que llegue busqueda.js no recarga la página.
    form.addEventListener('submit', function (evento) {
      evento.preventDefault();
      cargar();
    });
    form.hidden = false;
  });
})();
