package org.levee.agent.testing;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.Sampling;

/** Agent configurations for tests: state in a temporary directory, API on an ephemeral loopback port. */
public final class TestAgents {
    private TestAgents() {}

    public static AgentConfig config(Path stateDir, String datacenter) {
        return AgentConfig.defaults().withStateDir(stateDir).withDatacenter(datacenter)
                .withApiAddress(new InetSocketAddress("127.0.0.1", 0)).withSampling(Sampling.fixed(1));
    }
}
