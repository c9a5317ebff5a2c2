-- One account per merchant, enforced where the row is made: two onboarding links for one
-- merchant opened before either registered must still open one account. A row is bound by the
-- rule when its flow began at a link for a `merchant_ref` that did not allow another account.
ALTER TABLE registrations ADD COLUMN one_per_merchant BOOLEAN NOT NULL DEFAULT FALSE;

-- Rows from before: the merchant's first registration that was not refused is its one account.
UPDATE registrations SET one_per_merchant = TRUE
WHERE merchant_ref IS NOT NULL AND status <> 'failed'
  AND NOT EXISTS (
    SELECT 1 FROM registrations e
    WHERE e.merchant_ref = registrations.merchant_ref AND e.status <> 'failed'
      AND (e.created_at_ms < registrations.created_at_ms
           OR (e.created_at_ms = registrations.created_at_ms
               AND e.reference < registrations.reference)));

-- At most one bound registration per merchant that ShipEngine did not refuse. The insert of a
-- second one does nothing (`ON CONFLICT DO NOTHING`), and its flow follows the first.
CREATE UNIQUE INDEX registrations_one_per_merchant ON registrations (merchant_ref)
    WHERE one_per_merchant AND status <> 'failed';

-- A carrier is one registration's account: no two rows may hold its id. If this fails, two
-- registrations hold one carrier already; find them with
-- `SELECT carrier_id, reference FROM registrations WHERE carrier_id IN (SELECT carrier_id FROM
-- registrations GROUP BY carrier_id HAVING COUNT(*) > 1)` and settle which is whose first.
CREATE UNIQUE INDEX registrations_one_per_carrier ON registrations (carrier_id)
    WHERE carrier_id IS NOT NULL;
