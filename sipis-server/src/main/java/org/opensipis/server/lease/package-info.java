/**
 * Ownership of selector prefixes at run time: the leases this process holds in PostgreSQL
 * ({@link org.opensipis.server.lease.LeaseKeeper}), the gate the registration engine and the
 * call side ask, and the make-before-break hand-over of prefixes that move on a reload
 * ({@link org.opensipis.server.lease.Rebalancer}). See docs/design-rebalance.md.
 */
package org.opensipis.server.lease;
