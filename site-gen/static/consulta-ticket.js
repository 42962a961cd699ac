// «Consultar ticket» (solo en /consultar-ticket/): muestra el estado en la
// misma página. Sin este archivo el formulario consulta a la API y la
// respuesta es una página.
(function () {
  'use strict';

  var consulta = document.querySelector('form[data-consulta-ticket]');
  if (!consulta) { return; }
  var resultado = document.getElementById('resultado-ticket');
  var api = consulta.getAttribute('data-api');

  function mostrarMensaje(texto) {
    var p = document.createElement('p');
    p.className = 'mensaje-error';
    p.textContent = texto;
    resultado.replaceChildren(p);
  }

  function mostrarTicket(ticket) {
    var titulo = document.createElement('h2');
    titulo.textContent = 'Ticket ' + ticket.numero;
    var lista = document.createElement('dl');
    [['Estado', ticket.estado], ['Fecha', ticket.fecha], ['Resumen', ticket.resumen], ['Mensaje', ticket.mensaje]]
      .forEach(function (par) {
        if (par[1] === undefined || par[1] === null || par[1] === '') { return; }
        var dt = document.createElement('dt');
        dt.textContent = par[0];
        var dd = document.createElement('dd');
        dd.textContent = String(par[1]);
        lista.append(dt, dd);
      });
    resultado.replaceChildren(titulo, lista);
  }

  function consultar(numero, clave) {
    resultado.replaceChildren();
    resultado.setAttribute('aria-busy', 'true');
    var url = api + '/tickets/' + encodeURIComponent(numero) + '?clave=' + encodeURIComponent(clave);
    fetch(url, { headers: { Accept: 'application/json' } })
      .then(function (respuesta) {
        if (respuesta.status === 404) {
          mostrarMensaje('No encontramos un ticket con ese número y clave.');
          return null;
        }
        if (!respuesta.ok) { throw new Error(String(respuesta.status)); }
        return respuesta.json().then(mostrarTicket);
      })
      .catch(function () {
        mostrarMensaje('No pudimos consultar el ticket. Intente de nuevo en unos minutos.');
      })
      .finally(function () {
        resultado.removeAttribute('aria-busy');
      });
  }

  consulta.addEventListener('submit', function (evento) {
    evento.preventDefault();
    var numero = consulta.elements.numero.value.trim();
    var clave = consulta.elements.clave.value.trim();
    var parametros = new URLSearchParams({ numero: numero, clave: clave });
    window.history.replaceState(null, '', '?' + parametros.toString());
    consultar(numero, clave);
  });

  var inicial = new URLSearchParams(window.location.search);
  if (inicial.get('numero') && inicial.get('clave')) {
    consulta.elements.numero.value = inicial.get('numero');
    consulta.elements.clave.value = inicial.get('clave');
    consultar(inicial.get('numero'), inicial.get('clave'));
  }
})();
