/**
 * What the agent needs from the XDP data plane ({@link org.levee.agent.dataplane.DataPlane}) and
 * its implementation on the dataplane module's pinned program ({@link org.levee.agent.dataplane.XdpDataPlane}).
 */
package org.levee.agent.dataplane;
