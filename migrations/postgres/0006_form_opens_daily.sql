-- The funnel's first step, counted per UTC day (days since the epoch) instead of one row per
-- browser: each instance keeps its counts in memory and adds them here every minute.
DROP TABLE form_opens;

CREATE TABLE form_opens_daily (
    day BIGINT NOT NULL PRIMARY KEY,
    opened BIGINT NOT NULL
);
