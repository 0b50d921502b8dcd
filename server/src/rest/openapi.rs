//! The OpenAPI 3.1 description of `/api/auth/` and `/api/admin/` (served at `/api/openapi.json`,
//! browsable at `/api/docs`). One table below lists every operation; a test
//! calls each of them on the real router.

use super::openapi_profile;
use app::core::profile_schema::ProfileSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItemBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, ResponseBuilder,
};

/// How an operation is called and answers.
pub struct Op {
    pub method: HttpMethod,
    pub path: &'static str,
    pub summary: &'static str,
    /// Body fields and whether each is required.
    pub body: &'static [(&'static str, bool)],
    pub ok: &'static str,
    /// The 200 body is a JSON array (the others are objects).
    pub list: bool,
    /// The body is `multipart/form-data` with a file field `avatar`.
    pub upload: bool,
    /// Statuses besides the ones every operation shares.
    pub also: &'static [(&'static str, &'static str)],
    pub auth: bool,
    pub throttled: bool,
    /// Query-string parameters (text) and what each does.
    pub query: &'static [(&'static str, &'static str)],
}

pub use super::openapi_operations::OPERATIONS;

/// A string field's schema: limits the server checks the same way.
fn field(name: &str, required: bool) -> ObjectBuilder {
    let text = ObjectBuilder::new().schema_type(Type::String);
    let text = if required { text.min_length(Some(1)) } else { text };
    match name {
        "username" => text.max_length(Some(150)).description(Some("Letters, digits and @ . + - _")),
        "email" | "new_email" => text.max_length(Some(254)).format(Some(SchemaFormat::KnownFormat(KnownFormat::Email))),
        "first_name" | "last_name" => text.max_length(Some(150)),
        "code" => text.max_length(Some(9)).description(Some("A TOTP code, or a recovery code like 1a2b-3c4d")),
        "timestamp" => ObjectBuilder::new().schema_type(Type::Integer).description(Some("From the signed link")),
        "revoke_token" => ObjectBuilder::new().schema_type(Type::Boolean),
        "credential" => ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some("The browser's PublicKeyCredential as JSON (toJSON())")),
        "session_id" => text.pattern(Some("^[0-9a-f]{32}$")).description(Some("From passkeys/login/begin/")),
        "name" => text.max_length(Some(255)),
        "password" | "old_password" | "new_password1" | "new_password2" | "password1" | "password2" | "re_password"
        | "current_password" | "new_password" | "re_new_password" | "password_confirm" => {
            text.max_length(Some(4096)).format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        }
        _ => text,
    }
}

fn json_object(o: &Op, schema: &ProfileSchema) -> utoipa::openapi::schema::Object {
    let mut b = ObjectBuilder::new().schema_type(Type::Object);
    for (name, required) in o.body {
        b = b.property(*name, field(name, *required));
        if *required {
            b = b.required(*name);
        }
    }
    if o.path == "/api/auth/user/" && matches!(o.method, HttpMethod::Put | HttpMethod::Patch) {
        b = b.property("profile", openapi_profile::object(schema));
    }
    if openapi_profile::is_signup(o) {
        b = openapi_profile::signup(b, schema);
    }
    b.build()
}

/// `user/` as a multipart form (see `openapi_profile::dotted`).
fn user_form(o: &Op, schema: &ProfileSchema) -> ObjectBuilder {
    let mut b = ObjectBuilder::new().schema_type(Type::Object);
    for (name, required) in o.body {
        b = b.property(*name, field(name, *required));
        if *required {
            b = b.required(*name);
        }
    }
    openapi_profile::dotted(b, schema)
}

fn upload_body() -> utoipa::openapi::request_body::RequestBody {
    let file = ObjectBuilder::new().schema_type(Type::String).content_media_type("image/*");
    let form = ObjectBuilder::new().schema_type(Type::Object).property("avatar", file).required("avatar");
    RequestBodyBuilder::new()
        .content("multipart/form-data", ContentBuilder::new().schema(Some(form)).build())
        .required(Some(utoipa::openapi::Required::True))
        .build()
}

fn response(description: &str) -> utoipa::openapi::Response {
    response_of(description, Type::Object)
}

fn response_of(description: &str, kind: Type) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(kind))).build())
        .build()
}

fn operation(o: &Op, schema: &ProfileSchema) -> utoipa::openapi::path::Operation {
    let tag = if o.path.starts_with("/auth/") {
        "djoser"
    } else if o.path.starts_with("/api/v1/accounts/") {
        "django-rest-registration"
    } else if o.path.starts_with("/api/auth/passkeys/") {
        "passkeys"
    } else if o.path.starts_with("/api/admin/") {
        "admin"
    } else if o.path.starts_with("/api/auth/activity/") || o.path.starts_with("/api/auth/sessions/") {
        "activity"
    } else if o.path.contains("social") || o.path.contains("{provider}") {
        "social"
    } else {
        "auth"
    };
    let ok = match (o.ok, o.list) {
        ("204", _) => ResponseBuilder::new().description("Done; no body").build(),
        (_, true) => response_of("Success", Type::Array),
        _ => response("Success"),
    };
    let mut b = OperationBuilder::new().summary(Some(o.summary)).tag(tag).response(o.ok, ok);
    if o.upload {
        b = b.request_body(Some(upload_body()));
    } else if !o.body.is_empty() {
        let content = ContentBuilder::new().schema(Some(json_object(o, schema))).build();
        let mut body = RequestBodyBuilder::new()
            .content("application/json", content.clone())
            .content("application/x-www-form-urlencoded", content);
        if o.path == "/api/auth/user/" && matches!(o.method, HttpMethod::Put | HttpMethod::Patch) {
            body =
                body.content("multipart/form-data", ContentBuilder::new().schema(Some(user_form(o, schema))).build());
        }
        b = b.request_body(Some(body.build()));
    }
    let path_params = [
        (
            "id",
            Type::Integer,
            "The connected account's `id` from `socialaccounts/`, djoser's user id, or an account's id (admin)",
        ),
        ("provider", Type::String, "A configured provider: `github`, `google` or a generic OIDC provider's id"),
        ("device", Type::String, "A device's `id` from sessions/"),
        ("username", Type::String, "A listed account's username"),
    ];
    for (name, kind, description) in path_params {
        if o.path.contains(&format!("{{{name}}}")) {
            b = b.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(utoipa::openapi::Required::True)
                    .description(Some(description))
                    .schema(Some(ObjectBuilder::new().schema_type(kind))),
            );
        }
    }
    for (name, description) in o.query {
        b = b.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(utoipa::openapi::Required::False)
                .description(Some(*description))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    b = b.response("400", response("Invalid input: `{\"field\": [\"message\"]}` or `{\"non_field_errors\": [...]}`"));
    if o.auth {
        b = b
            .response("401", response("No or bad credentials"))
            .security(SecurityRequirement::new("token", Vec::<String>::new()))
            .security(SecurityRequirement::new("jwt", Vec::<String>::new()))
            .security(SecurityRequirement::new("session", Vec::<String>::new()));
    }
    if o.throttled {
        b = b.response("429", response("Rate limited; see Retry-After"));
    }
    for (status, description) in o.also {
        b = b.response(*status, response(description));
    }
    if !o.body.is_empty() && !o.upload {
        b = b
            .response("413", response("Body over 64 KiB"))
            .response("415", response("Not JSON (`application/json`) or a form (`application/x-www-form-urlencoded`)"));
    }
    if !matches!(o.method, HttpMethod::Get) && !o.also.iter().any(|(s, _)| *s == "403") {
        b = b.response("403", response("Sent by a browser from another site (Origin / Sec-Fetch-Site)"));
    }
    b.response("408", response("The request took too long to arrive"))
        .response("503", response("Database unavailable, or too many password checks waiting; try again"))
        .build()
}

/// The whole document, with the deployment's profile fields (and the
/// profile directory when it is on).
pub fn document(schema: &ProfileSchema, directory: bool) -> OpenApi {
    let mut by_path: std::collections::BTreeMap<&str, PathItemBuilder> = std::collections::BTreeMap::new();
    for o in OPERATIONS.iter().filter(|o| directory || !o.path.starts_with("/api/auth/profiles/")) {
        let item = by_path.remove(o.path).unwrap_or_default();
        by_path.insert(o.path, item.operation(o.method.clone(), operation(o, schema)));
    }
    let mut paths = PathsBuilder::new();
    for (path, item) in by_path {
        paths = paths.path(path, item.build());
    }
    let token = SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
        utoipa::openapi::security::ApiKeyValue::with_description("Authorization", "`Token <key>` from login/"),
    ));
    let jwt = SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build());
    let session = SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Cookie(
        utoipa::openapi::security::ApiKeyValue::new(crate::session::COOKIE_NAME),
    ));
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Latchkey account API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "User-account API in three client contracts on one engine: dj-rest-auth at /api/auth/ \
                     (every path also answers without its trailing slash), djoser (tag `djoser`) at \
                     LATCHKEY_DJOSER_PREFIX, /auth/ by default (users/ paths need their trailing slash, as \
                     djoser's router does), and django-rest-registration (tag `django-rest-registration`) at \
                     LATCHKEY_REST_REGISTRATION_PREFIX, /api/v1/accounts/ by default.",
                ))
                .build(),
        )
        .paths(paths.build())
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("token", token)
                .security_scheme("jwt", jwt)
                .security_scheme("session", session)
                .build(),
        ))
        .build()
}
