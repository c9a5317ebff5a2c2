-- The flow's state and every count that guards money or abuse live in the database, so they
-- hold across parallel requests, sessions and instances.

-- The browser that started the registration: the SHA-256 of its HttpOnly flow cookie. Only a
-- request carrying that cookie can follow the registration (a key copied out of a page cannot).
ALTER TABLE registrations ADD COLUMN owner_hash TEXT;
-- The code last texted: its verification id, the masked number it went to, and how many times
-- it has been checked (each check is reserved here before ShipEngine is asked).
ALTER TABLE registrations ADD COLUMN verification_id TEXT;
ALTER TABLE registrations ADD COLUMN code_sent_to TEXT;
ALTER TABLE registrations ADD COLUMN code_checks INTEGER NOT NULL DEFAULT 0;

-- One registration in flight (or of unknown outcome) per browser: two tabs opened before either
-- was sent carry two keys, and still open one account.
CREATE UNIQUE INDEX registrations_one_open_per_owner ON registrations (owner_hash)
    WHERE status IN ('submitted', 'registered', 'code_sent', 'outcome_unknown');

-- Sliding-window counts: one row per admitted request and per thing it is counted against
-- (`register/ip/…`, `send/flow/…`, `check/total`, …). Unix seconds.
DROP TABLE send_hits;
CREATE TABLE limit_hits (
    counter TEXT NOT NULL,
    at_secs BIGINT NOT NULL
);
CREATE INDEX limit_hits_by_counter ON limit_hits (counter, at_secs);
CREATE INDEX limit_hits_by_time ON limit_hits (at_secs);
