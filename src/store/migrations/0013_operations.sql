-- The client addresses (an IPv4 address or an IPv6 /64) each account has signed in from. A
-- stranger's wrong passwords hold the account back from other addresses, not from these: the
-- owner is not locked out by someone hammering the account (src/service/signin.rs).
CREATE TABLE sign_in_addresses (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address        TEXT NOT NULL,
    last_signed_in INTEGER NOT NULL,
    PRIMARY KEY (user_id, address)
) STRICT, WITHOUT ROWID;

-- The last time `/healthz` wrote to the database: a probe proves a write, not only a read.
CREATE TABLE health (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
) STRICT;
