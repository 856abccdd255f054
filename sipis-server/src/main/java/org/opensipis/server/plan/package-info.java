/**
 * {@code sipis plan}: computes the files of a multi-process or multi-machine layout (the
 * seed's load-balancing recipe) so that names, ports, lock and log files, LB2 selector
 * prefixes, nginx upstreams, DNS records and app parameters agree by construction.
 *
 * <p>Threading: everything here is pure and runs on the caller's thread; {@link
 * org.opensipis.server.plan.Planner} has no state and {@link org.opensipis.server.plan.PlanCommand}
 * writes files once, from the picocli thread.
 */
package org.opensipis.server.plan;
