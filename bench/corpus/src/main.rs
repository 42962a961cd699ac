//! `corpus-gen`: writes N synthetic Spanish tutorials twice, once as a
//! site-gen site and once as a Hugo site, so both generators build the same
//! articles into comparable pages.
//!
//! ```text
//! corpus-gen --articles 1000 --out /dev/shm/corpus-1000 --site-toml site.toml [--static site-gen/static] [--seed 7]
//! ```
//!
//! Output:
//!
//! - `OUT/site-gen/`: `site.toml` (the given one with its `[[categories]]`
//!   replaced by ten categories) and `content/<slug>.md` (TOML front matter,
//!   links written `[texto](@/slug)` and `[texto](@/slug#pasos)`).
//! - `OUT/hugo/`: `hugo.toml`, `content/<category>/_index.md` and
//!   `content/<category>/<slug>.md` (links through `relref`), and layouts
//!   that produce the same markup as site-gen's templates: header nav of the
//!   sections, breadcrumbs, table of contents, heading anchors (a render
//!   hook), "Leer también" from `related`, and on every article page at
//!   most eight articles of its section around it (`aria-current` on its
//!   own) with a link to the section page, which lists them all (40 per
//!   page, like site-gen); the home page lists the first five of each
//!   section.
//!
//! Each article has about 700 words: an introduction, `##`/`###` headings,
//! a bullet list, seven numbered steps, a table, questions and answers, and
//! four or five links to other articles. Everything is deterministic for a
//! given `--seed`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

struct Category {
    slug: &'static str,
    name: &'static str,
    description: &'static str,
    objects: &'static [&'static str],
}

const CATEGORIES: &[Category] = &[
    Category {
        slug: "facturacion-y-pagos",
        name: "Facturación y pagos",
        description: "Reporte sus pagos, consulte sus facturas y solicite su factura fiscal.",
        objects: &[
            "un reporte de pago",
            "la factura fiscal",
            "un pago móvil",
            "una transferencia bancaria",
            "el estado de cuenta",
            "una orden pendiente",
            "el método de pago",
        ],
    },
    Category {
        slug: "cuenta",
        name: "Cuenta",
        description: "Registro, datos de contacto, contraseña y sub-cuentas del Área de Cliente.",
        objects: &[
            "los datos de contacto",
            "la contraseña del Área de Cliente",
            "una sub-cuenta",
            "el correo de la cuenta",
            "la verificación en dos pasos",
            "el perfil de la empresa",
        ],
    },
    Category {
        slug: "soporte",
        name: "Soporte",
        description: "Cómo comunicarse con nuestros departamentos mediante tickets.",
        objects: &[
            "un ticket",
            "la respuesta de un ticket",
            "el departamento correcto",
            "un archivo adjunto",
            "el historial de tickets",
        ],
    },
    Category {
        slug: "dominios",
        name: "Dominios",
        description: "Registro, renovación, transferencia y DNS de sus dominios.",
        objects: &[
            "un dominio nuevo",
            "los servidores DNS",
            "la renovación automática",
            "un registro MX",
            "la transferencia de un dominio",
            "el bloqueo de transferencia",
        ],
    },
    Category {
        slug: "correo-electronico",
        name: "Correo electrónico",
        description: "Cuentas de correo, reenvíos, filtros y configuración en su teléfono.",
        objects: &[
            "una cuenta de correo",
            "el correo en Thunderbird",
            "el correo en su teléfono",
            "un reenvío automático",
            "el filtro de correo no deseado",
            "la respuesta automática",
        ],
    },
    Category {
        slug: "alojamiento-web",
        name: "Alojamiento web",
        description: "Su plan de alojamiento: archivos, versiones de PHP y el administrador de archivos.",
        objects: &[
            "la versión de PHP",
            "el administrador de archivos",
            "una cuenta FTP",
            "los registros de error",
            "el uso de disco",
            "una aplicación de WordPress",
        ],
    },
    Category {
        slug: "seguridad",
        name: "Seguridad",
        description: "Contraseñas, accesos sospechosos y protección de su sitio.",
        objects: &[
            "un acceso sospechoso",
            "el cortafuegos de la aplicación",
            "una contraseña segura",
            "las direcciones IP bloqueadas",
            "el análisis de archivos",
        ],
    },
    Category {
        slug: "bases-de-datos",
        name: "Bases de datos",
        description: "Crear, respaldar y administrar sus bases de datos MySQL.",
        objects: &[
            "una base de datos MySQL",
            "un usuario de base de datos",
            "phpMyAdmin",
            "una importación de datos",
            "los privilegios del usuario",
        ],
    },
    Category {
        slug: "certificados-ssl",
        name: "Certificados SSL",
        description: "Instalación y renovación de certificados para navegar con HTTPS.",
        objects: &[
            "un certificado SSL",
            "la redirección a HTTPS",
            "la renovación del certificado",
            "el contenido mixto",
        ],
    },
    Category {
        slug: "copias-de-seguridad",
        name: "Copias de seguridad",
        description: "Respaldos automáticos y restauración de archivos, correos y bases de datos.",
        objects: &[
            "una copia de seguridad",
            "la restauración de archivos",
            "la restauración de un correo",
            "un respaldo programado",
            "la descarga de un respaldo",
        ],
    },
];

const VERBS: &[&str] = &[
    "Cómo configurar",
    "Cómo revisar",
    "Cómo solicitar",
    "Cómo cambiar",
    "Cómo activar",
    "Cómo eliminar",
    "Qué hacer con",
    "Cómo consultar",
];

const CONTEXTS: &[&str] = &[
    "",
    " desde el Área de Cliente",
    " paso a paso",
    " sin perder información",
    " desde su teléfono",
];

const SENTENCES: &[&str] = &[
    "Este procedimiento se realiza en pocos minutos y no requiere conocimientos técnicos.",
    "Antes de continuar, verifique que tiene a mano los datos de acceso de su Área de Cliente.",
    "Si es la primera vez que lo hace, le recomendamos leer todos los pasos antes de empezar.",
    "Los cambios se aplican de inmediato, aunque algunos servicios pueden tardar hasta una hora en reflejarlos.",
    "Guarde una copia de la información que modifique, por si necesita volver atrás más adelante.",
    "Nuestro equipo revisa cada solicitud en horario de oficina, de lunes a viernes.",
    "La opción aparece únicamente para los servicios activos asociados a su cuenta.",
    "Si administra varios servicios, repita el procedimiento en cada uno de ellos.",
    "Por seguridad, le pediremos confirmar la operación con el código que enviamos a su correo electrónico.",
    "Recuerde que el titular de la cuenta es la única persona que puede autorizar este cambio.",
    "El sistema le mostrará un mensaje de confirmación cuando la operación haya terminado.",
    "En caso de duda, puede consultar a nuestro equipo de soporte abriendo un ticket.",
    "La información que aparece en pantalla corresponde al estado actual de su servicio.",
    "No es necesario cerrar la sesión ni reiniciar ningún equipo para que el cambio funcione.",
    "Tenga en cuenta que los montos se expresan en la moneda de su factura.",
    "Algunas opciones solo están disponibles en los planes que incluyen esa característica.",
    "Si la página tarda en cargar, espere unos segundos antes de hacer clic de nuevo.",
    "Anote el número de referencia que le mostramos: lo necesitará si contacta a soporte.",
    "La mayoría de los clientes completa este trámite en menos de cinco minutos.",
    "Cuando termine, revise su bandeja de entrada: le enviaremos un resumen de lo realizado.",
    "Evite compartir sus contraseñas por correo electrónico o por teléfono con cualquier persona.",
    "Si utiliza un teléfono, la disposición de los botones puede variar ligeramente.",
    "El historial de cambios queda registrado en su cuenta y puede consultarlo cuando quiera.",
    "Este artículo se actualizó con la versión más reciente del Área de Cliente.",
];

const STEPS: &[&str] = &[
    "Ingrese en su **Área de Cliente** con su correo electrónico y su contraseña.",
    "En el menú principal, haga clic en **Servicios** y elija el servicio que desea administrar.",
    "Busque la sección **Configuración** en la parte inferior de la página.",
    "Haga clic en el botón **Administrar** que aparece junto a la opción correspondiente.",
    "Complete los campos del formulario; los marcados con un asterisco son obligatorios.",
    "Revise que los datos sean correctos, sobre todo las fechas y los números de referencia.",
    "Haga clic en **Guardar cambios** y espere el mensaje de confirmación en pantalla.",
    "Si el sistema le pide un código de verificación, escríbalo tal como lo recibió en su correo.",
    "Abra la pestaña **Historial** para comprobar que la operación quedó registrada.",
    "Descargue el comprobante en PDF si necesita conservarlo para su contabilidad.",
];

const BULLETS: &[&str] = &[
    "Su **correo electrónico** de acceso y su contraseña actual.",
    "El **número de orden** o de factura que aparece en su estado de cuenta.",
    "Un navegador actualizado: Firefox, Chrome, Edge o Safari.",
    "Unos minutos sin interrupciones para completar todos los pasos.",
    "Acceso al teléfono o al correo donde recibe los códigos de verificación.",
    "Los datos del servicio: dominio, plan contratado y fecha de vencimiento.",
];

const QUESTIONS: &[&str] = &[
    "¿Cuánto tarda en aplicarse el cambio?",
    "¿Puedo deshacer la operación?",
    "¿Qué hago si no veo la opción?",
    "¿Tiene algún costo adicional?",
    "¿Necesito avisar a soporte?",
];

const TABLE_ROWS: &[(&str, &str, &str)] = &[
    ("Número de orden", "Estado de cuenta", "10452"),
    ("Fecha de vencimiento", "Servicios → Detalles", "15/03/2027"),
    (
        "Correo de acceso",
        "Mi cuenta → Perfil",
        "cliente@example.com",
    ),
    ("Plan contratado", "Servicios → Plan", "Empresarial"),
    ("Monto pendiente", "Facturas → Pendientes", "1.234,56 Bs"),
    ("Referencia bancaria", "Comprobante del banco", "ab-0012345"),
];

/// splitmix64: small, deterministic, good enough for picking words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

struct Article {
    slug: String,
    title: String,
    description: String,
    category: usize,
    order: usize,
    related: Vec<usize>,
    tags: Vec<&'static str>,
}

/// Lowercase, accents folded, runs of other characters as one dash.
fn slugify(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' | 'ö' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

fn plan(count: usize, seed: u64) -> Vec<Article> {
    let mut rng = Rng(seed);
    let mut per_category = vec![0usize; CATEGORIES.len()];
    let mut articles: Vec<Article> = (0..count)
        .map(|i| {
            let category = i % CATEGORIES.len();
            per_category[category] += 1;
            let c = &CATEGORIES[category];
            let object = rng.pick(c.objects);
            let title = format!("{} {object}{}", rng.pick(VERBS), rng.pick(CONTEXTS));
            let slug = format!("{}-{}", slugify(&title), i + 1);
            let description = format!(
                "Le explicamos paso a paso cómo gestionar {object} en la sección {} del Área de Cliente, qué datos necesita y qué hacer si algo falla.",
                c.name
            );
            let tags = vec![c.slug, if i % 2 == 0 { "tutorial" } else { "guia" }];
            Article {
                slug,
                title,
                description,
                category,
                order: per_category[category],
                related: Vec::new(),
                tags,
            }
        })
        .collect();
    if count > 1 {
        for (i, article) in articles.iter_mut().enumerate() {
            while article.related.len() < 3.min(count - 1) {
                let other = rng.below(count);
                if other != i && !article.related.contains(&other) {
                    article.related.push(other);
                }
            }
        }
    }
    articles
}

/// How a generator spells a link to another article.
trait LinkStyle {
    fn link(&self, target: &Article, fragment: Option<&str>) -> String;
}

struct SiteGenLinks;

impl LinkStyle for SiteGenLinks {
    fn link(&self, target: &Article, fragment: Option<&str>) -> String {
        match fragment {
            Some(f) => format!("@/{}#{f}", target.slug),
            None => format!("@/{}", target.slug),
        }
    }
}

struct HugoLinks;

impl LinkStyle for HugoLinks {
    fn link(&self, target: &Article, fragment: Option<&str>) -> String {
        let path = format!("/{}/{}.md", CATEGORIES[target.category].slug, target.slug);
        match fragment {
            Some(f) => format!("{{{{< relref \"{path}#{f}\" >}}}}"),
            None => format!("{{{{< relref \"{path}\" >}}}}"),
        }
    }
}

fn sentences(rng: &mut Rng, n: usize, out: &mut String) {
    for k in 0..n {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(SENTENCES));
    }
    out.push_str("\n\n");
}

/// The Markdown body; the same words for both generators, only the link
/// syntax differs (`seed` makes the two calls pick identically).
fn body(article: &Article, all: &[Article], seed: u64, links: &dyn LinkStyle) -> String {
    let mut rng = Rng(seed);
    let other = |rng: &mut Rng| {
        let mut j = rng.below(all.len());
        if all.len() > 1 && std::ptr::eq(&all[j], article) {
            j = (j + 1) % all.len();
        }
        &all[j]
    };
    let category = &CATEGORIES[article.category];
    let mut out = String::with_capacity(6 * 1024);
    let _ = write!(
        out,
        "En esta guía de la sección **{}** le explicamos, con todos los detalles, {}. ",
        category.name,
        lower_first(&article.title)
    );
    sentences(&mut rng, 5, &mut out);

    out.push_str("## Antes de empezar\n\n");
    sentences(&mut rng, 2, &mut out);
    out.push_str("Tenga a mano lo siguiente:\n\n");
    let first = rng.below(BULLETS.len());
    for k in 0..4 {
        let _ = writeln!(out, "- {}", BULLETS[(first + k) % BULLETS.len()]);
    }
    out.push('\n');

    out.push_str("## Pasos\n\n");
    let first = rng.below(STEPS.len());
    for k in 0..7 {
        let _ = writeln!(out, "{}. {}", k + 1, STEPS[(first + k) % STEPS.len()]);
    }
    out.push('\n');
    sentences(&mut rng, 1, &mut out);

    out.push_str("### Si algo falla\n\n");
    let target = other(&mut rng);
    let _ = write!(
        out,
        "Si el sistema muestra un error, revise primero [los pasos de «{}»]({}). ",
        target.title,
        links.link(target, Some("pasos"))
    );
    sentences(&mut rng, 3, &mut out);

    out.push_str("## Datos que necesita\n\n");
    out.push_str("| Dato | Dónde encontrarlo | Ejemplo |\n| --- | --- | --- |\n");
    let first = rng.below(TABLE_ROWS.len());
    for k in 0..5 {
        let (a, b, c) = TABLE_ROWS[(first + k) % TABLE_ROWS.len()];
        let _ = writeln!(out, "| {a} | {b} | `{c}` |");
    }
    out.push('\n');
    sentences(&mut rng, 3, &mut out);

    out.push_str("## Preguntas frecuentes\n\n");
    let first = rng.below(QUESTIONS.len());
    for k in 0..3 {
        let _ = writeln!(out, "### {}\n", QUESTIONS[(first + k) % QUESTIONS.len()]);
        sentences(&mut rng, 3, &mut out);
    }

    out.push_str("## Consejos\n\n");
    for _ in 0..3 {
        let target = other(&mut rng);
        let _ = writeln!(
            out,
            "- Si le interesa, lea también [{}]({}): {}",
            lower_first(&target.title),
            links.link(target, None),
            lower_first(rng.pick(SENTENCES))
        );
    }
    out.push('\n');
    sentences(&mut rng, 2, &mut out);
    let target = other(&mut rng);
    let _ = writeln!(
        out,
        "¿Le quedó alguna duda? Consulte [{}]({}) o abra un ticket a _Soporte técnico_.",
        lower_first(&target.title),
        links.link(target, None)
    );
    out
}

/// "Cómo abrir" → "cómo abrir", inside a sentence.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

fn words(markdown: &str) -> usize {
    markdown
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn toml_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(toml_string).collect();
    format!("[{}]", items.join(", "))
}

/// `site.toml` with its categories replaced by the corpus's.
fn site_toml(original: &str) -> Result<String, String> {
    let start = original
        .find("[[categories]]")
        .ok_or("site.toml: no [[categories]]")?;
    let end = original.find("\n[forms]").ok_or("site.toml: no [forms]")?;
    let mut out = original[..start].to_owned();
    for c in CATEGORIES {
        let _ = writeln!(
            out,
            "[[categories]]\nslug = {}\nname = {}\ndescription = {}\n",
            toml_string(c.slug),
            toml_string(c.name),
            toml_string(c.description)
        );
    }
    out.push_str(original[end..].trim_start_matches('\n'));
    Ok(out)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_site_gen(
    dir: &Path,
    articles: &[Article],
    seed: u64,
    site: &str,
) -> Result<usize, String> {
    write(&dir.join("site.toml"), &site_toml(site)?)?;
    let mut total_words = 0;
    for (i, a) in articles.iter().enumerate() {
        let body = body(a, articles, seed ^ (i as u64 + 1), &SiteGenLinks);
        total_words += words(&body);
        let text = format!(
            "+++\ntitle = {}\ndescription = {}\ncategory = {}\norder = {}\nrelated = {}\ntags = {}\n+++\n\n{body}",
            toml_string(&a.title),
            toml_string(&a.description),
            toml_string(CATEGORIES[a.category].slug),
            a.order,
            toml_list(a.related.iter().map(|&r| articles[r].slug.as_str())),
            toml_list(a.tags.iter().copied()),
        );
        write(&dir.join("content").join(format!("{}.md", a.slug)), &text)?;
    }
    Ok(total_words)
}

const HUGO_BASEOF: &str = r##"<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<meta property="og:type" content="{{ if .IsPage }}article{{ else }}website{{ end }}">
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:description" content="{{ .Description }}">
<meta property="og:url" content="{{ .Permalink }}">
{{ with .Params.tags }}<meta name="keywords" content="{{ delimit . ", " }}">
{{ end }}<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/estilo.css">
<script src="/app.js" defer></script>
</head>
<body>
<a class="salto" href="#contenido">Saltar al contenido</a>
<header class="cabecera">
<div class="contenedor">
<a class="marca" href="/">{{ site.Title }}</a>
<nav class="nav-principal" aria-label="Secciones">
<ul>
{{ $current := .RelPermalink }}{{ range site.Sections }}<li><a href="{{ .RelPermalink }}"{{ if eq .RelPermalink $current }} aria-current="page"{{ end }}>{{ .Title }}</a></li>
{{ end }}<li><a href="/consultar-ticket/">Consultar ticket</a></li>
</ul>
</nav>
</div>
</header>
<main id="contenido" class="contenedor" tabindex="-1">
{{ block "main" . }}{{ end }}
</main>
<footer class="pie">
<div class="contenedor">
<p><a href="/">{{ site.Title }}</a> · <a href="/consultar-ticket/">Consultar ticket</a></p>
</div>
</footer>
</body>
</html>
"##;

const HUGO_SINGLE: &str = r##"{{ define "main" }}
<nav class="migas" aria-label="Ruta de navegación">
<ol>
<li><a href="/">Inicio</a></li>
<li><a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></li>
<li><a href="{{ .RelPermalink }}" aria-current="page">{{ .Title }}</a></li>
</ol>
</nav>
<div class="disposicion">
<article class="articulo">
<h1>{{ .Title }}</h1>
<p class="entrada">{{ .Description }}</p>
<p class="acciones"><button type="button" class="boton-secundario" data-imprimir hidden>Imprimir este artículo</button></p>
{{ with .TableOfContents }}<nav class="indice" aria-labelledby="indice">
<h2 id="indice">En este artículo</h2>
{{ . }}
</nav>
{{ end }}<div class="cuerpo">
{{ .Content }}</div>
</article>
<div class="complementos">
{{ with .Params.related }}<section class="relacionados" aria-labelledby="leer-tambien">
<h2 id="leer-tambien">Leer también</h2>
<ul>
{{ range . }}{{ with site.GetPage . }}<li>
<a href="{{ .RelPermalink }}">{{ .Title }}</a>
<p>{{ .Description }}</p>
</li>
{{ end }}{{ end }}</ul>
</section>
{{ end }}<section class="voto" aria-labelledby="fue-util">
<h2 id="fue-util">¿Fue útil la respuesta?</h2>
<form class="form-voto" method="post" action="/api/votos" data-voto>
<input type="hidden" name="articulo" value="{{ .File.ContentBaseName }}">
<button type="submit" name="util" value="si">Sí</button>
<button type="submit" name="util" value="no">No</button>
</form>
<p class="estado-voto" role="status" tabindex="-1"></p>
</section>
{{ partial "nav-seccion.html" . }}</div>
</div>
{{ end }}
"##;

/// "Más en …": at most eight articles of the section around the page (three
/// before, the rest after, shifted at the ends), the page marked
/// `aria-current`, and a link to the section when it has more, as
/// site-gen's `partials/category-nav.html`. The page's position in its
/// section is its weight minus one: the corpus numbers each section's
/// articles 1, 2, 3… (`order`, Hugo's default sort), which is what site-gen
/// sorts by; looking the page up in `.Pages` instead would scan the section
/// on every page.
const HUGO_SECTION_NAV: &str = r##"{{ $pages := .CurrentSection.Pages }}{{ $n := len $pages }}{{ $start := sub .Weight 4 }}{{ if gt $start (sub $n 8) }}{{ $start = sub $n 8 }}{{ end }}{{ if lt $start 0 }}{{ $start = 0 }}{{ end }}<nav class="nav-categoria" aria-labelledby="en-esta-categoria">
<h2 id="en-esta-categoria">Más en {{ .CurrentSection.Title }}</h2>
<ul>
{{ $current := .RelPermalink }}{{ range first 8 (after $start $pages) }}<li><a href="{{ .RelPermalink }}"{{ if eq .RelPermalink $current }} aria-current="page"{{ end }}>{{ .Title }}</a></li>
{{ end }}</ul>
{{ if gt $n 8 }}<p class="ver-todos"><a href="{{ .CurrentSection.RelPermalink }}">Ver los {{ $n }} artículos de {{ .CurrentSection.Title }}</a></p>
{{ end }}</nav>
"##;

const HUGO_LIST: &str = r##"{{ define "main" }}
<nav class="migas" aria-label="Ruta de navegación">
<ol>
<li><a href="/">Inicio</a></li>
<li><a href="{{ .RelPermalink }}" aria-current="page">{{ .Title }}</a></li>
</ol>
</nav>
<h1>{{ .Title }}</h1>
<p class="entrada">{{ .Description }}</p>
{{ $pager := .Paginate .Pages 40 }}{{ with $pager.Pages }}<ul class="lista-articulos">
{{ range . }}<li>
<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Description }}</p>
</li>
{{ end }}</ul>
{{ else }}<p>Aún no hay artículos en esta sección.</p>
{{ end }}{{ if gt $pager.TotalPages 1 }}<nav class="paginas" aria-label="Páginas de {{ .Title }}">
{{ with $pager.Prev }}<a href="{{ .URL }}" rel="prev">Página anterior</a>
{{ end }}<span>Página {{ $pager.PageNumber }} de {{ $pager.TotalPages }}</span>
{{ with $pager.Next }}<a href="{{ .URL }}" rel="next">Página siguiente</a>
{{ end }}</nav>
{{ end }}{{ end }}
"##;

const HUGO_HOME: &str = r##"{{ define "main" }}
<h1>{{ site.Title }}</h1>
<p class="entrada">{{ site.Params.description }}</p>
<div class="categorias">
{{ range site.Sections }}{{ $section := . }}<section class="tarjeta" aria-labelledby="categoria-{{ .Section }}">
<h2 id="categoria-{{ .Section }}"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Description }}</p>
{{ with .Pages }}<ul>
{{ range first 5 . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
{{ if gt (len .) 5 }}<p class="ver-todos"><a href="{{ $section.RelPermalink }}">Ver los {{ len . }} artículos de {{ $section.Title }}</a></p>
{{ end }}{{ else }}<p>Aún no hay artículos en esta sección.</p>
{{ end }}</section>
{{ end }}</div>
<section class="aviso" aria-labelledby="ticket-existente">
<h2 id="ticket-existente">¿Ya tiene un ticket?</h2>
<p>Consulte su estado con el número y la clave que recibió: <a href="/consultar-ticket/">Consultar ticket</a>.</p>
</section>
{{ end }}
"##;

const HUGO_404: &str = r##"{{ define "main" }}
<h1>Página no encontrada</h1>
<p class="entrada">La página que busca no existe o cambió de dirección.</p>
<p>Puede volver al <a href="/">inicio del centro de ayuda</a>, elegir una sección:</p>
<ul>
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}</ul>
<p>o <a href="/consultar-ticket/">consultar un ticket</a>.</p>
{{ end }}
"##;

/// site-gen's heading markup: the heading's text links to the heading (the
/// corpus has no links inside headings).
const HUGO_RENDER_HEADING: &str = r##"<h{{ .Level }} id="{{ .Anchor | safeURL }}"><a class="ancla" href="#{{ .Anchor | safeURL }}">{{ .Text | safeHTML }}</a></h{{ .Level }}>
"##;

fn hugo_config() -> String {
    r#"baseURL = "http://127.0.0.1:1111/"
languageCode = "es"
defaultContentLanguage = "es"
title = "Centro de ayuda"
# site-gen makes no feeds and no tag pages; Hugo's sitemap and robots.txt stay.
disableKinds = ["taxonomy", "term", "RSS"]
enableRobotsTXT = true
# Category pages list 40 articles each, on /categorias/x/pagina/2/… like site-gen.
paginatePath = "pagina"

[params]
description = "Tutoriales paso a paso para usar el Área de Cliente."

[markup.goldmark.renderer]
unsafe = false

[markup.goldmark.extensions]
typographer = false

[markup.tableOfContents]
startLevel = 2
endLevel = 3
ordered = true
"#
    .to_owned()
}

fn write_hugo(
    dir: &Path,
    articles: &[Article],
    seed: u64,
    static_dir: Option<&Path>,
) -> Result<(), String> {
    write(&dir.join("hugo.toml"), &hugo_config())?;
    let layouts = dir.join("layouts");
    write(&layouts.join("_default/baseof.html"), HUGO_BASEOF)?;
    write(&layouts.join("_default/single.html"), HUGO_SINGLE)?;
    write(&layouts.join("_default/list.html"), HUGO_LIST)?;
    write(
        &layouts.join("_default/_markup/render-heading.html"),
        HUGO_RENDER_HEADING,
    )?;
    write(&layouts.join("partials/nav-seccion.html"), HUGO_SECTION_NAV)?;
    write(&layouts.join("index.html"), HUGO_HOME)?;
    write(&layouts.join("404.html"), HUGO_404)?;
    if let Some(static_dir) = static_dir {
        for name in ["estilo.css", "app.js", "favicon.svg"] {
            let text = std::fs::read_to_string(static_dir.join(name))
                .map_err(|e| format!("{}: {e}", static_dir.join(name).display()))?;
            write(&dir.join("static").join(name), &text)?;
        }
    }
    for (i, c) in CATEGORIES.iter().enumerate() {
        write(
            &dir.join("content").join(c.slug).join("_index.md"),
            &format!(
                "+++\ntitle = {}\ndescription = {}\nweight = {}\n+++\n",
                toml_string(c.name),
                toml_string(c.description),
                i + 1
            ),
        )?;
    }
    for (i, a) in articles.iter().enumerate() {
        let section = CATEGORIES[a.category].slug;
        let body = body(a, articles, seed ^ (i as u64 + 1), &HugoLinks);
        let text = format!(
            "+++\ntitle = {}\ndescription = {}\nweight = {}\nrelated = {}\ntags = {}\n+++\n\n{body}",
            toml_string(&a.title),
            toml_string(&a.description),
            a.order,
            toml_list(
                a.related
                    .iter()
                    .map(|&r| format!(
                        "/{}/{}",
                        CATEGORIES[articles[r].category].slug, articles[r].slug
                    ))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str)
            ),
            toml_list(a.tags.iter().copied()),
        );
        write(
            &dir.join("content")
                .join(section)
                .join(format!("{}.md", a.slug)),
            &text,
        )?;
    }
    Ok(())
}

struct Args {
    articles: usize,
    out: PathBuf,
    site_toml: PathBuf,
    static_dir: Option<PathBuf>,
    seed: u64,
}

const USAGE: &str =
    "uso: corpus-gen --articles N --out DIR --site-toml site.toml [--static DIR] [--seed N]";

fn parse_args() -> Result<Args, String> {
    let mut articles = None;
    let mut out = None;
    let mut site_toml = None;
    let mut static_dir = None;
    let mut seed = 7;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag}: falta el valor"));
        match flag.as_str() {
            "--articles" => {
                articles = Some(value()?.parse().map_err(|e| format!("--articles: {e}"))?)
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            "--site-toml" => site_toml = Some(PathBuf::from(value()?)),
            "--static" => static_dir = Some(PathBuf::from(value()?)),
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("argumento desconocido {other}\n{USAGE}")),
        }
    }
    Ok(Args {
        articles: articles.ok_or(USAGE)?,
        out: out.ok_or(USAGE)?,
        site_toml: site_toml.ok_or(USAGE)?,
        static_dir,
        seed,
    })
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    if args.articles == 0 {
        return Err("--articles debe ser al menos 1".into());
    }
    let site = std::fs::read_to_string(&args.site_toml)
        .map_err(|e| format!("{}: {e}", args.site_toml.display()))?;
    for sub in ["site-gen", "hugo"] {
        let dir = args.out.join(sub);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
    }
    let articles = plan(args.articles, args.seed);
    let words = write_site_gen(&args.out.join("site-gen"), &articles, args.seed, &site)?;
    write_hugo(
        &args.out.join("hugo"),
        &articles,
        args.seed,
        args.static_dir.as_deref(),
    )?;
    println!(
        "{} artículos en {} categorías, {} palabras por artículo en promedio: {}",
        articles.len(),
        CATEGORIES.len(),
        words / articles.len(),
        args.out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("corpus-gen: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents() {
        assert_eq!(
            slugify("Cómo cambiar la contraseña"),
            "como-cambiar-la-contrasena"
        );
    }

    #[test]
    fn site_toml_keeps_forms_and_replaces_categories() {
        let original = "title = \"x\"\n\n[[categories]]\nslug = \"a\"\nname = \"A\"\ndescription = \"d\"\n\n[forms]\ncurrencies = [\"Bs\"]\n";
        let out = site_toml(original).expect("valid");
        assert!(out.contains("slug = \"dominios\""));
        assert!(!out.contains("slug = \"a\""));
        assert!(out.ends_with("[forms]\ncurrencies = [\"Bs\"]\n"));
    }
}
