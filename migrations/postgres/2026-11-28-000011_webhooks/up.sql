-- Webhooks: a department's (or bank's) endpoint, and the deliveries owed to it. Deliveries are an
-- outbox written in the transaction of the change they announce, and sent afterwards by the server,
-- so that a slow or dead endpoint never holds up the change itself.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    -- The department (or bank) it belongs to: one endpoint each.
    owner TEXT NOT NULL UNIQUE REFERENCES departments (code),
    url TEXT NOT NULL,
    -- Signs each delivery (HMAC-SHA256); shown to the owner once, when registered.
    secret TEXT NOT NULL,
    -- The events it wants, one per line.
    events TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    -- The body sent, exactly: the signature covers these bytes.
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP,
    -- A sender working on it until then; another instance leaves it alone.
    leased_until TIMESTAMP,
    delivered_at TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    -- The HTTP status the endpoint answered, if it answered.
    status_code INTEGER,
    -- Why it failed, when it did: a status outside 2xx, a timeout, a refused connection.
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, at);
