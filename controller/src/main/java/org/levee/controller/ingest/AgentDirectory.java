package org.levee.controller.ingest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which data center and node each sFlow agent is, and how many samples each sent. An agent is
 * known by the address in its datagrams: from the edges' registrations in etcd (their
 * {@code sflow_agent}), else from the configuration's static map ({@code sflow_agents}, for
 * switches and routers), else it is in data center {@value #UNKNOWN}. Registrations win over the
 * static map and change while the controller runs; {@link #lookup} always answers with the
 * current ones.
 *
 * <p>Threading: the collector's thread calls {@link #lookup} and counts on the {@link Agent} it
 * gets; the registrations' watch calls {@link #registered}; anyone reads {@link #agents()}.
 * Memory is bounded: at most {@value #MAX_AGENTS} agents are counted one by one, the rest
 * together as {@link #other()}.
 */
public final class AgentDirectory {
    /** The data center of samples from an agent nobody registered or configured. */
    public static final String UNKNOWN = "unknown";
    /** Agents counted one by one (the sFlow collector counts as many). */
    public static final int MAX_AGENTS = 10_000;

    /** Where an agent's data center came from. */
    public enum Source {
        REGISTRATION,
        STATIC,
        UNKNOWN
    }

    /**
     * What an agent is.
     *
     * @param datacenter its data center
     * @param node its node name (an edge's registered name; else the agent address)
     * @param source where that came from
     */
    public record Assignment(String datacenter, String node, Source source) {
        public Assignment {
            Objects.requireNonNull(datacenter, "datacenter");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * One agent: its assignment when last looked up, and its sample count. The collector's
     * thread re-reads the assignment through {@link #lookup} when the directory changed.
     */
    public static final class Agent {
        private final InetAddress address;
        private final AtomicLong samples = new AtomicLong();
        private volatile Assignment assignment;
        private volatile long generation;

        Agent(InetAddress address, Assignment assignment, long generation) {
            this.address = address;
            this.assignment = assignment;
            this.generation = generation;
        }

        /** The agent address, or null for the agents past the limit. */
        public InetAddress address() {
            return address;
        }

        public Assignment assignment() {
            return assignment;
        }

        /** Counts one sample. */
        public void sample() {
            samples.incrementAndGet();
        }

        public long samples() {
            return samples.get();
        }
    }

    private final Map<InetAddress, String> statics;
    private final Map<InetAddress, Agent> agents = new ConcurrentHashMap<>();
    private final Agent other = new Agent(null, new Assignment(UNKNOWN, "other", Source.UNKNOWN), 0);
    private volatile Map<InetAddress, Assignment> registrations = Map.of();
    /** Increased with every change of the registrations: cached assignments older than this are looked up again. */
    private volatile long generation = 1;

    /** @param statics data centers of agents from the configuration */
    public AgentDirectory(Map<InetAddress, String> statics) {
        this.statics = Map.copyOf(statics);
    }

    /**
     * The agent with this address, its assignment current. Called for every sample: a known agent
     * costs one map read, a cached one none ({@link #current}).
     */
    public Agent lookup(InetAddress address) {
        Agent agent = agents.get(address);
        if (agent == null) {
            if (agents.size() >= MAX_AGENTS) {
                return other;
            }
            long g = generation;
            agent = agents.computeIfAbsent(address, a -> new Agent(a, assign(a), g));
        }
        return current(agent);
    }

    /** {@code agent} with its assignment brought up to date if the registrations changed since it was made. */
    public Agent current(Agent agent) {
        long g = generation;
        if (agent.generation != g && agent != other) {
            agent.assignment = assign(agent.address);
            agent.generation = g;
        }
        return agent;
    }

    /** Replaces the registered agents (from the edges' registrations). */
    public void registered(Map<InetAddress, Assignment> byAddress) {
        registrations = Map.copyOf(byAddress);
        generation++;
    }

    /** The agents that sent samples, by address, with their counts; the agents past the limit last. */
    public List<Agent> agents() {
        List<Agent> list = new ArrayList<>(agents.values());
        list.forEach(this::current);
        list.sort(Comparator.comparing(a -> a.address().getHostAddress()));
        if (other.samples() > 0) {
            list.add(other);
        }
        return list;
    }

    /** The agents past the limit, counted together. */
    public Agent other() {
        return other;
    }

    private Assignment assign(InetAddress address) {
        Assignment registered = registrations.get(address);
        if (registered != null) {
            return registered;
        }
        String dc = statics.get(address);
        String node = address.getHostAddress();
        return dc != null ? new Assignment(dc, node, Source.STATIC) : new Assignment(UNKNOWN, node, Source.UNKNOWN);
    }
}
