//! Users, password login (argon2, rate-limited) and API tokens (only their
//! SHA-256 is stored).

use std::collections::HashMap;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use corridor_clearance::{Actor, Role};
use jiff::Timestamp;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::db::{TokenRow, UserRow};
use crate::error::ServiceError;
use crate::service::Service;

/// Failed logins allowed per user name within [`WINDOW_SECONDS`].
pub const MAX_FAILURES: u32 = 5;
/// Failed logins allowed over all user names within [`WINDOW_SECONDS`] (slows password spraying).
pub const MAX_GLOBAL_FAILURES: u32 = 200;
/// The rate-limit window.
pub const WINDOW_SECONDS: i64 = 900;

/// Counts failed logins per user name and overall, in fixed windows.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    per_user: HashMap<String, (i64, u32)>,
    global: (i64, u32),
}

impl LoginLimiter {
    fn window(now: Timestamp) -> i64 {
        now.as_second().div_euclid(WINDOW_SECONDS)
    }

    /// `true` when `username` may try now.
    pub fn allowed(&self, username: &str, now: Timestamp) -> bool {
        let w = Self::window(now);
        let user_ok = self
            .per_user
            .get(username)
            .is_none_or(|(uw, n)| *uw != w || *n < MAX_FAILURES);
        let global_ok = self.global.0 != w || self.global.1 < MAX_GLOBAL_FAILURES;
        user_ok && global_ok
    }

    /// Records a failure.
    pub fn failed(&mut self, username: &str, now: Timestamp) {
        let w = Self::window(now);
        // Keep the map small: old windows are dropped.
        self.per_user.retain(|_, (uw, _)| *uw == w);
        let e = self.per_user.entry(username.to_string()).or_insert((w, 0));
        e.1 = e.1.saturating_add(1);
        if self.global.0 != w {
            self.global = (w, 0);
        }
        self.global.1 = self.global.1.saturating_add(1);
    }

    /// Forgets a user's failures after a successful login.
    pub fn succeeded(&mut self, username: &str) {
        self.per_user.remove(username);
    }
}

/// An argon2id hash of `password` in PHC form.
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

fn check_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// SHA-256 hex of a token: what the database keeps.
pub fn token_hash(token: &str) -> String {
    corridor_ledger::hash::to_hex(&Sha256::digest(token.as_bytes()))
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

/// The actor a stored user acts as.
pub fn actor_of(u: &UserRow) -> Result<Actor, ServiceError> {
    let role: Role = serde_json::from_str(&u.role)
        .map_err(|e| ServiceError::Internal(format!("stored role: {e}")))?;
    Ok(Actor::new(&format!("user:{}", u.username), role))
}

/// A new token's secret (shown once) and its row.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The bearer token; never stored.
    pub token: String,
    /// The stored row.
    pub row: TokenRow,
}

impl Service {
    /// Creates a user with an argon2 password hash; `Conflict` when the name is taken.
    pub async fn create_user(
        &self,
        username: &str,
        password: &str,
        role: &Role,
    ) -> Result<(), ServiceError> {
        if username.is_empty()
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(ServiceError::Unprocessable(
                "user name: 1 to 64 of A-Z a-z 0-9 - _ .".into(),
            ));
        }
        if password.chars().count() < 8 {
            return Err(ServiceError::Unprocessable(
                "password: at least 8 characters".into(),
            ));
        }
        match role {
            Role::Agent { company } if company.is_empty() => {
                return Err(ServiceError::Unprocessable(
                    "an agent needs a company".into(),
                ));
            }
            Role::Delegate { party } if !self.config.has_party(party) => {
                return Err(ServiceError::Unprocessable(format!(
                    "no party {party} in this corridor"
                )));
            }
            Role::System | Role::Public => {
                return Err(ServiceError::Unprocessable(
                    "system and public are not user roles".into(),
                ));
            }
            _ => {}
        }
        let row = UserRow {
            id: corridor_ledger::hash::to_hex(&random_bytes::<8>()),
            username: username.to_string(),
            password_hash: hash_password(password)?,
            role: serde_json::to_string(role).map_err(|e| ServiceError::Internal(e.to_string()))?,
        };
        let at = corridor_ledger::time::format(self.clock.now());
        if self.db.insert_user(&row, &at).await? {
            Ok(())
        } else {
            Err(ServiceError::Conflict(format!(
                "user name {username} is taken (names are compared without regard to case)"
            )))
        }
    }

    /// Password login: a new token, or 401 (429 after too many failures).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        label: &str,
    ) -> Result<NewToken, ServiceError> {
        let now = self.clock.now();
        {
            let limiter = self.limiter.lock().unwrap_or_else(|p| p.into_inner());
            if !limiter.allowed(username, now) {
                return Err(ServiceError::RateLimited);
            }
        }
        let user = self.db.user_by_name(username).await?;
        // Hash even for unknown users so the answer takes as long either way.
        let ok = match &user {
            Some(u) => check_password(password, &u.password_hash),
            None => {
                let _ = check_password(password, dummy_hash());
                false
            }
        };
        // The guard lives in this block only: it must not be held across an await.
        let user = {
            let mut limiter = self.limiter.lock().unwrap_or_else(|p| p.into_inner());
            match user {
                Some(u) if ok => {
                    limiter.succeeded(username);
                    u
                }
                _ => {
                    limiter.failed(username, now);
                    return Err(ServiceError::Unauthorized(
                        "wrong user name or password".into(),
                    ));
                }
            }
        };
        self.issue_token(&user.id, label).await
    }

    /// A new token for a user.
    pub async fn issue_token(&self, user_id: &str, label: &str) -> Result<NewToken, ServiceError> {
        let token = format!(
            "ctk_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>())
        );
        let row = TokenRow {
            token_id: corridor_ledger::hash::to_hex(&random_bytes::<8>()),
            user_id: user_id.to_string(),
            label: label.chars().take(100).collect(),
            created_at: corridor_ledger::time::format(self.clock.now()),
            revoked_at: None,
        };
        self.db.insert_token(&token_hash(&token), &row).await?;
        Ok(NewToken { token, row })
    }

    /// The user behind a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<(UserRow, Actor), ServiceError> {
        let u = self
            .db
            .user_by_token(&token_hash(token))
            .await?
            .ok_or_else(|| ServiceError::Unauthorized("unknown or revoked token".into()))?;
        let actor = actor_of(&u)?;
        Ok((u, actor))
    }
}

/// An argon2id hash of a random password, for refusing unknown users as slowly as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let pw = corridor_ledger::hash::to_hex(&random_bytes::<16>());
        hash_password(&pw).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_blocks_after_max_failures_and_resets_by_window() {
        let t0: Timestamp = "2022-10-29T10:00:00Z".parse().unwrap();
        let mut l = LoginLimiter::default();
        for _ in 0..MAX_FAILURES {
            assert!(l.allowed("a", t0));
            l.failed("a", t0);
        }
        assert!(!l.allowed("a", t0));
        assert!(l.allowed("b", t0));
        let later = t0
            .checked_add(jiff::SignedDuration::from_secs(WINDOW_SECONDS))
            .unwrap();
        assert!(l.allowed("a", later));
    }

    #[test]
    fn passwords_hash_and_check() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(check_password("correct horse", &h));
        assert!(!check_password("wrong horse", &h));
        assert!(!check_password("x", "not a hash"));
        assert_eq!(token_hash("abc").len(), 64);
    }
}
