//! The HTTP routes of the form function, as an ordinary axum router: run
//! under `lambda_http` in AWS Lambda, as a local server, or mounted by
//! `site-gen serve`.

use crate::body::{BodyError, read_submission, read_urlencoded};
use crate::pages;
use crate::store::{Store, TicketNumber};
use crate::submit::{self, SubmitError, hash_access_key};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, extract::DefaultBodyLimit};
use help_forms::{FormId, FormsConfig, validate};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

pub struct ApiConfig {
    pub forms: FormsConfig,
    /// Where the static site lives, for links back ("" when served together).
    pub site_url: String,
    /// The site's origin when it is not the API's own (CORS).
    pub cors_origin: Option<HeaderValue>,
}

#[derive(Clone)]
struct App {
    store: Arc<dyn Store>,
    config: Arc<ApiConfig>,
}

/// The API routes, all below `/api`.
pub fn router(store: Arc<dyn Store>, config: ApiConfig) -> Router {
    let cors = config.cors_origin.clone().map(|origin| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::exact(origin))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::ACCEPT, header::CONTENT_TYPE])
    });
    let app = App {
        store,
        config: Arc::new(config),
    };
    let routes = Router::new()
        .route("/api/reportes-de-pago", post(submit_payment_report))
        .route("/api/tickets", post(submit_ticket))
        .route("/api/tickets/consultar", get(find_ticket))
        .route("/api/tickets/{numero}", get(ticket_status))
        .route("/api/votos", post(vote))
        // Limits are enforced while reading, with Spanish answers (see body.rs).
        .layer(DefaultBodyLimit::disable())
        .with_state(app);
    let routes = match cors {
        Some(cors) => routes.layer(cors),
        None => routes,
    };
    routes
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            // Path only: the query of a status lookup carries the access key.
            tracing::info_span!("solicitud", request_id = %id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Where "back" goes for a form posted without JavaScript.
fn back_link(headers: &HeaderMap, site_url: &str) -> String {
    headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .filter(|r| r.starts_with("http://") || r.starts_with("https://"))
        .map_or_else(|| format!("{site_url}/"), str::to_owned)
}

async fn submit_payment_report(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    submit_form(app, FormId::PaymentReport, headers, body).await
}

async fn submit_ticket(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    submit_form(app, FormId::Ticket, headers, body).await
}

async fn submit_form(app: App, form: FormId, headers: HeaderMap, body: Body) -> Response {
    let json = wants_json(&headers);
    let back = back_link(&headers, &app.config.site_url);
    let raw = match read_submission(&headers, body).await {
        Ok(raw) => raw,
        Err(error) => return body_error(error, form, json, &back),
    };
    let now = OffsetDateTime::now_utc();
    let submission = match validate(form, &raw, &app.config.forms, now) {
        Ok(submission) => submission,
        Err(errors) => {
            tracing::info!(form = form.slug(), fields = ?errors.to_map().keys().collect::<Vec<_>>(), "envío con errores");
            return if json {
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Json(
                        json!({"error": "Revise los campos marcados.", "campos": errors.to_map()}),
                    ),
                )
                    .into_response()
            } else {
                let fields = form.fields(&app.config.forms);
                let labelled = errors
                    .iter()
                    .map(|(name, message)| {
                        let label = fields
                            .iter()
                            .find(|f| f.name == name)
                            .map_or(name, |f| f.label);
                        (label.to_owned(), message.to_owned())
                    })
                    .collect::<Vec<_>>();
                pages::field_errors(&labelled, &back)
            };
        }
    };
    let key = submit::idempotency_key(&submission, &raw.fields);
    match submit::record(app.store.as_ref(), &submission, &key, now).await {
        Ok(receipt) => {
            tracing::info!(
                form = form.slug(),
                ticket = receipt.number.0,
                replayed = receipt.replayed,
                spam = submission.spam.is_some(),
                receipt_bytes = submission.attachment.as_ref().map_or(0, |a| a.bytes.len()),
                "envío registrado"
            );
            if json {
                let link = format!(
                    "{}/consultar-ticket/?numero={}&clave={}",
                    app.config.site_url, receipt.number, receipt.access_key
                );
                (
                    StatusCode::CREATED,
                    Json(json!({
                        "numero": receipt.number.0,
                        "clave": receipt.access_key,
                        "estado": crate::store::Status::Open.label(),
                        "mensaje": form.received_message(),
                        "enlace": link,
                    })),
                )
                    .into_response()
            } else {
                // Relative to /api/<form route>, whatever prefix the API has.
                Redirect::to(&format!(
                    "tickets/{}?clave={}&recibido=1",
                    receipt.number, receipt.access_key
                ))
                .into_response()
            }
        }
        Err(SubmitError::StillInProgress) => {
            let text = "Su envío anterior de este formulario aún se está procesando. Espere unos segundos y \
                        vuelva a intentarlo: no se creará un ticket duplicado.";
            error_answer(StatusCode::CONFLICT, "Envío en proceso", text, json, &back)
        }
        Err(SubmitError::Store(error)) => {
            tracing::error!(form = form.slug(), %error, "no se pudo registrar el envío");
            unavailable(
                "No pudimos registrar su envío por un problema de nuestro lado; no se guardó nada. \
                 Inténtelo de nuevo en unos minutos.",
                &headers,
                json,
                &back,
            )
        }
    }
}

/// A 503 for a failure on our side: a generic Spanish message with the
/// request id, which the logs carry too, so support can find what happened.
fn unavailable(text: &str, headers: &HeaderMap, json: bool, back: &str) -> Response {
    let text = format!(
        "{text} Si el problema continúa, indique este código: {}.",
        request_id(headers)
    );
    error_answer(
        StatusCode::SERVICE_UNAVAILABLE,
        "Servicio no disponible",
        &text,
        json,
        back,
    )
}

fn error_answer(status: StatusCode, title: &str, text: &str, json: bool, back: &str) -> Response {
    if json {
        (status, Json(json!({"error": text}))).into_response()
    } else {
        pages::message(status, title, text, back)
    }
}

fn body_error(error: BodyError, form: FormId, json: bool, back: &str) -> Response {
    match error {
        BodyError::TooLarge { field } => {
            let text = "El envío es demasiado grande: el comprobante puede pesar hasta 4 MB \
                        (PNG, JPEG, WebP o PDF).";
            if json {
                let fields = match field.as_deref() {
                    Some(name @ ("comprobante" | "adjunto")) => {
                        json!({ name: "El archivo pesa más de 4 MB. Adjunte una imagen o un PDF más liviano." })
                    }
                    _ => json!({}),
                };
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    Json(json!({"error": text, "campos": fields})),
                )
                    .into_response()
            } else {
                pages::message(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Envío demasiado grande",
                    text,
                    back,
                )
            }
        }
        BodyError::UnsupportedType => error_answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Formato no admitido",
            "El formulario debe enviarse como multipart/form-data o application/x-www-form-urlencoded.",
            json,
            back,
        ),
        BodyError::Malformed(detail) => {
            tracing::info!(form = form.slug(), %detail, "cuerpo mal formado");
            error_answer(
                StatusCode::BAD_REQUEST,
                "Formulario dañado",
                "El formulario llegó dañado o incompleto. Recargue la página e inténtelo de nuevo.",
                json,
                back,
            )
        }
    }
}

#[derive(Deserialize)]
struct KeyQuery {
    clave: Option<String>,
    recibido: Option<String>,
}

async fn ticket_status(
    State(app): State<App>,
    headers: HeaderMap,
    number: Result<Path<String>, PathRejection>,
    query: Result<Query<KeyQuery>, QueryRejection>,
) -> Response {
    let json = wants_json(&headers);
    let site = app.config.site_url.as_str();
    let not_found = || {
        if json {
            (
                StatusCode::NOT_FOUND,
                Json(json!({"error": "No encontramos un ticket con ese número y clave."})),
            )
                .into_response()
        } else {
            pages::not_found(site)
        }
    };
    // A malformed number or query (bad escapes, a repeated `clave`) is one
    // more wrong key: the same 404, not axum's plain-text 400.
    let (Ok(Path(number)), Ok(Query(query))) = (number, query) else {
        return not_found();
    };
    let (Ok(number), Some(key)) = (number.parse::<u64>(), query.clave) else {
        return not_found();
    };
    let ticket = match app.store.ticket(TicketNumber(number)).await {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return not_found(),
        Err(error) => {
            tracing::error!(%error, "no se pudo leer el ticket");
            return unavailable(
                "No pudimos consultar el ticket en este momento. Inténtelo de nuevo en unos minutos.",
                &headers,
                json,
                site,
            );
        }
    };
    // Same answer for a wrong key as for an unknown number; constant-time comparison.
    let matches: bool = hash_access_key(&key)
        .as_bytes()
        .ct_eq(ticket.access_hash.as_bytes())
        .into();
    if !matches {
        return not_found();
    }
    if json {
        let mut answer = json!({
            "numero": ticket.number.0,
            "estado": ticket.status.label(),
            "fecha": pages::spanish_date(ticket.created_at),
            "resumen": ticket.summary,
        });
        if let Some(message) = &ticket.status_message {
            answer["mensaje"] = json!(message);
        }
        let mut response = Json(answer).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    } else {
        pages::ticket(&ticket, query.recibido.is_some(), site)
    }
}

#[derive(Deserialize)]
struct FindQuery {
    numero: Option<String>,
    clave: Option<String>,
}

/// The "Consultar ticket" page's form, posted without JavaScript.
async fn find_ticket(
    State(app): State<App>,
    query: Result<Query<FindQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return pages::not_found(&app.config.site_url);
    };
    let number = query
        .numero
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let key = query
        .clave
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_hexdigit()));
    match (number, key) {
        (Some(number), Some(key)) => {
            Redirect::to(&format!("{number}?clave={}", key.to_ascii_lowercase())).into_response()
        }
        _ => pages::not_found(&app.config.site_url),
    }
}

async fn vote(State(app): State<App>, headers: HeaderMap, body: Body) -> Response {
    let json = wants_json(&headers);
    let back = back_link(&headers, &app.config.site_url);
    let fields = match read_urlencoded(body).await {
        Ok(raw) => raw.fields,
        Err(error) => return body_error(error, FormId::Ticket, json, &back),
    };
    let value = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let article = value("articulo").filter(|a| is_slug(a));
    let useful = match value("util") {
        Some("si") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let (Some(article), Some(useful)) = (article, useful) else {
        return error_answer(
            StatusCode::BAD_REQUEST,
            "Voto no válido",
            "No pudimos registrar su voto.",
            json,
            &back,
        );
    };
    if let Err(error) = app.store.vote(article, useful).await {
        tracing::error!(%error, "no se pudo registrar el voto");
        return unavailable(
            "No pudimos registrar su voto en este momento. Inténtelo de nuevo más tarde.",
            &headers,
            json,
            &back,
        );
    }
    tracing::info!(article, useful, "voto registrado");
    if json {
        Json(json!({"mensaje": "¡Gracias por su opinión!"})).into_response()
    } else {
        // The article page shows its thank-you note when targeted (CSS :target).
        Redirect::to(&format!("{}/{article}/#gracias", app.config.site_url)).into_response()
    }
}

fn is_slug(text: &str) -> bool {
    (1..=120).contains(&text.len())
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}
