package org.levee.dataplane;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapInfo;
import org.levee.ebpf.MapSpec;

/**
 * The maps that outlive a program: counters, per-rule counts, rate-limit state, the sample rate,
 * the sample ring buffer and the exit hook. Created once per interface, pinned, and reopened by
 * every later attach, so a replaced program continues where the previous one stopped.
 */
public final class DataplaneMapSet implements AutoCloseable {
    /**
     * The persistent maps: every map of the program except the per-version chain, and the rules'
     * counter slots, which only the loader reads.
     */
    public static final List<MapSpec> PERSISTENT = Stream.concat(
                    DataplaneMaps.ALL.stream().filter(m -> m != DataplaneMaps.CHAIN),
                    Stream.of(DataplaneMaps.RULE_SLOTS))
            .toList();

    private final Map<String, BpfMap> maps;

    private DataplaneMapSet(Map<String, BpfMap> maps) {
        this.maps = maps;
    }

    /** New, empty maps. */
    public static DataplaneMapSet create() {
        Map<String, BpfMap> maps = new LinkedHashMap<>();
        try {
            for (MapSpec spec : PERSISTENT) {
                maps.put(spec.name(), BpfMap.create(spec));
            }
        } catch (RuntimeException e) {
            maps.values().forEach(BpfMap::close);
            throw e;
        }
        return new DataplaneMapSet(maps);
    }

    /**
     * The maps pinned in {@code directory}, each checked against what this Levee expects.
     *
     * @throws DataplaneException naming a missing or different map
     */
    public static DataplaneMapSet openPinned(Path directory) {
        Map<String, BpfMap> maps = new LinkedHashMap<>();
        try {
            for (MapSpec spec : PERSISTENT) {
                Path pin = directory.resolve(spec.name());
                if (!Files.exists(pin)
                        && spec == DataplaneMaps.LOCAL
                        && Files.exists(directory.resolve(DataplaneMaps.COUNTERS.name()))) {
                    // attached by a Levee without the local stage: its slot is made now, empty
                    BpfMap made = BpfMap.create(spec);
                    maps.put(spec.name(), made);
                    made.pin(pin);
                    continue;
                }
                if (!Files.exists(pin)) {
                    throw new DataplaneException(
                            "pin " + pin + " is missing: the pins of this interface are incomplete;"
                                    + " run 'levee dataplane detach' and attach again");
                }
                BpfMap map = BpfMap.openPinned(pin);
                maps.put(spec.name(), map);
                MapInfo info = map.info();
                if (info.type() != spec.type()
                        || info.keySize() != spec.keySize()
                        || info.valueSize() != spec.valueSize()
                        || info.maxEntries() != spec.maxEntries()) {
                    throw new DataplaneException("pinned map " + pin + " is " + info + ", this Levee expects " + spec
                            + "; run 'levee dataplane detach' and attach again");
                }
            }
        } catch (RuntimeException e) {
            maps.values().forEach(BpfMap::close);
            throw e;
        }
        return new DataplaneMapSet(maps);
    }

    /** Pins every map in {@code directory} (which must exist), replacing nothing. */
    public void pin(Path directory) {
        maps.forEach((name, map) -> map.pin(directory.resolve(name)));
    }

    public BpfMap get(MapSpec spec) {
        BpfMap map = maps.get(spec.name());
        if (map == null) {
            throw new IllegalArgumentException("map '" + spec.name() + "' is not persistent");
        }
        return map;
    }

    /** File descriptors by map name, for resolving map relocations. */
    public Map<String, Integer> fds() {
        Map<String, Integer> fds = new LinkedHashMap<>();
        maps.forEach((name, map) -> fds.put(name, map.fd()));
        return fds;
    }

    @Override
    public void close() {
        maps.values().forEach(BpfMap::close);
    }
}
