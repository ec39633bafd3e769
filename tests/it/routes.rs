//! The real router in-process: signing in, CSRF, the JSON API and its errors, the OpenAPI
//! document, the upload limit, and every page for the roles that use it.

mod limits;
mod openapi;
mod pages;
mod sessions;
