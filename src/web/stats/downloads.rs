//! Downloads. The use cases write the audit entry of each; here the request is parsed and the
//! answer shaped. (The JSON API is `web::api`.)

use rocket::http::{ContentType, Header, Status};
use rocket::{Responder, get};

use super::{FiguresQuery, chosen};
use crate::export::Format;
use crate::service::publish::{self, ExportFile, Published};
use crate::web::staff::CityViewer;
use crate::web::{Page, WebError, blocking};

/// A file to save.
#[derive(Responder)]
pub struct Download<T> {
    body: T,
    content_type: ContentType,
    disposition: Header<'static>,
}

impl<T> Download<T> {
    fn new(body: T, content_type: ContentType, name: &str) -> Download<T> {
        let disposition = format!("attachment; filename=\"{name}\"");
        Download {
            body,
            content_type,
            disposition: Header::new("Content-Disposition", disposition),
        }
    }
}

#[get("/stats/aggregates.csv?<query..>")]
pub async fn aggregates_csv(
    viewer: CityViewer,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<Download<Vec<u8>>, WebError> {
    let (app, actor) = (page.app.clone(), viewer.0.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let Published { name, body, .. } =
        blocking(move || publish::aggregates(&app, &actor, &choice)).await??;
    Ok(Download::new(body, ContentType::CSV, &name))
}

/// The microdata (CSV, Stata, SPSS, Excel, R), the codebook or the whole package of a wave,
/// exported afresh in the person's language (the same files as `dxsurvey export`), off the
/// async threads.
#[get("/stats/export/<file>?<query..>")]
pub async fn export_file(
    viewer: CityViewer,
    file: &str,
    query: FiguresQuery<'_>,
    page: Page<'_>,
) -> Result<Download<rocket::tokio::fs::File>, WebError> {
    let file = ExportFile::parse(file).ok_or(WebError::Status(Status::NotFound))?;
    let key = page.app.secret.to_string();
    let (app, actor) = (page.app.clone(), viewer.0.actor(&page.address));
    let choice = chosen(page.app, &query).await?;
    let lang = page.lang;
    let exported =
        blocking(move || publish::export_file(&app, &actor, &choice, (file, lang), &key)).await??;
    let content_type = match file {
        ExportFile::Microdata | ExportFile::ResponseGroups => ContentType::CSV,
        ExportFile::DataPackage => ContentType::JSON,
        ExportFile::Package => ContentType::ZIP,
        ExportFile::Labelled(Format::R) => ContentType::Plain,
        ExportFile::Labelled(Format::Excel) => {
            ContentType::new("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        }
        ExportFile::Labelled(_) => ContentType::Binary,
    };
    let body = rocket::tokio::fs::File::from_std(exported.file);
    Ok(Download::new(body, content_type, &exported.name))
}
