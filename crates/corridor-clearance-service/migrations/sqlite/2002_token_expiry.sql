-- Tokens expire, and a token minted with another is revoked with it.
-- Tokens issued before this migration have no expiry: they are treated as
-- expired, so their holders sign in again.
ALTER TABLE clearance_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE clearance_tokens ADD COLUMN parent_token_id TEXT;
CREATE INDEX clearance_tokens_parent ON clearance_tokens (parent_token_id);
