-- Ownership of selector prefixes (docs/design-rebalance.md): a lease per prefix, taken and
-- renewed by the owning process, so that two processes whose LB2 files disagree for a while
-- never both keep an instance. lower/upper are the prefix's selector bounds (upper NULL = to the
-- end), compared with COLLATE "C" like the shard ranges. Rows of held leases never overlap; a
-- row with released_to set is still the owner's until the named gainer takes it (hand-over).
-- Times are the database's (now()), never the hosts' clocks.
CREATE SEQUENCE shard_lease_epochs;

CREATE TABLE shard_leases (
    prefix       text COLLATE "C" PRIMARY KEY,       -- normalised HEX/BITS, '' = every selector
    lower_bound  text COLLATE "C" NOT NULL,
    upper_bound  text COLLATE "C",
    owner        text        NOT NULL,               -- Server[Name]
    epoch        bigint      NOT NULL,               -- from shard_lease_epochs: a new one at every take
    expires_at   timestamptz NOT NULL,
    released_to  text,                               -- the gainer of a hand-over, else NULL
    released_at  timestamptz,
    CHECK (released_to IS NULL OR released_to <> owner)
);
CREATE INDEX shard_leases_owner ON shard_leases (owner);
