//! Signing in, tokens and users (the `auth` tag).

use super::*;

/// Password login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// A label for the token (e.g. the device).
    #[serde(default)]
    pub label: Option<String>,
}

/// A new bearer token (shown once; only its SHA-256 is stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Its id (to revoke it).
    pub token_id: String,
    /// Its label.
    pub label: String,
    /// When it stops working (RFC 3339 UTC).
    pub expires_at: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn login(
    State(s): Svc,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult {
    let label = req.label.unwrap_or_else(|| "login".into());
    let t = s
        .login(&req.username, &req.password, &label, client)
        .await?;
    ok(&token_body(t))
}

fn token_body(t: crate::auth::NewToken) -> TokenBody {
    TokenBody {
        token: t.token,
        token_id: t.row.token_id,
        label: t.row.label,
        expires_at: t.row.expires_at.unwrap_or_default(),
    }
}

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    /// Actor id as written to the log.
    pub actor: String,
    /// The role (`{"role":"agent","company":…}`, `{"role":"delegate","party":…}`, …).
    #[schema(value_type = Object)]
    pub role: Role,
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeBody), (status = "4XX", body = ErrorBody)))]
pub(super) async fn me(caller: Caller) -> ApiResult {
    require_user(&caller)?;
    ok(&MeBody {
        actor: caller.actor.id,
        role: caller.actor.role,
    })
}

/// A token as listed (never the secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// Id.
    pub token_id: String,
    /// Label.
    pub label: String,
    /// Created.
    pub created_at: String,
    /// Revoked, if it was.
    pub revoked_at: Option<String>,
    /// When it stops working (`null`: issued before tokens expired; it no longer works).
    pub expires_at: Option<String>,
    /// The token it was minted with, if any.
    pub parent_token_id: Option<String>,
}

/// The signed-in user; without a token that is 401 (sign in), not 403.
fn require_user(caller: &Caller) -> Result<&str, ServiceError> {
    caller.user_id.as_deref().ok_or_else(|| {
        ServiceError::Unauthorized("sign in first: send Authorization: Bearer <token>".into())
    })
}

#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = "4XX", body = ErrorBody)))]
pub(super) async fn list_tokens(State(s): Svc, caller: Caller) -> ApiResult {
    let user = require_user(&caller)?;
    let rows = s.db().tokens_of(user).await?;
    let list: Vec<TokenInfo> = rows
        .into_iter()
        .map(|r| TokenInfo {
            token_id: r.token_id,
            label: r.label,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
            expires_at: r.expires_at,
            parent_token_id: r.parent_token_id,
        })
        .collect();
    ok(&list)
}

/// The caller's own password, asked again before something that outlives
/// their token (a script token, an account): checked and rate-limited like
/// a login. A wrong one is the request's fault, not the token's: 422 naming
/// `field`, so a client does not take it for a dead session (401).
async fn confirm_password(
    s: &Service,
    caller: &Caller,
    password: &str,
    client: Option<std::net::IpAddr>,
    field: &str,
) -> Result<(), ServiceError> {
    let user = require_user(caller)?;
    let username = caller
        .actor
        .id
        .strip_prefix("user:")
        .ok_or(ServiceError::Forbidden)?;
    let confirmed = s
        .check_credentials(username, password, client)
        .await
        .map_err(|e| match e {
            ServiceError::Unauthorized(_) => {
                ServiceError::Unprocessable(format!("{field}: not this user's password"))
            }
            other => other,
        })?;
    if confirmed.id != user {
        return Err(ServiceError::Forbidden);
    }
    Ok(())
}

/// A new token for scripts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    /// The user's password, again: a token alone (a stolen browser's) cannot
    /// mint one that outlives it.
    pub password: String,
    /// Label (e.g. `ci`, `laptop`).
    #[serde(default)]
    pub label: Option<String>,
    /// Lifetime in days (default 30, at most 365).
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", security(("bearer" = [])), request_body = NewTokenRequest,
    responses((status = 201, body = TokenBody, description = "the token; revoking the token it was made with revokes it too"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn create_token(
    State(s): Svc,
    caller: Caller,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<NewTokenRequest>,
) -> ApiResult {
    let user = require_user(&caller)?;
    confirm_password(&s, &caller, &req.password, client, "password").await?;
    let (default_days, max_days) = crate::auth::API_TOKEN_DAYS;
    let days = req.expires_in_days.unwrap_or(default_days);
    if !(1..=max_days).contains(&days) {
        return Err(ServiceError::Unprocessable(format!(
            "expires_in_days: 1 to {max_days}, not {days}"
        )));
    }
    let t = s
        .issue_token(
            user,
            req.label.as_deref().unwrap_or("api"),
            jiff::SignedDuration::from_hours(days * 24),
            caller.token_id.as_deref(),
        )
        .await?;
    json_response(StatusCode::CREATED, &token_body(t))
}

#[utoipa::path(delete, path = "/api/v1/auth/tokens/{token_id}", tag = "auth", security(("bearer" = [])),
    params(("token_id" = String, Path, description = "token id")),
    responses((status = 204, description = "revoked"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn revoke_token(
    State(s): Svc,
    caller: Caller,
    ApiPath(token_id): ApiPath<String>,
) -> ApiResult {
    let user = require_user(&caller)?;
    let at = corridor_ledger::time::format(s.now().await);
    if s.db().revoke_token(user, &token_id, &at).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ServiceError::NotFound("no such token".into()))
    }
}

/// A new user (admin only).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    /// User name.
    pub username: String,
    /// Initial password: at least 12 characters, not containing the user
    /// name, not a common password.
    pub password: String,
    /// `{"role":"agent","company":…}`, `{"role":"delegate","party":…}`, `{"role":"inspector"}`, `{"role":"coordinator"}` or `{"role":"admin"}`.
    #[schema(value_type = Object)]
    pub role: Role,
    /// The administrator's own password, again: a token alone (a stolen
    /// browser's) cannot make an account that outlives it.
    pub admin_password: String,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "auth", security(("bearer" = [])), request_body = NewUserRequest,
    responses((status = 201, body = Object), (status = "4XX", body = ErrorBody)))]
pub(super) async fn create_user(
    State(s): Svc,
    caller: Caller,
    ClientAddr(client): ClientAddr,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> ApiResult {
    can(&caller.actor, Action::ManageUsers, Resource::Users)
        .map_err(|_| ServiceError::Forbidden)?;
    confirm_password(&s, &caller, &req.admin_password, client, "admin_password").await?;
    s.create_user(&req.username, &req.password, &req.role)
        .await?;
    json_response(
        StatusCode::CREATED,
        &json!({"username": req.username, "role": req.role}),
    )
}

/// A user as the administrator sees it (never a password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserBody {
    /// User name.
    pub username: String,
    /// Role, as `POST /users` takes it (`{"role": "agent", "company": …}`, `{"role": "coordinator"}`, …).
    #[schema(value_type = Object)]
    pub role: Role,
    /// When the account was made (RFC 3339).
    pub created_at: String,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserBody>, description = "every account, by user name"), (status = "4XX", body = ErrorBody)))]
pub(super) async fn list_users(State(s): Svc, caller: Caller) -> ApiResult {
    can(&caller.actor, Action::ManageUsers, Resource::Users)
        .map_err(|_| ServiceError::Forbidden)?;
    let users = s.db().users().await?;
    let body: Vec<UserBody> = users
        .into_iter()
        .map(|(username, role, created_at)| {
            let role = serde_json::from_str(&role)
                .map_err(|e| ServiceError::Internal(format!("role of {username}: {e}")))?;
            Ok(UserBody {
                username,
                role,
                created_at,
            })
        })
        .collect::<Result<_, ServiceError>>()?;
    ok(&body)
}
