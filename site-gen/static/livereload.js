// Solo en «site-gen serve»: recarga la página cuando el sitio se regenera.
new EventSource('/__livereload').addEventListener('reload', function () {
  'use strict';
  window.location.reload();
});
