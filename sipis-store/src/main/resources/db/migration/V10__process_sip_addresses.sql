-- Where each process receives SIP (docs/design-rebalance.md, "A call pushed during a move"):
-- written by the process itself at start from its own settings (Registration[Address] and
-- [Port]), never from the wire. A process that hands a waiting call over forwards it to the
-- address of the instance's new holder; the new holder takes the call without pushing it only
-- when it comes from the address of the process its push claim names.
CREATE TABLE process_sip_addresses (
    name        text PRIMARY KEY,                  -- Server[Name]
    sip_address text        NOT NULL,              -- host:port of its UDP SIP socket
    updated_at  timestamptz NOT NULL DEFAULT now()
);
