package org.levee.cli.lab;

/** How the attackers' frames cross the upstream namespace of a {@link DemoLab} to the edge. */
public enum AttackPath {
    /**
     * An XDP program on the upstream's attacker-facing veth redirects every IPv4 frame to the
     * edge-facing veth as is: frames stay XDP frames all the way (no socket buffers), the fastest
     * path. The edge's interface must have an XDP program attached (Levee's, or a test's) to
     * receive redirected frames: without one, veth drops them.
     */
    XDP_REDIRECT,
    /** The upstream namespace routes the attackers' frames like any other (IP forwarding): slower, no requirement. */
    ROUTED
}
