//! Picture uploads (the avatar, and any image field of the profile schema):
//! PNG, JPEG, GIF or WebP (recognised by content, not by the name or
//! declared type), size-limited, stored under the media directory.

use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::profile_values;
use crate::core::{codes::Code, secrets, Engine};
use crate::shared::profile::FieldKind;

/// Where a field's pictures are stored, under the media directory.
fn folder(field: &str) -> &'static str {
    if field == "avatar" {
        "avatars"
    } else {
        "images"
    }
}

/// The image kind the bytes start with, as a file extension.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some("png"),
        [0xff, 0xd8, 0xff, ..] => Some("jpg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("webp"),
        _ => None,
    }
}

impl Engine {
    /// Stores a new avatar and returns its URL (see [`Engine::set_image`]).
    ///
    /// # Errors
    /// `NotFound` when the profile has no `avatar`; `Invalid` on `avatar`
    /// for a non-image or an oversized file.
    pub async fn set_avatar(&self, user: &User, bytes: &[u8]) -> Result<String, FlowError> {
        self.set_image(user, "avatar", bytes).await
    }

    /// Stores a new picture for the image field `field` and returns its
    /// URL; the old file is removed. Concurrent uploads each swap the stored
    /// name atomically from the one they saw, so exactly one file stays: the
    /// last swap's, and each swap removes the file it replaced.
    ///
    /// # Errors
    /// `NotFound` when `field` is no editable image field of the profile;
    /// `Invalid` on `field` for a non-image or an oversized file.
    #[tracing::instrument(skip_all, fields(user_id = user.id, len = bytes.len()))]
    pub async fn set_image(&self, user: &User, field: &str, bytes: &[u8]) -> Result<String, FlowError> {
        let spec = self.config().profile.get(field).filter(|f| f.kind == FieldKind::Image && f.editable);
        let Some(spec) = spec else { return Err(FlowError::NotFound) };
        let field = spec.name.as_str();
        let ext = self.check_avatar(bytes).map_err(|m| FlowError::field(field, m))?;
        let folder = folder(field);
        let dir = self.config().media_dir.join(folder);
        tokio::fs::create_dir_all(&dir).await.map_err(anyhow::Error::from)?;
        let token = &secrets::random_token()[..16];
        let name = if folder == "avatars" {
            format!("avatars/{}-{token}.{ext}", user.id)
        } else {
            format!("images/{}-{field}-{token}.{ext}", user.id)
        };
        let path = self.config().media_dir.join(&name);
        tokio::fs::write(&path, bytes).await.map_err(anyhow::Error::from)?;
        match self.swap_in_image(user.id, field, &name).await {
            Ok(old) => {
                self.account_changed(user.id).await;
                if let Some(old) = old {
                    self.remove_media(user.id, &old).await;
                }
                Ok(super::profile::media_url(&name))
            }
            Err(e) => {
                let _ = tokio::fs::remove_file(&path).await;
                Err(e)
            }
        }
    }

    /// The image kind of an acceptable avatar, or the message refusing it.
    pub(crate) fn check_avatar(&self, bytes: &[u8]) -> Result<&'static str, Code> {
        let max = self.config().avatar_max_bytes;
        if bytes.len() > max {
            return Err(Code::ImageTooLarge(max));
        }
        sniff_image(bytes).ok_or(Code::InvalidImage)
    }

    /// Makes `name` the field's picture; returns the one it replaced.
    async fn swap_in_image(&self, user_id: i32, field: &str, name: &str) -> Result<Option<String>, FlowError> {
        for _ in 0..20 {
            let old = profile_values::get(self.db(), user_id, field).await?;
            if profile_values::swap(self.db(), user_id, field, old.as_deref(), name).await? {
                return Ok(old);
            }
        }
        Err(anyhow::anyhow!("the picture kept changing under concurrent uploads").into())
    }

    /// Deletes every upload of `user_id` (their account is gone; an upload
    /// racing with the deletion leaves nothing behind either).
    pub(crate) async fn remove_user_media(&self, user_id: i32) {
        let prefix = format!("{user_id}-");
        for folder in ["avatars", "images"] {
            let dir = self.config().media_dir.join(folder);
            let Ok(mut entries) = tokio::fs::read_dir(&dir).await else { continue };
            while let Ok(Some(entry)) = entries.next_entry().await {
                if entry.file_name().to_str().is_some_and(|n| n.starts_with(&prefix)) {
                    let _ = tokio::fs::remove_file(entry.path()).await;
                }
            }
        }
    }

    /// Deletes a stored upload of `user_id`'s (only ever one of theirs
    /// under `avatars/` or `images/`: a value that names someone else's file,
    /// typed into a field that later became an image field, deletes nothing).
    pub(crate) async fn remove_media(&self, user_id: i32, stored: &str) {
        let own = [format!("avatars/{user_id}-"), format!("images/{user_id}-")];
        if own.iter().any(|p| stored.starts_with(p.as_str())) && !stored.contains("..") && !stored.contains('\\') {
            if let Err(e) = tokio::fs::remove_file(self.config().media_dir.join(stored)).await {
                tracing::warn!(error = %e, "removing a replaced upload");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sniff_image;

    #[test]
    fn recognises_images_by_content() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(sniff_image(b"\xff\xd8\xff\xe0"), Some("jpg"));
        assert_eq!(sniff_image(b"GIF89a.."), Some("gif"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff_image(b"<svg xmlns="), None);
        assert_eq!(sniff_image(b"<?php echo 1; ?>"), None);
        assert_eq!(sniff_image(b""), None);
    }
}
