// Búsqueda sin servidor sobre busqueda.<hash>.json (site-gen, src/search/).
// La normalización es la MISMA que en src/search/normalize.rs: ambas se
// prueban con tests/fixtures/normalizacion.json. Sin JavaScript el buscador
// queda oculto; con él, app.js lo muestra y carga este archivo cuando se
// empieza a usar. Las funciones puras van en globalThis.BusquedaAyuda (Node).
(function (global) {
  'use strict';

  // --- Normalización (igual que src/search/normalize.rs) -----------------

  var PARADAS = [
    'a', 'al', 'algo', 'alli', 'ante', 'antes', 'aqui', 'asi', 'aunque', 'bien', 'cada', 'como',
    'con', 'cual', 'cuales', 'cuando', 'de', 'del', 'desde', 'despues', 'donde', 'durante', 'e',
    'el', 'ella', 'ellas', 'ellos', 'en', 'entre', 'era', 'es', 'esa', 'esas', 'ese', 'eso', 'esos',
    'esta', 'estan', 'estas', 'este', 'esto', 'estos', 'fue', 'ha', 'habia', 'hace', 'han', 'hasta',
    'hay', 'la', 'las', 'le', 'les', 'lo', 'los', 'mas', 'me', 'menos', 'mi', 'mis', 'mismo', 'muy',
    'ni', 'no', 'nos', 'o', 'otra', 'otras', 'otro', 'otros', 'para', 'pero', 'por', 'porque',
    'puede', 'que', 'se', 'segun', 'ser', 'si', 'sido', 'siempre', 'sin', 'sobre', 'solo', 'son',
    'su', 'sus', 'tambien', 'tan', 'tanto', 'te', 'tiene', 'todo', 'todos', 'tu', 'tus', 'u', 'un',
    'una', 'unas', 'uno', 'unos', 'usted', 'ustedes', 'vez', 'ya', 'yo',
  ];
  var esParada = Object.create(null);
  PARADAS.forEach(function (p) { esParada[p] = true; });

  var PLIEGUES = {
    'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a',
    'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e',
    'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i',
    'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o',
    'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u',
    'ý': 'y', 'ÿ': 'y', 'ç': 'c',
  };
  var LETRA = /^[\p{Alphabetic}\p{N}\u0300-\u036f]$/u;
  var UNION = /^[-\u2010\u2011]$/;
  var VOCAL = /[aeiou]$/;

  /** Minúsculas y sin acentos; la ñ se queda (año no es ano). */
  function plegar(texto) {
    var salida = '';
    for (var c of String(texto).toLowerCase()) {
      if (PLIEGUES[c]) {
        salida += PLIEGUES[c];
      } else if (c >= '\u0300' && c <= '\u036f') {
        // Marca combinante: n + tilde es ñ; las demás se quitan.
        if (c === '\u0303' && salida.endsWith('n')) { salida = salida.slice(0, -1) + 'ñ'; }
      } else {
        salida += c;
      }
    }
    return salida;
  }

  /** Palabras como listas de partes: sub-cuentas → [sub, cuentas]. */
  function palabras(texto) {
    var chars = Array.from(texto);
    var resultado = [];
    var partes = [];
    var actual = '';
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (LETRA.test(c)) { actual += c; continue; }
      var anteriorEsLetra = actual !== '';
      if (actual) { partes.push(actual); actual = ''; }
      var une = UNION.test(c) && anteriorEsLetra && i + 1 < chars.length && LETRA.test(chars[i + 1]);
      if (!une && partes.length) { resultado.push(partes); partes = []; }
    }
    if (actual) { partes.push(actual); }
    if (partes.length) { resultado.push(partes); }
    return resultado;
  }

  /** Partes plegadas y, con guiones, la forma unida; de dos letras o más. */
  function candidatos(texto) {
    var lista = [];
    palabras(String(texto).toLowerCase()).forEach(function (partes) {
      var plegadas = partes.map(plegar).filter(function (p) { return p !== ''; });
      if (plegadas.length > 1) { plegadas.push(plegadas.join('')); }
      plegadas.forEach(function (c) { if (largo(c) >= 2) { lista.push(c); } });
    });
    return lista;
  }

  function largo(palabra) { return Array.from(palabra).length; }

  function vocalFinal(palabra) {
    return largo(palabra) >= 4 && /[aoe]$/.test(palabra) ? palabra.slice(0, -1) : palabra;
  }

  var SUFIJOS = ['arse', 'erse', 'irse', 'ado', 'ada', 'ido', 'ida', 'ar', 'er', 'ir'];

  /** Raíz ligera: las reglas de stem() en Rust. */
  function raiz(palabra) {
    var n = largo(palabra);
    if (n < 4) { return palabra; }
    if (palabra.endsWith('ciones') || palabra.endsWith('siones')) { return palabra.slice(0, -2); }
    if (palabra.endsWith('cion') || palabra.endsWith('sion')) { return palabra; }
    if (palabra.endsWith('mente') && n - 5 >= 4) { return raiz(palabra.slice(0, -5)); }
    if (n >= 5 && palabra.endsWith('es') && !VOCAL.test(palabra.slice(0, -2))) {
      palabra = palabra.slice(0, -2);
    } else if (palabra.endsWith('s')) {
      palabra = palabra.slice(0, -1);
    }
    for (var i = 0; i < SUFIJOS.length; i++) {
      var sufijo = SUFIJOS[i];
      if (palabra.endsWith(sufijo) && largo(palabra) - sufijo.length >= 3) {
        return palabra.slice(0, -sufijo.length);
      }
    }
    return vocalFinal(palabra);
  }

  /** Como terms() en Rust. */
  function terminos(texto) {
    return candidatos(texto).filter(function (c) { return !esParada[c]; }).map(raiz);
  }

  // --- Consulta ----------------------------------------------------------

  /**
   * [{t, prefijo}]: la última palabra, sin espacio detrás, es un prefijo.
   * Si solo hay palabras vacías, la última va tal cual («su» → subcuenta).
   */
  function analizarConsulta(texto) {
    var partes = /^([\s\S]*?)(\S*)$/.exec(String(texto));
    var cabeza = partes[1];
    var ultima = partes[2];
    var vistos = Object.create(null);
    var lista = [];
    function agregar(t, prefijo) {
      var clave = (prefijo ? '*' : '=') + t;
      if (!vistos[clave]) { vistos[clave] = true; lista.push({ t: t, prefijo: prefijo }); }
    }
    terminos(cabeza).forEach(function (t) { agregar(t, false); });
    terminos(ultima).forEach(function (t) { agregar(t, true); });
    if (lista.length === 0 && ultima) {
      candidatos(ultima).forEach(function (c) { agregar(c, true); });
    }
    return lista;
  }

  // --- Índice y búsqueda -------------------------------------------------

  /** El JSON del índice (formato en src/search/mod.rs). */
  function prepararIndice(datos) {
    if (!datos || datos.v !== 1) { throw new Error('índice de búsqueda de versión desconocida'); }
    return {
      categorias: datos.c,
      docs: datos.d.map(function (d) {
        return { slug: d[0], url: '/' + d[0] + '/', titulo: d[1], categoria: datos.c[d[2]] || '', descripcion: d[3], titulos: d[4] };
      }),
      terminos: datos.t,
      formas: datos.f,
      listas: datos.p,
    };
  }


  function posicion(lista, t) {
    var bajo = 0;
    var alto = lista.length;
    while (bajo < alto) {
      var medio = (bajo + alto) >>> 1;
      if (lista[medio] < t) { bajo = medio + 1; } else { alto = medio; }
    }
    return bajo;
  }

  /** [desde, hasta) de los términos que responden a t. */
  function rango(indice, t, prefijo) {
    var desde = posicion(indice.terminos, t);
    var hasta = desde;
    if (prefijo) {
      while (hasta < indice.terminos.length && indice.terminos[hasta].startsWith(t)) { hasta++; }
    } else if (indice.terminos[desde] === t) {
      hasta = desde + 1;
    }
    return [desde, hasta];
  }

  /**
   * analizarConsulta() ante el índice: un término ausente se prueba con ñ
   * en lugar de cada n («contrasena», teclado sin ñ). año y ano siguen
   * siendo términos distintos.
   */
  function consultaPara(indice, texto) {
    return analizarConsulta(texto).map(function (q) {
      var r = rango(indice, q.t, q.prefijo);
      if (r[0] < r[1] || q.t.indexOf('n') < 0) { return q; }
      var variantes = [];
      for (var i = q.t.indexOf('n'); i >= 0; i = q.t.indexOf('n', i + 1)) {
        var v = q.t.slice(0, i) + 'ñ' + q.t.slice(i + 1);
        var rv = rango(indice, v, q.prefijo);
        if (rv[0] < rv[1]) { variantes.push(v); }
      }
      return variantes.length ? { t: q.t, prefijo: q.prefijo, variantes: variantes } : q;
    });
  }

  var FACTOR_PREFIJO = 0.7;

  /**
   * Primero los documentos con más términos de la consulta, luego por
   * puntos (peso × idf; un prefijo vale 0,7). [{doc, puntos, coinciden, palabras}]
   */
  function buscar(indice, texto, maximo) {
    var consulta = consultaPara(indice, texto);
    var total = indice.docs.length;
    if (!consulta.length || !total) { return []; }
    var puntos = new Float64Array(total);
    var coinciden = new Uint16Array(total);
    var parcial = new Float64Array(total);
    var elegido = new Int32Array(total);
    var encontrados = [];
    var hallados = Object.create(null);
    consulta.forEach(function (q, numero) {
      var tocados = [];
      (q.variantes || [q.t]).forEach(function (t) {
        var r = rango(indice, t, q.prefijo);
        for (var k = r[0]; k < r[1]; k++) {
          var lista = indice.listas[k];
          var idf = Math.log(1 + total / lista.length);
          var factor = indice.terminos[k] === t ? 1 : FACTOR_PREFIJO;
          var doc = 0;
          for (var j = 0; j < lista.length; j++) {
            doc += Math.floor(lista[j] / 64);
            var valor = (lista[j] % 64) * idf * factor;
            if (parcial[doc] === 0) { tocados.push(doc); }
            if (valor > parcial[doc]) { parcial[doc] = valor; elegido[doc] = k; }
          }
        }
      });
      tocados.forEach(function (d) {
        if (coinciden[d] === 0) { encontrados.push(d); hallados[d] = []; }
        coinciden[d]++;
        puntos[d] += parcial[d];
        parcial[d] = 0;
        hallados[d].push({ consulta: numero, termino: elegido[d] });
      });
    });
    encontrados.sort(function (a, b) {
      return (coinciden[b] - coinciden[a]) || (puntos[b] - puntos[a]) || (a - b);
    });
    return encontrados.slice(0, maximo || 10).map(function (d) {
      return {
        doc: indice.docs[d],
        puntos: puntos[d],
        coinciden: coinciden[d],
        palabras: hallados[d].map(function (h) {
          return { consulta: consulta[h.consulta], forma: (indice.formas && indice.formas[h.termino]) || indice.terminos[h.termino] };
        }),
      };
    });
  }

  var PALABRA = /[\p{Alphabetic}\p{N}\u0300-\u036f]+(?:[-\u2010\u2011][\p{Alphabetic}\p{N}\u0300-\u036f]+)*/gu;

  function coincide(terminosPalabra, consulta) {
    return terminosPalabra.some(function (t) {
      return consulta.some(function (q) {
        return (q.variantes || [q.t]).some(function (v) { return q.prefijo ? t.startsWith(v) : t === v; });
      });
    });
  }

  /** `texto` en trozos [{texto, marca}]; marca: la palabra responde. */
  function resaltar(texto, consulta) {
    var trozos = [];
    var desde = 0;
    var m;
    PALABRA.lastIndex = 0;
    while ((m = PALABRA.exec(texto)) !== null) {
      var propios = terminos(m[0]);
      candidatos(m[0]).forEach(function (c) { if (esParada[c]) { propios.push(c); } });
      if (coincide(propios, consulta)) {
        if (m.index > desde) { trozos.push({ texto: texto.slice(desde, m.index), marca: false }); }
        trozos.push({ texto: m[0], marca: true });
        desde = m.index + m[0].length;
      }
    }
    if (desde < texto.length) { trozos.push({ texto: texto.slice(desde), marca: false }); }
    return trozos;
  }

  function marcas(trozos) {
    return trozos.filter(function (t) { return t.marca; }).length;
  }

  /** El resumen o, si responde mejor, un título de sección. */
  function extracto(doc, consulta) {
    var mejor = resaltar(doc.descripcion, consulta);
    var cuantas = marcas(mejor);
    doc.titulos.forEach(function (titulo) {
      var trozos = resaltar(titulo, consulta);
      if (marcas(trozos) > cuantas) { mejor = trozos; cuantas = marcas(trozos); }
    });
    return mejor;
  }

  /** Lo que responde solo en el cuerpo, como se escribe: «Menciona: depósito». */
  function menciones(resultado, trozosVisibles) {
    var visibles = trozosVisibles.filter(function (t) { return t.marca; }).map(function (t) { return terminos(t.texto).concat(candidatos(t.texto)); });
    var formas = [];
    resultado.palabras.forEach(function (p) {
      var vista = visibles.some(function (ts) { return coincide(ts, [p.consulta]); });
      if (!vista && formas.indexOf(p.forma) < 0) { formas.push(p.forma); }
    });
    return formas;
  }

  var api = {
    PARADAS: PARADAS,
    plegar: plegar,
    palabras: palabras,
    raiz: raiz,
    terminos: terminos,
    analizarConsulta: analizarConsulta,
    prepararIndice: prepararIndice,
    consultaPara: consultaPara,
    buscar: buscar,
    resaltar: resaltar,
    extracto: extracto,
    menciones: menciones,
  };
  global.BusquedaAyuda = api;

  if (typeof document === 'undefined') { return; }

  // --- El buscador en la página -----------------------------------------

  var MAXIMO = 8;
  var cargando = null;
  var estilos = null;

  /** Los estilos de los resultados (busqueda.css): listos, o sin ellos si fallan. */
  function cargarEstilos(url) {
    if (!estilos) {
      estilos = new Promise(function (listo) {
        var enlace = document.createElement('link');
        enlace.rel = 'stylesheet';
        enlace.href = url;
        enlace.addEventListener('load', listo);
        enlace.addEventListener('error', listo);
        document.head.append(enlace);
      });
    }
    return estilos;
  }

  /** El índice, cuando también están los estilos para pintar los resultados. */
  function cargarIndice(url, urlEstilos) {
    if (!cargando) {
      var datos = fetch(url, { headers: { Accept: 'application/json' } })
        .then(function (respuesta) {
          if (!respuesta.ok) { throw new Error(String(respuesta.status)); }
          return respuesta.json();
        });
      cargando = Promise.all([datos, cargarEstilos(urlEstilos)])
        .then(function (listos) { return prepararIndice(listos[0]); });
      cargando.catch(function () { cargando = null; });
    }
    return cargando;
  }

  function conMarcas(elemento, trozos) {
    trozos.forEach(function (trozo) {
      if (trozo.marca) {
        var marca = document.createElement('mark');
        marca.textContent = trozo.texto;
        elemento.append(marca);
      } else {
        elemento.append(trozo.texto);
      }
    });
    return elemento;
  }

  function iniciar(form) {
    var entrada = form.querySelector('input[type="search"]');
    var zona = form.querySelector('.resultados-busqueda');
    var estado = form.querySelector('.estado-busqueda');
    var url = form.getAttribute('data-indice');
    var urlEstilos = form.getAttribute('data-estilo');
    if (!entrada || !zona || !estado || !url || !urlEstilos) { return; }
    var lista = document.createElement('ol');
    lista.className = 'lista-resultados';
    zona.append(lista);
    // En la cabecera los resultados flotan: se cierran al salir.
    var flotante = form.closest('.cabecera') !== null;
    var indice = null;
    var aviso = null;
    // Cerrada, la zona solo se oculta a la vista: su región viva sigue en el
    // árbol de accesibilidad (si apareciera con el texto, no se anunciaría).
    // Los enlaces sí se ocultan del todo.
    function abrir(abierta) {
      zona.classList.toggle('cerrada', !abierta);
      lista.hidden = !abierta;
    }
    // app.js ya mostró el buscador y pidió este archivo al usarlo; quita el
    // aviso de un intento de carga fallido.
    estado.textContent = '';
    abrir(false);

    function anunciar(texto, inmediato) {
      // El recuento se anuncia al dejar de escribir, no a cada tecla.
      clearTimeout(aviso);
      if (inmediato) { estado.textContent = texto; return; }
      aviso = setTimeout(function () { estado.textContent = texto; }, 350);
    }

    function limpiar() {
      lista.replaceChildren();
      lista.removeAttribute('data-consulta');
      anunciar('', true);
      abrir(false);
    }

    function pintar(texto) {
      var consulta = consultaPara(indice, texto);
      var resultados = buscar(indice, texto, MAXIMO);
      var items = resultados.map(function (r) {
        var li = document.createElement('li');
        li.className = 'resultado';
        var trozosTitulo = resaltar(r.doc.titulo, consulta);
        var enlace = conMarcas(document.createElement('a'), trozosTitulo);
        enlace.href = r.doc.url;
        var categoria = document.createElement('span');
        categoria.className = 'resultado-categoria';
        categoria.textContent = r.doc.categoria;
        var trozosResumen = extracto(r.doc, consulta);
        var resumen = conMarcas(document.createElement('p'), trozosResumen);
        resumen.className = 'resultado-extracto';
        li.append(enlace, categoria, resumen);
        var otras = menciones(r, trozosTitulo.concat(trozosResumen));
        if (otras.length) {
          var menciona = document.createElement('p');
          menciona.className = 'resultado-menciona';
          menciona.append('Menciona: ');
          otras.forEach(function (forma, i) {
            if (i > 0) { menciona.append(', '); }
            var marca = document.createElement('mark');
            marca.textContent = forma;
            menciona.append(marca);
          });
          li.append(menciona);
        }
        return li;
      });
      lista.replaceChildren.apply(lista, items);
      lista.setAttribute('data-consulta', texto);
      abrir(true);
      var limpio = texto.trim();
      if (!items.length) {
        anunciar('No encontramos artículos para «' + limpio + '». Pruebe con otras palabras o elija una sección del menú.');
      } else {
        anunciar((items.length === 1 ? '1 resultado' : items.length + ' resultados') + ' para «' + limpio + '».');
      }
    }

    function actualizar() {
      var texto = entrada.value;
      if (!analizarConsulta(texto).length) { limpiar(); return; }
      if (indice) { pintar(texto); return; }
      abrir(true);
      anunciar('Cargando la búsqueda…', true);
      cargarIndice(url, urlEstilos).then(function (listo) {
        indice = listo;
        if (entrada.value === texto) { pintar(texto); } else { actualizar(); }
      }, function () {
        anunciar('No se pudo cargar la búsqueda. Elija una sección del menú o inténtelo de nuevo.', true);
      });
    }

    function enlaces() { return Array.prototype.slice.call(lista.querySelectorAll('a')); }

    // El índice se carga al ir a usarlo, no con la página.
    function alEnfocar() {
      cargarIndice(url, urlEstilos).then(function (listo) { indice = listo; }, function () {});
      if (lista.childElementCount || estado.textContent) { abrir(true); }
    }
    entrada.addEventListener('focus', alEnfocar);
    entrada.addEventListener('input', actualizar);

    // Intro abre el primer resultado.
    form.addEventListener('submit', function (evento) {
      evento.preventDefault();
      var primero = enlaces()[0];
      if (primero) { window.location.assign(primero.href); } else { actualizar(); }
    });

    // Flechas: de la caja a los resultados y entre ellos; Escape cierra.
    form.addEventListener('keydown', function (evento) {
      var todos = enlaces();
      var actual = todos.indexOf(document.activeElement);
      if (evento.key === 'ArrowDown' && todos.length && !lista.hidden) {
        evento.preventDefault();
        todos[Math.min(actual + 1, todos.length - 1)].focus();
      } else if (evento.key === 'ArrowUp' && actual >= 0) {
        evento.preventDefault();
        if (actual === 0) { entrada.focus(); } else { todos[actual - 1].focus(); }
      } else if (evento.key === 'Escape' && (entrada.value || !lista.hidden)) {
        evento.preventDefault();
        entrada.value = '';
        limpiar();
        entrada.focus();
      }
    });

    if (flotante) {
      form.addEventListener('focusout', function (evento) {
        if (evento.relatedTarget && !form.contains(evento.relatedTarget)) { abrir(false); }
      });
      document.addEventListener('pointerdown', function (evento) {
        if (!form.contains(evento.target)) { abrir(false); }
      });
    }

    // Lo que pasó mientras llegaba este archivo: el foco y lo ya escrito.
    if (document.activeElement === entrada) { alEnfocar(); }
    if (entrada.value) { actualizar(); }
  }

  document.querySelectorAll('form[data-busqueda]').forEach(iniciar);
})(typeof globalThis !== 'undefined' ? globalThis : window);
