/** The controller's Prometheus metrics. */
package org.levee.controller.metrics;
