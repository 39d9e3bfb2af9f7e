package org.levee.dataplane;

/**
 * Where the data plane runs.
 *
 * @param iface the interface name
 * @param netns the network namespace name, "" for the agent's own
 * @param ifindex the interface index (in its namespace)
 * @param programId the kernel's id of the program attached now
 * @param ruleSetVersion the version of the rule set the program was built from
 * @param adopted true when the program was found pinned from a previous run and kept
 */
public record AttachedProgram(
        String iface, String netns, int ifindex, long programId, String ruleSetVersion, boolean adopted) {}
