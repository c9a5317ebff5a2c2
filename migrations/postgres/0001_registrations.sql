-- One row per registration sent (or about to be sent) to ShipEngine. Never a card number, never
-- a verification code. Times are Unix milliseconds.
CREATE TABLE registrations (
    -- What a merchant quotes to support: short, random, easy to read out.
    reference TEXT PRIMARY KEY NOT NULL,
    -- Minted when the form is rendered: a repeat of the same submission finds this row.
    idempotency_key TEXT NOT NULL UNIQUE,
    session_id TEXT,
    nickname TEXT NOT NULL,
    email TEXT NOT NULL,
    carrier_id TEXT,
    status TEXT NOT NULL CHECK (status IN
        ('submitted', 'registered', 'code_sent', 'verified', 'failed', 'outcome_unknown')),
    card_brand TEXT NOT NULL,
    card_last4 TEXT NOT NULL,
    -- ShipEngine's request id of the latest call of each kind (the reference to give ShipEngine).
    register_request_id TEXT,
    send_code_request_id TEXT,
    verify_code_request_id TEXT,
    -- The latest upstream failure as logged: status, error codes, request id (never a message).
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE INDEX registrations_by_status ON registrations (status, updated_at_ms);

-- Codes sent, for the limits that must hold across instances (per phone number, in total).
-- Unix seconds, like the limit windows; rows older than the window go as new ones come in.
CREATE TABLE send_hits (
    counter TEXT NOT NULL,
    sent_at_secs BIGINT NOT NULL
);

CREATE INDEX send_hits_by_counter ON send_hits (counter, sent_at_secs);
CREATE INDEX send_hits_by_time ON send_hits (sent_at_secs);
