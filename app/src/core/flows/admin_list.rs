//! Staff's list of accounts: search, filters, DRF's orderings, and a
//! cursor that survives changes between pages.

use super::admin::item;
use crate::core::codes::Code;
use crate::core::entities::mfa_totp;
use crate::core::entities::user::{Column, Entity as Users};
use crate::core::error::FlowError;
use crate::core::Engine;
use crate::shared::admin::AdminUserPage;
use base64::Engine as _;
use sea_orm::sea_query::{Expr, Func, LikeExpr, Query};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// How the list is sorted (`ordering=`, DRF's names).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ordering {
    #[default]
    Id,
    IdDesc,
    Joined,
    JoinedDesc,
    Username,
    UsernameDesc,
}

impl Ordering {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "id" => Ordering::Id,
            "-id" => Ordering::IdDesc,
            "date_joined" => Ordering::Joined,
            "-date_joined" => Ordering::JoinedDesc,
            "username" => Ordering::Username,
            "-username" => Ordering::UsernameDesc,
            _ => return None,
        })
    }
}

/// A search of the account list.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    /// Part of a username, address or name (any case).
    pub search: Option<String>,
    pub email_verified: Option<bool>,
    pub is_active: Option<bool>,
    pub is_staff: Option<bool>,
    pub has_2fa: Option<bool>,
    /// Unix seconds, inclusive.
    pub joined_after: Option<i64>,
    /// Unix seconds, exclusive.
    pub joined_before: Option<i64>,
    pub ordering: Ordering,
    /// Where the page before ended (`next_cursor`).
    pub cursor: Option<String>,
    pub page_size: u64,
}

const SEARCH_MAX: usize = 100;

fn cursor_encode(key: &str, id: i32) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{id}|{key}"))
}

/// A cursor from [`cursor_encode`]; `None` for anything else (a key with a
/// NUL, which PostgreSQL refuses, or longer than a username, included).
fn cursor_decode(cursor: &str) -> Option<(i32, String)> {
    if cursor.len() > 400 {
        return None;
    }
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor.trim()).ok()?;
    let raw = String::from_utf8(raw).ok()?;
    let (id, key) = raw.split_once('|')?;
    if key.contains('\0') || key.chars().count() > 200 {
        return None;
    }
    Some((id.parse().ok()?, key.to_owned()))
}

/// `LIKE` pattern for "contains `term`" with `%`, `_` and `\` taken literally.
fn contains(term: &str) -> LikeExpr {
    let escaped: String = term
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

impl Engine {
    /// A page of accounts.
    ///
    /// # Errors
    /// `Invalid` on `search` or `cursor`.
    pub async fn admin_list_users(&self, q: &UserQuery) -> Result<AdminUserPage, FlowError> {
        let mut cond = Condition::all();
        if let Some(term) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if term.contains('\0') {
                return Err(FlowError::field("search", Code::NullCharacters));
            }
            if term.chars().count() > SEARCH_MAX {
                return Err(FlowError::field("search", Code::TooLong(SEARCH_MAX)));
            }
            let lower = term.to_lowercase();
            let canonical = crate::core::domain::username::canonical(term);
            cond = cond.add(
                Condition::any()
                    .add(Expr::col(Column::UsernameLower).like(contains(&canonical)))
                    // not the placeholder an account without an address keeps
                    .add(
                        Condition::all()
                            .add(Column::Email.ne(""))
                            .add(Expr::col(Column::EmailLower).like(contains(&lower))),
                    )
                    .add(Expr::expr(Func::lower(Expr::col(Column::FirstName))).like(contains(&lower)))
                    .add(Expr::expr(Func::lower(Expr::col(Column::LastName))).like(contains(&lower))),
            );
        }
        for (col, value) in
            [(Column::EmailVerified, q.email_verified), (Column::IsActive, q.is_active), (Column::IsStaff, q.is_staff)]
        {
            if let Some(v) = value {
                cond = cond.add(col.eq(v));
            }
        }
        if let Some(v) = q.has_2fa {
            let with = Query::select().column(mfa_totp::Column::UserId).from(mfa_totp::Entity).to_owned();
            cond = cond.add(if v { Column::Id.in_subquery(with) } else { Column::Id.not_in_subquery(with) });
        }
        if let Some(t) = q.joined_after {
            cond = cond.add(Column::DateJoined.gte(t));
        }
        if let Some(t) = q.joined_before {
            cond = cond.add(Column::DateJoined.lt(t));
        }
        if let Some(c) = q.cursor.as_deref().filter(|c| !c.trim().is_empty()) {
            let bad = || FlowError::field("cursor", Code::InvalidValue);
            let (id, key) = cursor_decode(c).ok_or_else(bad)?;
            cond = cond.add(match q.ordering {
                Ordering::Id => Condition::all().add(Column::Id.gt(id)),
                Ordering::IdDesc => Condition::all().add(Column::Id.lt(id)),
                Ordering::Joined | Ordering::JoinedDesc => {
                    let joined: i64 = key.parse().map_err(|_| bad())?;
                    let (after, tie) = if q.ordering == Ordering::Joined {
                        (Column::DateJoined.gt(joined), Column::Id.gt(id))
                    } else {
                        (Column::DateJoined.lt(joined), Column::Id.lt(id))
                    };
                    Condition::any().add(after).add(Condition::all().add(Column::DateJoined.eq(joined)).add(tie))
                }
                Ordering::Username => Condition::all().add(Column::UsernameLower.gt(key)),
                Ordering::UsernameDesc => Condition::all().add(Column::UsernameLower.lt(key)),
            });
        }
        let mut select = Users::find().filter(cond);
        select = match q.ordering {
            Ordering::Id => select.order_by_asc(Column::Id),
            Ordering::IdDesc => select.order_by_desc(Column::Id),
            Ordering::Joined => select.order_by_asc(Column::DateJoined).order_by_asc(Column::Id),
            Ordering::JoinedDesc => select.order_by_desc(Column::DateJoined).order_by_desc(Column::Id),
            Ordering::Username => select.order_by_asc(Column::UsernameLower),
            Ordering::UsernameDesc => select.order_by_desc(Column::UsernameLower),
        };
        let size = q.page_size.clamp(1, 100);
        let mut rows = select.limit(size + 1).all(self.db()).await?;
        let more = rows.len() as u64 > size;
        rows.truncate(size as usize);
        let ids: Vec<i32> = rows.iter().map(|u| u.id).collect();
        let with_2fa: std::collections::HashSet<i32> = mfa_totp::Entity::find()
            .select_only()
            .column(mfa_totp::Column::UserId)
            .filter(mfa_totp::Column::UserId.is_in(ids))
            .into_tuple::<i32>()
            .all(self.db())
            .await?
            .into_iter()
            .collect();
        let next_cursor = more.then(|| rows.last()).flatten().map(|u| match q.ordering {
            Ordering::Id | Ordering::IdDesc => cursor_encode("", u.id),
            Ordering::Joined | Ordering::JoinedDesc => cursor_encode(&u.date_joined.to_string(), u.id),
            Ordering::Username | Ordering::UsernameDesc => cursor_encode(&u.username_lower, u.id),
        });
        Ok(AdminUserPage { results: rows.iter().map(|u| item(u, with_2fa.contains(&u.id))).collect(), next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = cursor_encode("ada|lovelace", 42);
        assert_eq!(cursor_decode(&c), Some((42, "ada|lovelace".to_owned())));
        assert_eq!(cursor_decode("not base64!"), None);
        assert_eq!(cursor_decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("x|y")), None);
        assert_eq!(cursor_decode(&cursor_encode("a\0b", 1)), None, "PostgreSQL refuses NUL");
    }

    #[test]
    fn orderings_use_drf_names() {
        assert_eq!(Ordering::parse("-date_joined"), Some(Ordering::JoinedDesc));
        assert_eq!(Ordering::parse("password_hash"), None);
    }
}
