//! The reference of `scripts/bench-web`: a bare Rocket handler returning a fixed 16 KB page,
//! measured beside dxsurvey's questionnaire page on the same cores, so that the page's cost is
//! read as a share of what Rocket itself can serve here.

use rocket::response::content::RawHtml;
use rocket::{get, routes};

const PAGE_BYTES: usize = 16 * 1024;

#[get("/")]
fn page() -> RawHtml<&'static str> {
    static PAGE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    RawHtml(PAGE.get_or_init(|| {
        let mut page = String::from("<!doctype html><html lang=\"vi\"><body><p>");
        while page.len() < PAGE_BYTES - 20 {
            page.push_str("Khảo sát chuyển đổi số. ");
        }
        page.push_str("</p></body></html>");
        page
    }))
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build().mount("/", routes![page])
}
