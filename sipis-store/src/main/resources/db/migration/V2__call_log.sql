-- SIPIS schema, version 2: what the CallLog port (PgCallLog) needs. Documented in docs/store.md.
-- V1 created calls, text_messages and badge_counts before any repository wrote them; this
-- adds the missing columns. The message body and headers stay SipisKey envelopes.

-- A missed call: calls.caller holds the caller's URI (From), received_at when the INVITE
-- arrived; ended_at and reason say how it ended. UNIQUE (selector, call_id) from V1 makes
-- recording the same call twice a no-op.
ALTER TABLE calls
    ADD COLUMN ended_at timestamptz,
    ADD COLUMN reason   text NOT NULL DEFAULT '',
    ALTER COLUMN expires_at DROP NOT NULL;
COMMENT ON COLUMN calls.expires_at IS 'null: kept until the app takes it (CallLog.clear) or the instance is deleted';

-- An undelivered text message: msg_id (Call-ID and CSeq of the MESSAGE) is unique per
-- selector, so recording it twice is a no-op; headers_sealed is sealed with the context
-- text-headers:<selector>. Rows written before V2 (none were) get a synthetic msg_id.
ALTER TABLE text_messages
    ADD COLUMN msg_id         text,
    ADD COLUMN headers_sealed text,
    ALTER COLUMN expires_at DROP NOT NULL;
UPDATE text_messages SET msg_id = 'v1-row-' || id WHERE msg_id IS NULL;
ALTER TABLE text_messages
    ALTER COLUMN msg_id SET NOT NULL,
    ADD CONSTRAINT text_messages_selector_msg_id UNIQUE (selector, msg_id);
COMMENT ON COLUMN text_messages.headers_sealed IS 'null only on rows written before V2: no headers';
COMMENT ON COLUMN text_messages.expires_at IS 'null: kept until the app takes it (CallLog.clear) or the instance is deleted';
