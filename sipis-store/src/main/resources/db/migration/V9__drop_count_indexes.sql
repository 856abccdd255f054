-- The expression indexes of V5 served the quota counts, which V6 keeps in admission_counts;
-- nothing reads instances by registrar or SIP user any more. Each admitted registration paid for
-- two expression evaluations and two btree insertions (measured: see docs/benchmarks.md, HTTP
-- ingest).
DROP INDEX IF EXISTS instances_registrar;
DROP INDEX IF EXISTS instances_sip_user;
