/** sFlow in: each sampled Ethernet header becomes a detector sample, tagged with its agent's data center. */
package org.levee.controller.ingest;
