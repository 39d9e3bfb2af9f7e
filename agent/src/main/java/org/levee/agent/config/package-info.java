/** The node configuration: {@code levee.yaml} read with every problem named by its key path; defaults in docs/configuration.md. */
package org.levee.agent.config;
