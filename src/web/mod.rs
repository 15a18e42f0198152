//! The web application: Rocket routes per audience, templates, language, security headers.

mod api;
mod base;
mod catchers;
mod context;
mod error;
pub mod form;
mod headers;
mod home;
pub mod lang;
mod observe;
mod origin;
mod quota;
pub(crate) mod reports;
mod respond;
pub use crate::secret::secret_key;
pub mod staff;
pub(crate) mod stats;
mod templates;

pub use base::BaseUrl;
pub use context::{ClientAddress, Page};
pub use error::WebError;
pub use quota::ApiCall;
pub use templates::Templates;

use rocket::fairing::AdHoc;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};

use crate::app::App;
use crate::config::AppConfig;
use crate::service::mail;

/// The application, ready to launch or to test with Rocket's local client.
pub fn build(app: App, templates: Templates, config: &AppConfig) -> Result<Rocket<Build>, String> {
    let key = app.secret.to_string();
    let figment = enforced(rocket::Config::figment()).merge(("secret_key", key));
    Ok(rocket::custom(figment)
        .manage(app)
        .manage(templates)
        .manage(config.clone())
        .attach(observe::AccessLog { enabled: config.access_log })
        .attach(headers::SecurityHeaders)
        .attach(origin::SameOriginOnly)
        .attach(AdHoc::on_liftoff("address", |rocket| {
            Box::pin(async move { announce(rocket.config()) })
        }))
        .mount("/", home::routes())
        .mount("/", respond::routes())
        .mount("/", staff::routes())
        .mount("/", stats::routes())
        .mount("/", api::routes())
        .mount("/", reports::routes())
        .mount("/", origin::routes())
        .mount("/", rocket::routes![observe::healthz])
        .mount("/assets", FileServer::from(&config.assets))
        .register("/", catchers::all())
        .register("/api", catchers::api()))
}

/// What no configuration may change: the client's address is dxsurvey's to decide
/// (`ClientAddress`; Rocket's default believes any client's `X-Real-IP`); Rocket's own log is
/// off (it writes resume tokens; the access log is dxsurvey's); SIGHUP does not stop the
/// server (only SIGTERM and Ctrl-C do).
fn enforced(figment: rocket::figment::Figment) -> rocket::figment::Figment {
    figment
        .merge(("ip_header", false))
        .merge(("log_level", rocket::config::LogLevel::Off))
        .merge(("shutdown.signals", ["term"]))
}

/// The operators' listener: `/metrics` and `/healthz`, on its own address and port.
fn operator(app: App, config: &AppConfig, port: u16) -> Rocket<Build> {
    let figment = enforced(rocket::Config::figment())
        .merge(("address", config.operator_address))
        .merge(("port", port));
    rocket::custom(figment)
        .manage(app)
        .attach(observe::AccessLog { enabled: false })
        .mount("/", rocket::routes![observe::healthz, observe::metrics])
}

/// Runs blocking work (a use case, drawing a report) off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    rocket::tokio::task::spawn_blocking(work).await.map_err(|e| WebError::Internal(e.to_string()))
}

/// The address line the operator and the tests wait for.
#[allow(clippy::print_stdout)]
fn announce(config: &rocket::Config) {
    let scheme = if config.tls_enabled() { "https" } else { "http" };
    println!("dxsurvey is serving {scheme}://{}:{}/", config.address, config.port);
}

/// The e-mail round of the server (see [`mail::Postman`]): reminders are queued on their dates
/// even without an SMTP server, and sent once one is configured.
fn postman(app: &App, config: &AppConfig) -> Result<mail::Postman, String> {
    let mailer = match (&config.smtp, &config.public_url) {
        (Some(smtp), Some(url)) => Some(
            mail::Mailer::new(Some(smtp), url, config.contact.as_deref())
                .map_err(|e| e.to_string())?,
        ),
        _ => None,
    };
    let every = std::time::Duration::from_secs(config.mail_every_seconds.max(1));
    Ok(mail::Postman::start(app.clone(), mailer, every))
}

/// Starts everything and serves until stopped.
#[allow(clippy::print_stdout)] // The server's stop lines, for the operator and the tests.
pub fn serve(config: AppConfig) -> Result<(), String> {
    let _serving =
        crate::store::ServingLock::acquire(&config.database).map_err(|e| e.to_string())?;
    let app = App::start(&config).map_err(|e| e.to_string())?;
    let templates = Templates::load(&config.templates)?;
    observe::start_log(config.log_format);
    let rocket = build(app.clone(), templates, &config)?;
    let operators = config.operator_port.map(|port| operator(app.clone(), &config, port));
    let checkpointer = app
        .store
        .start_checkpointer(std::time::Duration::from_millis(250))
        .map_err(|e| e.to_string())?;
    let postman = postman(&app, &config)?;
    // On SIGTERM or Ctrl-C Rocket stops accepting, lets requests in flight finish (the
    // `shutdown` grace in Rocket.toml), then returns here.
    let served = rocket::execute(run(rocket, operators));
    observe::flush_log();
    drop(postman);
    drop(checkpointer);
    let folded = app.store.checkpoint();
    served?;
    match folded {
        Ok(true) => println!("dxsurvey stopped; the database is checkpointed"),
        Ok(false) => println!("dxsurvey stopped; the checkpoint was partial (a reader was busy)"),
        Err(e) => return Err(format!("dxsurvey stopped, but the checkpoint failed: {e}")),
    }
    Ok(())
}

/// Serves the site and, if configured, the operators' listener, until the site stops; SIGHUP
/// is noted and changes nothing (settings are read at start: restart to change them).
async fn run(site: Rocket<Build>, operators: Option<Rocket<Build>>) -> Result<(), String> {
    use rocket::tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup()).map_err(|e| format!("SIGHUP: {e}"))?;
    rocket::tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: nothing to reload; settings are read at start");
        }
    });
    let operators = match operators {
        Some(rocket) => {
            let ignited = rocket.ignite().await.map_err(|e| format!("operators' listener: {e}"))?;
            let stop = ignited.shutdown();
            let task = rocket::tokio::spawn(async move {
                if let Err(e) = ignited.launch().await {
                    tracing::error!("the operators' listener stopped: {e}");
                }
            });
            Some((stop, task))
        }
        None => None,
    };
    let served = site.launch().await;
    if let Some((stop, task)) = operators {
        stop.notify();
        let _ = task.await;
    }
    served.map(|_| ()).map_err(|e| format!("the server stopped: {e}"))
}
