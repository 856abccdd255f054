-- SIPIS schema, version 5: the abuse controls of /sipis/register. Documented in docs/store.md.
-- Who registered an instance (the audit the administrator sees on /stats): the first
-- registration's source and app id (created_at, from V1, is its time) and the latest one's.
-- A source is the client's address, "<client> via <proxy>" when it came through a trusted
-- proxy. Rows registered before V5 have NULLs until they register again.
ALTER TABLE instances
    ADD COLUMN created_from      text,
    ADD COLUMN created_app_id    text,
    ADD COLUMN registered_from   text,
    ADD COLUMN registered_app_id text,
    ADD COLUMN registered_at     timestamptz;
COMMENT ON COLUMN instances.created_from IS 'source address of the registration that created the instance (null: before V5)';
COMMENT ON COLUMN instances.registered_from IS 'source address of the latest registration (null: before V5)';

-- Quotas count instances per registrar host (the proxy, else the domain) and per SIP user
-- (user@domain) inside the storing transaction; these indexes keep the counts cheap.
CREATE INDEX instances_registrar ON instances (lower(coalesce(sip_proxy, sip_domain)));
CREATE INDEX instances_sip_user ON instances (lower(sip_user || '@' || sip_domain));
