//! The web application: Rocket routes per audience, templates, language, security headers.

mod base;
mod catchers;
mod context;
mod error;
pub mod form;
mod headers;
mod home;
pub mod lang;
mod origin;
pub(crate) mod reports;
mod respond;
pub use crate::secret::secret_key;
pub mod staff;
pub(crate) mod stats;
mod templates;

pub use base::BaseUrl;
pub use context::{ClientAddress, Page};
pub use error::WebError;
pub use templates::Templates;

use rocket::fairing::AdHoc;
use rocket::fs::FileServer;
use rocket::{Build, Rocket};

use crate::app::App;
use crate::config::AppConfig;
use crate::service::mail;

/// The application, ready to launch or to test with Rocket's local client.
pub fn build(app: App, templates: Templates, config: &AppConfig) -> Result<Rocket<Build>, String> {
    let figment = rocket::Config::figment();
    let key = app.secret.to_string();
    Ok(rocket::custom(figment.merge(("secret_key", key)))
        .manage(app)
        .manage(templates)
        .manage(config.clone())
        .attach(headers::SecurityHeaders)
        .attach(origin::SameOriginOnly)
        .attach(AdHoc::on_liftoff("address", |rocket| {
            Box::pin(async move { announce(rocket.config()) })
        }))
        .mount("/", home::routes())
        .mount("/", respond::routes())
        .mount("/", staff::routes())
        .mount("/", stats::routes())
        .mount("/", reports::routes())
        .mount("/", origin::routes())
        .mount("/assets", FileServer::from(&config.assets))
        .register("/", catchers::all()))
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
    let app = App::start(&config).map_err(|e| e.to_string())?;
    let templates = Templates::load(&config.templates)?;
    let rocket = build(app.clone(), templates, &config)?;
    let checkpointer = app
        .store
        .start_checkpointer(std::time::Duration::from_millis(250))
        .map_err(|e| e.to_string())?;
    let postman = postman(&app, &config)?;
    // On SIGTERM or Ctrl-C Rocket stops accepting, lets requests in flight finish (the
    // `shutdown` grace in Rocket.toml), then returns here.
    let served = rocket::execute(rocket.launch());
    drop(postman);
    drop(checkpointer);
    let folded = app.store.checkpoint();
    served.map_err(|e| format!("the server stopped: {e}"))?;
    match folded {
        Ok(true) => println!("dxsurvey stopped; the database is checkpointed"),
        Ok(false) => println!("dxsurvey stopped; the checkpoint was partial (a reader was busy)"),
        Err(e) => return Err(format!("dxsurvey stopped, but the checkpoint failed: {e}")),
    }
    Ok(())
}
