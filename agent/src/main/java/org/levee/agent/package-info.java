/**
 * The long-running node: data plane, detector, rule store, HTTP API, metrics.
 */
package org.levee.agent;
