-- Admission of a group of registrations (PgAdmissions): take the group's advisory locks, then
-- count, in one round trip. A VOLATILE function runs each statement with a new snapshot, so the
-- counts see every transaction that held one of these locks and has committed.
--
-- Locks are taken in a fixed order (namespace, hash, exclusive before shared), so two groups
-- never wait on each other in a cycle. Result rows: (0, registrar, count), (1, user, count) —
-- stored instances other than the group's selectors, up to the limit — and (2, selector,
-- registrar key, user key) for each of the group's selectors already stored.
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
        SELECT 0, q.kk, NULL::text, NULL::text,
               (SELECT count(*) FROM (SELECT 1 FROM instances i
                                      WHERE lower(coalesce(i.sip_proxy, i.sip_domain)) = q.kk
                                        AND i.selector <> ALL (sels) LIMIT q.lim) s)
        FROM unnest(reg_keys, reg_limits) AS q(kk, lim)
        UNION ALL
        SELECT 1, q.kk, NULL::text, NULL::text,
               (SELECT count(*) FROM (SELECT 1 FROM instances i
                                      WHERE lower(i.sip_user || '@' || i.sip_domain) = q.kk
                                        AND i.selector <> ALL (sels) LIMIT q.lim) s)
        FROM unnest(user_keys, user_limits) AS q(kk, lim)
        UNION ALL
        SELECT 2, i.selector::text, lower(coalesce(i.sip_proxy, i.sip_domain)), lower(i.sip_user || '@' || i.sip_domain),
               0::bigint
        FROM instances i WHERE i.selector = ANY (sels);
END
$$;
