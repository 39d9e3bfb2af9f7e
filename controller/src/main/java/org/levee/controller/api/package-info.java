/** The controller's HTTP API: the agent's rules routes on etcd's rule sources, /fleet, /status, /metrics. */
package org.levee.controller.api;
