-- Admission of a group of registrations (PgAdmissions): take the group's advisory locks, then
-- read the counts, in one round trip. A VOLATILE function runs each statement with a new
-- snapshot, so the counts see every transaction that held one of these locks and has committed.
--
-- The counts are kept in admission_counts by statement triggers on instances, so a quota check
-- reads one row per key instead of counting up to the quota (50,000 index entries and their
-- heap tuples per registrar and group at the default quota). A trigger applies a statement's
-- changes as one delta per key, in key order, so two statements lock counter rows in the same
-- order. It counts whatever changes instances: admission, deletes, an operator's SQL.
CREATE TABLE admission_counts (
    kind smallint NOT NULL,        -- 0: registrar (lower(coalesce(sip_proxy, sip_domain))), 1: SIP user
    key  text     NOT NULL,
    n    bigint   NOT NULL,
    PRIMARY KEY (kind, key)
);

INSERT INTO admission_counts (kind, key, n)
SELECT 0, lower(coalesce(sip_proxy, sip_domain)), count(*) FROM instances
WHERE coalesce(sip_proxy, sip_domain) IS NOT NULL GROUP BY 2
UNION ALL
SELECT 1, lower(sip_user || '@' || sip_domain), count(*) FROM instances
WHERE sip_user IS NOT NULL AND sip_domain IS NOT NULL GROUP BY 2;

CREATE FUNCTION sipis_count_instances() RETURNS trigger LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO admission_counts AS a (kind, key, n)
        SELECT k, key, sum(d) FROM (
            SELECT 0 AS k, lower(coalesce(sip_proxy, sip_domain)) AS key, 1 AS d FROM new_rows
            UNION ALL SELECT 1, lower(sip_user || '@' || sip_domain), 1 FROM new_rows) x
        WHERE key IS NOT NULL GROUP BY k, key ORDER BY k, key
        ON CONFLICT (kind, key) DO UPDATE SET n = a.n + EXCLUDED.n;
    ELSIF TG_OP = 'TRUNCATE' THEN
        DELETE FROM admission_counts;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE admission_counts a SET n = a.n - x.d
        FROM (SELECT k, key, sum(d) AS d FROM (
                  SELECT 0 AS k, lower(coalesce(sip_proxy, sip_domain)) AS key, 1 AS d FROM old_rows
                  UNION ALL SELECT 1, lower(sip_user || '@' || sip_domain), 1 FROM old_rows) y
              WHERE key IS NOT NULL GROUP BY k, key ORDER BY k, key) x
        WHERE a.kind = x.k AND a.key = x.key;
    ELSE
        INSERT INTO admission_counts AS a (kind, key, n)
        SELECT k, key, sum(d) FROM (
            SELECT 0 AS k, lower(coalesce(sip_proxy, sip_domain)) AS key, 1 AS d FROM new_rows
            UNION ALL SELECT 1, lower(sip_user || '@' || sip_domain), 1 FROM new_rows
            UNION ALL SELECT 0, lower(coalesce(sip_proxy, sip_domain)), -1 FROM old_rows
            UNION ALL SELECT 1, lower(sip_user || '@' || sip_domain), -1 FROM old_rows) x
        WHERE key IS NOT NULL GROUP BY k, key HAVING sum(d) <> 0 ORDER BY k, key
        ON CONFLICT (kind, key) DO UPDATE SET n = a.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER instances_count_insert AFTER INSERT ON instances
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sipis_count_instances();
CREATE TRIGGER instances_count_update AFTER UPDATE ON instances
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sipis_count_instances();
CREATE TRIGGER instances_count_delete AFTER DELETE ON instances
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sipis_count_instances();
CREATE TRIGGER instances_count_truncate AFTER TRUNCATE ON instances
    FOR EACH STATEMENT EXECUTE FUNCTION sipis_count_instances();

-- Locks are taken in a fixed order (namespace, hash, exclusive before shared), so two groups
-- never wait on each other in a cycle. Result rows: (0, registrar, count), (1, user, count) —
-- stored instances other than the group's selectors — and (2, selector, registrar key, user
-- key) for each of the group's selectors already stored. The limits are kept in the signature
-- for the caller; a count read from admission_counts costs the same whatever the quota.
CREATE FUNCTION sipis_admission_counts(lock_ns int[], lock_keys text[], lock_shared boolean[],
                                       reg_keys text[], reg_limits int[], user_keys text[], user_limits int[],
                                       sels text[])
    RETURNS TABLE (r_kind int, r_key text, r_registrar text, r_user text, r_count bigint)
    LANGUAGE plpgsql VOLATILE AS
$$
BEGIN
    PERFORM CASE WHEN o.x THEN pg_advisory_xact_lock_shared(o.ns, o.h) ELSE pg_advisory_xact_lock(o.ns, o.h) END
    FROM (SELECT u.ns, hashtext(u.k) AS h, u.x
          FROM unnest(lock_ns, lock_keys, lock_shared) AS u(ns, k, x)
          ORDER BY 1, 2, 3 OFFSET 0) o;
    RETURN QUERY
        WITH mine AS (SELECT i.selector::text AS sel, lower(coalesce(i.sip_proxy, i.sip_domain)) AS reg,
                             lower(i.sip_user || '@' || i.sip_domain) AS usr
                      FROM instances i WHERE i.selector = ANY (sels))
        SELECT 0, q.kk, NULL::text, NULL::text,
               greatest(0, coalesce((SELECT a.n FROM admission_counts a WHERE a.kind = 0 AND a.key = q.kk), 0)
                           - (SELECT count(*) FROM mine m WHERE m.reg = q.kk))::bigint
        FROM unnest(reg_keys) AS q(kk)
        UNION ALL
        SELECT 1, q.kk, NULL::text, NULL::text,
               greatest(0, coalesce((SELECT a.n FROM admission_counts a WHERE a.kind = 1 AND a.key = q.kk), 0)
                           - (SELECT count(*) FROM mine m WHERE m.usr = q.kk))::bigint
        FROM unnest(user_keys) AS q(kk)
        UNION ALL
        SELECT 2, m.sel, m.reg, m.usr, 0::bigint FROM mine m;
END
$$;
