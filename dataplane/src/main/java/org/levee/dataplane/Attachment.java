package org.levee.dataplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.levee.dataplane.object.RuleInfo;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.RuleKey;
import org.levee.ebpf.BpfFs;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.SyscallException;
import org.levee.ebpf.UpdateFlag;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.netns.Netns;
import org.levee.rules.Action;

/**
 * Attaches, replaces and detaches the data-plane program of one interface. Everything is
 * pinned under {@link PinLayout#directory()}: the link, the persistent maps, the chain of the
 * current program and {@code levee_info} (the rule-set version, data center and which rules are
 * enabled). A second attach loads the new program completely first and then swaps it in with
 * {@code BPF_LINK_UPDATE}: packets see either the old or the new program, never none, and a
 * failure at any step leaves the running program as it was.
 */
public final class Attachment {
    private Attachment() {}

    /** Sample rate of a first attach when none is given: one packet in 1000. */
    public static final int DEFAULT_SAMPLE_RATE = 1000;

    private static final ObjectMapper JSON = new JsonMapper();

    /**
     * What an attach did.
     *
     * @param replaced  true when an earlier program was swapped out, false for a first attach
     * @param programId the kernel id of the new entry program
     * @param enabled   how many rules are enabled here
     * @param load      how long loading the programs took (their constants patched, the kernel's
     *                  verifier, the chain's program array)
     * @param attach    how long the whole attach took: the maps' entries, the load, the pins and
     *                  the swap (or the first attach)
     */
    public record Result(boolean replaced, int programId, int enabled, Duration load, Duration attach) {}

    /**
     * Attaches {@code object}, specialised for {@code datacenter} (null: none) at {@code now}, to
     * the interface of {@code layout}, or replaces the program already there.
     *
     * @param sampleRate N of the sampler, or null to keep the current one (a first attach uses {@value #DEFAULT_SAMPLE_RATE})
     * @throws DataplaneException for anything the caller can fix; the running program is untouched
     */
    public static Result attach(
            PinLayout layout, RuleSetObject object, String datacenter, Integer sampleRate, XdpMode mode, Instant now) {
        if (sampleRate != null && sampleRate < 0) {
            throw new DataplaneException(
                    "sample rate " + sampleRate + " is negative (0 turns sampling off, N samples 1 in N)");
        }
        long start = System.nanoTime();
        MountNamespaces.requireHostMounts();
        BpfFs.ensureMounted();
        int ifindex = interfaceIndex(layout);
        Path linkPin = layout.pin(PinLayout.LINK);
        boolean existing = Files.exists(linkPin);
        if (!existing && Files.exists(layout.directory())) {
            throw new DataplaneException(
                    layout.directory() + " exists without a link pin (left by an interrupted attach?):"
                            + " run 'levee dataplane detach -i " + layout.iface()
                            + (layout.netns() == null ? "" : " --netns " + layout.netns())
                            + "' first");
        }
        try (DataplaneMapSet maps =
                existing ? DataplaneMapSet.openPinned(layout.directory()) : DataplaneMapSet.create()) {
            XdpLink current = existing ? openLink(layout, ifindex) : null;
            try {
                prepareMaps(object, maps, sampleRate != null ? sampleRate : existing ? -1 : DEFAULT_SAMPLE_RATE);
                Map<String, Long> constants = object.constants(datacenter, now);
                long loading = System.nanoTime();
                try (LoadedProgram loaded = LoadedProgram.load(object, constants, maps);
                        BpfMap info = infoMap(layout, ifindex, object, datacenter, constants)) {
                    Duration load = Duration.ofNanos(System.nanoTime() - loading);
                    int programId = loaded.entry().info().id();
                    if (existing) {
                        List<Path> oldChains = chainPins(layout);
                        Path newChain = layout.pin(chainPin(programId));
                        loaded.chain()
                                .pin(newChain); // before the swap: the new program's chain must outlive this process
                        try {
                            current.update(loaded.entry());
                        } catch (RuntimeException e) {
                            BpfFs.unpin(newChain);
                            throw new DataplaneException(
                                    "cannot replace the program of " + layout.describe() + ": " + e.getMessage()
                                            + "; the running program is unchanged",
                                    e);
                        }
                        replacePin(info, layout.pin(PinLayout.INFO));
                        oldChains.forEach(BpfFs::unpin);
                    } else {
                        firstAttach(layout, ifindex, mode, maps, loaded, info, programId);
                    }
                    int enabled = (int)
                            constants.values().stream().filter(v -> v == 1L).count();
                    return new Result(existing, programId, enabled, load, Duration.ofNanos(System.nanoTime() - start));
                }
            } finally {
                if (current != null) {
                    current.close();
                }
            }
        }
    }

    private static void firstAttach(
            PinLayout layout,
            int ifindex,
            XdpMode mode,
            DataplaneMapSet maps,
            LoadedProgram loaded,
            BpfMap info,
            int programId) {
        BpfFs.directory(layout.relative());
        XdpLink link;
        try {
            link = layout.netns() == null
                    ? XdpLink.attach(loaded.entry(), ifindex, mode)
                    : Netns.run(layout.netns(), (java.util.concurrent.Callable<XdpLink>)
                            () -> XdpLink.attach(loaded.entry(), ifindex, mode));
        } catch (SyscallException e) {
            removePins(layout);
            if (e.errno() == 16) { // EBUSY
                throw new DataplaneException(
                        layout.describe() + " already has an XDP program that levee did not attach"
                                + " (or attached with other pins): remove it first, e.g. 'ip link set dev "
                                + layout.iface()
                                + " xdp off'",
                        e);
            }
            throw new DataplaneException(
                    "cannot attach to " + layout.describe() + " in " + mode + " mode: " + e.getMessage()
                            + (mode == XdpMode.NATIVE ? " (try --generic when the driver has no native XDP)" : ""),
                    e);
        } catch (Exception e) {
            removePins(layout);
            throw new DataplaneException("cannot attach to " + layout.describe() + ": " + e.getMessage(), e);
        }
        try (link) {
            maps.pin(layout.directory());
            loaded.chain().pin(layout.pin(chainPin(programId)));
            info.pin(layout.pin(PinLayout.INFO));
            link.pin(layout.pin(PinLayout.LINK));
        } catch (RuntimeException e) {
            link.detach();
            removePins(layout);
            throw e;
        }
    }

    /**
     * Detaches the program of {@code layout}'s interface and removes every pin Levee made for it.
     *
     * @return false when nothing was attached
     */
    public static boolean detach(PinLayout layout) {
        MountNamespaces.requireHostMounts();
        if (!BpfFs.isBpfFs(BpfFs.ROOT) || !Files.exists(layout.directory())) {
            return false;
        }
        Path linkPin = layout.pin(PinLayout.LINK);
        if (Files.exists(linkPin)) {
            try (XdpLink link = XdpLink.openPinned(linkPin)) {
                if (link.info().ifindex() != 0) {
                    link.detach();
                }
            }
        }
        removePins(layout);
        return true;
    }

    /** Removes the interface's pin directory, and the namespace's directory once it has no interface left. */
    private static void removePins(PinLayout layout) {
        BpfFs.removeTree(layout.directory());
        if (layout.netns() != null) {
            try {
                Files.deleteIfExists(layout.directory().getParent());
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                // other interfaces of the namespace are still attached
            } catch (IOException e) {
                throw new DataplaneException(
                        "cannot remove " + layout.directory().getParent() + ": " + e.getMessage(), e);
            }
        }
    }

    /** Changes the sampler's N of a running program without reloading it. */
    public static void setSampleRate(PinLayout layout, int sampleRate) {
        if (sampleRate < 0) {
            throw new DataplaneException("sample rate " + sampleRate + " is negative");
        }
        requireAttached(layout);
        try (DataplaneMapSet maps = DataplaneMapSet.openPinned(layout.directory())) {
            setSampleRateOf(maps, sampleRate);
        }
    }

    /** Changes the sampler's N in {@code maps}: programs read it for every packet. */
    public static void setSampleRateOf(DataplaneMapSet maps, int sampleRate) {
        if (sampleRate < 0) {
            throw new DataplaneException("sample rate " + sampleRate + " is negative");
        }
        maps.get(DataplaneMaps.CONFIG).update(BpfMap.intBytes(0), configValue(sampleRate));
    }

    /** The sampler's N in {@code maps}. */
    static int sampleRateOf(DataplaneMapSet maps) {
        return maps.get(DataplaneMaps.CONFIG)
                .lookup(BpfMap.intBytes(0))
                .map(v -> ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt(DataplaneMaps.CONFIG_SAMPLE_RATE))
                .orElse(0);
    }

    /**
     * Makes the rate-limit state of {@code object}'s rate-limit rules (kept when it exists, so it
     * survives a swap; their counter slots are taken when the program loads, see {@link RuleSlots}) and sets the sample rate unless {@code sampleRate} is negative.
     */
    public static void prepareMaps(RuleSetObject object, DataplaneMapSet maps, int sampleRate) {
        BpfMap limits = maps.get(DataplaneMaps.RATE_LIMITS);
        for (RuleInfo rule : object.rules()) {
            byte[] key = BpfMap.longBytes(RuleKey.of(rule.id()));
            if (rule.action() instanceof Action.RateLimit && limits.lookup(key).isEmpty()) {
                limits.update(key, new byte[8], UpdateFlag.NOEXIST);
            }
        }
        if (sampleRate >= 0) {
            maps.get(DataplaneMaps.CONFIG).update(BpfMap.intBytes(0), configValue(sampleRate));
        }
    }

    private static byte[] configValue(int sampleRate) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.nativeOrder())
                .putInt(DataplaneMaps.CONFIG_SAMPLE_RATE, sampleRate)
                .array();
    }

    static void requireAttached(PinLayout layout) {
        MountNamespaces.requireHostMounts();
        if (!BpfFs.isBpfFs(BpfFs.ROOT) || !Files.exists(layout.pin(PinLayout.LINK))) {
            throw new DataplaneException("nothing is attached to " + layout.describe() + " (no pin "
                    + layout.pin(PinLayout.LINK) + "); attach with 'levee dataplane attach'");
        }
    }

    /** The index of {@code layout}'s interface, in its namespace. */
    static int interfaceIndex(PinLayout layout) {
        try {
            if (layout.netns() == null) {
                return NetworkInterfaces.index(layout.iface());
            }
            if (!Netns.exists(layout.netns())) {
                throw new DataplaneException("no network namespace '" + layout.netns() + "' ("
                        + Netns.path(layout.netns()) + " is missing)");
            }
            return Netns.run(layout.netns(), (java.util.concurrent.Callable<Integer>)
                    () -> NetworkInterfaces.index(layout.iface()));
        } catch (DataplaneException e) {
            throw e;
        } catch (Exception e) {
            throw new DataplaneException("no " + layout.describe() + " (" + e.getMessage() + ")", e);
        }
    }

    private static XdpLink openLink(PinLayout layout, int ifindex) {
        XdpLink link = XdpLink.openPinned(layout.pin(PinLayout.LINK));
        int linked = link.info().ifindex();
        if (linked != ifindex) {
            link.close();
            throw new DataplaneException("the pinned link of " + layout.describe() + " is for ifindex " + linked
                    + (linked == 0 ? " (detached: the interface was deleted)" : "")
                    + " but the interface now has index " + ifindex
                    + ": run 'levee dataplane detach' first");
        }
        return link;
    }

    private static String chainPin(int programId) {
        return "levee_chain_" + programId;
    }

    private static List<Path> chainPins(PinLayout layout) {
        try (Stream<Path> files = Files.list(layout.directory())) {
            return files.filter(p -> p.getFileName().toString().startsWith("levee_chain_"))
                    .toList();
        } catch (IOException e) {
            throw new DataplaneException("cannot list " + layout.directory() + ": " + e.getMessage(), e);
        }
    }

    private static void replacePin(BpfMap map, Path pin) {
        BpfFs.unpin(pin);
        map.pin(pin);
    }

    /** A new {@code levee_info} map holding the attachment's description as JSON. */
    private static BpfMap infoMap(
            PinLayout layout, int ifindex, RuleSetObject object, String datacenter, Map<String, Long> constants) {
        ObjectNode root = JSON.createObjectNode();
        root.put("interface", layout.iface());
        if (layout.netns() != null) {
            root.put("netns", layout.netns());
        }
        root.put("ifindex", ifindex);
        root.put("version", object.version());
        root.put("datacenter", datacenter);
        root.put("sample_bytes", object.sampleBytes());
        ArrayNode rules = root.putArray("rules");
        for (RuleInfo rule : object.rules()) {
            rules.addObject()
                    .put("id", rule.id())
                    .put("enabled", constants.get(rule.enabledSymbol()) == 1L)
                    .put("action", rule.action().keyword());
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON to memory", e);
        }
        byte[] value = new byte[4 + ((json.length + 7) & ~7)];
        ByteBuffer.wrap(value)
                .order(ByteOrder.nativeOrder())
                .putInt(json.length)
                .put(json);
        BpfMap map = BpfMap.create(MapSpec.array(PinLayout.INFO, value.length, 1));
        try {
            map.update(BpfMap.intBytes(0), value);
        } catch (RuntimeException e) {
            map.close();
            throw e;
        }
        return map;
    }

    /** Reads the JSON written by {@link #infoMap}. */
    static JsonNode readInfo(PinLayout layout) {
        try (BpfMap map = BpfMap.openPinned(layout.pin(PinLayout.INFO))) {
            byte[] value = map.lookup(BpfMap.intBytes(0))
                    .orElseThrow(() -> new DataplaneException(layout.pin(PinLayout.INFO) + " is empty"));
            int length = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
            return JSON.readTree(new String(value, 4, length, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DataplaneException(
                    layout.pin(PinLayout.INFO) + " does not hold Levee's JSON: " + e.getMessage(), e);
        }
    }
}
