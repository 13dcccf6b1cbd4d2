//! The extractors of the clearance routes: every rejection is a JSON error.

use super::*;

/// A JSON body; a malformed one is a 400/422 JSON error.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// axum's default limit on a request body (`DefaultBodyLimit`), as said.
const JSON_BODY_LIMIT_TEXT: &str = "2 MiB";

/// The routes the public may send a body to: signing in, and checking an
/// application's eligibility before applying.
const PUBLIC_BODIES: [&str; 2] = ["/auth/login", "/eligibility"];

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ServiceError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Who may send it comes before what is wrong with it: the public
        // was told what was wrong with a body it may not send at all (a
        // 422 where signing in was what was missing; open finding 35).
        let public = req
            .extensions()
            .get::<axum::extract::MatchedPath>()
            .map(|p| p.as_str())
            .is_some_and(|p| {
                let p = p.strip_prefix("/api/v1").unwrap_or(p);
                PUBLIC_BODIES.contains(&p)
            });
        if !public && !req.headers().contains_key(header::AUTHORIZATION) {
            return Err(ServiceError::Unauthorized(format!(
                "sign in first: only signed-in users may send {} here",
                req.method()
            )));
        }
        // No body at all is a missing body (400), not one of the wrong type.
        let h = req.headers();
        if !h.contains_key(header::CONTENT_TYPE)
            && h.get(header::CONTENT_LENGTH).is_none_or(|v| v == "0")
            && !h.contains_key(header::TRANSFER_ENCODING)
        {
            return Err(ServiceError::BadRequest(
                "the request has no body: send it as JSON, with content-type: application/json"
                    .into(),
            ));
        }
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) if e.status() == StatusCode::UNPROCESSABLE_ENTITY => Err(
                ServiceError::Unprocessable(plain_json_error(&e.body_text())),
            ),
            // axum's own words name neither the limit nor the fix.
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ServiceError::TooLarge(
                format!("the request body is larger than the limit of {JSON_BODY_LIMIT_TEXT}"),
            )),
            Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Err(ServiceError::UnsupportedMediaType(
                    "send the body as JSON, with content-type: application/json".into(),
                ))
            }
            Err(e) => Err(ServiceError::BadRequest(e.body_text())),
        }
    }
}

/// A JSON body's rejection in the client's terms: the field and what it
/// should be, without the server's type names (`expected struct
/// LoginRequest with 3 elements` says nothing to a caller).
pub(crate) fn plain_json_error(text: &str) -> String {
    let text = text
        .strip_prefix("Failed to deserialize the JSON body into the target type: ")
        .unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let words: [(&str, &str); 3] = [
        (
            "expected internally tagged enum ",
            "expected an object with its kind named",
        ),
        ("expected struct ", "expected an object"),
        ("expected enum ", "expected one of the documented values"),
    ];
    'scan: while !rest.is_empty() {
        for (from, to) in words {
            if let Some(tail) = rest.strip_prefix(from) {
                out.push_str(to);
                // Skip the type name and a tuple-style "with N elements".
                let tail = tail.trim_start_matches(|c: char| c.is_alphanumeric() || c == '_');
                rest = match tail.strip_prefix(" with ") {
                    Some(t) if t.split_once(" element").is_some() => t
                        .split_once(" element")
                        .map_or(t, |(_, r)| r.trim_start_matches('s')),
                    _ => tail,
                };
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    // With the range: a number too large is a whole number all the same
    // (open finding 35: it was told "expected a whole number, 0 or more").
    let mut out = out
        .replace("invalid type: sequence", "invalid type: an array")
        .replace("invalid type: map", "invalid type: an object");
    for (ty, range) in [
        ("u8", "from 0 to 255"),
        ("u16", "from 0 to 65535"),
        ("u32", "from 0 to 4294967295"),
        ("u64", "from 0 to 18446744073709551615"),
        ("i32", "from -2147483648 to 2147483647"),
        ("i64", "from -9223372036854775808 to 9223372036854775807"),
    ] {
        out = out.replace(
            &format!("expected {ty}"),
            &format!("expected a whole number {range}"),
        );
    }
    out
}

/// Query and path parameters whose rejections are the shared JSON error.
pub use corridor_http::{ApiPath, ApiQuery};

/// Who is calling: the public without a token, a user with a valid one.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The actor for authorisation and the log.
    pub actor: Actor,
    /// The user id, when logged in.
    pub user_id: Option<String>,
    /// The user name, when logged in.
    pub username: Option<String>,
    /// The id of the token the call came with, when logged in.
    pub token_id: Option<String>,
}

impl FromRequestParts<Arc<Service>> for Caller {
    type Rejection = ServiceError;
    async fn from_request_parts(
        parts: &mut Parts,
        service: &Arc<Service>,
    ) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(Caller {
                actor: Actor::new("public", Role::Public),
                user_id: None,
                username: None,
                token_id: None,
            });
        };
        let token = value
            .to_str()
            .ok()
            // The scheme is case-insensitive (RFC 9110 §11.1).
            .and_then(|v| {
                v.split_once(' ')
                    .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            })
            .map(|(_, t)| t.trim())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ServiceError::Unauthorized("expected Authorization: Bearer <token>".into())
            })?;
        let (user, actor, token_id) = service.authenticate(token).await?;
        Ok(Caller {
            actor,
            user_id: Some(user.id),
            username: Some(user.username),
            token_id: Some(token_id),
        })
    }
}

/// Who the client is (through trusted proxies only): the login limiter's key.
pub use corridor_http::ClientAddr;

#[cfg(test)]
mod tests {
    use super::plain_json_error;

    /// Rejections name the field and what it should be, not our types.
    #[test]
    fn json_errors_are_in_the_callers_terms() {
        for (axum, plain) in [
            (
                "Failed to deserialize the JSON body into the target type: invalid length 0, expected struct LoginRequest with 3 elements at line 1 column 2",
                "invalid length 0, expected an object at line 1 column 2",
            ),
            (
                "Failed to deserialize the JSON body into the target type: role: expected internally tagged enum Role at line 1 column 30",
                "role: expected an object with its kind named at line 1 column 30",
            ),
            (
                "Failed to deserialize the JSON body into the target type: content.cargo[0].tonnes: invalid value: integer `-5`, expected u64 at line 1 column 9",
                "content.cargo[0].tonnes: invalid value: integer `-5`, expected a whole number from 0 to 18446744073709551615 at line 1 column 9",
            ),
            (
                "crew: invalid value: integer `5000000000`, expected u32 at line 1 column 20",
                "crew: invalid value: integer `5000000000`, expected a whole number from 0 to 4294967295 at line 1 column 20",
            ),
            (
                "seq: invalid value: integer `70000`, expected u16",
                "seq: invalid value: integer `70000`, expected a whole number from 0 to 65535",
            ),
            (
                "Failed to deserialize the JSON body into the target type: payload: invalid type: integer `5`, expected struct DecisionPayload at line 1 column 12",
                "payload: invalid type: integer `5`, expected an object at line 1 column 12",
            ),
            (
                "invalid type: sequence, expected struct X",
                "invalid type: an array, expected an object",
            ),
        ] {
            assert_eq!(plain_json_error(axum), plain);
        }
    }
}
