/**
 * {@code levee demo}: Levee end to end against real floods in the lab of {@link org.levee.lab}.
 *
 * <p>{@link org.levee.lab.demo.DemoRun} builds the lab, runs the agent in-process on the edge (the
 * same {@code Agent} and {@code XdpDataPlane} as {@code levee run}), plays the
 * {@link org.levee.lab.demo.DemoSchedule} of floods, and measures: a {@link org.levee.lab.demo.Tick}
 * of cumulative counters every second becomes a {@link org.levee.lab.demo.Second} of the
 * {@link org.levee.lab.demo.Timeline}; a background {@code RuleWatch} sees when each automatic rule
 * came into force and was retired; each flood becomes an {@link org.levee.lab.demo.AttackOutcome},
 * the legitimate traffic a {@link org.levee.lab.demo.LegitSummary}, and
 * {@link org.levee.lab.demo.Targets} checks the targets. {@link org.levee.lab.demo.ReportJson}
 * and {@link org.levee.lab.demo.ReportHtml} write the {@link org.levee.lab.demo.DemoReport}.
 *
 * <p>Everything but {@code DemoRun} and {@code RuleWatch} is pure computation on values, tested
 * with synthetic timelines; docs/demo.md says how each figure is measured.
 */
package org.levee.lab.demo;
