package org.levee.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.levee.dataplane.program.Counter;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.PossibleCpus;
import org.levee.ebpf.XdpLink;

/**
 * What runs on an interface, read from its pins: program id, rule-set version, data center,
 * sample rate, global counters summed over CPUs, and per rule whether it is enabled here and
 * its packets and bytes.
 */
public record Status(
        String iface,
        String netns,
        int programId,
        String version,
        String datacenter,
        int sampleRate,
        Map<Counter, Long> counters,
        List<RuleStatus> rules) {

    /** One rule's line. */
    public record RuleStatus(String id, boolean enabled, String action, long packets, long bytes) {}

    public Status {
        counters = Map.copyOf(counters);
        rules = List.copyOf(rules);
    }

    /**
     * Reads the status of {@code layout}'s interface.
     *
     * @throws DataplaneException when nothing is attached there
     */
    public static Status read(PinLayout layout) {
        Attachment.requireAttached(layout);
        int programId;
        try (XdpLink link = XdpLink.openPinned(layout.pin(PinLayout.LINK))) {
            programId = link.info().programId();
        }
        JsonNode info = Attachment.readInfo(layout);
        int sampleRate;
        Map<Counter, Long> counters;
        List<RuleStatus> rules = new ArrayList<>();
        try (BpfMap config = BpfMap.openPinned(layout.pin(DataplaneMaps.CONFIG.name()));
                BpfMap counterMap = BpfMap.openPinned(layout.pin(DataplaneMaps.COUNTERS.name()));
                BpfMap stats = BpfMap.openPinned(layout.pin(DataplaneMaps.RULE_STATS.name()));
                BpfMap slots = BpfMap.openPinned(layout.pin(DataplaneMaps.RULE_SLOTS.name()))) {
            sampleRate = config.lookup(BpfMap.intBytes(0))
                    .map(v ->
                            ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt(DataplaneMaps.CONFIG_SAMPLE_RATE))
                    .orElse(0);
            counters = sumCounters(counterMap);
            List<String> ids = new ArrayList<>();
            info.path("rules").forEach(rule -> ids.add(rule.path("id").asText()));
            Map<String, long[]> byId = RuleSlots.counts(slots, stats, ids);
            for (JsonNode rule : info.path("rules")) {
                long[] counts = byId.get(rule.path("id").asText());
                rules.add(new RuleStatus(
                        rule.path("id").asText(),
                        rule.path("enabled").asBoolean(),
                        rule.path("action").asText(),
                        counts[0],
                        counts[1]));
            }
        }
        String datacenter = info.path("datacenter").isNull()
                ? null
                : info.path("datacenter").asText(null);
        return new Status(
                layout.iface(),
                layout.netns(),
                programId,
                info.path("version").asText(),
                datacenter,
                sampleRate,
                counters,
                rules);
    }

    /** Every counter summed over the CPUs; {@link Counter#SEEN} is the sum of the exits' counters. */
    public static Map<Counter, Long> sumCounters(BpfMap counters) {
        Map<Counter, Long> sums = new EnumMap<>(Counter.class);
        byte[] value = counters.lookup(BpfMap.intBytes(0)).orElse(new byte[counters.userValueSize()]);
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        int stride = (DataplaneMaps.COUNTERS.valueSize() + 7) & ~7;
        for (Counter counter : Counter.values()) {
            long sum = 0;
            for (int cpu = 0; cpu < PossibleCpus.count(); cpu++) {
                sum += b.getLong(cpu * stride + counter.offset());
            }
            sums.put(counter, sum);
        }
        sums.put(Counter.SEEN, sums.get(Counter.PASSED) + sums.get(Counter.DROPPED) + sums.get(Counter.RATELIMITED));
        return sums;
    }

    /**
     * {packets, bytes} of rule {@code id}, summed over the CPUs (zeros when it has no counter slot):
     * {@code slots} and {@code stats} are {@link DataplaneMaps#RULE_SLOTS} and {@link DataplaneMaps#RULE_STATS}.
     */
    public static long[] ruleCounts(BpfMap slots, BpfMap stats, String id) {
        return RuleSlots.counts(slots, stats, id);
    }

    /** The JSON of {@code levee dataplane status --json}. */
    public String toJson() {
        ObjectMapper json = new JsonMapper();
        ObjectNode root = json.createObjectNode();
        root.put("interface", iface);
        if (netns != null) {
            root.put("netns", netns);
        }
        root.put("program_id", programId);
        root.put("version", version);
        root.put("datacenter", datacenter);
        root.put("sample_rate", sampleRate);
        ObjectNode counterNode = root.putObject("counters");
        for (Counter counter : Counter.values()) {
            counterNode.put(counter.key(), counters.get(counter));
        }
        ArrayNode list = root.putArray("rules");
        for (RuleStatus rule : rules) {
            list.addObject()
                    .put("id", rule.id())
                    .put("enabled", rule.enabled())
                    .put("packets", rule.packets())
                    .put("bytes", rule.bytes());
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON to memory", e);
        }
    }
}
