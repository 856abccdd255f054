/**
 * The instance life cycle: {@link org.opensipis.push.lifecycle.ExpiryPlanner} is a pure
 * function from an instance's age facts and the settings to its timeline (silent renewal
 * pushes, intrusive warnings, Off at expiry); {@link org.opensipis.push.lifecycle.InstanceLifecycle}
 * drives it with an injected clock.
 *
 * <p>Threading: {@code ExpiryPlanner} is immutable. All state of {@code InstanceLifecycle}
 * is owned by the one executor it is given ({@code sipis-push-lifecycle} in production);
 * its public methods only post work there. {@link org.opensipis.push.lifecycle.LifecycleActions}
 * are called on that executor and must not block.
 */
package org.opensipis.push.lifecycle;
