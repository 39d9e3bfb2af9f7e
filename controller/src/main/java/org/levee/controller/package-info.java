/**
 * The fleet's Gatebot, {@code levee controller} ({@link org.levee.controller.Controller}): sFlow
 * in ({@code ingest}), one detector over every data center ({@code detect}), the rule sources in
 * etcd validated, compiled once and published by the leader, and the automatic rules kept in step
 * with the detector ({@code rules}), the fleet's status from etcd ({@code fleet}), the HTTP API
 * ({@code api}) and Prometheus metrics ({@code metrics}); its configuration ({@code config}).
 * docs/fleet.md ("Controller") describes it.
 */
package org.levee.controller;
