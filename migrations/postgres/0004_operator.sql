-- The operator's side: which of its merchants each registration belongs to, the onboarding
-- links it mints, the timeline of every registration, the webhooks' outbox and their delivery
-- attempts, the audit log, and the first step of the funnel. Times are Unix milliseconds.

-- The operator's own id for the merchant, from the onboarding link the flow started at.
ALTER TABLE registrations ADD COLUMN merchant_ref TEXT;
CREATE INDEX registrations_by_merchant_ref ON registrations (merchant_ref, updated_at_ms);
CREATE INDEX registrations_by_created ON registrations (created_at_ms);

-- A link minted by the operator's backend. Only the SHA-256 of its token is stored.
CREATE TABLE onboarding_links (
    -- Public id, shown in the admin console (never the token).
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    merchant_ref TEXT NOT NULL,
    -- The prefilled fields as JSON (never card data).
    prefill TEXT,
    return_url TEXT,
    refresh_url TEXT,
    -- `en` or `es`, when the operator chose one.
    locale TEXT,
    allow_another BOOLEAN NOT NULL DEFAULT FALSE,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms BIGINT
);
CREATE INDEX onboarding_links_by_merchant_ref ON onboarding_links (merchant_ref, created_at_ms);
CREATE INDEX onboarding_links_by_created ON onboarding_links (created_at_ms);

-- Every step of a registration, in order, written in the transaction that took it.
CREATE TABLE registration_events (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL,
    -- `submitted`, `registered`, `code_sent`, `send_code_failed`, `verify_code_failed`,
    -- `verified`, `failed`, `outcome_unknown`, `settled_registered`, `settled_failed`.
    event TEXT NOT NULL,
    -- The registration's status after it.
    status TEXT NOT NULL,
    -- ShipEngine's request id of the call that moved it, when there was one.
    request_id TEXT,
    -- What happened, as logged (an error's codes, a settlement's note); never a message to a
    -- merchant, never card data.
    detail TEXT,
    at_ms BIGINT NOT NULL
);
CREATE INDEX registration_events_by_reference ON registration_events (reference, id);
CREATE INDEX registration_events_by_time ON registration_events (at_ms);

-- Webhook events to deliver, written in the transaction of the status change they announce.
CREATE TABLE webhook_outbox (
    -- Delivery order: per registration, an event goes only after the ones before it.
    seq BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    reference TEXT NOT NULL,
    -- The JSON body, exactly as it is signed and sent.
    payload TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT NOT NULL,
    delivered_at_ms BIGINT,
    -- Set when the retries ran out (3 days); the next event of the registration may then go.
    given_up_at_ms BIGINT
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (next_attempt_at_ms)
    WHERE delivered_at_ms IS NULL AND given_up_at_ms IS NULL;
CREATE INDEX webhook_outbox_by_reference ON webhook_outbox (reference, seq);

-- Each attempt to deliver an event, with the receiver's answer.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    event_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    -- The receiver's HTTP status; NULL when none came (refused, timed out).
    status_code BIGINT,
    -- Why it failed, in a few words (never the receiver's body).
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id, id);

-- What operators and the app's own jobs did: sign-ins, settlements, redeliveries, decisions.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    -- `admin:<who>`, `reconciliation`, `operator_api`.
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    reference TEXT,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_by_reference ON audit_log (reference, id);
CREATE INDEX audit_log_by_time ON audit_log (at_ms);

-- The funnel's first step: a browser that was shown the empty form (once per flow cookie).
CREATE TABLE form_opens (
    owner_hash TEXT PRIMARY KEY NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX form_opens_by_time ON form_opens (at_ms);
