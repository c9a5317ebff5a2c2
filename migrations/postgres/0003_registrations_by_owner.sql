-- A page view finds the browser's latest registration by its owner (the flow cookie's hash).
-- The partial unique index covers only open registrations; without this one, every page view
-- of a browser without a session read the whole table.
CREATE INDEX registrations_by_owner ON registrations (owner_hash, updated_at_ms);
