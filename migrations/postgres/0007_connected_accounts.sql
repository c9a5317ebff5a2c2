-- Where a registration's account comes from: `registered` (opened by the form, the card and the
-- phone code) or `connected` (a Stamps.com account the merchant already had, connected with its
-- login: no card, no email, no code; verified as soon as ShipEngine connects it).
ALTER TABLE registrations ADD COLUMN origin TEXT NOT NULL DEFAULT 'registered'
    CHECK (origin IN ('registered', 'connected'));
