-- "Add postage": each amount a merchant chose, then confirmed at most once. Only the request that
-- moves a row from `pending` to `charging` calls ShipEngine's add_funds; the outcome is recorded
-- on the row (`charged`, `refused`, `outcome_unknown`). Amounts in cents, times in Unix ms.
CREATE TABLE funding_requests (
    id TEXT NOT NULL PRIMARY KEY,
    -- The SHA-256 of the flow cookie of the browser that chose the amount: only it may see or
    -- confirm the request.
    owner_hash TEXT NOT NULL,
    carrier_id TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('pending', 'charging', 'charged', 'refused', 'outcome_unknown')),
    -- `card_declined`, `not_enabled` or `refused`, when ShipEngine refused the charge.
    refusal TEXT,
    -- The balance ShipEngine answered after the charge.
    balance_cents BIGINT,
    -- ShipEngine's request id of the add_funds call, and its failure as logged.
    request_id TEXT,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    -- When it was confirmed: the limits count confirmations within their window.
    claimed_at_ms BIGINT,
    updated_at_ms BIGINT NOT NULL
);

CREATE INDEX funding_requests_by_owner ON funding_requests (owner_hash, claimed_at_ms);
CREATE INDEX funding_requests_by_carrier ON funding_requests (carrier_id, claimed_at_ms);
