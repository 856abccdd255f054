/**
 * The instance model shared by every module: what the app registered
 * ({@link org.opensipis.core.instance.InstanceRecord}) and what this process made of it
 * ({@link org.opensipis.core.instance.InstanceState}). Plain immutable values; the mutable
 * state of a live instance is owned by one executor in sipis-sip.
 */
package org.opensipis.core.instance;
