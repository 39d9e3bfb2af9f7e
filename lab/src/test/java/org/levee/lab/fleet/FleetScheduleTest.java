package org.levee.lab.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.lab.fleet.FleetSchedule.Attack;
import org.levee.lab.fleet.FleetSchedule.Step;

class FleetScheduleTest {

    @Test
    void aScheduleShorterThanTheShortestIsRefusedWithTheMinimum() {
        assertThatThrownBy(() -> FleetSchedule.lasting(74))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 75 s")
                .hasMessageContaining("not 74");
    }

    @Test
    void aLongerScheduleStretchesTheFloodsButKeepsTheFaultsLengths() {
        FleetSchedule shortest = FleetSchedule.lasting(FleetSchedule.SHORTEST_SECONDS);
        FleetSchedule twice = FleetSchedule.lasting(2 * FleetSchedule.SHORTEST_SECONDS);

        for (int i = 0; i < 3; i++) {
            Attack a = shortest.attacks().get(i);
            Attack b = twice.attacks().get(i);
            assertThat(b.start()).isEqualTo(2 * a.start());
            assertThat(b.stop() - b.start()).isEqualTo(2 * (a.stop() - a.start()));
        }
        for (FleetSchedule s : List.of(shortest, twice)) {
            assertThat(s.healEdge() - s.cutEdge()).isEqualTo(FleetSchedule.EDGE_CUT_SECONDS);
            assertThat(s.startEtcdMember() - s.stopEtcdMember()).isEqualTo(FleetSchedule.ETCD_MEMBER_DOWN_SECONDS);
        }
        assertThat(twice.end()).isEqualTo(150);
    }

    @Test
    void everyFaultFallsWhereTheDemoNeedsIt() {
        for (int seconds : new int[] {75, 90, 120, 300}) {
            FleetSchedule s = FleetSchedule.lasting(seconds);
            Attack syn = s.attacks().get(0);
            Attack memcached = s.attacks().get(1);
            Attack dns = s.attacks().get(2);
            // The leader dies while the first flood is going on, after its rule is in force.
            assertThat(s.killLeader()).isBetween(syn.start() + 2, syn.stop());
            // The etcd member comes back during the second flood, and the cut edge heals before the third.
            assertThat(s.startEtcdMember()).isBetween(memcached.start(), memcached.stop());
            assertThat(s.cutEdge()).isGreaterThan(memcached.stop());
            assertThat(s.healEdge()).isLessThan(dns.start());
            assertThat(s.end() - dns.stop())
                    .as("time for the last rule to retire")
                    .isGreaterThanOrEqualTo(12);
            List<Step> steps = s.steps();
            assertThat(steps).hasSize(11);
            for (int i = 1; i < steps.size(); i++) {
                assertThat(steps.get(i).at())
                        .isGreaterThanOrEqualTo(steps.get(i - 1).at());
            }
            assertThat(s.floodAt(syn.start() + 1)).isEqualTo("syn-spread");
            assertThat(s.floodAt(syn.stop() + 1)).isEqualTo("-");
        }
    }
}
