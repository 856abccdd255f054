/**
 * Abuse controls shared by the HTTP interface and the registration engine: where SIPIS may send
 * REGISTERs ({@link org.opensipis.core.abuse.TargetPolicy}), address ranges
 * ({@link org.opensipis.core.abuse.Cidr}), and the store port that counts quotas and keeps the
 * audit of who created an instance ({@link org.opensipis.core.abuse.AdmissionStore}).
 */
package org.opensipis.core.abuse;
