/** The HTTP API (JDK HTTP server, JSON): rules, status, metrics. docs/agent.md has examples. */
package org.levee.agent.api;
