/**
 * The lab of {@code levee demo} and {@code levee lab}: network namespaces for an edge node,
 * legitimate clients and attackers ({@link org.levee.cli.lab.DemoLab}); floods sent with XDP live
 * frames ({@link org.levee.cli.lab.FloodGenerator}: an XDP program assembled per
 * {@link org.levee.cli.lab.FloodKind} that randomises the fields the real attack varies and
 * fixes the checksums, run with {@code BPF_PROG_TEST_RUN} and {@code XDP_TX}); steady legitimate
 * UDP and TCP requests whose fate is logged by sequence number
 * ({@link org.levee.cli.lab.LegitTraffic}, {@link org.levee.cli.lab.DeliveryLog}).
 */
package org.levee.cli.lab;
