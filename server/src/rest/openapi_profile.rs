//! The profile schema in the OpenAPI document: the nested `profile` of
//! `user/` (JSON and dotted multipart fields) and the sign-up fields of the
//! three doors' registration, each field typed as the schema says.

use super::openapi::Op;
use app::core::profile_schema::ProfileSchema;
use app::shared::profile::{FieldKind, FieldSpec};
use utoipa::openapi::path::HttpMethod;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};

/// The registration operations, which take the sign-up fields at the top.
const SIGNUP: [&str; 3] = ["/api/auth/registration/", "/auth/users/", "/api/v1/accounts/register/"];

/// One field's value.
pub fn value(spec: &FieldSpec) -> ObjectBuilder {
    let text = |format: Option<KnownFormat>| {
        let b = ObjectBuilder::new().schema_type(Type::String).max_length(Some(spec.max_chars()));
        match format {
            Some(f) => b.format(Some(SchemaFormat::KnownFormat(f))),
            None => b,
        }
    };
    let b = match spec.kind {
        FieldKind::Text | FieldKind::LongText | FieldKind::Phone => text(None),
        FieldKind::Email => text(Some(KnownFormat::Email)),
        FieldKind::Url => ObjectBuilder::new()
            .schema_type(Type::String)
            .max_length(Some(spec.max_chars()))
            .format(Some(SchemaFormat::Custom("uri".into()))),
        FieldKind::Choice => ObjectBuilder::new().schema_type(Type::String).enum_values(Some(spec.choices.clone())),
        FieldKind::Integer => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(spec.min.map(|m| m as f64))
            .maximum(spec.max.map(|m| m as f64)),
        FieldKind::Boolean => ObjectBuilder::new().schema_type(Type::Boolean),
        FieldKind::Date => {
            ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        }
        FieldKind::Image => ObjectBuilder::new().schema_type(Type::String).content_media_type("image/*"),
    };
    let about = if spec.help.is_empty() { spec.label() } else { format!("{}: {}", spec.label(), spec.help) };
    b.description(Some(about)).read_only(Some(!spec.editable))
}

/// The nested `profile` of `user/` (JSON: pictures are uploaded as files).
pub fn object(schema: &ProfileSchema) -> ObjectBuilder {
    let mut b = ObjectBuilder::new().schema_type(Type::Object);
    for spec in schema.fields().iter().filter(|f| f.kind != FieldKind::Image) {
        b = b.property(spec.name.clone(), value(spec));
    }
    b
}

/// `user/` as a multipart form: the profile's fields dotted (`profile.bio`),
/// as DRF reads nested serializers from forms, pictures as files.
pub fn dotted(mut b: ObjectBuilder, schema: &ProfileSchema) -> ObjectBuilder {
    for spec in schema.fields() {
        b = b.property(format!("profile.{}", spec.name), value(spec));
    }
    b
}

/// Whether `o` is a door's sign-up.
pub fn is_signup(o: &Op) -> bool {
    matches!(o.method, HttpMethod::Post) && SIGNUP.contains(&o.path)
}

/// A sign-up body with the fields the schema asks at sign-up.
pub fn signup(mut b: ObjectBuilder, schema: &ProfileSchema) -> ObjectBuilder {
    for spec in schema.signup_fields() {
        b = b.property(spec.name.clone(), value(spec).read_only(None));
        if spec.required {
            b = b.required(spec.name.clone());
        }
    }
    b
}
