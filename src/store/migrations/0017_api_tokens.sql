-- Personal API tokens: a staff member's scripts send one as `Authorization: Bearer dxs_…`.
-- Only the SHA-256 hash of its secret is kept, so a copy of the database opens nothing. What a
-- token may see is its owner's role and areas at each use (users, user_areas): nothing is
-- copied here. Revoked tokens are kept (revoked_at) so that their use is refused by name and
-- their history stays readable; times are Unix seconds.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_hash  BLOB NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at   INTEGER NOT NULL,
    -- Who made it: the owner, an administrator (their e-mail) or 'command line'.
    created_by   TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    -- The last refused use (expired, revoked, disabled account), so that such uses are audited
    -- at most once an hour per token.
    refused_at   INTEGER
) STRICT;

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
