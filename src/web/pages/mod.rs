//! One file per screen; each handler takes `SignedIn` (a read) or `Submitted<T>` (a form post with
//! its CSRF token checked) and calls the services.

mod home;
mod sign_in;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/sign-in", web::get().to(sign_in::form))
        .route("/sign-in", web::post().to(sign_in::submit))
        .route("/sign-out", web::post().to(sign_in::sign_out))
        .route("/", web::get().to(home::page));
}
