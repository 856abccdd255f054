/**
 * The app-facing registration endpoint ({@code /sipis/register} and its verbs). Threading:
 * requests are parsed on an HTTP worker thread; store futures complete on the store's threads
 * and only build immutable replies there.
 */
package org.opensipis.http.register;
