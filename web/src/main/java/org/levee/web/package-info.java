/**
 * The live web page: {@link org.levee.web.WebPage} is one self-contained HTML page (inline CSS
 * and script, allowed by their hashes in its Content-Security-Policy, nothing loaded from
 * elsewhere) that polls the server's read-only JSON routes; {@link org.levee.web.TrafficHistory}
 * keeps the last ten minutes of traffic rates, one point a second, which a
 * {@link org.levee.web.TrafficRecorder} takes from the server's counters;
 * {@link org.levee.web.WebRoutes} serves both ({@code GET /}, {@code GET /traffic}) for the
 * agent's and the controller's HTTP servers.
 */
package org.levee.web;
