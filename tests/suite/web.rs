//! The web application through real HTTP requests to Rocket.

use rocket::http::{Header, Status};

use crate::helpers::spawn_app;

#[rocket::async_test]
async fn home_lists_both_open_questionnaires_in_vietnamese_by_default() {
    let (client, _dir) = spawn_app().await;
    let response = client.get("/").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let page = response.into_string().await.unwrap();
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(
        page.contains("data-survey=\"enterprise-dx\"")
            && page.contains("data-survey=\"agency-dx\"")
    );
    assert!(
        page.contains("Dành cho doanh nghiệp")
            && page.contains("Dành cho cơ quan, đơn vị nhà nước")
    );
    assert!(
        page.find("enterprise-dx").unwrap() < page.find("agency-dx").unwrap(),
        "enterprises first"
    );
}

#[rocket::async_test]
async fn english_follows_the_browser_and_the_switch_is_remembered() {
    let (client, _dir) = spawn_app().await;
    let page =
        client.get("/").header(Header::new("Accept-Language", "en-GB,en;q=0.9")).dispatch().await;
    let page = page.into_string().await.unwrap();
    assert!(page.contains("<html lang=\"en\">") && page.contains("For enterprises"));

    let switched = client.get("/lang/en").dispatch().await;
    assert_eq!(switched.status(), Status::SeeOther);
    // (Back to the same page is checked in the real-browser test: the local client sends no Host.)
    let elsewhere = client
        .get("/lang/en")
        .header(Header::new("Host", "localhost"))
        .header(Header::new("Referer", "http://evil.example/phish"))
        .dispatch()
        .await;
    assert_eq!(elsewhere.headers().get_one("Location"), Some("/"), "never to another site");
    let page = client
        .get("/")
        .header(Header::new("Accept-Language", "vi"))
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"en\">"), "the cookie wins over the browser");
}

#[rocket::async_test]
async fn unknown_pages_get_a_clear_page_in_the_persons_language() {
    let (client, _dir) = spawn_app().await;
    let response = client.get("/no/such/page").dispatch().await;
    assert_eq!(response.status(), Status::NotFound);
    let page = response.into_string().await.unwrap();
    assert!(page.contains("Không tìm thấy trang này"), "{page}");
}

#[rocket::async_test]
async fn every_page_carries_the_security_headers() {
    let (client, _dir) = spawn_app().await;
    for path in ["/", "/missing", "/assets/css/site.css"] {
        let response = client.get(path).dispatch().await;
        let headers = response.headers();
        let csp = headers.get_one("Content-Security-Policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers.get_one("X-Content-Type-Options"), Some("nosniff"), "{path}");
        assert_eq!(headers.get_one("Referrer-Policy"), Some("same-origin"), "{path}");
    }
}
