/**
 * The app leg (docs/app-protocol.md): the app's own SIP UA connects over TCP or TLS (directly or
 * through LB2), registers with digest auth against its instance's app secret, and so tells SIPIS
 * whether it is in the foreground. Threading: Netty I/O threads ({@code sipis-app-io-*}) only
 * frame, answer keep-alive pings and parse; every request then hops onto one owner executor, which
 * owns all per-selector state (bindings, timers, the failure limiter) without locks. The current
 * bindings are also published in a concurrent map of immutable {@link org.opensipis.sip.app.AppBinding}
 * records, so other components may read them from any thread.
 */
package org.opensipis.sip.app;
