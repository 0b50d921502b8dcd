//! Avatar upload: PNG, JPEG, GIF or WebP (recognised by content, not by the
//! name or declared type), size-limited, stored under the media directory.

use crate::core::entities::user::Model as User;
use crate::core::error::FlowError;
use crate::core::repo::profiles;
use crate::core::{messages, secrets, Engine};

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
    /// Stores a new avatar and returns its URL; the old file is removed.
    ///
    /// # Errors
    /// `Invalid` on `avatar` for a non-image or an oversized file.
    #[tracing::instrument(skip_all, fields(user_id = user.id, len = bytes.len()))]
    pub async fn set_avatar(&self, user: &User, bytes: &[u8]) -> Result<String, FlowError> {
        let max = self.config().avatar_max_bytes;
        if bytes.len() > max {
            return Err(FlowError::field("avatar", messages::image_too_large(max)));
        }
        let ext = sniff_image(bytes).ok_or_else(|| FlowError::field("avatar", messages::INVALID_IMAGE))?;
        let dir = self.config().media_dir.join("avatars");
        tokio::fs::create_dir_all(&dir).await.map_err(anyhow::Error::from)?;
        let name = format!("avatars/{}-{}.{ext}", user.id, &secrets::random_token()[..16]);
        tokio::fs::write(self.config().media_dir.join(&name), bytes).await.map_err(anyhow::Error::from)?;
        let mut profile = profiles::get(self.db(), user.id).await?;
        let old = profile.avatar.replace(name.clone());
        profiles::save(self.db(), profile).await?;
        self.account_changed(user.id).await;
        if let Some(old) = old.filter(|o| o.starts_with("avatars/") && !o.contains("..")) {
            let _ = tokio::fs::remove_file(self.config().media_dir.join(old)).await;
        }
        Ok(super::profile::media_url(&name))
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
