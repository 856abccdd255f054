-- Who pushes a call that the registrar forked to two processes during an instance's
-- make-before-break overlap (docs/design-rebalance.md): the first process to insert the call's
-- key pushes, the other answers its branch 480 without pushing. Only written while an instance
-- is being handed over; rows are short-lived (deleted after 15 minutes by the lease holders),
-- so the table is unlogged: after a crash of the database an empty table is correct.
CREATE UNLOGGED TABLE push_claims (
    call_key    text COLLATE "C" PRIMARY KEY,      -- Call-ID, From tag and CSeq number of the INVITE
    owner       text        NOT NULL,              -- Server[Name] of the process that pushes
    claimed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX push_claims_claimed_at ON push_claims (claimed_at);
