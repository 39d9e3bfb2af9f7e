package org.levee.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.DataplaneProgram;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.asm.AssembledProgram;

/**
 * A rule-set object loaded into the kernel for one data center: its constants patched, its
 * maps bound, every program of the chain verified, and the chain's program array filled. A
 * program of the chain whose rules are all disabled is not loaded: the slot the program before
 * it tail-calls holds the next program that has an enabled rule, and a program after which none
 * is loaded has its tail call disabled ({@link DataplaneProgram#chainSymbol}), so disabled rules
 * cost no tail calls either. The guards of an indexed program's rule groups
 * ({@link DataplaneProgram#groupSymbol}) are decided from the rules' constants.
 *
 * @param programs the loaded programs of the chain, entry first
 * @param chain    the program array joining them (it must stay open or pinned while they run)
 */
public record LoadedProgram(List<Program> programs, BpfMap chain) implements AutoCloseable {
    public LoadedProgram {
        programs = List.copyOf(programs);
    }

    /**
     * Loads {@code object} with {@code constants} (see {@link RuleSetObject#constants}) against {@code maps};
     * each rule counts in the slot {@code maps} keep for it (see {@link RuleSlots}).
     *
     * @throws org.levee.ebpf.BpfException with the verifier's log when the kernel refuses a program
     */
    public static LoadedProgram load(RuleSetObject object, Map<String, Long> constants, DataplaneMapSet maps) {
        return load(object.program(), constants, maps, Map.of());
    }

    /** Loads {@code program}, binding {@code extraMaps} (name to fd) besides the data-plane maps. */
    public static LoadedProgram load(
            DataplaneProgram program,
            Map<String, Long> ruleConstants,
            DataplaneMapSet maps,
            Map<String, Integer> extraMaps) {
        Map<String, Long> constants = withCounterSlots(program, ruleConstants, maps);
        BpfMap chain = BpfMap.create(DataplaneMaps.CHAIN);
        List<Program> loaded = new ArrayList<>();
        try {
            Map<String, Integer> fds = new HashMap<>(maps.fds());
            fds.put(DataplaneMaps.CHAIN.name(), chain.fd());
            fds.putAll(extraMaps);
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < program.programs().size(); i++) {
                if (i == 0 || hasEnabledRule(program.programs().get(i), ruleConstants)) {
                    indexes.add(i); // otherwise every rule of this link of the chain is disabled: the chain skips it
                }
            }
            List<Callable<Program>> loads = new ArrayList<>();
            for (int i : indexes) {
                AssembledProgram assembled = program.programs().get(i);
                Map<String, Long> used = new HashMap<>();
                assembled.unresolvedSymbols().stream()
                        .filter(constants::containsKey)
                        .forEach(s -> used.put(s, constants.get(s)));
                String chainSymbol = i + 1 < program.programs().size() ? DataplaneProgram.chainSymbol(i + 1) : null;
                if (chainSymbol != null && assembled.unresolvedSymbols().contains(chainSymbol)) {
                    // the tail call out of program i runs only when a later program is loaded
                    // (objects written before the tail call had a guard have no such symbol)
                    used.put(chainSymbol, indexes.getLast() > i ? 1L : 0L);
                }
                // the guards of rule groups: 1 where a rule of the group's buckets is enabled
                used.putAll(program.groupConstants(assembled.unresolvedSymbols(), ruleConstants));
                Map<String, Integer> usedMaps = new HashMap<>();
                assembled.unresolvedSymbols().stream()
                        .filter(fds::containsKey)
                        .forEach(s -> usedMaps.put(s, fds.get(s)));
                loads.add(() -> {
                    // an indexed program is large and has a guard or two per rule: deleting each enabled
                    // one would move the whole program each time (AssembledProgram.EnabledGuard)
                    AssembledProgram resolved = assembled.resolve(
                            used,
                            usedMaps,
                            program.groups().isEmpty()
                                    ? AssembledProgram.EnabledGuard.GOTO
                                    : AssembledProgram.EnabledGuard.GOTOL);
                    if (!resolved.isResolved()) {
                        throw new IllegalArgumentException("program " + DataplaneProgram.section(i)
                                + " has symbols without a value: " + resolved.unresolvedSymbols());
                    }
                    return Program.load(ProgramSpec.xdp(DataplaneProgram.symbol(i), resolved.encode())
                            .withLicense(RuleSetObject.LICENSE));
                });
            }
            loaded.addAll(loadAll(loads));
            // program k tail-calls slot k + 1: give that slot the next program that was loaded
            for (int j = 1; j < loaded.size(); j++) {
                chain.put(indexes.get(j - 1) + 1, loaded.get(j).fd());
            }
        } catch (RuntimeException e) {
            loaded.forEach(Program::close);
            chain.close();
            throw e;
        }
        return new LoadedProgram(loaded, chain);
    }

    /**
     * {@code constants} and the counter slot of every rule {@code program} counts
     * ({@link DataplaneProgram#counterSymbol}), from the slots kept with {@code maps}; the
     * rules that have none take one now.
     */
    private static Map<String, Long> withCounterSlots(
            DataplaneProgram program, Map<String, Long> constants, DataplaneMapSet maps) {
        Set<String> ids = new LinkedHashSet<>();
        for (AssembledProgram p : program.programs()) {
            for (String symbol : p.unresolvedSymbols()) {
                if (!constants.containsKey(symbol)) {
                    DataplaneProgram.parseCounterSymbol(symbol).ifPresent(ids::add);
                }
            }
        }
        if (ids.isEmpty()) {
            return constants;
        }
        Map<String, Long> all = new HashMap<>(constants);
        all.putAll(RuleSlots.assign(maps, ids));
        return all;
    }

    /**
     * Runs {@code loads}, at once on as many threads as there are CPUs (the kernel verifies the
     * programs of a privileged loader concurrently: a chain of three programs of 100,000 slots
     * loads in about the time of its largest on a machine with enough CPUs); the programs in
     * order. When one fails, the others are closed and the first failure in order is thrown.
     */
    private static List<Program> loadAll(List<Callable<Program>> loads) {
        if (loads.size() == 1) {
            try {
                return List.of(loads.getFirst().call());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        int threads = Math.min(loads.size(), Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(
                threads, Thread.ofPlatform().name("levee-load-", 0).daemon(true).factory());
        try {
            List<Future<Program>> futures = new ArrayList<>();
            loads.forEach(load -> futures.add(pool.submit(load)));
            // every load runs to its end (a verifier is not interrupted): then the results
            List<Program> programs = new ArrayList<>();
            RuntimeException failure = null;
            boolean interrupted = false;
            for (Future<Program> future : futures) {
                while (true) {
                    try {
                        programs.add(future.get());
                        break;
                    } catch (ExecutionException e) {
                        if (failure == null) {
                            failure = e.getCause() instanceof RuntimeException r
                                    ? r
                                    : new IllegalStateException(e.getCause());
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (failure != null) {
                programs.forEach(Program::close);
                throw failure;
            }
            return programs;
        } finally {
            pool.shutdown();
        }
    }

    /** False when every rule constant {@code program} uses is given as 0 (a program without rule constants has its rules enabled from a map). */
    private static boolean hasEnabledRule(AssembledProgram program, Map<String, Long> constants) {
        List<Long> values = program.unresolvedSymbols().stream()
                .filter(constants::containsKey)
                .map(constants::get)
                .toList();
        return values.isEmpty() || values.stream().anyMatch(v -> v != 0L);
    }

    /** The program to attach. */
    public Program entry() {
        return programs.getFirst();
    }

    /** Verified instructions of all programs together (the kernel's xlated length / 8). */
    public int xlatedInstructions() {
        return programs.stream().mapToInt(p -> p.info().xlatedLength() / 8).sum();
    }

    @Override
    public void close() {
        programs.forEach(Program::close);
        chain.close();
    }
}
