/**
 * PostgreSQL persistence: schema (Flyway, {@code db/migration}), the HikariCP pool, the
 * {@link org.opensipis.core.instance.InstanceStore} repository, the
 * {@link org.opensipis.core.call.CallLog} ({@code Store.callLog()}), shard loading, the write-behind
 * {@link org.opensipis.store.StateWriter}, change notifications and the embedded default.
 *
 * <p>Threading rule: no method here runs SQL on its caller's thread except the explicitly
 * blocking ones ({@link org.opensipis.store.Store#open}, {@link org.opensipis.store.Store#loadShard},
 * {@link org.opensipis.store.Store#reseal}, {@code close}), which are for start-up, shutdown and
 * the command line. Repository and call-log calls run on the bounded {@code sipis-store-io-*} executor and
 * answer with futures; state is written on {@code sipis-store-writer}; notifications arrive on
 * {@code sipis-store-listener} and the safety-net poll on {@code sipis-store-poll}; a shard load
 * reads on {@code sipis-store-load} and feeds the sink on the caller's thread. Change
 * consumers must hand work over to the owning executor and return quickly.
 */
package org.opensipis.store;
