package org.levee.agent.testing;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.Sampling;
import org.levee.detector.DetectorConfig;

/** Agent configurations for tests: state in a temporary directory, API on an ephemeral loopback port. */
public final class TestAgents {
    private TestAgents() {}

    /**
     * The default detector, but fingerprinting after {@code minSamples} samples (at most
     * {@code maxDelay} after detection) and retiring rules after {@code cooldown}. The window's
     * pre-attack samples join the attack's, so with a cold baseline a test needs enough attack
     * samples for the normal ones to stay under the detector's 5 %.
     */
    public static DetectorConfig detector(int minSamples, Duration maxDelay, Duration cooldown) {
        DetectorConfig d = DetectorConfig.defaults();
        return new DetectorConfig(
                d.hostThresholds(),
                d.aggregateThresholds(),
                d.overrides(),
                d.aggregateLengthV4(),
                d.aggregateLengthV6(),
                d.windowSeconds(),
                d.baselineMultiple(),
                d.baselineFloorPacketsPerSecond(),
                d.baselineHalfLifeSeconds(),
                d.baselineWarmupSeconds(),
                d.endFraction(),
                cooldown,
                d.coverageTarget(),
                d.maxBaselineMatch(),
                minSamples,
                maxDelay,
                d.sketchCapacity(),
                d.reservoirSize(),
                d.historySamples(),
                d.historySamplesPerSecond(),
                d.datacenterMinShare(),
                d.seed());
    }

    public static AgentConfig config(Path stateDir, String datacenter) {
        return AgentConfig.defaults()
                .withStateDir(stateDir)
                .withDatacenter(datacenter)
                .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                .withSampling(Sampling.fixed(1));
    }
}
