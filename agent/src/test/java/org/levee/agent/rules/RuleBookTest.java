package org.levee.agent.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.testing.RecordingDataPlane;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.rules.RuleSetException;
import org.levee.rules.StoredRule;
import org.levee.rules.testing.RandomRules;
import org.levee.testing.Requirements;

class RuleBookTest {

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-25T12:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private static Rule drop(String id, String filter, Optional<Instant> expires, Origin origin) {
        return new Rule(id, new Match.Filter(filter), List.of(), List.of(), new Action.Drop(), expires, "", origin);
    }

    @Test
    void listenersHearOfEveryChangeAfterItIsInForceAndOfNothingElse() {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        RuleBook book = RuleBook.restore(new RuleStore(dir), dp, "ams1", clock, Duration.ofMinutes(5));
        List<List<String>> heard = new java.util.ArrayList<>();
        book.onChange(() -> heard.add(book.list().stream().map(StoredRule::id).toList()));
        book.add(drop("a", "udp", Optional.of(now.get().plusSeconds(10)), Origin.MANUAL), Optional.empty());
        book.add(drop("b", "icmp", Optional.empty(), Origin.MANUAL), Optional.empty());
        assertThat(book.remove("nope")).isFalse();
        assertThatThrownBy(() ->
                        book.add(drop("c", "udp and nonsense", Optional.empty(), Origin.MANUAL), Optional.empty()))
                .isInstanceOf(RuleSetException.class);
        assertThat(book.expire()).isEmpty();
        now.set(now.get().plusSeconds(11));
        assertThat(book.expire()).containsExactly("a");
        assertThat(book.remove("b")).isTrue();
        assertThat(heard).containsExactly(List.of("a"), List.of("a", "b"), List.of("b"), List.of());
    }

    @Test
    void everyChangeIsAppliedAndSavedInOrder() {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        RuleStore store = new RuleStore(dir);
        RuleBook book = RuleBook.restore(store, dp, "ams1", clock, Duration.ofMinutes(5));
        book.add(drop("a", "udp", Optional.empty(), Origin.MANUAL), Optional.empty());
        book.add(drop("b", "icmp", Optional.empty(), Origin.MANUAL), Optional.empty());
        assertThat(dp.current().rules()).extracting(Rule::id).containsExactly("a", "b");
        assertThat(store.load()).extracting(StoredRule::id).containsExactly("a", "b");
        assertThat(book.remove("a")).isTrue();
        assertThat(book.remove("a")).isFalse();
        assertThat(dp.current().rules()).extracting(Rule::id).containsExactly("b");
        assertThat(store.load()).extracting(StoredRule::id).containsExactly("b");
        assertThat(dp.current().version()).isEqualTo(book.version()).startsWith("sha256-");
    }

    @Test
    void aDuplicateIdOrABadFilterChangesNothing() {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        RuleBook book = RuleBook.restore(new RuleStore(dir), dp, "", clock, Duration.ofMinutes(5));
        book.add(drop("a", "udp", Optional.empty(), Origin.MANUAL), Optional.empty());
        int applied = dp.applied().size();
        assertThatThrownBy(() -> book.add(drop("a", "tcp", Optional.empty(), Origin.MANUAL), Optional.empty()))
                .isInstanceOf(DuplicateRuleException.class)
                .hasMessageContaining("id: a rule with id 'a' exists");
        assertThatThrownBy(() ->
                        book.add(drop("c", "udp and nonsense", Optional.empty(), Origin.MANUAL), Optional.empty()))
                .isInstanceOfSatisfying(
                        RuleSetException.class,
                        e -> assertThat(e.problems().getFirst()).startsWith("filter: "));
        assertThatThrownBy(() -> book.add(
                        drop("d", "udp", Optional.of(now.get().minusSeconds(1)), Origin.MANUAL), Optional.empty()))
                .hasMessageContaining("expires: ")
                .hasMessageContaining("is not in the future");
        assertThat(dp.applied()).hasSize(applied);
        assertThat(book.list()).extracting(StoredRule::id).containsExactly("a");
    }

    @Test
    void aRefusedSwapLeavesProgramFileAndListAsTheyWere() {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        RuleStore store = new RuleStore(dir);
        RuleBook book = RuleBook.restore(store, dp, "", clock, Duration.ofMinutes(5));
        book.add(drop("a", "udp", Optional.empty(), Origin.MANUAL), Optional.empty());
        dp.failNextApply(new IllegalArgumentException("verifier: too many instructions"));
        assertThatThrownBy(() -> book.add(drop("b", "tcp", Optional.empty(), Origin.MANUAL), Optional.empty()))
                .hasMessageContaining("verifier");
        assertThat(book.list()).extracting(StoredRule::id).containsExactly("a");
        assertThat(store.load()).extracting(StoredRule::id).containsExactly("a");
        assertThat(dp.current().rules()).extracting(Rule::id).containsExactly("a");
    }

    @Test
    void expiredRulesAreRemovedWhenTheirTimeComes() {
        Requirements.library("libpcap.so.0.8");
        RecordingDataPlane dp = new RecordingDataPlane();
        RuleBook book = RuleBook.restore(new RuleStore(dir), dp, "", clock, Duration.ofMinutes(5));
        book.add(drop("short", "udp", Optional.of(now.get().plusSeconds(60)), Origin.MANUAL), Optional.empty());
        book.add(drop("long", "udp", Optional.of(now.get().plusSeconds(3600)), Origin.MANUAL), Optional.empty());
        assertThat(book.expire()).isEmpty();
        now.set(now.get().plusSeconds(60));
        assertThat(book.expire()).containsExactly("short");
        assertThat(dp.current().rules()).extracting(Rule::id).containsExactly("long");
    }

    @Test
    void restoringAppliesStoredRulesFirstAndGivesOldAutoRulesAGracePeriod() {
        Requirements.library("libpcap.so.0.8");
        RuleStore store = new RuleStore(dir);
        Instant created = now.get().minusSeconds(10);
        store.save(List.of(
                new StoredRule(drop("manual", "udp", Optional.empty(), Origin.MANUAL), created, Optional.empty()),
                new StoredRule(
                        drop("auto-x-1", "udp port 53", Optional.empty(), Origin.AUTO), created, Optional.empty()),
                new StoredRule(
                        drop("auto-x-2", "udp port 54", Optional.of(now.get().plusSeconds(30)), Origin.AUTO),
                        created,
                        Optional.empty()),
                new StoredRule(
                        drop("gone", "udp", Optional.of(now.get().minusSeconds(1)), Origin.MANUAL),
                        created,
                        Optional.empty())));
        RecordingDataPlane dp = new RecordingDataPlane();
        RuleBook book = RuleBook.restore(store, dp, "", clock, Duration.ofMinutes(5));
        assertThat(dp.applied()).hasSize(1);
        assertThat(dp.current().rules()).extracting(Rule::id).containsExactly("manual", "auto-x-1", "auto-x-2");
        assertThat(book.get("manual").orElseThrow().rule().expires()).isEmpty();
        assertThat(book.get("auto-x-1").orElseThrow().rule().expires())
                .contains(now.get().plus(Duration.ofMinutes(5)));
        assertThat(book.get("auto-x-2").orElseThrow().rule().expires())
                .contains(now.get().plusSeconds(30));
        assertThat(store.load()).extracting(StoredRule::id).containsExactly("manual", "auto-x-1", "auto-x-2");
    }

    @Test
    void equalRulesGiveEqualVersionsOnEveryNode() {
        Requirements.library("libpcap.so.0.8");
        List<Rule> rules = RandomRules.rules(new SplittableRandom(42), 8).stream()
                .filter(r -> r.expires().isEmpty())
                .toList();
        String[] versions = new String[2];
        for (int node = 0; node < 2; node++) {
            RecordingDataPlane dp = new RecordingDataPlane();
            RuleBook book = RuleBook.restore(
                    new RuleStore(dir.resolve("node" + node)), dp, "ams1", clock, Duration.ofMinutes(5));
            rules.forEach(r -> book.add(r, Optional.empty()));
            versions[node] = dp.current().version();
        }
        assertThat(versions[0]).isEqualTo(versions[1]);
    }
}
