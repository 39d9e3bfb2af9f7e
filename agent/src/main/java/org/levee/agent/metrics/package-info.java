/** The node's Prometheus metrics, through the Prometheus Java client. */
package org.levee.agent.metrics;
