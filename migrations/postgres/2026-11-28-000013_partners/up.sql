-- Partner apps (合作方), registered by the credit office; they sign their own tokens.
CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    -- Its tokens' iss, sub and kid.
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    -- One scope per line.
    scopes TEXT NOT NULL,
    rate_per_second INTEGER NOT NULL,
    burst INTEGER NOT NULL,
    -- HS256 with this secret, or EdDSA with the key whose public half is here; never both.
    secret TEXT,
    public_key_pem TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    created_at TIMESTAMP NOT NULL,
    suspended_at TIMESTAMP,
    suspension_reason TEXT,
    CHECK ((secret IS NULL) <> (public_key_pem IS NULL))
);

-- Requests per partner per day (China time), added to by every instance.
CREATE TABLE partner_usage (
    partner_id TEXT NOT NULL REFERENCES partners (id),
    day DATE NOT NULL,
    requests BIGINT NOT NULL,
    PRIMARY KEY (partner_id, day)
);
