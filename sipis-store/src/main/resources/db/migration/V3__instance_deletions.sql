-- Tombstones of deleted instances, so that a process that was not listening when an instance
-- was deleted (between its shard load and its LISTEN, or while its LISTEN connection was down)
-- finds the deletion in the same set-based catch-up read that finds changed registrations.
-- Written in the transaction that deletes the instance; kept 7 days (the poll purges older ones).
CREATE TABLE instance_deletions (
    selector   text COLLATE "C" PRIMARY KEY,
    deleted_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX instance_deletions_deleted_at ON instance_deletions (deleted_at);
