/**
 * The instance life cycle: {@link org.opensipis.push.lifecycle.ExpiryPlanner} is a pure
 * function from an instance's age facts and the settings to its timeline (silent renewal
 * pushes, intrusive warnings, Off at expiry); {@link org.opensipis.push.lifecycle.InstanceLifecycle}
 * drives it with an injected clock.
 *
 * <p>Threading: {@code ExpiryPlanner} is immutable. The state of one instance in
 * {@code InstanceLifecycle} is owned by the owner of its selector among the
 * {@link org.opensipis.push.lifecycle.LifecycleOwners} it is given (in production the registration
 * engine's owners, which hold the rest of the instance's state; one partition per owner); its
 * public methods only post work there. {@link org.opensipis.push.lifecycle.LifecycleActions}
 * are called on the owner and must not block.
 */
package org.opensipis.push.lifecycle;
